"""The XPath engine of XLSForm expressions: every case of xpath_cases.json parsed by the
server and evaluated by both the Python evaluator and the page's JavaScript one (run with
node), which must give the same value.

The expected values are worked out from the rules they cite in their "note": XPath 1.0
(W3C Recommendation, 16 November 1999; §3.4 booleans and comparisons, §3.5 numbers,
§3.7 lexical structure, §4.2 string functions and string() of a number, §4.4 number
functions) and the ODK XForms specification, "XPath functions" (getodk.github.io/
xforms-spec). Day counts were checked with Python's datetime.date (proleptic Gregorian
calendar, days since 1970-01-01): 2026-12-07 is day 20794.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pilotage.core.tests.support import require
from pilotage.surveys.xpath import (
    ARITY,
    CircularReference,
    Context,
    XPathEvalError,
    XPathSyntaxError,
    columns,
    dependency_order,
    evaluate,
    format_number,
    parse,
    references,
    to_string,
)

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "xpath_cases.json").read_text(encoding="utf-8")
)
EVALUATED = [case for case in CASES if "error" not in case]
REFUSED = [case for case in CASES if "error" in case]
NOW = "2026-12-07T08:30:00.000+01:00"
SCRIPT = Path(__file__).parents[1] / "static" / "surveys" / "xpath.js"


def context_of(case: dict[str, Any]) -> Context:
    context: Context = {
        "values": case.get("values", {}),
        "current": case.get("current", ""),
        "now": case.get("now", NOW),
    }
    if "choice" in case:
        context["choice"] = case["choice"]
    return context


def parsed(case: dict[str, Any]) -> dict[str, Any]:
    return parse(case["expr"], columns="choice" in case)


def encode(value: Any) -> Any:
    """A result as the case file writes it: JSON has no NaN nor infinities."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"number": format_number(value)}
    return value


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def assert_same(result: Any, expected: Any) -> None:
    """Equal and of the same kind: 1 is not "1", and True is not 1."""
    assert (kind(result), result) == (kind(expected), expected)


def test_the_file_covers_enough() -> None:
    assert len(EVALUATED) >= 120
    assert len(REFUSED) >= 20
    used = {
        node["name"] for case in EVALUATED for node in _walk(parsed(case)) if node["type"] == "call"
    }
    assert used == set(ARITY), f"functions without a case: {sorted(set(ARITY) - used)}"


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    children = [node.get(key) for key in ("left", "right", "operand")] + node.get("args", [])
    return [node] + [n for child in children if child for n in _walk(child)]


@pytest.mark.parametrize("case", EVALUATED, ids=[c["expr"] for c in EVALUATED])
def test_python(case: dict[str, Any]) -> None:
    assert_same(encode(evaluate(parsed(case), context_of(case))), case["expected"])


@pytest.mark.parametrize("case", REFUSED, ids=[c["expr"] or "(empty)" for c in REFUSED])
def test_refused(case: dict[str, Any]) -> None:
    with pytest.raises(XPathSyntaxError) as raised:
        parse(case["expr"])
    if isinstance(case["error"], str):
        assert case["error"] in str(raised.value)


# The page's evaluator, fed the trees the server parsed; prints one result per case.
NODE_RUNNER = """
const xpath = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ ast, context }) => {
    try {
      const value = xpath.evaluate(ast, context);
      return typeof value === "number" && !isFinite(value)
        ? { value: { number: xpath.formatNumber(value) } }
        : { value, text: xpath.toString(value) };
    } catch (error) {
      return { error: String(error.message) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
"""


def run_node(script: str, stdin: str) -> str:
    node = shutil.which("node")
    require(node is not None, "node is not installed: the page's evaluator cannot be run")
    assert node is not None
    done = subprocess.run(
        [node, "-e", script, str(SCRIPT)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def javascript_results() -> list[dict[str, Any]]:
    trees = [{"ast": parsed(case), "context": context_of(case)} for case in EVALUATED]
    results: list[dict[str, Any]] = json.loads(run_node(NODE_RUNNER, json.dumps(trees)))
    return results


@pytest.mark.parametrize("index", range(len(EVALUATED)), ids=[c["expr"] for c in EVALUATED])
def test_javascript(index: int, javascript_results: list[dict[str, Any]]) -> None:
    case, result = EVALUATED[index], javascript_results[index]
    assert "error" not in result, result["error"]
    assert_same(result["value"], case["expected"])
    if "text" in result:  # string() of the value, formatted by the page as by the server
        python = evaluate(parsed(case), context_of(case))
        assert result["text"] == to_string(python)


def test_javascript_refuses_what_the_parser_never_makes() -> None:
    trees = [
        {"ast": {"type": "nonsense"}, "context": {}},
        {"ast": {"type": "call", "name": "uuid", "args": []}, "context": {}},
    ]
    results = json.loads(run_node(NODE_RUNNER, json.dumps(trees)))
    assert results == [
        {"error": 'unknown node type "nonsense"'},
        {"error": "unknown function uuid()"},
    ]
    with pytest.raises(XPathEvalError, match="unknown node type 'nonsense'"):
        evaluate({"type": "nonsense"}, {})
    with pytest.raises(XPathEvalError, match=r"unknown function uuid\(\)"):
        evaluate({"type": "call", "name": "uuid", "args": []}, {})


def test_javascript_sets_the_page_global() -> None:
    script = """
const vm = require("vm");
const fs = require("fs");
const window = {};
vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8"), { window });
const ast = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(window.PilotageXPath.evaluate(ast, { values: { a: "2" } })));
"""
    assert json.loads(run_node(script, json.dumps(parse("${a} * 21")))) == 42


def test_clock_without_now_reads_the_machines() -> None:
    today = evaluate(parse("today()"), {})
    assert isinstance(today, str) and len(today) == 10 and today[4] == today[7] == "-"
    script = """
const x = require(process.argv[1]);
process.stdout.write(JSON.stringify([x.evaluate(JSON.parse(require("fs").readFileSync(0, "utf8")), {})]));
"""
    (now,) = json.loads(run_node(script, json.dumps(parse("now()"))))
    python_now = evaluate(parse("now()"), {})
    assert isinstance(python_now, str)
    # Same shape: 2026-12-07T08:30:00.000+01:00
    assert [len(part) for part in now.replace("+", "T").replace("-", "T").split("T")] == [
        len(part) for part in python_now.replace("+", "T").replace("-", "T").split("T")
    ]


def test_the_tree_is_json() -> None:
    ast = parse("if(${a} > 2.5, concat('x', .), regex(${b}, '^[0-9]+$'))")
    assert json.loads(json.dumps(ast)) == ast
    assert ast == {
        "type": "call",
        "name": "if",
        "args": [
            {
                "type": "binary",
                "op": ">",
                "left": {"type": "field", "name": "a"},
                "right": {"type": "number", "value": 2.5},
            },
            {
                "type": "call",
                "name": "concat",
                "args": [{"type": "string", "value": "x"}, {"type": "current"}],
            },
            {
                "type": "call",
                "name": "regex",
                "args": [
                    {"type": "field", "name": "b"},
                    {
                        "type": "regex",
                        "pattern": "^(?:^[0-9]+(?![\\s\\S]))(?![\\s\\S])",
                        "source": "^[0-9]+$",
                    },
                ],
            },
        ],
    }


def test_references() -> None:
    ast = parse(
        "if(selected(${consent}, 'yes'), ${age} + count(${children}), -${age}) "
        "and not(regex(${phone}, '^0'))"
    )
    assert references(ast) == {"consent", "age", "children", "phone"}
    assert references(parse("today() - 3")) == set()
    assert references(parse(".")) == set()
    filtered = parse("region = ${region} and selected(${wanted}, name)", columns=True)
    assert references(filtered) == {"region", "wanted"}
    assert columns(filtered) == {"region", "name"}


def test_names_with_dots_and_hyphens() -> None:
    ast = parse("${household.size-2} + ${_v1}")
    assert references(ast) == {"household.size-2", "_v1"}
    assert evaluate(ast, {"values": {"household.size-2": "3", "_v1": "4"}}) == 7


def test_syntax_error_position() -> None:
    with pytest.raises(XPathSyntaxError) as raised:
        parse("${a} + (1 * )")
    assert raised.value.position == 12
    assert str(raised.value) == "unexpected ')' at column 13"
    assert raised.value.message == str(raised.value)


def test_bare_names_only_in_a_choice_filter() -> None:
    with pytest.raises(XPathSyntaxError, match=r"refer to a question as \$\{region\}"):
        parse("region = ${region}")
    assert parse("region = ${region}", columns=True)["left"] == {"type": "column", "name": "region"}


def test_dependency_order() -> None:
    calculations = {
        "total": parse("${boys} + ${girls}"),
        "share": parse("${girls} div ${total}"),
        "boys": parse("${boys_enrolled} - ${boys_left}"),
        "girls": parse("${girls_enrolled}"),
        "label": parse("concat(round(${share} * 100, 1), '%')"),
    }
    order = dependency_order(calculations)
    assert sorted(order) == sorted(calculations)
    for name, ast in calculations.items():
        for reference in references(ast) & calculations.keys():
            assert order.index(reference) < order.index(name), (reference, name)
    assert order == ["boys", "girls", "total", "share", "label"]


def test_dependency_order_keeps_independent_calculations_in_place() -> None:
    calculations = {name: parse(f"${{q_{name}}} * 2") for name in ("c", "a", "b")}
    assert dependency_order(calculations) == ["c", "a", "b"]


def test_dependency_order_of_a_long_chain() -> None:
    calculations = {f"c{i}": parse(f"${{c{i + 1}}} + 1") for i in range(3000)}
    assert dependency_order(calculations) == [f"c{i}" for i in reversed(range(3000))]


def test_circular_reference() -> None:
    calculations = {
        "x": parse("${y} + 1"),
        "y": parse("${z} * 2"),
        "z": parse("${x} - ${w}"),
        "w": parse("3"),
    }
    with pytest.raises(CircularReference) as raised:
        dependency_order(calculations)
    assert raised.value.cycle == ["x", "y", "z", "x"]
    assert str(raised.value) == "circular reference: x → y → z → x"


def test_circular_reference_not_at_the_start() -> None:
    calculations = {
        "start": parse("${a}"),
        "a": parse("${b}"),
        "b": parse("${a} + ${question}"),
    }
    with pytest.raises(CircularReference) as raised:
        dependency_order(calculations)
    assert raised.value.cycle == ["a", "b", "a"]


def test_self_reference() -> None:
    with pytest.raises(CircularReference, match="circular reference: n → n"):
        dependency_order({"n": parse("${n} + 1")})
