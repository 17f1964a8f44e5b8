// The page's evaluator of the XPath trees the server parsed (surveys/xpath/parse.py), for
// relevant, constraint, calculation and choice_filter as the answers are typed. It is the
// twin of surveys/xpath/evaluate.py: the same switch over node types, the same table of
// functions, the same helper names, so the two read side by side; tests/xpath_cases.json
// runs through both. The server stays the authority: it evaluates every submission again.
//
// Values: a string, a number, a boolean, or an array of strings (a question of a repeat,
// read from outside it). Context: {values: {name: text or [texts]}, current: text of ".",
// choice: {column: text} for a choice_filter, now: "2026-12-07T08:30:00.000+01:00"
// (today() and now() read it; without it, the browser's clock)}.
(function () {
  "use strict";

  function evaluate(node, context) {
    context = context || {};
    switch (node.type) {
      case "number": return Number(node.value);
      case "string": return String(node.value);
      case "regex": return String(node.pattern);
      case "field": return lookup(context.values, node.name);
      case "current": return context.current === undefined ? "" : context.current;
      case "column": return lookup(context.choice, node.name);
      case "negate": return -toNumber(evaluate(node.operand, context));
      case "binary": return binary(node, context);
      case "call": return call(node, context);
    }
    throw new Error("unknown node type " + JSON.stringify(node.type));
  }

  function lookup(values, name) {
    if (values && Object.prototype.hasOwnProperty.call(values, name)) { return values[name]; }
    return "";
  }

  function binary(node, context) {
    var op = node.op;
    var left = evaluate(node.left, context);
    if (op === "or") { return toBoolean(left) || toBoolean(evaluate(node.right, context)); }
    if (op === "and") { return toBoolean(left) && toBoolean(evaluate(node.right, context)); }
    var right = evaluate(node.right, context);
    if (["=", "!=", "<", "<=", ">", ">="].indexOf(op) >= 0) { return compare(op, left, right); }
    var x = toNumber(left), y = toNumber(right);
    switch (op) {
      case "+": return x + y;
      case "-": return x - y;
      case "*": return x * y;
      case "div": return x / y;
      case "mod": return x % y;
    }
    throw new Error("unknown operator " + JSON.stringify(op));
  }

  function call(node, context) {
    var name = node.name;
    if (name === "if") {
      var condition = toBoolean(evaluate(node.args[0], context));
      return evaluate(condition ? node.args[1] : node.args[2], context);
    }
    if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, name)) {
      throw new Error("unknown function " + name + "()");
    }
    var args = node.args.map(function (arg) { return evaluate(arg, context); });
    return FUNCTIONS[name](args, context);
  }

  // --- Conversions (XPath 1.0 section 4: string(), number(), boolean()) -------------------

  var NUMBER = /^[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*$/;
  var DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
  var ZONE = "(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?";
  var CLOCK = "([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\\.[0-9]+)?))?" + ZONE;
  var DATETIME = new RegExp("^([0-9]{4})-([0-9]{2})-([0-9]{2})T" + CLOCK + "$");
  var TIME = new RegExp("^" + CLOCK + "$");
  var SPACE = /[ \t\r\n]+/;

  function toStr(value) {
    if (typeof value === "boolean") { return value ? "true" : "false"; }
    if (typeof value === "number") { return formatNumber(value); }
    if (Array.isArray(value)) { return value.length ? value[0] : ""; }
    return value;
  }

  // XPath's number(), plus ODK's reading of dates: days since 1970-01-01, a date-time's
  // time as a fraction of a day (UTC), a time of day its fraction of a day.
  function toNumber(value) {
    if (typeof value === "boolean") { return value ? 1 : 0; }
    if (typeof value === "number") { return value; }
    var text = toStr(value);
    var match = NUMBER.exec(text);
    if (match) { return Number(match[1]); }
    var moment = parseMoment(text);
    if (moment !== null) { return moment[0] + (moment[1] - moment[2]) / 86400; }
    match = TIME.exec(text);
    if (match) {
      var time = clock(match[1], match[2], match[3], match[4]);
      if (time !== null) { return time[0] / 86400; }
    }
    return NaN;
  }

  function toBoolean(value) {
    if (typeof value === "boolean") { return value; }
    if (typeof value === "number") { return value !== 0 && !isNaN(value); }
    return value.length > 0;
  }

  // XPath 1.0's string() of a number: no exponent, no trailing ".0", the shortest digits
  // that read back to the same double (String() gives them, sometimes with an exponent).
  function formatNumber(x) {
    if (isNaN(x)) { return "NaN"; }
    if (!isFinite(x)) { return x > 0 ? "Infinity" : "-Infinity"; }
    if (x === 0) { return "0"; }
    var decimal = decimalDigits(Math.abs(x)), digits = decimal[0], point = decimal[1];
    var body;
    if (point <= 0) {
      body = "0." + "0".repeat(-point) + digits;
    } else if (point >= digits.length) {
      body = digits + "0".repeat(point - digits.length);
    } else {
      body = digits.slice(0, point) + "." + digits.slice(point);
    }
    return (x < 0 ? "-" : "") + body;
  }

  // The shortest significant digits of a positive x and where the point goes: 0.025 is
  // ["25", -1], 1200 is ["12", 4].
  function decimalDigits(x) {
    var parts = String(x).split("e");
    var mantissa = parts[0].split(".");
    var whole = mantissa[0], fraction = mantissa[1] || "";
    var digits = whole + fraction;
    var point = whole.length + (parts.length > 1 ? Number(parts[1]) : 0);
    var stripped = digits.replace(/^0+/, "");
    point -= digits.length - stripped.length;
    return [stripped.replace(/0+$/, ""), point];
  }

  // XPath 1.0 section 3.4: a node-set compares true if one of its values does; booleans
  // win over numbers, numbers over strings for = and !=; < <= > >= compare numbers.
  function compare(op, left, right) {
    if (Array.isArray(left)) {
      if (typeof right === "boolean") { return compare(op, toBoolean(left), right); }
      return left.some(function (item) { return compare(op, item, right); });
    }
    if (Array.isArray(right)) {
      if (typeof left === "boolean") { return compare(op, left, toBoolean(right)); }
      return right.some(function (item) { return compare(op, left, item); });
    }
    if (op === "=" || op === "!=") {
      var equal;
      if (typeof left === "boolean" || typeof right === "boolean") {
        equal = toBoolean(left) === toBoolean(right);
      } else if (typeof left === "number" || typeof right === "number") {
        equal = toNumber(left) === toNumber(right);
      } else {
        equal = left === right;
      }
      return op === "=" ? equal : !equal;
    }
    var x = toNumber(left), y = toNumber(right);
    switch (op) {
      case "<": return x < y;
      case "<=": return x <= y;
      case ">": return x > y;
      case ">=": return x >= y;
    }
    throw new Error("unknown operator " + JSON.stringify(op));
  }

  // --- Dates: days since 1970-01-01, the proleptic Gregorian calendar --------------------
  // Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms" (days_from_civil,
  // civil_from_days). Math.floor stands for Python's floor division //.

  function daysFromCivil(year, month, day) {
    year -= month <= 2 ? 1 : 0;
    var era = Math.floor((year >= 0 ? year : year - 399) / 400);
    var yoe = year - era * 400;
    var doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
    var doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
  }

  function civilFromDays(days) {
    days += 719468;
    var era = Math.floor((days >= 0 ? days : days - 146096) / 146097);
    var doe = days - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) -
      Math.floor(doe / 146096)) / 365);
    var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    var mp = Math.floor((5 * doy + 2) / 153);
    var day = doy - Math.floor((153 * mp + 2) / 5) + 1;
    var month = mp + (mp < 10 ? 3 : -9);
    return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
  }

  function days(year, month, day) {
    var y = Number(year), m = Number(month), d = Number(day);
    if (m < 1 || m > 12 || d < 1) { return null; }
    var count = daysFromCivil(y, m, d);
    var back = civilFromDays(count);
    return back[0] === y && back[1] === m && back[2] === d ? count : null;
  }

  // Seconds since midnight and the zone's offset in seconds, or null if out of range.
  function clock(hour, minute, second, zone) {
    var h = Number(hour), m = Number(minute), s = second ? Number(second) : 0;
    if (h > 23 || m > 59 || s >= 60) { return null; }
    var offset = 0;
    if (zone && zone !== "Z") {
      var zoneHours = Number(zone.slice(1, 3));
      var zoneMinutes = zone.length > 3 ? Number(zone.slice(-2)) : 0;
      if (zoneHours > 23 || zoneMinutes > 59) { return null; }
      offset = (zoneHours * 3600 + zoneMinutes * 60) * (zone.charAt(0) === "-" ? -1 : 1);
    }
    return [h * 3600 + m * 60 + s, offset];
  }

  // A date or a date-time: [local day, local seconds since midnight, offset in seconds].
  // A date-time without an offset is read as UTC.
  function parseMoment(text) {
    var match = DATE.exec(text);
    if (match) {
      var count = days(match[1], match[2], match[3]);
      return count === null ? null : [count, 0, 0];
    }
    match = DATETIME.exec(text);
    if (match) {
      var day = days(match[1], match[2], match[3]);
      var time = clock(match[4], match[5], match[6], match[7]);
      if (day === null || time === null) { return null; }
      return [day, time[0], time[1]];
    }
    return null;
  }

  function pad(n, width) {
    var text = String(n);
    while (text.length < width) { text = "0" + text; }
    return text;
  }

  function dateText(count) {
    var civil = civilFromDays(count);
    if (civil[0] < 0 || civil[0] > 9999) { return ""; }
    return pad(civil[0], 4) + "-" + pad(civil[1], 2) + "-" + pad(civil[2], 2);
  }

  // A date, date-time or number of days as [local day, local milliseconds since midnight,
  // rounded], for date() and format-date().
  function localMoment(value) {
    var count, milliseconds;
    if (typeof value === "string" || Array.isArray(value)) {
      var text = toStr(value);
      var moment = parseMoment(text);
      if (moment !== null) {
        count = moment[0];
        milliseconds = Math.floor(moment[1] * 1000 + 0.5);
      } else if (NUMBER.test(text)) {
        return localMoment(toNumber(text));
      } else {
        return null;
      }
    } else {
      var number = toNumber(value);
      if (!isFinite(number)) { return null; }
      count = Math.floor(number);
      milliseconds = Math.floor((number - count) * 86400000 + 0.5);
    }
    if (milliseconds >= 86400000) {
      count += 1;
      milliseconds -= 86400000;
    }
    return [count, milliseconds];
  }

  function formatDate(value, pattern) {
    var moment = localMoment(value);
    if (moment === null) { return ""; }
    var ms = moment[1];
    var civil = civilFromDays(moment[0]);
    var fields = {
      Y: pad(civil[0], 4),
      y: pad(civil[0] % 100, 2),
      m: pad(civil[1], 2),
      n: String(civil[1]),
      d: pad(civil[2], 2),
      e: String(civil[2]),
      H: pad(Math.floor(ms / 3600000), 2),
      h: String(Math.floor(ms / 3600000)),
      M: pad(Math.floor(ms / 60000) % 60, 2),
      S: pad(Math.floor(ms / 1000) % 60, 2),
      "3": pad(ms % 1000, 3)
    };
    var out = "";
    for (var i = 0; i < pattern.length; i++) {
      var next = pattern.charAt(i + 1);
      if (pattern.charAt(i) === "%" && Object.prototype.hasOwnProperty.call(fields, next)) {
        out += fields[next];
        i += 1;
      } else {
        out += pattern.charAt(i);
      }
    }
    return out;
  }

  function now(context) {
    if (context.now !== undefined) { return context.now; }
    var date = new Date();
    var offset = -date.getTimezoneOffset();
    var sign = offset < 0 ? "-" : "+";
    offset = Math.abs(offset);
    return pad(date.getFullYear(), 4) + "-" + pad(date.getMonth() + 1, 2) + "-" +
      pad(date.getDate(), 2) + "T" + pad(date.getHours(), 2) + ":" +
      pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2) + "." +
      pad(date.getMilliseconds(), 3) + sign + pad(Math.floor(offset / 60), 2) + ":" +
      pad(offset % 60, 2);
  }

  // --- Functions --------------------------------------------------------------------------

  // The arguments with every node-set spread into its values.
  function items(args) {
    var out = [];
    args.forEach(function (arg) {
      if (Array.isArray(arg)) { out.push.apply(out, arg); } else { out.push(arg); }
    });
    return out;
  }

  function tokens(value) {
    return toStr(value).split(SPACE).filter(function (token) { return token !== ""; });
  }

  // Characters are code points, as in Python: Array.from does not split a surrogate pair.
  function chars(text) { return Array.from(text); }

  // A zero result takes x's sign (used by round, as Math.floor, ceil and trunc already do).
  function signedZero(result, x) {
    if (result !== 0) { return result; }
    return x < 0 || Object.is(x, -0) ? -0 : 0;
  }

  // XPath 1.0's round, halves toward positive infinity (-2.5 is -2), with the ODK number
  // of decimals, on the number as written (2.675 is 2.68), as the server's _round.
  function round(args) {
    var x = toNumber(args[0]);
    var places = args.length > 1 ? toNumber(args[1]) : 0;
    if (isNaN(places)) { return NaN; }
    if (!isFinite(x) || x === 0) { return x; }
    var decimal = decimalDigits(Math.abs(x)), digits = decimal[0], point = decimal[1];
    var keep = point + Math.trunc(Math.max(Math.min(places, 400), -400));
    if (keep >= digits.length) { return x; }
    var head = keep > 0 ? BigInt(digits.slice(0, keep)) : BigInt(0);
    var dropped = keep >= 0 ? digits.slice(keep) : "0";
    // A half goes up for a positive number, toward zero for a negative one.
    if (dropped.charAt(0) > "5" || (dropped.charAt(0) === "5" && (x > 0 || dropped.length > 1))) {
      head += BigInt(1);
    }
    return Number((x < 0 ? "-" : "") + head.toString() + "e" + (point - keep));
  }

  // ODK's substr(s, start, end): 0-based, end excluded, negative indices counted from the
  // end, everything clamped to the text.
  function substr(args) {
    var text = chars(toStr(args[0]));
    function index(value) {
      var i = Math.trunc(toNumber(value));
      if (isNaN(i)) { return 0; }
      if (i < 0) { i = Math.max(0, text.length + i); }
      return Math.min(i, text.length);
    }
    var start = index(args[1]);
    var end = args.length > 2 ? index(args[2]) : text.length;
    return text.slice(start, end).join("");
  }

  function translate(args) {
    var text = chars(toStr(args[0])), source = chars(toStr(args[1]));
    var target = chars(toStr(args[2]));
    return text.map(function (c) {
      var i = source.indexOf(c);
      if (i < 0) { return c; }
      return i < target.length ? target[i] : "";
    }).join("");
  }

  function substringBefore(args) {
    var text = toStr(args[0]), i = text.indexOf(toStr(args[1]));
    return i >= 0 ? text.slice(0, i) : "";
  }

  function substringAfter(args) {
    var text = toStr(args[0]), part = toStr(args[1]), i = text.indexOf(part);
    return i >= 0 ? text.slice(i + part.length) : "";
  }

  function selectedAt(args) {
    var list = tokens(args[0]), i = Math.trunc(toNumber(args[1]));
    return isFinite(i) && i >= 0 && i < list.length ? list[i] : "";
  }

  function sum(args) {
    var total = 0;
    items(args).forEach(function (item) { total += toNumber(item); });
    return total;
  }

  // max() and min(): NaN when there is no value or when one is not a number.
  function extreme(args, larger) {
    var numbers = items(args).map(toNumber);
    if (!numbers.length || numbers.some(isNaN)) { return NaN; }
    var best = numbers[0];
    numbers.slice(1).forEach(function (n) {
      if (larger ? n > best : n < best) { best = n; }
    });
    return best;
  }

  // The regex node's pattern was rewritten by the server (surveys/xpath/regex.py) into a
  // form Python and the "u" mode of RegExp read the same way.
  var compiled = {};
  function regex(text, pattern) {
    if (!Object.prototype.hasOwnProperty.call(compiled, pattern)) {
      compiled[pattern] = new RegExp(pattern, "u");
    }
    return compiled[pattern].test(text);
  }

  // XPath 3.0's math:pow, as the server's _pow: an integer exponent by repeated squaring
  // (Math.pow's last bit differs between engines), 0.5 as a square root, and IEEE 754-2008's
  // cases where Math.pow says NaN (1 to the NaN, -1 to the infinity are 1).
  function pow(x, y) {
    if (Number.isInteger(y) && Math.abs(y) <= Math.pow(2, 53)) {
      var n = Math.abs(y), result = 1, base = x;
      while (n > 0) {
        if (n % 2 === 1) { result *= base; }
        base *= base;
        n = Math.floor(n / 2);
      }
      return y < 0 ? 1 / result : result;
    }
    if (y === 0.5 && x >= 0) { return Math.sqrt(x) + 0; }
    if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) { return 1; }
    return Math.pow(x, y);
  }

  // A time of day (or a date-time's) as a fraction of the day, on the clock it is written in.
  function decimalTime(value) {
    var text = toStr(value);
    var moment = parseMoment(text);
    if (moment !== null && text.indexOf("T") >= 0) { return moment[1] / 86400; }
    var match = TIME.exec(text);
    var time = match ? clock(match[1], match[2], match[3], match[4]) : null;
    return time === null ? NaN : time[0] / 86400;
  }

  function date(args) {
    var moment = localMoment(args[0]);
    return moment === null ? "" : dateText(moment[0]);
  }

  function count(value) { return Array.isArray(value) ? value.length : 1; }

  function countNonEmpty(value) {
    var list = Array.isArray(value) ? value : [toStr(value)];
    return list.filter(function (item) { return item !== ""; }).length;
  }

  function once(args, context) {
    var current = context.current === undefined ? "" : context.current;
    return current !== "" ? current : args[0];
  }

  function currentOr(args, context) {
    if (args.length) { return args[0]; }
    return context.current === undefined ? "" : context.current;
  }

  var FUNCTIONS = {
    // Choices (ODK XForms specification, "Select lists").
    "selected": function (a) {
      return tokens(a[0]).indexOf(toStr(a[1]).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "")) >= 0;
    },
    "count-selected": function (a) { return tokens(a[0]).length; },
    "selected-at": function (a) { return selectedAt(a); },
    // Logic.
    "coalesce": function (a) { return toStr(a[0]) !== "" ? a[0] : a[1]; },
    "once": once,
    "boolean": function (a) { return toBoolean(a[0]); },
    "boolean-from-string": function (a) { return ["true", "1"].indexOf(toStr(a[0])) >= 0; },
    "not": function (a) { return !toBoolean(a[0]); },
    "true": function () { return true; },
    "false": function () { return false; },
    // Text.
    "string": function (a, c) { return toStr(currentOr(a, c)); },
    "concat": function (a) { return items(a).map(toStr).join(""); },
    "join": function (a) { return items(a.slice(1)).map(toStr).join(toStr(a[0])); },
    "string-length": function (a, c) { return chars(toStr(currentOr(a, c))).length; },
    "substr": function (a) { return substr(a); },
    "substring-before": function (a) { return substringBefore(a); },
    "substring-after": function (a) { return substringAfter(a); },
    "contains": function (a) { return toStr(a[0]).indexOf(toStr(a[1])) >= 0; },
    "starts-with": function (a) { return toStr(a[0]).startsWith(toStr(a[1])); },
    "ends-with": function (a) { return toStr(a[0]).endsWith(toStr(a[1])); },
    "normalize-space": function (a, c) { return tokens(currentOr(a, c)).join(" "); },
    "translate": function (a) { return translate(a); },
    "regex": function (a) { return regex(toStr(a[0]), toStr(a[1])); },
    // Numbers.
    "number": function (a, c) { return toNumber(currentOr(a, c)); },
    "int": function (a) { return Math.trunc(toNumber(a[0])); },
    "round": function (a) { return round(a); },
    "floor": function (a) { return Math.floor(toNumber(a[0])); },
    "ceiling": function (a) { return Math.ceil(toNumber(a[0])); },
    "abs": function (a) { return Math.abs(toNumber(a[0])); },
    "pow": function (a) { return pow(toNumber(a[0]), toNumber(a[1])); },
    "sqrt": function (a) { return Math.sqrt(toNumber(a[0])); },
    "pi": function () { return Math.PI; },
    // Repeats.
    "count": function (a) { return count(a[0]); },
    "count-non-empty": function (a) { return countNonEmpty(a[0]); },
    "sum": function (a) { return sum(a); },
    "max": function (a) { return extreme(a, true); },
    "min": function (a) { return extreme(a, false); },
    // Dates.
    "today": function (a, c) { return now(c).slice(0, 10); },
    "now": function (a, c) { return now(c); },
    "date": function (a) { return date(a); },
    "decimal-date-time": function (a) { return toNumber(a[0]); },
    "decimal-time": function (a) { return decimalTime(a[0]); },
    "format-date": function (a) { return formatDate(a[0], toStr(a[1])); },
    "format-date-time": function (a) { return formatDate(a[0], toStr(a[1])); }
  };

  var api = {
    evaluate: evaluate,
    toString: toStr,
    toNumber: toNumber,
    toBoolean: toBoolean,
    formatNumber: formatNumber,
    compare: compare,
    FUNCTIONS: FUNCTIONS
  };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  if (typeof window !== "undefined") { window.PilotageXPath = api; }
})();
