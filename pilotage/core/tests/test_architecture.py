"""The import direction of docs/architecture.md, read from the source of every module.

    core  ←  orgunits  ←  accounts  ←  domains (schooling, …)  ←  demo, project wiring

The kernel imports no other app. A foundation app imports the kernel and the foundation
apps before it freely, and those after it only through their ``services`` and
``selectors`` (the unit page lists the unit's staff through the accounts' selector). A
domain imports the kernel and the foundation freely, and another domain only through that
domain's ``services``, ``selectors`` and ``roles`` (role codes). Tests and migrations are not checked (a test may
build its data with any app's factories; a migration uses ``apps.get_model``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
KERNEL = "core"
FOUNDATION = ["orgunits", "accounts"]  # each may import those before it
TOOLS = {"demo"}  # builds demo data with every app: above them all
# A domain reaches another through its services and selectors, and may name its role codes
# (``roles``: the public declarations that capabilities of other apps grant to).
CROSS_DOMAIN_MODULES = {"services", "selectors", "roles"}


def _apps() -> set[str]:
    return {p.parent.name for p in PACKAGE.glob("*/apps.py")}


def _modules() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from pilotage.schooling import imports`` imports a module too.
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return {n for n in names if n.startswith("pilotage.")}


def _allowed(source_app: str, target: str) -> bool:
    parts = target.split(".")
    target_app = parts[1]
    if target_app == source_app or target_app not in _apps():
        return True  # its own modules; project wiring (pilotage.api, …) is not an app
    if source_app in TOOLS:
        return True
    if source_app == KERNEL:
        return False
    if source_app in FOUNDATION:
        if target_app == KERNEL or target_app in FOUNDATION[: FOUNDATION.index(source_app)]:
            return True
        if target_app not in FOUNDATION:
            return False  # the foundation knows no domain
        return len(parts) == 2 or parts[2] in CROSS_DOMAIN_MODULES
    if target_app == KERNEL or target_app in FOUNDATION:
        return True  # a domain builds on the kernel and the foundation
    if target_app in TOOLS:
        return False
    # Another domain: only through its services and selectors.
    return len(parts) == 2 or parts[2] in CROSS_DOMAIN_MODULES


def _violations() -> list[str]:
    found = []
    for path in _modules():
        relative = path.relative_to(PACKAGE)
        if len(relative.parts) == 1:
            continue  # settings, urls, api: the project wiring may name every app
        source_app = relative.parts[0]
        for target in sorted(_imports(path)):
            if len(target.split(".")) > 1 and not _allowed(source_app, target):
                found.append(f"{relative}: imports {target}")
    return found


def test_imports_follow_the_layers() -> None:
    assert _violations() == []


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("core", "pilotage.accounts.models", False),
        ("core", "pilotage.core.scope", True),
        ("orgunits", "pilotage.accounts.models", False),
        ("orgunits", "pilotage.accounts.selectors", True),
        ("orgunits", "pilotage.schooling.selectors", False),
        ("accounts", "pilotage.orgunits.models", True),
        ("schooling", "pilotage.accounts.services", True),
        ("schooling", "pilotage.demo.rows", False),
        ("demo", "pilotage.schooling.services.bulk", True),
    ],
)
def test_the_rule_itself(source: str, target: str, allowed: bool) -> None:
    """The checker must be able to fail: known good and bad pairs."""
    assert _allowed(source, target) is allowed


def test_a_domain_reaches_another_only_through_services_and_selectors(monkeypatch) -> None:
    monkeypatch.setattr(
        "pilotage.core.tests.test_architecture._apps", lambda: {"core", "schooling", "contact"}
    )
    assert _allowed("contact", "pilotage.schooling.selectors")
    assert _allowed("contact", "pilotage.schooling.services.marks")
    assert not _allowed("contact", "pilotage.schooling.models")
    assert not _allowed("contact", "pilotage.schooling.views.marks")
