"""Reading a donor's published IATI activities file (versions 2.01 to 2.03) into the
partners registry, the opportunity pipeline and the programmes.

The file is parsed with a parser that resolves no entity, fetches nothing and refuses huge
trees, after a size check; a file declaring a DTD is refused (the "billion laughs" and
external-entity attacks both need one). Every activity is read and checked first; if any
problem is found nothing is written, and each problem names the activity and the element.
Otherwise everything is written in one transaction (rolled back for a dry run). Re-importing
the same file changes nothing: partners are matched by IATI organisation identifier,
opportunities by IATI activity identifier, programmes and projects by the code derived from
it (``code_for``). The mapping is in docs/iati.md."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import pycountry
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from lxml import etree

from pilotage.cooperation.iati.common import XML_LANG
from pilotage.cooperation.models import (
    ActivityStatus,
    Opportunity,
    OrganisationRole,
    OrganisationType,
    Partner,
    PartnerKind,
    Programme,
    ProgrammeCountry,
    ProgrammeSector,
    Project,
    ProjectSector,
)
from pilotage.core.audit import CREATE, UPDATE, audit_record
from pilotage.orgunits.models import OrgUnit

SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")
HUNDRED = Decimal(100)

KIND_OF_TYPE = {
    "10": PartnerKind.BILATERAL_DONOR,
    "11": PartnerKind.OTHER,
    "15": PartnerKind.AGENCY,
    "21": PartnerKind.NGO,
    "22": PartnerKind.NGO,
    "23": PartnerKind.NGO,
    "24": PartnerKind.NGO,
    "40": PartnerKind.MULTILATERAL_DONOR,
    "70": PartnerKind.PRIVATE,
}


class IatiFileRefused(Exception):
    """The file as a whole cannot be read (too big, not XML, a DTD, a 1.x version)."""


@dataclass(frozen=True)
class Problem:
    identifier: str
    element: str
    message: str

    def __str__(self) -> str:
        return f"{self.identifier} · {self.element} · {self.message}"


@dataclass
class OrgIn:
    ref: str
    type: str
    name: str


@dataclass
class ActivityIn:
    identifier: str
    hierarchy: int
    title_fr: str
    title_en: str
    description: str
    status: str
    start: dt.date | None
    end: dt.date | None
    currency: str
    reporting: OrgIn | None
    participating: list[tuple[str, OrgIn]]
    countries: list[tuple[str, Decimal | None]]
    sectors: list[tuple[str, Decimal | None]]
    budget_total: Decimal | None
    commitment_total: Decimal | None
    parent: str


@dataclass
class ImportResult:
    version: str = ""
    problems: list[Problem] = field(default_factory=list)
    # (kind, action, label): "partner"/"opportunity"/"programme"/"project",
    # "created"/"updated"/"unchanged".
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, kind: str, action: str) -> int:
        return sum(1 for k, a, _label in self.changes if k == kind and a == action)


# --- Reading ---------------------------------------------------------------------------


def _DTD_REFUSED() -> str:  # noqa: N802
    return _(
        "Le fichier déclare une DTD (<!DOCTYPE>) : refusé, un fichier IATI n'en a pas et "
        "elle peut servir à une attaque par entités."
    )


def parse_safely(data: bytes) -> Any:
    """The document, read without entities, network or huge trees."""
    limit = settings.PILOTAGE_IATI_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise IatiFileRefused(
            _("Le fichier fait %(size)s octets, au-delà de la limite de %(limit)s octets.")
            % {"size": len(data), "limit": limit}
        )
    # Looked for before parsing too, so the refusal says why (libxml2 would stop a bomb
    # with an amplification error); the check after parsing catches other encodings.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise IatiFileRefused(_DTD_REFUSED())
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        doc = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise IatiFileRefused(
            _("Le fichier n'est pas un XML bien formé (ligne %(line)s) : %(error)s")
            % {"line": exc.lineno, "error": str(exc.msg)[:200]}
        ) from exc
    if doc.docinfo.internalDTD is not None or doc.docinfo.doctype:
        raise IatiFileRefused(_DTD_REFUSED())
    return doc.getroot()


def _text(el: Any) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _narratives(el: Any, default_lang: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    if el is None:
        return texts
    for narrative in el.iterchildren("narrative"):
        lang = (narrative.get(XML_LANG) or default_lang or "en")[:2].lower()
        if lang not in texts and _text(narrative):
            texts[lang] = _text(narrative)
    return texts


def _first(texts: dict[str, str]) -> str:
    return next(iter(texts.values()), "")


class _Reader:
    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.identifier = ""

    def problem(self, element: str, message: str) -> None:
        self.result.problems.append(Problem(self.identifier or "?", element, message))

    def date(self, el: Any, element: str) -> dt.date | None:
        raw = (el.get("iso-date") or "").strip()
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            self.problem(
                f"{element}/@iso-date",
                _("« %(value)s » n'est pas une date AAAA-MM-JJ.") % {"value": raw[:30]},
            )
            return None

    def percentage(self, el: Any, element: str) -> Decimal | None:
        raw = el.get("percentage")
        if raw is None:
            return None
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            value = Decimal(-1)
        if not Decimal(0) <= value <= HUNDRED:
            self.problem(
                f"{element}/@percentage",
                _("« %(value)s » n'est pas un pourcentage entre 0 et 100.") % {"value": raw[:20]},
            )
            return None
        return value

    def org(self, el: Any, lang: str, element: str) -> OrgIn:
        ref = (el.get("ref") or "").strip()
        if len(ref) > 100:
            self.problem(f"{element}/@ref", _("L'identifiant dépasse 100 caractères."))
            ref = ""
        kind = (el.get("type") or "").strip()
        return OrgIn(ref=ref, type=kind, name=_first(_narratives(el, lang))[:200])

    def value_total(self, elements: list[Any], currency: str, element: str) -> Decimal | None:
        total: Decimal | None = None
        for value in elements:
            if value is None:
                continue
            try:
                amount = Decimal(_text(value).replace(",", ""))
            except InvalidOperation:
                self.problem(
                    f"{element}/value",
                    _("« %(value)s » n'est pas un montant.") % {"value": _text(value)[:30]},
                )
                continue
            if (value.get("currency") or currency) == currency:
                total = (total or Decimal(0)) + amount
        return total

    def activity(self, act: Any, file_lang: str) -> ActivityIn | None:
        self.identifier = _text(act.find("iati-identifier"))
        if not self.identifier:
            self.problem("iati-identifier", _("L'activité n'a pas d'identifiant IATI."))
            return None
        if len(self.identifier) > 150:
            self.problem("iati-identifier", _("L'identifiant dépasse 150 caractères."))
            return None
        lang = (act.get(XML_LANG) or file_lang or "en")[:2].lower()
        titles = _narratives(act.find("title"), lang)
        if not titles:
            self.problem("title", _("L'activité n'a pas de titre."))
        status = act.find("activity-status")
        code = status.get("code", "").strip() if status is not None else ""
        if code not in ActivityStatus.values:
            self.problem(
                "activity-status/@code",
                _("« %(value)s » n'est pas un statut d'activité IATI (1 à 6).")
                % {"value": code[:10]},
            )
        dates: dict[str, dt.date] = {}
        for date_el in act.iterchildren("activity-date"):
            kind = date_el.get("type", "")
            found = self.date(date_el, "activity-date")
            if found is not None and kind in ("1", "2", "3", "4"):
                dates.setdefault(kind, found)
        currency = (act.get("default-currency") or "").strip()
        if not currency:
            first_value = act.find(".//value[@currency]")
            currency = first_value.get("currency") if first_value is not None else ""
        if pycountry.currencies.get(alpha_3=currency or "-") is None:
            self.problem(
                "@default-currency",
                _("« %(value)s » n'est pas une devise ISO 4217.") % {"value": currency[:10]},
            )
        reporting_el = act.find("reporting-org")
        reporting = (
            self.org(reporting_el, lang, "reporting-org") if reporting_el is not None else None
        )
        participating = []
        for org_el in act.iterchildren("participating-org"):
            role = org_el.get("role", "").strip()
            if role not in OrganisationRole.values:
                self.problem(
                    "participating-org/@role",
                    _("« %(value)s » n'est pas un rôle IATI (1 à 4).") % {"value": role[:10]},
                )
                continue
            participating.append((role, self.org(org_el, lang, "participating-org")))
        for tx in act.iterchildren("transaction"):
            for tag in ("provider-org", "receiver-org"):
                org_el = tx.find(tag)
                if org_el is not None and org_el.get("ref"):
                    participating.append(("", self.org(org_el, lang, f"transaction/{tag}")))
            tx_date = tx.find("transaction-date")
            if tx_date is None:
                self.problem("transaction/transaction-date", _("La transaction n'a pas de date."))
            else:
                self.date(tx_date, "transaction/transaction-date")
        countries = [
            ((c.get("code") or "").strip().upper(), self.percentage(c, "recipient-country"))
            for c in act.iterchildren("recipient-country")
        ]
        sectors = []
        for sector in act.iterchildren("sector"):
            vocabulary = sector.get("vocabulary", "1")
            sector_code = (sector.get("code") or "").strip()
            if vocabulary == "1" and len(sector_code) == 5 and sector_code.isdigit():
                sectors.append((sector_code, self.percentage(sector, "sector")))
            else:
                self.result.notes.append(
                    _(
                        "%(id)s : secteur %(code)s (vocabulaire %(voc)s) ignoré, seul le CAD "
                        "à cinq chiffres est repris."
                    )
                    % {"id": self.identifier, "code": sector_code[:20], "voc": vocabulary[:5]}
                )
        commitments = [
            tx.find("value")
            for tx in act.iterchildren("transaction")
            if tx.find("transaction-type") is not None
            and tx.find("transaction-type").get("code") in ("2", "11", "C", "IC")
        ]
        parent = ""
        for related in act.iterchildren("related-activity"):
            if related.get("type") == "1":
                parent = (related.get("ref") or "").strip()
        try:
            hierarchy = int(act.get("hierarchy", "1"))
        except ValueError:
            hierarchy = 1
        return ActivityIn(
            identifier=self.identifier,
            hierarchy=hierarchy,
            title_fr=(titles.get("fr") or _first(titles))[:300],
            title_en=titles.get("en", "")[:300],
            description=_first(_narratives(act.find("description"), lang)),
            status=code,
            start=dates.get("2") or dates.get("1"),
            end=dates.get("4") or dates.get("3"),
            currency=currency,
            reporting=reporting,
            participating=participating,
            countries=countries,
            sectors=sectors,
            budget_total=self.value_total(
                [b.find("value") for b in act.iterchildren("budget")], currency, "budget"
            ),
            commitment_total=self.value_total(commitments, currency, "transaction"),
            parent=parent,
        )


def read_activities(data: bytes) -> tuple[ImportResult, list[ActivityIn]]:
    """The file's activities and the problems found in them (refuses 1.x files)."""
    root = parse_safely(data)
    if root.tag != "iati-activities":
        raise IatiFileRefused(
            _(
                "L'élément racine est « %(tag)s », pas « iati-activities » : ce n'est pas "
                "un fichier d'activités IATI."
            )
            % {"tag": str(root.tag)[:40]}
        )
    version = (root.get("version") or "").strip()
    if version.startswith("1."):
        raise IatiFileRefused(
            _(
                "Les fichiers IATI 1.0x ne sont pas pris en charge : ce fichier déclare la "
                "version %(version)s. Demandez au bailleur sa publication en version 2.01, "
                "2.02 ou 2.03."
            )
            % {"version": version[:10]}
        )
    if version not in SUPPORTED_VERSIONS:
        raise IatiFileRefused(
            _("Version IATI « %(version)s » non prise en charge (versions lues : %(known)s).")
            % {"version": version[:10], "known": ", ".join(SUPPORTED_VERSIONS)}
        )
    result = ImportResult(version=version)
    reader = _Reader(result)
    lang = root.get(XML_LANG) or "en"
    activities = []
    seen: set[str] = set()
    for act in root.iterchildren("iati-activity"):
        activity = reader.activity(act, lang)
        if activity is None:
            continue
        if activity.identifier in seen:
            reader.problem(
                "iati-identifier", _("L'identifiant apparaît deux fois dans le fichier.")
            )
            continue
        seen.add(activity.identifier)
        activities.append(activity)
    if not activities and not result.problems:
        result.problems.append(
            Problem("?", "iati-activity", _("Le fichier ne contient aucune activité."))
        )
    return result, activities


# --- Writing ---------------------------------------------------------------------------


def code_for(identifier: str, max_length: int) -> str:
    """The programme or project code an IATI identifier maps to (stable across imports)."""
    slug = slugify(identifier) or "iati"
    if len(slug) <= max_length:
        return slug
    digest = hashlib.sha1(identifier.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{slug[: max_length - 9]}-{digest}"


def _set_fields(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(obj, name, value)
    return changes


class _Writer:
    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.partners: dict[str, Partner] = {}
        self.countries = {u.code: u for u in OrgUnit.objects.filter(depth=1)}

    def record(
        self, kind: str, obj: Any, changes: dict[str, list[Any]] | None, created: bool
    ) -> None:
        if created:
            audit_record(actor=None, action=CREATE, obj=obj, changes=changes)
            self.result.changes.append((kind, "created", str(obj)))
        elif changes:
            obj.save(update_fields=list(changes))
            audit_record(actor=None, action=UPDATE, obj=obj, changes=changes)
            self.result.changes.append((kind, "updated", str(obj)))
        else:
            self.result.changes.append((kind, "unchanged", str(obj)))

    def partner(self, org: OrgIn) -> Partner | None:
        if not org.ref:
            return None
        if org.ref in self.partners:
            return self.partners[org.ref]
        found = Partner.objects.filter(iati_identifier=org.ref).first()
        iati_type = org.type if org.type in OrganisationType.values else OrganisationType.OTHER
        if found is None:
            base = code_for(org.ref, 40)
            code, n = base, 1
            while Partner.objects.filter(code=code).exists():
                n += 1
                code = f"{base[:36]}-{n}"
            found = Partner.objects.create(
                code=code,
                name_fr=org.name or org.ref,
                kind=KIND_OF_TYPE.get(iati_type, PartnerKind.OTHER),
                iati_type=iati_type,
                iati_identifier=org.ref,
            )
            self.record("partner", found, {"iati_identifier": ["", org.ref]}, created=True)
        else:
            # The registry is ours: an import only fills what is empty.
            changes = _set_fields(found, {"name_fr": found.name_fr or org.name})
            self.record("partner", found, changes, created=False)
        self.partners[org.ref] = found
        return found

    def funder(self, a: ActivityIn) -> Partner | None:
        funding = [
            org for role, org in a.participating if role == OrganisationRole.FUNDING and org.ref
        ]
        if funding:
            return self.partner(funding[0])
        return self.partner(a.reporting) if a.reporting is not None else None

    def shares(self, shares: list[tuple[str, Decimal | None]]) -> list[tuple[str, Decimal]]:
        if not shares:
            return []
        if all(pct is None for _code, pct in shares):
            each = (HUNDRED / len(shares)).quantize(Decimal("0.01"))
            values = [each] * (len(shares) - 1) + [HUNDRED - each * (len(shares) - 1)]
            return [(code, pct) for (code, _none), pct in zip(shares, values, strict=True)]
        return [(code, pct or Decimal(0)) for code, pct in shares]

    def opportunity(self, a: ActivityIn) -> None:
        partner = self.funder(a)
        if partner is None:
            self.result.problems.append(
                Problem(
                    a.identifier,
                    "participating-org",
                    _("Aucun bailleur identifié (@ref) pour l'opportunité."),
                )
            )
            return
        values = {
            "partner": partner,
            "title_fr": a.title_fr,
            "title_en": a.title_en,
            "expected_amount": a.budget_total if a.budget_total is not None else a.commitment_total,
            "currency": a.currency,
            "expected_year": (a.start or timezone.localdate()).year,
        }
        found = Opportunity.objects.filter(iati_identifier=a.identifier).first()
        if found is None:
            found = Opportunity.objects.create(iati_identifier=a.identifier, **values)
            self.record("opportunity", found, {"iati_identifier": ["", a.identifier]}, created=True)
        else:
            self.record("opportunity", found, _set_fields(found, values), created=False)

    def _dates(self, a: ActivityIn) -> tuple[dt.date, dt.date] | None:
        if a.start is None or a.end is None:
            self.result.problems.append(
                Problem(
                    a.identifier,
                    "activity-date",
                    _("Il faut une date de début et une date de fin (type 1 à 4)."),
                )
            )
            return None
        if a.end < a.start:
            self.result.problems.append(
                Problem(
                    a.identifier, "activity-date", _("La date de fin précède la date de début.")
                )
            )
            return None
        return a.start, a.end

    def _known_countries(self, a: ActivityIn) -> list[tuple[str, Decimal | None]]:
        known = [(c, p) for c, p in a.countries if c in self.countries]
        for code, _pct in a.countries:
            if code not in self.countries:
                self.result.notes.append(
                    _("%(id)s : pays %(code)s absent de l'arborescence, ignoré.")
                    % {"id": a.identifier, "code": code[:10]}
                )
        return known

    def programme(self, a: ActivityIn) -> Programme | None:
        dates = self._dates(a)
        if dates is None:
            return None
        values = {
            "title_fr": a.title_fr,
            "title_en": a.title_en,
            "description": a.description,
            "status": a.status,
            "start_date": dates[0],
            "end_date": dates[1],
            "default_currency": a.currency,
            "lead_partner": self.funder(a),
        }
        code = code_for(a.identifier, 40)
        found = Programme.objects.filter(code=code).first()
        if found is None:
            found = Programme.objects.create(code=code, **values)
            self.record("programme", found, {"code": ["", code]}, created=True)
        else:
            self.record("programme", found, _set_fields(found, values), created=False)
        wanted_countries = dict(self.shares(self._known_countries(a)))
        current = {
            pc.country.code: pc.percentage for pc in found.countries.select_related("country")
        }
        if current != wanted_countries:
            found.countries.all().delete()
            ProgrammeCountry.objects.bulk_create(
                ProgrammeCountry(programme=found, country=self.countries[c], percentage=p)
                for c, p in wanted_countries.items()
            )
        wanted_sectors = dict(self.shares(a.sectors))
        if {s.code: s.percentage for s in found.sectors.all()} != wanted_sectors:
            found.sectors.all().delete()
            ProgrammeSector.objects.bulk_create(
                ProgrammeSector(programme=found, code=c, percentage=p)
                for c, p in wanted_sectors.items()
            )
        return found

    def project(self, a: ActivityIn, programme: Programme) -> None:
        dates = self._dates(a)
        if dates is None:
            return
        known = self._known_countries(a)
        values = {
            "programme": programme,
            "title_fr": a.title_fr,
            "title_en": a.title_en,
            "description": a.description,
            "status": a.status,
            "start_date": dates[0],
            "end_date": dates[1],
            "default_currency": a.currency,
            "country": self.countries[known[0][0]] if len(known) == 1 else None,
        }
        code = code_for(a.identifier, 60)
        found = Project.objects.filter(code=code).first()
        if found is None:
            found = Project.objects.create(code=code, **values)
            self.record("project", found, {"code": ["", code]}, created=True)
        else:
            self.record("project", found, _set_fields(found, values), created=False)
        wanted = dict(self.shares(a.sectors))
        if {s.code: s.percentage for s in found.sectors.all()} != wanted:
            found.sectors.all().delete()
            ProjectSector.objects.bulk_create(
                ProjectSector(project=found, code=c, percentage=p) for c, p in wanted.items()
            )


def import_activities(
    source: bytes | str | Path | IO[bytes], *, dry_run: bool = False
) -> ImportResult:
    """Read the file and, when it has no problem, write what it seeds in one transaction
    (rolled back when ``dry_run``). Raises :class:`IatiFileRefused` for a file that cannot
    be read at all; otherwise the result lists the problems (then nothing is written)."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        path = Path(source)
        if path.stat().st_size > settings.PILOTAGE_IATI_IMPORT_MAX_BYTES:
            raise IatiFileRefused(
                _("Le fichier dépasse la limite de %(limit)s octets.")
                % {"limit": settings.PILOTAGE_IATI_IMPORT_MAX_BYTES}
            )
        data = path.read_bytes()
    else:
        data = source.read(settings.PILOTAGE_IATI_IMPORT_MAX_BYTES + 1)
    result, activities = read_activities(data)
    result.dry_run = dry_run
    if result.problems:
        return result
    in_file = {a.identifier for a in activities if a.status != ActivityStatus.PIPELINE}
    with transaction.atomic():
        writer = _Writer(result)
        programmes: dict[str, Programme] = {}
        children = []
        for a in activities:
            if a.reporting is not None:
                writer.partner(a.reporting)
            for _role, org in a.participating:
                writer.partner(org)
            if a.status == ActivityStatus.PIPELINE:
                writer.opportunity(a)
            elif a.parent and (
                a.parent in in_file
                or Programme.objects.filter(code=code_for(a.parent, 40)).exists()
            ):
                children.append(a)
            else:
                found = writer.programme(a)
                if found is not None:
                    programmes[a.identifier] = found
        for a in children:
            parent = (
                programmes.get(a.parent)
                or Programme.objects.filter(code=code_for(a.parent, 40)).first()
            )
            if parent is None:
                result.problems.append(
                    Problem(
                        a.identifier,
                        "related-activity",
                        _("Le programme parent n'a pas pu être créé."),
                    )
                )
                continue
            writer.project(a, parent)
        if result.problems or dry_run:
            transaction.set_rollback(True)
    if result.problems:
        result.changes = []
    return result
