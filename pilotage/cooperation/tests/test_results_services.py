"""The results workflow: who may create, edit, submit, return and approve an update; illegal
transitions refused with a message; denied paths change nothing (rows and audit)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection

from pilotage.cooperation.models import (
    IndicatorTarget,
    Measure,
    ResultIndicator,
    ResultLevel,
    ResultNode,
    ResultUpdate,
    UpdateComment,
    UpdateStatus,
)
from pilotage.cooperation.services.common import Conflict
from pilotage.cooperation.services.results import (
    Cell,
    indicator_create,
    node_create,
    target_set,
    update_approve,
    update_create,
    update_edit,
    update_return,
    update_submit,
)
from pilotage.cooperation.tests.results_support import logframe_build
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import require

pytestmark = pytest.mark.django_db

Y25 = {"period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)}


def counts():
    return (
        ResultUpdate.objects.count(),
        UpdateComment.objects.count(),
        AuditEntry.objects.count(),
        ResultNode.objects.count(),
        ResultIndicator.objects.count(),
        IndicatorTarget.objects.count(),
    )


def test_logframe_levels_are_checked(coop):
    impact = node_create(
        actor=coop.manager, programme=coop.imagine, level=ResultLevel.IMPACT, code="1", title_fr="I"
    )
    with pytest.raises(ValidationError, match="sous un Effet"):
        node_create(
            actor=coop.manager,
            programme=coop.imagine,
            level=ResultLevel.OUTPUT,
            parent=impact,
            code="1.1.1",
            title_fr="P",
        )


def test_only_managers_edit_the_logframe(coop):
    before = counts()
    for outsider in (coop.coordinator_sn, coop.manager_b, coop.partner_user):
        with pytest.raises(PermissionDenied):
            node_create(
                actor=outsider,
                programme=coop.imagine,
                level=ResultLevel.IMPACT,
                code="9",
                title_fr="X",
            )
    assert counts() == before


def test_percentage_must_roll_up_as_ratio_of_sums(coop):
    lf = logframe_build(coop)
    before = counts()
    with pytest.raises(ValidationError, match="Σ numérateurs"):
        indicator_create(
            actor=coop.manager,
            node=lf.output,
            code="P9",
            title_fr="Part",
            measure=Measure.PERCENTAGE,
            location_aggregation="average",
        )
    assert counts() == before


def test_unknown_catalogue_code_is_refused(coop):
    lf = logframe_build(coop)
    with pytest.raises(ValidationError, match="pas un indicateur du catalogue"):
        indicator_create(
            actor=coop.manager,
            node=lf.output,
            code="C9",
            title_fr="X",
            measure=Measure.UNIT,
            catalogue_code="nope",
        )


def test_target_set_is_upsert_and_audited(coop):
    lf = logframe_build(coop)
    t = target_set(
        actor=coop.manager, indicator=lf.trained, country=coop.senegal, value=D(100), **Y25
    )
    t2 = target_set(
        actor=coop.manager, indicator=lf.trained, country=coop.senegal, value=D(120), **Y25
    )
    assert t.pk == t2.pk and t2.value == D(120) and t2.version == 2
    before = counts()
    with pytest.raises(PermissionDenied):
        target_set(actor=coop.coordinator_sn, indicator=lf.trained, value=D(1), **Y25)
    assert counts() == before


def test_full_workflow(coop):
    lf = logframe_build(coop)
    u = update_create(
        actor=coop.coordinator_sn,
        indicator=lf.trained,
        project=coop.project_sn,
        value=D(120),
        cells=[Cell("sex", "F", value=D(70)), Cell("sex", "M", value=D(50))],
        **Y25,
    )
    assert u.status == UpdateStatus.DRAFT
    u = update_submit(actor=coop.coordinator_sn, update=u, version=u.version)
    assert u.status == UpdateStatus.SUBMITTED and u.submitted_by == coop.coordinator_sn
    with pytest.raises(ValidationError, match="commentaire est requis"):
        update_return(actor=coop.manager, update=u, version=u.version, comment="  ")
    u = update_return(actor=coop.manager, update=u, version=u.version, comment="Chiffre F ?")
    assert u.status == UpdateStatus.RETURNED
    assert u.comments.get().text == "Chiffre F ?"
    u = update_edit(
        actor=coop.coordinator_sn,
        update=u,
        version=u.version,
        value=D(125),
        cells=[Cell("sex", "F", value=D(75)), Cell("sex", "M", value=D(50))],
    )
    u = update_submit(actor=coop.coordinator_sn, update=u, version=u.version)
    u = update_approve(actor=coop.manager, update=u, version=u.version)
    assert u.status == UpdateStatus.APPROVED and u.approved_by == coop.manager
    assert sorted(u.cells.values_list("category", "value")) == [("F", D(75)), ("M", D(50))]
    assert AuditEntry.objects.filter(action="result_approve", object_id=str(u.pk)).exists()


def test_breakdown_must_add_up(coop):
    lf = logframe_build(coop)
    before = counts()
    with pytest.raises(ValidationError, match="totalise 110 au lieu de 120"):
        update_create(
            actor=coop.coordinator_sn,
            indicator=lf.trained,
            project=coop.project_sn,
            value=D(120),
            cells=[Cell("sex", "F", value=D(60)), Cell("sex", "M", value=D(50))],
            **Y25,
        )
    with pytest.raises(ValidationError, match="pas ventilé"):
        update_create(
            actor=coop.coordinator_sn,
            indicator=lf.trained,
            project=coop.project_sn,
            value=D(120),
            cells=[Cell("level", "primary", value=D(120))],
            **Y25,
        )
    assert counts() == before


def test_percentage_figures_checked(coop):
    lf = logframe_build(coop)
    with pytest.raises(ValidationError) as exc:
        update_create(
            actor=coop.coordinator_sn,
            indicator=lf.share,
            project=coop.project_sn,
            numerator=D(70),
            denominator=D(60),
            **Y25,
        )
    assert "dépasse le dénominateur" in str(exc.value)
    with pytest.raises(ValidationError, match="supérieur à zéro"):
        update_create(
            actor=coop.coordinator_sn,
            indicator=lf.share,
            project=coop.project_sn,
            numerator=D(0),
            denominator=D(0),
            **Y25,
        )


def test_coordinator_of_another_country_is_refused(coop):
    lf = logframe_build(coop)
    before = counts()
    with pytest.raises(PermissionDenied):
        update_create(
            actor=coop.coordinator_ml,
            indicator=lf.trained,
            project=coop.project_sn,
            value=D(1),
            **Y25,
        )
    assert counts() == before


def test_illegal_transitions(coop):
    lf = logframe_build(coop)
    u = update_create(
        actor=coop.coordinator_sn, indicator=lf.trained, project=coop.project_sn, value=D(1), **Y25
    )
    with pytest.raises(ValidationError, match="ne peut pas être approuvé"):
        update_approve(actor=coop.manager, update=u, version=u.version)
    u = update_submit(actor=coop.coordinator_sn, update=u, version=u.version)
    before = counts()
    with pytest.raises(ValidationError, match="brouillon ou renvoyé"):
        update_edit(actor=coop.coordinator_sn, update=u, version=u.version, value=D(2))
    with pytest.raises(ValidationError, match="ne peut pas être soumis"):
        update_submit(actor=coop.coordinator_sn, update=u, version=u.version)
    u = update_approve(actor=coop.manager, update=u, version=u.version)
    with pytest.raises(ValidationError, match="ne peut pas être renvoyé"):
        update_return(actor=coop.manager, update=u, version=u.version, comment="x")
    assert counts()[:2] == before[:2]


def test_approval_denied_paths_change_nothing(coop):
    lf = logframe_build(coop)
    u = update_create(
        actor=coop.coordinator_sn, indicator=lf.trained, project=coop.project_sn, value=D(1), **Y25
    )
    u = update_submit(actor=coop.coordinator_sn, update=u, version=u.version)
    before = counts()
    for outsider in (coop.coordinator_sn, coop.manager_b, coop.finance):
        with pytest.raises(PermissionDenied):
            update_approve(actor=outsider, update=u, version=u.version)
        with pytest.raises(PermissionDenied):
            update_return(actor=outsider, update=u, version=u.version, comment="x")
    assert counts() == before
    u.refresh_from_db()
    assert u.status == UpdateStatus.SUBMITTED


def test_submitter_does_not_approve_their_own(coop):
    lf = logframe_build(coop)
    u = update_create(
        actor=coop.manager, indicator=lf.trained, project=coop.project_sn, value=D(1), **Y25
    )
    u = update_submit(actor=coop.manager, update=u, version=u.version)
    before = counts()
    with pytest.raises(ValidationError, match="un autre chargé de programme"):
        update_approve(actor=coop.manager, update=u, version=u.version)
    assert counts() == before
    assert update_approve(actor=coop.head, update=u, version=u.version).status == "approved"


def test_stale_version_is_a_conflict(coop):
    lf = logframe_build(coop)
    u = update_create(
        actor=coop.coordinator_sn, indicator=lf.trained, project=coop.project_sn, value=D(1), **Y25
    )
    update_edit(actor=coop.coordinator_sn, update=u, version=1, value=D(2))
    before = counts()
    with pytest.raises(Conflict):
        update_edit(actor=coop.coordinator_sn, update=u, version=1, value=D(3))
    assert counts() == before


def test_one_update_per_project_indicator_period(coop):
    lf = logframe_build(coop)
    update_create(
        actor=coop.coordinator_sn, indicator=lf.trained, project=coop.project_sn, value=D(1), **Y25
    )
    with pytest.raises(ValidationError, match="déjà déclaré"):
        update_create(
            actor=coop.coordinator_sn,
            indicator=lf.trained,
            project=coop.project_sn,
            value=D(2),
            **Y25,
        )
    with pytest.raises(IntegrityError):
        ResultUpdate.objects.create(indicator=lf.trained, project=coop.project_sn, **Y25)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvers_race(coop):
    """Two managers approve and return the same update at once: one wins, the other is
    refused (the row lock makes the second see the new status or version). PostgreSQL
    only, as the marks race (the in-memory SQLite test database does not queue writers)."""
    require(connection.vendor == "postgresql", "needs PostgreSQL")
    lf = logframe_build(coop)
    u = update_create(
        actor=coop.coordinator_sn, indicator=lf.trained, project=coop.project_sn, value=D(1), **Y25
    )
    u = update_submit(actor=coop.coordinator_sn, update=u, version=u.version)
    coop.imagine.members.create(user=coop.manager_b, role="manager")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def run(fn):
        try:
            barrier.wait(timeout=10)
            fn()
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run, args=(lambda: update_approve(actor=coop.manager, update=u.pk, version=2),)
        ),
        threading.Thread(
            target=run,
            args=(
                lambda: update_return(
                    actor=coop.manager_b, update=u.pk, version=2, comment="Revoir"
                ),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
