"""What the export, the rules and the import share: the reporting organisation, the
activity identifiers and the schema."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from lxml import etree

IATI_VERSION = "2.03"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "iati-2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class ReportingOrg:
    ref: str
    type: str
    name: str


def reporting_org() -> ReportingOrg:
    conf = settings.PILOTAGE_IATI_REPORTING_ORG
    return ReportingOrg(ref=str(conf["ref"]), type=str(conf["type"]), name=str(conf["name"]))


def programme_identifier(org: ReportingOrg, code: str) -> str:
    return f"{org.ref}-{code}"


def project_identifier(org: ReportingOrg, code: str) -> str:
    return f"{org.ref}-{code}"


@lru_cache(maxsize=1)
def activities_schema() -> etree.XMLSchema:
    """The 2.03 activities schema, read from the copy in the repository (its imports are
    resolved next to it, never over the network)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "iati-activities-schema.xsd"), parser))


def schema_errors(source: str | Path | IO[bytes], limit: int = 20) -> list[str]:
    """The schema's complaints about a written file (empty when it is valid): line and
    message of the first ``limit``."""
    parser = etree.XMLParser(
        no_network=True, resolve_entities=False, huge_tree=True, remove_blank_text=True
    )
    doc: Any = etree.parse(str(source) if isinstance(source, Path) else source, parser)
    schema = activities_schema()
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in list(schema.error_log)[:limit]]
