"""docs/indicators.md lists every built-in indicator exactly as the catalogue defines it."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from pilotage.indicators.catalogue import BUILTIN, DIMENSIONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "indicators.md"


def _table() -> dict[str, list[str]]:
    """The rows of the table under "## Built-in indicators"."""
    text = DOC.read_text(encoding="utf-8").split("## Built-in indicators", 1)[1]
    rows = {}
    for line in text.split("\n## ", 1)[0].splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_every_builtin_indicator_is_documented_with_its_formula_and_source() -> None:
    table = _table()
    assert set(table) == {i.code for i in BUILTIN}
    with translation.override("fr"):
        for indicator in BUILTIN:
            name, unit, formula, dims, better, source = table[indicator.code]
            assert name == str(indicator.name), indicator.code
            assert unit == indicator.unit.value, indicator.code
            assert formula == indicator.formula, indicator.code
            assert dims == ", ".join(d for d in DIMENSIONS if d in indicator.dimensions)
            assert better == ("↑" if indicator.higher_is_better else "↓"), indicator.code
            assert source == indicator.source, indicator.code
