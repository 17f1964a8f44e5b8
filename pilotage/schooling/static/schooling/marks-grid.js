// Keyboard-first marks grid. The page is a plain form that works without this file: the
// script only moves the focus like a spreadsheet, spreads a pasted Excel column over the
// cells, flags values the server will refuse and warns before unsaved work is lost. The
// server stays the authority: nothing here blocks the form from being submitted.
(function () {
  "use strict";

  var CODES = { ABS: "ABS", A: "ABS", DISP: "DISP", D: "DISP" };
  var NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;

  function problemOf(text, messages) {
    var value = text.trim();
    if (value === "" || Object.prototype.hasOwnProperty.call(CODES, value.toUpperCase())) {
      return "";
    }
    if (!NUMBER.test(value)) { return messages.invalid; }
    var number = parseFloat(value.replace(",", "."));
    if (number < 0 || number > 20) { return messages.range; }
    var decimals = (value.split(/[.,]/)[1] || "").replace(/0+$/, "");
    if (decimals.length > 2) { return messages.decimals; }
    return "";
  }

  function format(template, count) {
    return template.replace("%(count)s", String(count));
  }

  function setUp(form) {
    var messages = {
      invalid: form.dataset.msgInvalid,
      range: form.dataset.msgRange,
      decimals: form.dataset.msgDecimals,
      pasted: form.dataset.msgPasted,
      overflow: form.dataset.msgOverflow
    };
    var indicator = form.querySelector("[data-dirty-indicator]");
    var status = form.querySelector("[data-grid-status]");
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-row][data-col]"));
    var cells = [];
    inputs.forEach(function (input) {
      var row = Number(input.dataset.row);
      (cells[row] = cells[row] || [])[Number(input.dataset.col)] = input;
    });
    // A page shown again after a refused save holds values that are not saved yet.
    var startsDirty = form.hasAttribute("data-unsaved");
    var submitting = false;

    function cellAt(row, col) { return cells[row] && cells[row][col]; }

    function isDirty() {
      return startsDirty || inputs.some(function (input) { return input.value !== input.defaultValue; });
    }

    function showDirty() {
      if (indicator) { indicator.hidden = !isDirty(); }
    }

    function errorSpan(input, create) {
      var id = "cell-err-" + input.dataset.row + "-" + input.dataset.col;
      var span = document.getElementById(id);
      if (!span && create) {
        span = document.createElement("span");
        span.className = "cell-error";
        span.id = id;
        input.insertAdjacentElement("afterend", span);
      }
      return span;
    }

    function check(input) {
      var problem = problemOf(input.value, messages);
      var span = errorSpan(input, Boolean(problem));
      if (problem) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", span.id);
        span.textContent = problem;
        span.hidden = false;
      } else {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
        if (span) { span.hidden = true; }
      }
      input.classList.toggle("is-changed", input.value !== input.defaultValue);
    }

    function refresh(input) {
      check(input);
      showDirty();
    }

    function moveTo(row, col) {
      var target = cellAt(row, col);
      if (!target) { return false; }
      target.focus();
      target.select();
      return true;
    }

    form.addEventListener("keydown", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-row][data-col]")) { return; }
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        return;
      }
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      var row = Number(input.dataset.row);
      var col = Number(input.dataset.col);
      var start = input.selectionStart;
      var end = input.selectionEnd;
      var length = input.value.length;
      var collapsed = start === end;
      var wholeSelected = start === 0 && end === length;
      // Columns run right to left in Arabic: the arrows follow what the eye sees.
      var rtl = (document.dir || document.documentElement.dir) === "rtl";
      var moved = false;
      switch (event.key) {
        case "ArrowUp":
          moved = moveTo(row - 1, col);
          break;
        case "ArrowDown":
          moved = moveTo(row + 1, col);
          break;
        case "Enter":
          event.preventDefault();  // Enter moves down; it never submits half a sheet.
          moved = moveTo(event.shiftKey ? row - 1 : row + 1, col);
          break;
        case "ArrowLeft":
          // The cell text is left-to-right: its visual left edge is the caret's start.
          if (wholeSelected || (collapsed && start === 0)) {
            moved = moveTo(row, rtl ? col + 1 : col - 1);
          }
          break;
        case "ArrowRight":
          if (wholeSelected || (collapsed && end === length)) {
            moved = moveTo(row, rtl ? col - 1 : col + 1);
          }
          break;
        default:
          return;
      }
      if (moved) { event.preventDefault(); }
    });

    form.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches("input[data-row]")) { refresh(event.target); }
    });

    form.addEventListener("focusout", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-row]")) { return; }
      var code = CODES[input.value.trim().toUpperCase()];
      if (code && input.value !== code) {
        input.value = code;
        refresh(input);
      }
    });

    // A column (or block) copied from Excel arrives as lines separated by newlines and
    // cells separated by tabs: fill downward (and across) from the focused cell.
    form.addEventListener("paste", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-row][data-col]")) { return; }
      var data = event.clipboardData || window.clipboardData;
      if (!data) { return; }
      var text = (data.getData("text/plain") || data.getData("text") || "").replace(/\r\n?/g, "\n");
      text = text.replace(/\n+$/, "");
      if (!/[\n\t]/.test(text)) { return; }  // one value: the browser pastes it as usual
      event.preventDefault();
      var row0 = Number(input.dataset.row);
      var col0 = Number(input.dataset.col);
      var filled = 0;
      var ignored = 0;
      text.split("\n").forEach(function (line, i) {
        line.split("\t").forEach(function (value, j) {
          var target = cellAt(row0 + i, col0 + j);
          if (!target) { ignored += 1; return; }
          target.value = value.trim();
          check(target);
          filled += 1;
        });
      });
      showDirty();
      if (status) {
        var message = format(messages.pasted, filled);
        if (ignored) { message += " " + format(messages.overflow, ignored); }
        status.textContent = message;
      }
    });

    form.addEventListener("submit", function () { submitting = true; });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || !isDirty()) { return; }
      event.preventDefault();
      event.returnValue = "";
    });

    showDirty();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-marks-form]"), setUp);
  });
})();
