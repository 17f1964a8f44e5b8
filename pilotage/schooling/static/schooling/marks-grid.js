// Keyboard-first marks grid. The page is a plain form that works without this file: the
// script only moves the focus like a spreadsheet, spreads a pasted Excel column over the
// cells, flags values the server will refuse, keeps each pupil's average up to date as
// marks are typed and warns before unsaved work is lost. The server stays the authority:
// nothing here blocks the form from being submitted, and the page it sends back after a
// save shows the averages it computed.
(function () {
  "use strict";

  var CODES = { ABS: "ABS", A: "ABS", DISP: "DISP", D: "DISP" };
  // services/marks.py parse_cell: digits with at most one decimal separator (. , or the
  // Arabic ٫), Arabic-Indic digits read as their value; no sign, exponent or grouping.
  var MARK = /^[0-9]+(?:[.,][0-9]+)?$/;

  function westernDigits(text) {
    return text.replace(/[\u0660-\u0669\u06F0-\u06F9\u066B]/g, function (ch) {
      var code = ch.charCodeAt(0);
      if (code === 0x066B) { return "."; }
      return String(code >= 0x06F0 ? code - 0x06F0 : code - 0x0660);
    });
  }

  // A cell as the server reads it: {code} for ABS/DISP, {cents} for a mark (an integer,
  // so the average is exact), {} for an empty cell, {problem} for what it refuses.
  function parseMark(text, max) {
    var value = text.trim();
    if (value === "") { return {}; }
    if (Object.prototype.hasOwnProperty.call(CODES, value.toUpperCase())) {
      return { code: CODES[value.toUpperCase()] };
    }
    value = westernDigits(value);
    if (!MARK.test(value)) {
      if (value.charAt(0) === "-" && MARK.test(value.slice(1)) && /[1-9]/.test(value)) {
        return { problem: "range" };
      }
      return { problem: "invalid" };
    }
    var parts = value.split(/[.,]/);
    var decimals = (parts[1] || "").replace(/0+$/, "");
    var whole = parts[0].replace(/^0+(?=\d)/, "");
    if (whole.length > 6 || Number(whole) > max || (Number(whole) === max && decimals !== "")) {
      return { problem: "range" };
    }
    if (decimals.length > 2) { return { problem: "decimals" }; }
    return { cents: Number(whole) * 100 + Number((decimals + "00").slice(0, 2)) };
  }

  function problemOf(text, messages, max) {
    var parsed = parseMark(text, max);
    return parsed.problem ? messages[parsed.problem] : "";
  }

  // grading.continuous_average: the weighted mean of the marks of the columns that count
  // (weight > 0); DISP is left out, ABS counts as 0 (data-absent="zero"); half-up to two
  // decimals; no mark at all gives no average. Cells the server would refuse are left out
  // (the save is refused anyway, and the cell says why). Returns cents, or null.
  function averageCents(entries, absentZero) {
    var total = 0;
    var weight = 0;
    entries.forEach(function (entry) {
      var parsed = entry.parsed;
      if (!entry.weight || parsed.problem || parsed.code === "DISP") { return; }
      if (parsed.code === "ABS") {
        if (absentZero) { weight += entry.weight; }
        return;
      }
      if (parsed.cents === undefined) { return; }
      total += parsed.cents * entry.weight;
      weight += entry.weight;
    });
    if (!weight) { return null; }
    return Math.floor((2 * total + weight) / (2 * weight));  // half-up, exact in integers
  }

  function centsText(cents, separator) {
    var fraction = String(cents % 100);
    return String(Math.floor(cents / 100)) + separator + (fraction.length < 2 ? "0" : "") + fraction;
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
    var max = Number(form.dataset.markMax || 20);
    var separator = form.dataset.decimalSeparator || ",";
    var absentZero = form.dataset.absent === "zero";
    var weights = {};
    Array.prototype.forEach.call(form.querySelectorAll("th[data-column][data-weight]"), function (th) {
      weights[th.dataset.column] = Number(th.dataset.weight) || 0;
    });
    var indicator = form.querySelector("[data-dirty-indicator]");
    var status = form.querySelector("[data-grid-status]");
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-row][data-col]"));
    var notes = Array.prototype.slice.call(form.querySelectorAll("input[data-appreciation]"));
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
      return startsDirty || inputs.concat(notes).some(function (input) {
        return input.value !== input.defaultValue;
      });
    }

    function updateAverage(row) {
      var line = row && row.closest("tr");
      var cell = line && line.querySelector("[data-average]");
      if (!cell) { return; }
      var entries = Array.prototype.map.call(line.querySelectorAll("td[data-column] input[data-col]"), function (input) {
        return { weight: weights[input.closest("td").dataset.column] || 0, parsed: parseMark(input.value, max) };
      });
      var cents = averageCents(entries, absentZero);
      cell.textContent = cents === null ? "—" : centsText(cents, separator);
      cell.dataset.value = cents === null ? "" : centsText(cents, ".");
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
      var problem = problemOf(input.value, messages, max);
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
      updateAverage(input);
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
      if (event.key === "Escape" && input.closest && input.closest("details[open]")) {
        var details = input.closest("details[open]");  // the history: Escape closes it
        details.open = false;
        details.querySelector("summary").focus();
        return;
      }
      if (!input.matches || !input.matches("input[data-row]")) { return; }
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        return;
      }
      if (input.hasAttribute("data-appreciation")) {
        // Enter goes down to the next pupil's appreciation, as in the mark columns.
        if (event.key === "Enter" && !event.altKey && !event.ctrlKey && !event.metaKey) {
          event.preventDefault();
          var next = notes[Number(input.dataset.row) + (event.shiftKey ? -1 : 1)];
          if (next) { next.focus(); next.select(); }
        }
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
      var input = event.target;
      if (!input.matches) { return; }
      if (input.matches("input[data-row][data-col]")) { refresh(input); }
      if (input.matches("input[data-appreciation]")) {
        input.classList.toggle("is-changed", input.value !== input.defaultValue);
        showDirty();
      }
    });

    form.addEventListener("focusout", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-row][data-col]")) { return; }
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

    // A row's history opens over the rows below it. The grid scrolls sideways in its own
    // box, which would clip it: while open, the panel is placed in the viewport instead,
    // under its toggle (above it near the bottom of the screen), and follows scrolling.
    var opened = null;

    function place(details) {
      var panel = details.querySelector(".history-panel");
      var toggle = details.querySelector("summary").getBoundingClientRect();
      panel.classList.add("is-floating");
      var width = panel.offsetWidth;
      var height = panel.offsetHeight;
      var rtl = (document.dir || document.documentElement.dir) === "rtl";
      var left = rtl ? toggle.left : toggle.right - width;
      left = Math.max(8, Math.min(left, window.innerWidth - width - 8));
      var top = toggle.bottom + 4;
      if (top + height > window.innerHeight - 8 && toggle.top - height - 4 > 8) {
        top = toggle.top - height - 4;
      }
      panel.style.left = left + "px";
      panel.style.top = top + "px";
    }

    form.addEventListener("toggle", function (event) {
      var details = event.target;
      if (!details.matches || !details.matches("details[data-history]")) { return; }
      if (details.open) {
        if (opened && opened !== details) { opened.open = false; }
        opened = details;
        place(details);
      } else if (opened === details) {
        opened = null;
      }
    }, true);

    function follow() { if (opened) { place(opened); } }
    window.addEventListener("scroll", follow, true);
    window.addEventListener("resize", follow);
    document.addEventListener("click", function (event) {
      if (opened && !opened.contains(event.target)) { opened.open = false; }
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
