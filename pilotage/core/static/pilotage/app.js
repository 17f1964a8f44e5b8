// Small behaviours the pages need; no inline scripts (the CSP forbids them).
(function () {
  "use strict";

  // The language menu applies the choice at once.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
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
