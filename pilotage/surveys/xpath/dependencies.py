"""What an expression reads, and the order in which a form's calculations can be worked
out so that each one sees the values it depends on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

Node = dict[str, Any]


class CircularReference(ValueError):
    """Calculations that reference each other in a loop; `cycle` starts and ends with the
    same name, in the order the references run (["a", "b", "a"]: a reads b, b reads a)."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("circular reference: " + " → ".join(cycle))
        self.cycle = cycle


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    for key in ("left", "right", "operand"):
        if key in node:
            yield from _nodes(node[key])
    for arg in node.get("args", ()):
        yield from _nodes(arg)


def references(ast: Node) -> set[str]:
    """The names of the questions read through ${name}."""
    return {node["name"] for node in _nodes(ast) if node["type"] == "field"}


def columns(ast: Node) -> set[str]:
    """The columns of the choice list a choice_filter reads through bare names."""
    return {node["name"] for node in _nodes(ast) if node["type"] == "column"}


def dependency_order(calculations: Mapping[str, Node]) -> list[str]:
    """The calculations' names, each after every other calculation it references. Names
    that are not calculations (the questions the user answers) impose no order. Among
    calculations free to go in any order, the given order is kept. Iterative, so that a
    long chain of calculations does not meet Python's recursion limit."""
    reads = {
        name: sorted(references(ast) & calculations.keys(), key=list(calculations).index)
        for name, ast in calculations.items()
    }
    order: list[str] = []
    done: set[str] = set()
    for root in calculations:
        if root in done:
            continue
        # The path from root to the name being looked at, each with its next reference.
        path: list[tuple[str, Iterator[str]]] = [(root, iter(reads[root]))]
        on_path = {root}
        while path:
            name, pending = path[-1]
            following = next(pending, None)
            if following is None:
                path.pop()
                on_path.discard(name)
                done.add(name)
                order.append(name)
            elif following in on_path:
                names = [step for step, _ in path]
                raise CircularReference([*names[names.index(following) :], following])
            elif following not in done:
                path.append((following, iter(reads[following])))
                on_path.add(following)
    return order
