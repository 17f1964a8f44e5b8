// The answer page's behaviour: the form's logic evaluated as the answers are typed, with the
// trees the server parsed (json_script "survey-logic") and the twin evaluator of xpath.js,
// read the way the server reads a posted page (answers.py): a select_multiple is its names
// separated by spaces; inside a repeat, ${x} of the same repeat is the row's answer; a
// repeat's question read from outside it is the list of the rows' answers.
//
// Sending goes through fetch with Accept: application/json; when the network is down the
// answers are kept in localStorage under their instance id and sent again when it comes
// back, or at the next visit (the server stores an instance id once). Without this script
// the form posts as a plain form.
(function () {
  "use strict";

  var X = window.PilotageXPath;
  var form = document.getElementById("survey-answer");
  if (!form || !X) { return; }
  var logic = JSON.parse(document.getElementById("survey-logic").textContent || "{}");
  var messages = JSON.parse(document.getElementById("survey-messages").textContent || "{}");
  var STORE = "pilotage.survey.";
  var pageUrl = window.location.pathname + window.location.search;

  // --- Reading the answers ---------------------------------------------------------

  function rowOf(el) { return el.closest(".repeat-row"); }

  function inputsOf(q) { return q.querySelectorAll("input, select, textarea"); }

  function read(q) {
    var widget = q.getAttribute("data-widget");
    var inputs = Array.prototype.slice.call(inputsOf(q)).filter(function (i) { return !i.disabled; });
    if (widget === "radio") {
      var on = inputs.filter(function (i) { return i.checked; });
      return on.length ? on[0].value : "";
    }
    if (widget === "checkbox") {
      return inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; }).join(" ");
    }
    if (widget === "acknowledge") { return inputs.length && inputs[0].checked ? "OK" : ""; }
    if (widget === "file" || widget === "note" || !inputs.length) { return ""; }
    return String(inputs[0].value || "").trim();
  }

  function nameOf(el) { return el.getAttribute("data-name"); }

  // The questions and calculations of one level: the form's (row null) or one row's.
  function own(root, row) {
    var found = [];
    root.querySelectorAll(".q[data-name], input.q-calc[data-name]").forEach(function (el) {
      if (rowOf(el) === row) { found.push(el); }
    });
    return found;
  }

  function valueOf(el) { return el.classList.contains("q-calc") ? (el.disabled ? "" : el.value) : read(el); }

  function values(row) {
    var found = {};
    own(form, null).forEach(function (el) { found[nameOf(el)] = valueOf(el); });
    form.querySelectorAll(".q-repeat").forEach(function (rep) {
      var rows = rep.querySelectorAll(":scope > .repeat-rows > .repeat-row");
      rows.forEach(function (r) {
        own(r, r).forEach(function (el) {
          var name = nameOf(el);
          if (!Array.isArray(found[name])) { found[name] = []; }
          found[name].push(valueOf(el));
        });
      });
      var blank = rep.querySelector("template.repeat-blank");
      if (blank) {
        blank.content.querySelectorAll(".q[data-name], input.q-calc[data-name]").forEach(function (el) {
          if (!Array.isArray(found[nameOf(el)])) { found[nameOf(el)] = []; }
        });
      }
    });
    if (row) { own(row, row).forEach(function (el) { found[nameOf(el)] = valueOf(el); }); }
    return found;
  }

  function evaluate(ast, row, current, choice) {
    var context = { values: values(row), current: current || "" };
    if (choice) { context.choice = choice; }
    try { return X.evaluate(ast, context); } catch (e) { return ""; }
  }

  function holds(ast, row, current) {
    if (ast === true) { return true; }
    return X.toBoolean(evaluate(ast, row, current));
  }

  // --- Repeats ----------------------------------------------------------------------

  function rowsOf(rep) { return rep.querySelectorAll(":scope > .repeat-rows > .repeat-row"); }

  function addRow(rep) {
    var blank = rep.querySelector(":scope > template.repeat-blank");
    if (!blank) { return; }
    var next = 0;
    rowsOf(rep).forEach(function (r) { next = Math.max(next, Number(r.getAttribute("data-index")) + 1); });
    var holder = document.createElement("div");
    holder.innerHTML = blank.innerHTML.split("__index__").join(String(next));
    rep.querySelector(":scope > .repeat-rows").appendChild(holder.firstElementChild);
  }

  function repeats() {
    form.querySelectorAll(".q-repeat").forEach(function (rep) {
      var entry = logic[nameOf(rep)] || {};
      var counted = entry.repeat_count !== undefined;
      rep.querySelectorAll(":scope > .repeat-add, :scope > .repeat-rows > .repeat-row > .repeat-remove")
        .forEach(function (b) { b.hidden = counted; });
      if (!counted || rep.hidden) { return; }
      var wanted = X.toNumber(evaluate(entry.repeat_count, rowOf(rep)));
      wanted = isNaN(wanted) ? 0 : Math.max(0, Math.min(Math.floor(wanted), 500));
      var rows = rowsOf(rep);
      for (var i = rows.length - 1; i >= wanted; i--) { rows[i].remove(); }
      for (var j = rows.length; j < wanted; j++) { addRow(rep); }
    });
  }

  // --- Relevance, calculations, choice filters ------------------------------------

  function setEnabled(container, enabled) {
    inputsOf(container).forEach(function (i) {
      if (i.hasAttribute("data-locked")) { return; }
      if (!enabled) {
        if (i.type === "radio" || i.type === "checkbox") { i.checked = false; }
        else if (i.tagName === "SELECT") { i.value = ""; }
        else if (i.type !== "hidden" && i.type !== "file") { i.value = ""; }
      }
      i.disabled = !enabled;
    });
  }

  function relevance() {
    var all = form.querySelectorAll(".q-group[data-name], .q-repeat[data-name], .q[data-name], input.q-calc[data-name]");
    all.forEach(function (el) {
      var entry = logic[nameOf(el)] || {};
      if (entry.relevant === undefined) { return; }
      var outer = el.parentElement.closest(".q-group[hidden], .q-repeat[hidden], .q[hidden]");
      var shown = !outer && holds(entry.relevant, rowOf(el));
      // Hidden: always disabled again (a group shown again enabled what it holds).
      if (shown && !el.hidden) { return; }
      el.hidden = !shown;
      if (el.tagName === "INPUT") { el.disabled = !shown; } else { setEnabled(el, shown); }
    });
  }

  function calculations() {
    // Each pass sees the results of the one before; a form's calculations are free of
    // cycles (checked at upload), so as many passes as calculations reach the fixed point.
    var calcs = form.querySelectorAll("input.q-calc[data-name]");
    for (var pass = 0; pass <= calcs.length; pass++) {
      var changed = false;
      calcs.forEach(function (el) {
        var entry = logic[nameOf(el)] || {};
        if (entry.calculate === undefined || el.disabled) { return; }
        var result = X.toString(evaluate(entry.calculate, rowOf(el)));
        if (el.value !== result) { el.value = result; changed = true; }
      });
      if (!changed) { return; }
    }
  }

  function columns(el) {
    var found = {};
    Array.prototype.forEach.call(el.attributes, function (a) {
      if (a.name.indexOf("data-f-") === 0) { found[a.name.slice(7)] = a.value; }
    });
    return found;
  }

  function choiceFilters() {
    form.querySelectorAll(".q[data-name]").forEach(function (q) {
      var entry = logic[nameOf(q)] || {};
      if (entry.choice_filter === undefined || q.hidden) { return; }
      var row = rowOf(q);
      q.querySelectorAll("label.q-choice, option[value]:not([value=''])").forEach(function (choice) {
        var keep = X.toBoolean(evaluate(entry.choice_filter, row, "", columns(choice)));
        var input = choice.tagName === "OPTION" ? choice : choice.querySelector("input");
        choice.hidden = !keep;
        if (!input.hasAttribute("data-locked")) { input.disabled = !keep; }
        if (!keep && (input.checked || input.selected)) {
          if (choice.tagName === "OPTION") { choice.parentElement.value = ""; } else { input.checked = false; }
        }
      });
    });
  }

  function signature() { return JSON.stringify(values(null)); }

  function refresh() {
    // Each step may change what the others read: run them until the answers settle.
    for (var pass = 0; pass < 6; pass++) {
      var before = signature();
      repeats();
      relevance();
      calculations();
      choiceFilters();
      if (signature() === before) { return; }
    }
  }

  // --- Checking one answer (the server checks again) ------------------------------

  var INTEGER = /^-?[0-9]+$/;
  var DECIMAL = /^-?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$/;

  function problem(q, final) {
    if (q.hidden || q.closest("[hidden]")) { return ""; }
    var entry = logic[nameOf(q)] || {};
    var row = rowOf(q);
    var value = read(q);
    var widget = q.getAttribute("data-widget");
    if (!value) {
      if (final && entry.required !== undefined && holds(entry.required, row)) {
        return q.getAttribute("data-required-msg") || messages.required;
      }
      return "";
    }
    if (widget === "integer" && !INTEGER.test(value)) { return messages.integer; }
    if (widget === "decimal" && !DECIMAL.test(value.replace(/\s/g, ""))) { return messages.decimal; }
    var current = widget === "decimal" ? value.replace(",", ".") : value;
    if (entry.constraint !== undefined && !holds(entry.constraint, row, current)) {
      return q.getAttribute("data-constraint-msg") || messages.constraint;
    }
    return "";
  }

  function show(q, text) {
    var slot = q.querySelector(":scope > .q-error");
    if (!slot) { return; }
    slot.textContent = text;
    slot.hidden = !text;
    q.classList.toggle("q-invalid", !!text);
  }

  function checkAll(final) {
    var first = null;
    form.querySelectorAll(".q[data-name]").forEach(function (q) {
      var text = problem(q, final);
      show(q, text);
      if (text && !first) { first = q; }
    });
    return first;
  }

  function questionOf(target) { return target.closest ? target.closest(".q[data-name]") : null; }

  form.addEventListener("input", function (event) {
    refresh();
    // A message shown goes as soon as the answer is right, not at the next blur: the
    // page would otherwise move under the finger that taps the next question.
    var q = questionOf(event.target);
    if (q && q.classList.contains("q-invalid") && !problem(q, true)) { show(q, ""); }
  });
  form.addEventListener("change", function (event) {
    refresh();
    var q = questionOf(event.target);
    if (q) { show(q, problem(q, false)); }
  });
  form.addEventListener("focusout", function (event) {
    var q = questionOf(event.target);
    if (q && !q.contains(event.relatedTarget)) { show(q, problem(q, false)); }
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    if (button.classList.contains("repeat-add")) {
      addRow(button.closest(".q-repeat"));
      refresh();
    } else if (button.classList.contains("repeat-remove")) {
      button.closest(".repeat-row").remove();
      refresh();
    }
  });

  // --- Sending, and keeping the answers while offline -----------------------------

  function status(id, text) {
    var el = document.getElementById(id);
    if (!el) {
      el = document.createElement(id === "answer-problems" ? "div" : "p");
      el.id = id;
      el.className = id === "answer-problems" ? "errors" : "notice";
      el.setAttribute("role", id === "answer-problems" ? "alert" : "status");
      form.parentElement.insertBefore(el, document.getElementById("offline-notice"));
    }
    if (text !== undefined) { el.textContent = text; }
    el.hidden = false;
    return el;
  }

  function hide(id) { var el = document.getElementById(id); if (el) { el.hidden = true; } }

  function showProblems(problems, heading) {
    var box = status("answer-problems", "");
    var p = document.createElement("p");
    p.textContent = heading;
    var list = document.createElement("ul");
    problems.forEach(function (item) {
      var li = document.createElement("li");
      var text = document.createElement("bdi");
      li.setAttribute("data-field", item.field);
      text.textContent = (item.label || item.field) + " : " + item.reason;
      li.appendChild(text);
      list.appendChild(li);
      var q = form.querySelector('.q[data-input="' + item.field.replace(/"/g, "") + '"]');
      if (q) { show(q, item.reason); }
    });
    box.appendChild(p);
    box.appendChild(list);
    box.scrollIntoView({ block: "start" });
  }

  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function entriesOf(data) {
    var found = [];
    data.forEach(function (value, key) { if (typeof value === "string") { found.push([key, value]); } });
    return found;
  }

  function keep(payload) {
    try { window.localStorage.setItem(STORE + payload.instance, JSON.stringify(payload)); } catch (e) { /* full */ }
  }

  function forget(instance) {
    try { window.localStorage.removeItem(STORE + instance); } catch (e) { /* unavailable */ }
  }

  function kept() {
    var found = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(STORE) === 0) { found.push(JSON.parse(window.localStorage.getItem(key))); }
      }
    } catch (e) { return []; }
    return found;
  }

  var sending = {};

  // Resolves to the server's JSON answer, or rejects when it is worth sending again.
  function post(payload, data) {
    sending[payload.instance] = true;
    return window.fetch(payload.url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf() }
    }).then(function (response) {
      // Worth sending again later: a server in trouble, the rate limit, a CSRF token gone
      // stale while offline (the next page's token is used then).
      if (response.status >= 500 || response.status === 429 || response.status === 403) {
        throw new Error("retry later: " + response.status);
      }
      return response.json().catch(function () { return { status: "refused", reason: messages.failed }; })
        .then(function (body) { body.http = response.status; return body; });
    }).finally(function () { delete sending[payload.instance]; });
  }

  function dataOf(payload) {
    var data = new FormData();
    payload.entries.forEach(function (pair) {
      data.append(pair[0], pair[0] === "csrfmiddlewaretoken" ? csrf() : pair[1]);
    });
    return data;
  }

  function answered(payload, body) {
    hide("offline-notice");
    hide("answer-problems");
    var here = payload.instance === form.getAttribute("data-instance");
    // Answers kept from an earlier visit of this page, now received: show what they became.
    var earlier = !here && payload.url === pageUrl;
    if (body.http === 200 && body.status === "complete") {
      if (here || earlier) {
        window.location.assign(window.location.pathname + "?sent=" + encodeURIComponent(payload.instance));
      }
    } else if (body.http === 200) {
      if (earlier) { window.location.reload(); }
      if (here) {
        status("saved-notice", messages.saved);
        if (body.problems && body.problems.length) { showProblems(body.problems, messages.kept); }
      }
    } else if (here && body.problems) {
      showProblems(body.problems, messages.refused);
    } else if (here) {
      status("answer-problems", body.reason || messages.failed);
    }
  }

  function resend() {
    kept().forEach(function (payload) {
      if (!payload || !payload.instance || sending[payload.instance]) { return; }
      post(payload, dataOf(payload)).then(function (body) {
        forget(payload.instance);
        answered(payload, body);
      }, function () { status("offline-notice"); });
    });
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var action = submitter && submitter.name === "action" ? submitter.value : "save";
    var final = action === "submit";
    var first = checkAll(final);
    if (final && first) {
      event.preventDefault();
      var focus = first.querySelector("input:not([disabled]), select, textarea");
      if (focus) { focus.focus(); }
      return;
    }
    if (!window.fetch || !window.FormData) { return; }
    event.preventDefault();
    var data = new FormData(form);
    data.set("action", action);
    var payload = {
      instance: form.getAttribute("data-instance"),
      url: form.getAttribute("action") || pageUrl,
      action: action,
      entries: entriesOf(data),
      kept_at: new Date().toISOString()
    };
    post(payload, data).then(function (body) {
      forget(payload.instance);
      answered(payload, body);
    }, function () {
      keep(payload);
      status("offline-notice");
    });
  });

  window.addEventListener("online", resend);
  refresh();
  resend();
})();
