"""The opportunity pipeline: stage moves and their rules, the version column, the weighted
total per year and currency, the funnel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.cooperation.models import Opportunity, Stage
from pilotage.cooperation.selectors.pipeline import pipeline_funnel, weighted_totals
from pilotage.cooperation.services.common import Conflict
from pilotage.cooperation.services.pipeline import (
    opportunity_create,
    opportunity_move,
    opportunity_update,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _opp(coop, title, stage=Stage.IDENTIFIED, amount="100000", currency="EUR", p="50", year=2026):
    return opportunity_create(
        actor=coop.head,
        title_fr=title,
        partner=coop.unesco,
        stage=stage,
        expected_amount=Decimal(amount) if amount is not None else None,
        currency=currency,
        probability=Decimal(p),
        expected_year=year,
    )


def _move(coop, opp, stage, actor=None):
    opp.refresh_from_db()
    return opportunity_move(
        actor=actor or coop.head, opportunity=opp, stage=stage, version=opp.version
    )


def test_create_is_audited_and_cannot_start_signed(coop):
    opp = _opp(coop, "Fonds numérique")
    assert (
        AuditEntry.objects.filter(object_type="cooperation.opportunity", action="create").count()
        == 1
    )
    assert opp.stage_reached == Stage.IDENTIFIED
    rows = Opportunity.objects.count()
    with pytest.raises(ValidationError):
        _opp(coop, "Déjà signée", stage=Stage.SIGNED)
    assert Opportunity.objects.count() == rows


def test_a_probability_over_100_is_refused(coop):
    with pytest.raises(ValidationError) as exc:
        _opp(coop, "Trop probable", p="120")
    assert "probability" in exc.value.message_dict
    assert not Opportunity.objects.exists()


def test_an_unknown_currency_is_refused(coop):
    with pytest.raises(ValidationError) as exc:
        _opp(coop, "Devise inventée", currency="XYZ")
    assert "XYZ" in exc.value.message_dict["currency"][0]
    assert not Opportunity.objects.exists()


def test_moves_are_audited_with_old_and_new_stage(coop):
    opp = _opp(coop, "Programme lecture")
    _move(coop, opp, Stage.PROPOSAL)
    opp = _move(coop, opp, Stage.NEGOTIATION)
    assert opp.stage == Stage.NEGOTIATION and opp.version == 3
    moves = AuditEntry.objects.filter(action="opportunity_stage", object_id=str(opp.pk)).order_by(
        "pk"
    )
    assert [e.changes["stage"] for e in moves] == [
        ["identified", "proposal"],
        ["proposal", "negotiation"],
    ]


def test_signed_and_dropped_are_final_for_a_manager(coop):
    opp = _opp(coop, "Signée")
    _move(coop, opp, Stage.SIGNED, actor=coop.manager)
    dropped = _opp(coop, "Abandonnée")
    _move(coop, dropped, Stage.DROPPED, actor=coop.manager)
    audit = AuditEntry.objects.count()
    for closed in (opp, dropped):
        with pytest.raises(ValidationError) as exc:
            _move(coop, closed, Stage.NEGOTIATION, actor=coop.manager)
        assert "chef du service" in str(exc.value)
    with pytest.raises(ValidationError):
        _move(coop, opp, Stage.DROPPED, actor=coop.manager)
    opp.refresh_from_db()
    dropped.refresh_from_db()
    assert (opp.stage, dropped.stage) == (Stage.SIGNED, Stage.DROPPED)
    assert AuditEntry.objects.count() == audit


def test_the_head_reopens_to_an_open_stage_audited_as_a_reopening(coop):
    opp = _opp(coop, "Rouverte")
    _move(coop, opp, Stage.SIGNED)
    with pytest.raises(ValidationError):
        _move(coop, opp, Stage.DROPPED)
    opp = _move(coop, opp, Stage.NEGOTIATION)
    assert opp.stage == Stage.NEGOTIATION
    # No longer signed: the funnel no longer counts it as having reached "signed".
    assert opp.stage_reached == Stage.NEGOTIATION
    entry = AuditEntry.objects.filter(object_id=str(opp.pk)).latest("pk")
    assert entry.action == "unlock" and entry.changes["stage"] == ["signed", "negotiation"]


@pytest.mark.parametrize("who", ["finance", "coordinator_sn", "partner_user", "consultant"])
def test_outsiders_cannot_write_and_nothing_changes(coop, who):
    opp = _opp(coop, "Protégée")
    audit = AuditEntry.objects.count()
    actor = getattr(coop, who)
    with pytest.raises(PermissionDenied):
        _move(coop, opp, Stage.PROPOSAL, actor=actor)
    with pytest.raises(PermissionDenied):
        opportunity_update(actor=actor, opportunity=opp, version=None, next_step="x")
    with pytest.raises(PermissionDenied):
        _opp_as(actor, coop)
    opp.refresh_from_db()
    assert opp.stage == Stage.IDENTIFIED and opp.next_step == "" and opp.version == 1
    assert AuditEntry.objects.count() == audit and Opportunity.objects.count() == 1


def _opp_as(actor, coop):
    return opportunity_create(
        actor=actor, title_fr="x", partner=coop.oif, expected_year=2026, probability=Decimal(10)
    )


def test_a_stale_version_is_a_conflict(coop):
    opp = _opp(coop, "Deux onglets")
    opportunity_update(actor=coop.head, opportunity=opp, version=1, next_step="Appeler")
    with pytest.raises(Conflict):
        opportunity_move(actor=coop.head, opportunity=opp, stage=Stage.PROPOSAL, version=1)
    with pytest.raises(Conflict):
        opportunity_update(actor=coop.head, opportunity=opp, version=1, next_step="Écrire")
    opp.refresh_from_db()
    assert (opp.stage, opp.next_step, opp.version) == (Stage.IDENTIFIED, "Appeler", 2)


def test_the_stage_is_not_edited_outside_a_move(coop):
    opp = _opp(coop, "Sans raccourci")
    with pytest.raises(TypeError):
        opportunity_update(actor=coop.head, opportunity=opp, version=1, stage=Stage.SIGNED)


def test_weighted_total_per_year_and_currency_worked_example(coop):
    """Worked example (the rule of the issue: Σ expected amount × probability / 100 over
    the opportunities not dropped, a signed one at 100 %; each currency its own column):

    2026 EUR: identified 200 000 × 10 % = 20 000
              proposal   150 000 × 35 % = 52 500
              signed     100 000 at 100 % (its stored 60 % is ignored) = 100 000
              dropped    999 999 × 90 % → excluded
              → 172 500.00
    2026 MAD: negotiation 1 234 567.89 × 33.33 % = 411 481.477737 → 411 481.48
    2027 EUR: negotiation 80 000 × 75 % = 60 000
              no amount yet (identified, 50 %) → counts for nothing
              → 60 000.00
    2027 USD: proposal 333.33 × 12.5 % = 41.66625 ; proposal 0.01 × 50 % = 0.005
              → 41.67125 → 41.67 (summed, then rounded half-up to the cent)
    EUR total 232 500.00 ; MAD 411 481.48 ; USD 41.67.
    """
    _opp(coop, "a", amount="200000", p="10", year=2026)
    _opp(coop, "b", stage=Stage.PROPOSAL, amount="150000", p="35", year=2026)
    _move(coop, _opp(coop, "c", amount="100000", p="60", year=2026), Stage.SIGNED)
    _move(coop, _opp(coop, "d", amount="999999", p="90", year=2026), Stage.DROPPED)
    _opp(coop, "e", stage=Stage.NEGOTIATION, amount="1234567.89", currency="MAD", p="33.33")
    _opp(coop, "f", stage=Stage.NEGOTIATION, amount="80000", p="75", year=2027)
    _opp(coop, "g", amount=None, p="50", year=2027)
    _opp(coop, "h", stage=Stage.PROPOSAL, amount="333.33", currency="USD", p="12.5", year=2027)
    _opp(coop, "i", stage=Stage.PROPOSAL, amount="0.01", currency="USD", p="50", year=2027)

    totals = weighted_totals(coop.head)
    assert totals.years == [2026, 2027]
    assert totals.currencies == ["EUR", "MAD", "USD"]
    assert totals.cells == {
        (2026, "EUR"): Decimal("172500.00"),
        (2026, "MAD"): Decimal("411481.48"),
        (2027, "EUR"): Decimal("60000.00"),
        (2027, "USD"): Decimal("41.67"),
    }
    assert totals.table() == [
        (2026, [Decimal("172500.00"), Decimal("411481.48"), None]),
        (2027, [Decimal("60000.00"), None, Decimal("41.67")]),
    ]
    assert totals.totals() == [Decimal("232500.00"), Decimal("411481.48"), Decimal("41.67")]


def test_outsiders_see_no_totals(coop):
    _opp(coop, "a")
    assert weighted_totals(coop.coordinator_sn).years == []


def test_funnel_counts_amounts_and_conversion(coop):
    """Ten opportunities: 4 left at identified, 2 at proposal, 1 at negotiation, 1 signed
    (moved through every stage), 2 dropped (one from identified, one from negotiation).

    Reached: identified 10 ; proposal 2 + 1 + 1 + 1 (dropped from negotiation) = 5 ;
    negotiation 1 + 1 + 1 = 3 ; signed 1.
    Conversion: proposal 5/10 = 50 % ; negotiation 3/5 = 60 % ; signed 1/3 = 33.3 %.
    """
    for i in range(4):
        _opp(coop, f"id{i}", amount="1000")
    for i in range(2):
        _opp(coop, f"pr{i}", stage=Stage.PROPOSAL, amount="2000", currency="MAD")
    _opp(coop, "ng", stage=Stage.NEGOTIATION, amount="5000")
    signed = _opp(coop, "sg", amount="7000")
    for stage in (Stage.PROPOSAL, Stage.NEGOTIATION, Stage.SIGNED):
        _move(coop, signed, stage)
    _move(coop, _opp(coop, "dr1", amount="9"), Stage.DROPPED)
    late = _opp(coop, "dr2", stage=Stage.NEGOTIATION, amount="11")
    _move(coop, late, Stage.DROPPED)

    funnel = pipeline_funnel(coop.head)
    by_stage = {row.stage: row for row in funnel.rows}
    assert [(r.stage, r.count, r.reached) for r in funnel.rows] == [
        ("identified", 4, 10),
        ("proposal", 2, 5),
        ("negotiation", 1, 3),
        ("signed", 1, 1),
    ]
    assert by_stage["identified"].conversion is None
    assert by_stage["proposal"].conversion == Decimal("50.0")
    assert by_stage["negotiation"].conversion == Decimal("60.0")
    assert by_stage["signed"].conversion == Decimal("33.3")
    assert by_stage["identified"].amounts == {"EUR": Decimal("4000")}
    assert by_stage["proposal"].cells == [None, Decimal("4000")]
    assert funnel.currencies == ["EUR", "MAD"]
    assert funnel.dropped.count == 2 and funnel.dropped.amounts == {"EUR": Decimal("20")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moves_racing_in_parallel_only_one_wins(coop) -> None:  # type: ignore[no-untyped-def]
    """The head and a manager move the same opportunity from the same version at the same
    instant: the row lock makes the second wait, then see the first one's version.
    PostgreSQL only (the in-memory SQLite test database does not queue writers)."""
    import threading

    from django.db import connection, connections

    from pilotage.core.tests.support import require

    require(connection.vendor == "postgresql", "needs PostgreSQL")
    opp = _opp(coop, "Course")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(actor, stage: str) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            opportunity_move(actor=actor, opportunity=opp.pk, stage=stage, version=1)
            outcomes.append("moved")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=move, args=(coop.head, Stage.PROPOSAL)),
        threading.Thread(target=move, args=(coop.manager, Stage.DROPPED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "moved"]
    opp.refresh_from_db()
    assert opp.version == 2
    assert AuditEntry.objects.filter(action="opportunity_stage").count() == 1
