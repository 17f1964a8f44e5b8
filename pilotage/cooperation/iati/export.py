"""The IATI 2.03 ``iati-activities`` file, written as it is read: programmes come from the
database a chunk at a time (``.iterator(chunk_size=…)`` with the chunk's prefetches), each
activity is built as a small element tree, checked against the rules, written to the
``etree.xmlfile`` stream and dropped. Memory holds one chunk, whatever the number of
activities.

Mapping (see docs/iati.md): a programme is a hierarchy-1 activity, each of its projects a
hierarchy-2 activity linked both ways by ``related-activity``; identifiers are
``<reporting org ref>-<code>``."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from lxml import etree

from pilotage.cooperation.iati import rules
from pilotage.cooperation.iati.common import (
    IATI_VERSION,
    XML_LANG,
    ReportingOrg,
    programme_identifier,
    project_identifier,
    reporting_org,
)
from pilotage.cooperation.models import (
    ActivityStatus,
    AgreementParty,
    Budget,
    OrganisationRole,
    Partner,
    PlannedDisbursement,
    PlanRevision,
    Programme,
    ProgrammeCountry,
    ProgrammeSector,
    Project,
    ProjectSector,
    Transaction,
)

CHUNK_SIZE = 100  # programmes per chunk; each brings its projects and their money


@dataclass
class ExportResult:
    activities: int = 0
    failures: list[rules.Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _chunks(programmes: QuerySet[Programme], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for pk in programmes.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=size):
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows whose first column is the parent's key, grouped by it (order kept)."""
    out: dict[Any, list[tuple[Any, ...]]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row)
    return out


class _Partners:
    """The partners met so far as ``rules.Org``, read in one query per chunk for those
    not yet seen (an export names a few dozen partners, whatever its size)."""

    def __init__(self) -> None:
        self.orgs: dict[int, rules.Org] = {}

    def load(self, pks: Iterable[int | None]) -> None:
        missing = {pk for pk in pks if pk is not None and pk not in self.orgs}
        if missing:
            for pk, ref, kind, name in Partner.objects.filter(pk__in=missing).values_list(
                "pk", "iati_identifier", "iati_type", "name_fr"
            ):
                self.orgs[pk] = rules.Org(ref=ref, type=kind, name=name)

    def get(self, pk: int | None) -> rules.Org | None:
        return None if pk is None else self.orgs[pk]


def _participating(
    parties: list[tuple[Any, ...]],
    lead: int | None,
    partners: _Partners,
    org: ReportingOrg,
) -> list[tuple[str, rules.Org]]:
    """The agreements' parties with their roles, the lead partner as funder when no
    agreement names it, and the reporting organisation as the implementer."""
    seen: set[tuple[str, int]] = set()
    orgs: list[tuple[str, rules.Org]] = []
    for _programme, role, partner in parties:
        if (role, partner) not in seen:
            seen.add((role, partner))
            orgs.append((role, partners.orgs[partner]))
    if lead is not None and not any(pid == lead for _role, pid in seen):
        orgs.append((OrganisationRole.FUNDING, partners.orgs[lead]))
    orgs.append((OrganisationRole.IMPLEMENTING, rules.Org(org.ref, org.type, org.name)))
    orgs.sort(key=lambda item: item[0])
    return orgs


def _money(amount: Decimal, currency: str, value_date: dt.date) -> rules.Money:
    return rules.Money(amount=amount, currency=currency, value_date=value_date)


PROGRAMME_COLUMNS = (
    "pk",
    "code",
    "title_fr",
    "title_en",
    "description",
    "status",
    "start_date",
    "end_date",
    "default_currency",
    "lead_partner_id",
)
PROJECT_COLUMNS = (
    "programme_id",
    "pk",
    "code",
    "title_fr",
    "title_en",
    "description",
    "status",
    "start_date",
    "end_date",
    "default_currency",
    "country__code",
)


def activities_data(
    programmes: QuerySet[Programme], org: ReportingOrg, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[rules.ActivityData]:
    """Each programme then its projects, as the export writes them. Read ``chunk_size``
    programmes at a time as plain rows (``values_list``, no model instances: building
    instances was most of the export's time), one query per table and chunk."""
    partners = _Partners()
    hundred = Decimal(100)
    for chunk in _chunks(programmes, chunk_size):
        progs: list[Any] = list(
            Programme.objects.filter(pk__in=chunk).order_by("pk").values_list(*PROGRAMME_COLUMNS)
        )
        countries = _grouped(
            ProgrammeCountry.objects.filter(programme_id__in=chunk).values_list(
                "programme_id", "country__code", "percentage"
            )
        )
        prog_sectors = _grouped(
            ProgrammeSector.objects.filter(programme_id__in=chunk).values_list(
                "programme_id", "code", "percentage"
            )
        )
        parties = _grouped(
            AgreementParty.objects.filter(agreement__programme_id__in=chunk)
            .order_by(
                "agreement__programme_id",
                "-agreement__signed_on",
                "agreement__reference",
                "agreement_id",
                "pk",
            )
            .values_list("agreement__programme_id", "role", "partner_id")
        )
        projects = _grouped(
            Project.objects.filter(programme_id__in=chunk)
            .order_by("programme_id", "code")
            .values_list(*PROJECT_COLUMNS)
        )
        project_ids = [p[1] for rows in projects.values() for p in rows]
        sectors = _grouped(
            ProjectSector.objects.filter(project_id__in=project_ids).values_list(
                "project_id", "code", "percentage"
            )
        )
        budgets = _grouped(
            Budget.objects.filter(project_id__in=project_ids)
            .order_by("project_id", "period_start", "pk")
            .values_list(
                "project_id",
                "period_start",
                "period_end",
                "amount",
                "currency",
                "value_date",
                "type",
                "status",
            )
        )
        transactions = _grouped(
            Transaction.objects.filter(project_id__in=project_ids)
            .order_by("project_id", "transaction_date", "pk")
            .values_list(
                "project_id",
                "type",
                "transaction_date",
                "amount",
                "currency",
                "value_date",
                "reference",
                "description",
                "provider_id",
                "receiver_id",
            )
        )
        latest = PlanRevision.objects.filter(project_id__in=project_ids).filter(
            ~Exists(
                PlanRevision.objects.filter(
                    project=OuterRef("project"), number__gt=OuterRef("number")
                )
            )
        )
        planned = _grouped(
            PlannedDisbursement.objects.filter(revision__in=latest)
            .order_by("revision__project_id", "period_start", "pk")
            .values_list(
                "revision__project_id",
                "period_start",
                "period_end",
                "amount",
                "currency",
                "value_date",
            )
        )
        partners.load(
            [p[-1] for p in progs]
            + [row[2] for rows in parties.values() for row in rows]
            + [pk for rows in transactions.values() for row in rows for pk in row[8:10]]
        )
        for pk, code, title_fr, title_en, description, status, start, end, cur, lead in progs:
            pid = programme_identifier(org, code)
            participating = _participating(parties.get(pk, []), lead, partners, org)
            programme_sectors = [(c, pct) for _p, c, pct in prog_sectors.get(pk, [])]
            its_projects = projects.get(pk, [])
            yield rules.ActivityData(
                identifier=pid,
                hierarchy=1,
                title_fr=title_fr,
                title_en=title_en,
                description=description,
                status=status,
                start_date=start,
                end_date=end,
                default_currency=cur,
                participating=participating,
                countries=[(c, pct) for _p, c, pct in countries.get(pk, [])],
                sectors=programme_sectors,
                related=[("2", project_identifier(org, p[2])) for p in its_projects],
            )
            for (
                _prog,
                jk,
                jcode,
                jt_fr,
                jt_en,
                jdesc,
                jstatus,
                jstart,
                jend,
                jcur,
                jcountry,
            ) in its_projects:
                yield rules.ActivityData(
                    identifier=project_identifier(org, jcode),
                    hierarchy=2,
                    title_fr=jt_fr,
                    title_en=jt_en,
                    description=jdesc,
                    status=jstatus,
                    start_date=jstart,
                    end_date=jend,
                    default_currency=jcur,
                    participating=participating,
                    countries=[(jcountry, hundred)] if jcountry else [],
                    sectors=[(c, pct) for _p, c, pct in sectors.get(jk, [])] or programme_sectors,
                    budgets=[
                        rules.Period(
                            start=b[1],
                            end=b[2],
                            value=_money(b[3], b[4], b[5]),
                            type=b[6],
                            status=b[7],
                        )
                        for b in budgets.get(jk, [])
                    ],
                    planned=[
                        rules.Period(start=d[1], end=d[2], value=_money(d[3], d[4], d[5]))
                        for d in planned.get(jk, [])
                    ],
                    transactions=[
                        rules.TransactionData(
                            type=t[1],
                            date=t[2],
                            value=_money(t[3], t[4], t[5]),
                            ref=t[6],
                            description=t[7],
                            provider=partners.get(t[8]),
                            receiver=partners.get(t[9]),
                        )
                        for t in transactions.get(jk, [])
                    ],
                    related=[("1", pid)],
                )


# --- Writing ---------------------------------------------------------------------------


def _sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    el = etree.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _narrative(parent: Any, text: str, lang: str | None = None) -> None:
    el = _sub(parent, "narrative", text)
    if lang:
        el.set(XML_LANG, lang)


def _value(parent: Any, money: rules.Money) -> None:
    _sub(
        parent,
        "value",
        f"{money.amount:f}",
        currency=money.currency,
        value_date=money.value_date.isoformat(),
    )


def _org_el(parent: Any, tag: str, org: rules.Org, **attrs: str) -> None:
    el = _sub(parent, tag, **attrs)
    if org.ref:
        el.set("ref", org.ref)
    if org.type:
        el.set("type", org.type)
    if org.name:
        _narrative(el, org.name)


def activity_element(a: rules.ActivityData, org: ReportingOrg, today: dt.date) -> Any:
    """One ``iati-activity``, its children in the order the 2.03 schema's sequence asks."""
    el = etree.Element(
        "iati-activity",
        {
            XML_LANG: "fr",
            "default-currency": a.default_currency,
            "hierarchy": str(a.hierarchy),
        },
    )
    _sub(el, "iati-identifier", a.identifier)
    _org_el(el, "reporting-org", rules.Org(org.ref, org.type, org.name))
    title = _sub(el, "title")
    _narrative(title, a.title_fr, "fr")
    if a.title_en:
        _narrative(title, a.title_en, "en")
    description = _sub(el, "description", type="1")
    _narrative(description, a.description or a.title_fr, "fr")
    for role, party in a.participating:
        _org_el(el, "participating-org", party, role=role)
    _sub(el, "activity-status", code=a.status)
    if a.start_date is not None:
        _sub(el, "activity-date", type="1", iso_date=a.start_date.isoformat())
        started = a.status not in (ActivityStatus.PIPELINE, ActivityStatus.CANCELLED)
        if started and a.start_date <= today:
            _sub(el, "activity-date", type="2", iso_date=a.start_date.isoformat())
    if a.end_date is not None:
        _sub(el, "activity-date", type="3", iso_date=a.end_date.isoformat())
        if a.status == ActivityStatus.CLOSED and a.end_date <= today:
            _sub(el, "activity-date", type="4", iso_date=a.end_date.isoformat())
    for code, pct in a.countries:
        _sub(el, "recipient-country", code=code, percentage=f"{pct.normalize():f}")
    for code, pct in a.sectors:
        _sub(el, "sector", vocabulary="1", code=code, percentage=f"{pct.normalize():f}")
    for b in a.budgets:
        budget = _sub(el, "budget", type=b.type or "1", status=b.status or "1")
        _sub(budget, "period-start", iso_date=b.start.isoformat())
        _sub(budget, "period-end", iso_date=b.end.isoformat())
        _value(budget, b.value)
    for p in a.planned:
        planned = _sub(el, "planned-disbursement", type="1")
        _sub(planned, "period-start", iso_date=p.start.isoformat())
        _sub(planned, "period-end", iso_date=p.end.isoformat())
        _value(planned, p.value)
    for t in a.transactions:
        tx = _sub(el, "transaction")
        if t.ref:
            tx.set("ref", t.ref)
        _sub(tx, "transaction-type", code=t.type)
        _sub(tx, "transaction-date", iso_date=t.date.isoformat())
        _value(tx, t.value)
        if t.description:
            _narrative(_sub(tx, "description"), t.description)
        if t.provider is not None:
            _org_el(tx, "provider-org", t.provider)
        if t.receiver is not None:
            _org_el(tx, "receiver-org", t.receiver)
    for kind, ref in a.related:
        _sub(el, "related-activity", ref=ref, type=kind)
    return el


def write_activities(
    out: str | IO[bytes],
    activities: Iterable[rules.ActivityData],
    *,
    org: ReportingOrg | None = None,
    today: dt.date | None = None,
) -> ExportResult:
    """Stream ``activities`` to ``out``, checking each against the rules. The file is
    written whole even when some fail: the caller publishes it only when ``ok``."""
    org = org or reporting_org()
    today = today or timezone.localdate()
    result = ExportResult()
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        root = {"version": IATI_VERSION, "generated-datetime": timezone.now().isoformat()}
        with xf.element("iati-activities", root):
            for activity in activities:
                result.failures.extend(rules.check(activity, ref=org.ref, today=today))
                xf.write(activity_element(activity, org, today))
                result.activities += 1
    return result


def export_programmes(
    out: str | IO[bytes],
    programmes: QuerySet[Programme] | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> ExportResult:
    """Every programme of ``programmes`` (all by default) and its projects."""
    org = reporting_org()
    queryset = programmes if programmes is not None else Programme.objects.all()
    return write_activities(out, activities_data(queryset, org, chunk_size=chunk_size), org=org)


def export_to_path(
    path: str | Path, programmes: QuerySet[Programme] | None = None, **kw: Any
) -> ExportResult:
    """Write next to ``path`` and move the file into place only when no rule failed, so
    a blocked export leaves no file (and never a half-written one)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".iati-", suffix=".xml", dir=target.parent or None)
    os.close(fd)
    try:
        result = export_programmes(tmp, programmes, **kw)
        if result.ok:
            Path(tmp).replace(target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return result
