// Small behaviours the pages need; no inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // The language menu applies the choice at once.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });

  // Top bar on a phone: the menu button folds the main menu and the user block (app.css
  // hides them below 720 px while the button says aria-expanded="false"). The button is
  // shown only here, so without JavaScript the menu simply stays open under the bar.
  var menuToggle = document.querySelector("[data-menu-toggle]");
  function setMenu(open) {
    menuToggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  if (menuToggle) {
    menuToggle.hidden = false;
    menuToggle.addEventListener("click", function () {
      setMenu(menuToggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menuToggle.getAttribute("aria-expanded") === "true") {
        setMenu(false);
        menuToggle.focus();
      }
    });
  }

  // Error pages: "back to the previous page" goes back in the history when the browser
  // came from there (the form it held is kept); the link's own address otherwise.
  document.addEventListener("click", function (event) {
    var back = event.target.closest("a[data-history-back]");
    if (back && window.history.length > 1 && document.referrer === back.href) {
      event.preventDefault();
      window.history.back();
    }
  });

  // Org-unit picker: inside a form with a [data-pick-target] field, choosing a unit fills
  // the field instead of opening the unit's page.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-pick-code]");
    if (link) {
      var form = link.closest("form");
      var target = form && form.querySelector("[data-pick-target]");
      if (target) {
        event.preventDefault();
        // data-pick-target="id": the field takes the unit's id, otherwise its code.
        target.value = target.dataset.pickTarget === "id" ? link.dataset.pickId : link.dataset.pickCode;
        var display = form.querySelector("[data-pick-display]");
        if (display) { display.textContent = link.dataset.pickLabel; }
        return;
      }
    }
    var toggle = event.target.closest(".tree-toggle");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      toggle.textContent = open ? "▸" : "▾";
      var children = toggle.parentElement.querySelector(".tree-children");
      if (children) { children.hidden = open; }
    }
  });
})();
