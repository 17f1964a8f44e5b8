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

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
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
    Project,
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


def programmes_for_export(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    """The programmes with everything the file says of them, prefetched per chunk."""
    latest = PlanRevision.objects.filter(
        ~Exists(
            PlanRevision.objects.filter(project=OuterRef("project"), number__gt=OuterRef("number"))
        )
    ).prefetch_related(
        Prefetch("disbursements", queryset=PlannedDisbursement.objects.order_by("period_start"))
    )
    projects = (
        Project.objects.select_related("country")
        .order_by("code")
        .prefetch_related(
            "sectors",
            Prefetch("budgets", queryset=Budget.objects.order_by("period_start", "pk")),
            Prefetch(
                "transactions",
                queryset=Transaction.objects.select_related("provider", "receiver").order_by(
                    "transaction_date", "pk"
                ),
            ),
            Prefetch("plan_revisions", queryset=latest, to_attr="latest_plan"),
        )
    )
    return (
        programmes.select_related("lead_partner")
        .order_by("pk")
        .prefetch_related(
            Prefetch("countries", queryset=ProgrammeCountry.objects.select_related("country")),
            "sectors",
            Prefetch(
                "agreements__parties",
                queryset=AgreementParty.objects.select_related("partner").order_by("pk"),
            ),
            Prefetch("projects", queryset=projects),
        )
    )


def _org(partner: Partner | None) -> rules.Org | None:
    if partner is None:
        return None
    return rules.Org(ref=partner.iati_identifier, type=partner.iati_type, name=partner.name_fr)


def _participating(programme: Programme, org: ReportingOrg) -> list[tuple[str, rules.Org]]:
    """The agreements' parties with their roles, the lead partner as funder when no
    agreement names it, and the reporting organisation as the implementer."""
    seen: set[tuple[str, int]] = set()
    orgs: list[tuple[str, rules.Org]] = []
    for agreement in programme.agreements.all():
        for party in agreement.parties.all():
            if (party.role, party.partner_id) not in seen:
                seen.add((party.role, party.partner_id))
                orgs.append((party.role, _org(party.partner)))  # type: ignore[arg-type]
    lead = programme.lead_partner
    if lead is not None and not any(pid == lead.pk for _role, pid in seen):
        orgs.append((OrganisationRole.FUNDING, _org(lead)))  # type: ignore[arg-type]
    orgs.append((OrganisationRole.IMPLEMENTING, rules.Org(org.ref, org.type, org.name)))
    orgs.sort(key=lambda item: item[0])
    return orgs


def _money(amount: Decimal, currency: str, value_date: dt.date) -> rules.Money:
    return rules.Money(amount=amount, currency=currency, value_date=value_date)


def activities_data(
    programmes: Iterable[Programme], org: ReportingOrg
) -> Iterator[rules.ActivityData]:
    """Each programme then its projects, as the export writes them."""
    for programme in programmes:
        pid = programme_identifier(org, programme.code)
        participating = _participating(programme, org)
        programme_sectors = [(s.code, s.percentage) for s in programme.sectors.all()]
        projects = list(programme.projects.all())
        yield rules.ActivityData(
            identifier=pid,
            hierarchy=1,
            title_fr=programme.title_fr,
            title_en=programme.title_en,
            description=programme.description,
            status=programme.status,
            start_date=programme.start_date,
            end_date=programme.end_date,
            default_currency=programme.default_currency,
            participating=participating,
            countries=[(c.country.code, c.percentage) for c in programme.countries.all()],
            sectors=programme_sectors,
            related=[("2", project_identifier(org, p.code)) for p in projects],
        )
        for project in projects:
            plan = project.latest_plan[0].disbursements.all() if project.latest_plan else []  # type: ignore[attr-defined]
            yield rules.ActivityData(
                identifier=project_identifier(org, project.code),
                hierarchy=2,
                title_fr=project.title_fr,
                title_en=project.title_en,
                description=project.description,
                status=project.status,
                start_date=project.start_date,
                end_date=project.end_date,
                default_currency=project.default_currency,
                participating=participating,
                countries=[(project.country.code, Decimal(100))] if project.country else [],
                sectors=[(s.code, s.percentage) for s in project.sectors.all()]
                or programme_sectors,
                budgets=[
                    rules.Period(
                        start=b.period_start,
                        end=b.period_end,
                        value=_money(b.amount, b.currency, b.value_date),
                        type=b.type,
                        status=b.status,
                    )
                    for b in project.budgets.all()
                ],
                planned=[
                    rules.Period(
                        start=d.period_start,
                        end=d.period_end,
                        value=_money(d.amount, d.currency, d.value_date),
                    )
                    for d in plan
                ],
                transactions=[
                    rules.TransactionData(
                        type=t.type,
                        date=t.transaction_date,
                        value=_money(t.amount, t.currency, t.value_date),
                        ref=t.reference,
                        description=t.description,
                        provider=_org(t.provider),
                        receiver=_org(t.receiver),
                    )
                    for t in project.transactions.all()
                ],
                related=[("1", pid)],
            )
            project._prefetched_objects_cache = {}  # type: ignore[attr-defined]
        # The prefetches make reference cycles (a project's cached programme, a
        # transaction's cached project): broken here, each chunk is freed when the next
        # one comes, not at the next full garbage collection.
        programme._prefetched_objects_cache = {}  # type: ignore[attr-defined]


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
    queryset = programmes_for_export(
        programmes if programmes is not None else Programme.objects.all()
    )
    return write_activities(
        out, activities_data(queryset.iterator(chunk_size=chunk_size), org), org=org
    )


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
