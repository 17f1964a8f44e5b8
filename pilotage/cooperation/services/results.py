"""Writing the results framework: nodes, indicators, period targets, and the reported
updates with their workflow

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                   │
      └──(edit) returned ◀┘ return (a comment is required)

An update is created and edited by the coordinator of its project's country or by a
manager of the programme, only while it is a draft or returned. A manager of the programme
approves or returns it, never one they submitted themselves (``can_approve_update``).
Every write checks the permission, runs in one transaction with the row locked, checks the
version the form was loaded at (optimistic concurrency) and is audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.cooperation.audit import RESULT_APPROVE, RESULT_COMMENT, RESULT_RETURN, RESULT_SUBMIT
from pilotage.cooperation.models import (
    CATEGORIES,
    EDITABLE_STATUSES,
    PARENT_LEVEL,
    Dimension,
    IndicatorTarget,
    Measure,
    Programme,
    Project,
    ResultIndicator,
    ResultLevel,
    ResultNode,
    ResultUpdate,
    UpdateCell,
    UpdateComment,
    UpdateStatus,
)
from pilotage.cooperation.permissions import (
    can_approve_update,
    can_edit_results,
    can_report,
    manages,
)
from pilotage.cooperation.services.common import locked, version_check
from pilotage.core.audit import CREATE, UPDATE, audit_record, diff, snapshot
from pilotage.orgunits.models import OrgUnit

NODE_FIELDS = ("level", "parent", "code", "title_fr", "title_ar", "title_en", "description")
INDICATOR_FIELDS = (
    "code",
    "title_fr",
    "title_ar",
    "title_en",
    "measure",
    "unit_label",
    "baseline_value",
    "baseline_date",
    "end_target",
    "end_target_text",
    "cumulative",
    "period_aggregation",
    "location_aggregation",
    "by_country",
    "by_sex",
    "by_level",
    "means_of_verification",
    "catalogue_code",
)
TARGET_FIELDS = ("value", "numerator", "denominator", "text")
UPDATE_FIGURES = ("value", "numerator", "denominator", "text")


@dataclass(frozen=True)
class Cell:
    """One breakdown cell as a form hands it in: ``dimension`` sex or level."""

    dimension: str
    category: str
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


# --- the logframe ---------------------------------------------------------------------


@transaction.atomic
def node_create(*, actor: Any, programme: Programme, **fields: Any) -> ResultNode:
    """An impact (no parent), an outcome under an impact, an output under an outcome."""
    if not can_edit_results(actor, programme):
        raise PermissionDenied
    unknown = set(fields) - set(NODE_FIELDS)
    if unknown:
        raise TypeError(f"node_create cannot set {', '.join(sorted(unknown))}")
    node = ResultNode(programme=programme, **fields)
    _node_check(node)
    node.full_clean()
    node.save()
    audit_record(
        actor=actor, action=CREATE, obj=node, changes=diff({}, snapshot(node, NODE_FIELDS))
    )
    return node


def _node_check(node: ResultNode) -> None:
    wanted = PARENT_LEVEL.get(ResultLevel(node.level))
    parent = node.parent
    if wanted is None and parent is not None:
        raise ValidationError({"parent": _("Un impact n'a pas de résultat parent.")})
    if wanted is not None and (
        parent is None or parent.level != wanted or parent.programme_id != node.programme_id
    ):
        raise ValidationError(
            {
                "parent": _("Un %(level)s se place sous un %(parent)s du même programme.")
                % {
                    "level": ResultLevel(node.level).label,
                    "parent": ResultLevel(wanted).label,
                }
            }
        )


@transaction.atomic
def node_update(*, actor: Any, node: ResultNode, **changes: Any) -> ResultNode:
    stored = locked(ResultNode, node)
    if not can_edit_results(actor, stored.programme):
        raise PermissionDenied
    unknown = set(changes) - set(NODE_FIELDS)
    if unknown:
        raise TypeError(f"node_update cannot change {', '.join(sorted(unknown))}")
    before = snapshot(stored, NODE_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value)
    _node_check(stored)
    stored.full_clean()
    delta = diff(before, snapshot(stored, NODE_FIELDS))
    if delta:
        stored.save(update_fields=list(changes))
        audit_record(actor=actor, action=UPDATE, obj=stored, changes=delta)
    return stored


def _indicator_check(indicator: ResultIndicator) -> None:
    if indicator.measure == Measure.PERCENTAGE and indicator.location_aggregation != "sum":
        raise ValidationError(
            {
                "location_aggregation": _(
                    "Un pourcentage se consolide toujours entre pays comme Σ numérateurs / "
                    "Σ dénominateurs : choisissez « Somme »."
                )
            }
        )
    if indicator.catalogue_code:
        from pilotage.indicators.selectors.catalogue import indicator_of

        if indicator_of(indicator.catalogue_code) is None:
            raise ValidationError(
                {
                    "catalogue_code": _("« %(code)s » n'est pas un indicateur du catalogue.")
                    % {"code": indicator.catalogue_code[:60]}
                }
            )


@transaction.atomic
def indicator_create(*, actor: Any, node: ResultNode, **fields: Any) -> ResultIndicator:
    if not can_edit_results(actor, node.programme):
        raise PermissionDenied
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"indicator_create cannot set {', '.join(sorted(unknown))}")
    indicator = ResultIndicator(node=node, **fields)
    _indicator_check(indicator)
    indicator.full_clean()
    indicator.save()
    audit_record(
        actor=actor,
        action=CREATE,
        obj=indicator,
        changes=diff({}, snapshot(indicator, INDICATOR_FIELDS)),
    )
    return indicator


@transaction.atomic
def indicator_update(
    *, actor: Any, indicator: ResultIndicator | int, version: int | None, **changes: Any
) -> ResultIndicator:
    unknown = set(changes) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"indicator_update cannot change {', '.join(sorted(unknown))}")
    stored = locked(ResultIndicator, indicator)
    if not can_edit_results(actor, stored.node.programme):
        raise PermissionDenied
    version_check(stored, version)
    before = snapshot(stored, INDICATOR_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value)
    _indicator_check(stored)
    stored.full_clean()
    delta = diff(before, snapshot(stored, INDICATOR_FIELDS))
    if not delta:
        return stored
    stored.version += 1
    stored.save(update_fields=[*changes, "version"])
    audit_record(actor=actor, action=UPDATE, obj=stored, changes=delta)
    return stored


# --- figures --------------------------------------------------------------------------


def _figures_check(
    measure: str,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    text: str,
    *,
    prefix: str = "",
) -> None:
    """The figures a measure takes: a value for a count, numerator and denominator for a
    percentage, a text for a qualitative indicator."""
    problems: dict[str, str] = {}
    if measure == Measure.UNIT:
        if value is None:
            problems[f"{prefix}value"] = _("Une valeur est requise.")
        elif value < 0:
            problems[f"{prefix}value"] = _("%(value)s : une valeur ne peut être négative.") % {
                "value": value
            }
    elif measure == Measure.PERCENTAGE:
        if numerator is None:
            problems[f"{prefix}numerator"] = _("Le numérateur est requis.")
        if denominator is None:
            problems[f"{prefix}denominator"] = _("Le dénominateur est requis.")
        if numerator is not None and numerator < 0:
            problems[f"{prefix}numerator"] = _(
                "%(value)s : un numérateur ne peut être négatif."
            ) % {"value": numerator}
        if denominator is not None and denominator <= 0:
            problems[f"{prefix}denominator"] = _(
                "%(value)s : le dénominateur doit être supérieur à zéro."
            ) % {"value": denominator}
        if (
            numerator is not None
            and denominator is not None
            and denominator > 0
            and numerator > denominator
        ):
            problems[f"{prefix}numerator"] = _(
                "Le numérateur (%(num)s) dépasse le dénominateur (%(den)s) : une part ne "
                "dépasse pas 100 %%."
            ) % {"num": numerator, "den": denominator}
    elif measure == Measure.QUALITATIVE and not text.strip():
        problems[f"{prefix}text"] = _("Une description est requise.")
    if problems:
        raise ValidationError(problems)


def _period_check(programme: Programme, start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError({"period_end": _("La période finit avant de commencer.")})
    if start < programme.start_date or end > programme.end_date:
        raise ValidationError(
            {
                "period_end": _("La période sort des dates du programme (%(start)s – %(end)s).")
                % {"start": programme.start_date, "end": programme.end_date}
            }
        )


@transaction.atomic
def target_set(
    *,
    actor: Any,
    indicator: ResultIndicator,
    period_start: dt.date,
    period_end: dt.date,
    country: OrgUnit | None = None,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    text: str = "",
    version: int | None = None,
) -> IndicatorTarget:
    """A period's target (created or changed) for one country or, without a country, for
    the whole programme. The end-of-programme target is the indicator's own field."""
    programme = indicator.node.programme
    if not can_edit_results(actor, programme):
        raise PermissionDenied
    _period_check(programme, period_start, period_end)
    if country is not None and not programme.countries.filter(country=country).exists():
        raise ValidationError(
            {"country": _("%(country)s n'est pas couvert par le programme.") % {"country": country}}
        )
    _figures_check(indicator.measure, value, numerator, denominator, text)
    if indicator.measure == Measure.PERCENTAGE and numerator is not None and denominator:
        value = Decimal(100) * numerator / denominator
    found = (
        # No ordering: the default one joins the (nullable) country, which cannot be locked.
        IndicatorTarget.objects.select_for_update()
        .order_by()
        .filter(
            indicator=indicator,
            period_start=period_start,
            period_end=period_end,
            country=country,
        )
        .first()
    )
    figures = {"value": value, "numerator": numerator, "denominator": denominator, "text": text}
    if found is None:
        target = IndicatorTarget(
            indicator=indicator,
            period_start=period_start,
            period_end=period_end,
            country=country,
            **figures,
        )
        target.full_clean(validate_constraints=False)
        target.save()
        audit_record(
            actor=actor,
            action=CREATE,
            obj=target,
            changes=diff({}, snapshot(target, TARGET_FIELDS)),
        )
        return target
    version_check(found, version)
    before = snapshot(found, TARGET_FIELDS)
    for name, v in figures.items():
        setattr(found, name, v)
    delta = diff(before, snapshot(found, TARGET_FIELDS))
    if delta:
        found.version += 1
        found.save(update_fields=[*TARGET_FIELDS, "version"])
        audit_record(actor=actor, action=UPDATE, obj=found, changes=delta)
    return found


# --- reported updates -----------------------------------------------------------------


def _cells_check(indicator: ResultIndicator, update: ResultUpdate, cells: Sequence[Cell]) -> None:
    """Each cell of an allowed dimension and a known category, once; each dimension's
    cells add up to the total (a count's values; a percentage's numerators and
    denominators)."""
    allowed = set(indicator.dimensions)
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    by_dim: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        if cell.dimension not in allowed:
            problems.append(
                _("Cet indicateur n'est pas ventilé par « %(dimension)s ».")
                % {"dimension": cell.dimension[:20]}
            )
            continue
        if cell.category not in CATEGORIES[cell.dimension].values:
            problems.append(
                _("« %(category)s » n'est pas une catégorie de « %(dimension)s ».")
                % {"category": cell.category[:20], "dimension": cell.dimension}
            )
            continue
        if (cell.dimension, cell.category) in seen:
            problems.append(_("« %(category)s » figure deux fois.") % {"category": cell.category})
        seen.add((cell.dimension, cell.category))
        try:
            _figures_check(indicator.measure, cell.value, cell.numerator, cell.denominator, "x")
        except ValidationError as exc:
            label = CATEGORIES[cell.dimension](cell.category).label
            problems.extend(f"{label} : {m}" for m in exc.messages)
        by_dim[cell.dimension].append(cell)
    if problems:
        raise ValidationError({"cells": problems})
    zero = Decimal(0)
    for dimension, rows in by_dim.items():
        if indicator.measure == Measure.UNIT:
            total = sum((c.value or zero for c in rows), zero)
            if total != update.value:
                problems.append(
                    _("La ventilation par %(dimension)s totalise %(total)s au lieu de %(value)s.")
                    % {
                        "dimension": _dimension_label(dimension),
                        "total": total,
                        "value": update.value,
                    }
                )
        elif indicator.measure == Measure.PERCENTAGE:
            num = sum((c.numerator or zero for c in rows), zero)
            den = sum((c.denominator or zero for c in rows), zero)
            if (num, den) != (update.numerator, update.denominator):
                problems.append(
                    _(
                        "La ventilation par %(dimension)s totalise %(num)s / %(den)s au lieu "
                        "de %(total_num)s / %(total_den)s."
                    )
                    % {
                        "dimension": _dimension_label(dimension),
                        "num": num,
                        "den": den,
                        "total_num": update.numerator,
                        "total_den": update.denominator,
                    }
                )
    if problems:
        raise ValidationError({"cells": problems})


def _dimension_label(dimension: str) -> str:
    return str(Dimension(dimension).label).lower()


def _cell_label(c: Cell | UpdateCell) -> str:
    figure = c.value if c.value is not None else f"{c.numerator}/{c.denominator}"
    return f"{c.dimension}:{c.category}={figure}"


def _cells_write(update: ResultUpdate, cells: Sequence[Cell]) -> list[Any]:
    before = sorted(_cell_label(c) for c in update.cells.all())
    update.cells.all().delete()
    UpdateCell.objects.bulk_create(
        UpdateCell(
            update=update,
            dimension=c.dimension,
            category=c.category,
            value=c.value,
            numerator=c.numerator,
            denominator=c.denominator,
        )
        for c in cells
    )
    after = sorted(_cell_label(c) for c in cells)
    return [before, after] if before != after else []


def _clean_figures(indicator: ResultIndicator, figures: dict[str, Any]) -> dict[str, Any]:
    """Only the figures the measure takes (a stray value on a percentage is dropped)."""
    measure = indicator.measure
    return {
        "value": figures.get("value") if measure == Measure.UNIT else None,
        "numerator": figures.get("numerator") if measure == Measure.PERCENTAGE else None,
        "denominator": figures.get("denominator") if measure == Measure.PERCENTAGE else None,
        "text": figures.get("text") or "",
    }


@transaction.atomic
def update_create(
    *,
    actor: Any,
    indicator: ResultIndicator,
    project: Project,
    period_start: dt.date,
    period_end: dt.date,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    text: str = "",
    cells: Sequence[Cell] = (),
) -> ResultUpdate:
    """A new draft update of ``project`` for ``indicator`` over the period."""
    if not can_report(actor, project):
        raise PermissionDenied
    programme = indicator.node.programme
    if project.programme_id != programme.pk:
        raise ValidationError({"project": _("Ce projet n'appartient pas au programme.")})
    _period_check(programme, period_start, period_end)
    figures = _clean_figures(
        indicator,
        {"value": value, "numerator": numerator, "denominator": denominator, "text": text},
    )
    _figures_check(indicator.measure, **figures)
    if ResultUpdate.objects.filter(
        indicator=indicator, project=project, period_start=period_start, period_end=period_end
    ).exists():
        raise ValidationError(
            _(
                "Un résultat est déjà déclaré pour ce projet, cet indicateur et cette période : "
                "ouvrez-le pour le modifier."
            )
        )
    update = ResultUpdate(
        indicator=indicator,
        project=project,
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
        **figures,
    )
    _cells_check(indicator, update, cells)
    update.save()
    _cells_write(update, cells)
    changes = diff({}, snapshot(update, ("period_start", "period_end", *UPDATE_FIGURES)))
    if cells:
        changes["cells"] = [None, [f"{c.dimension}:{c.category}" for c in cells]]
    audit_record(actor=actor, action=CREATE, obj=update, changes=changes)
    return update


def _editable(stored: ResultUpdate) -> None:
    if stored.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _(
                "Ce résultat est « %(status)s » : il ne se modifie qu'à l'état brouillon ou "
                "renvoyé pour révision."
            )
            % {"status": stored.get_status_display()}
        )


@transaction.atomic
def update_edit(
    *,
    actor: Any,
    update: ResultUpdate | int,
    version: int | None,
    cells: Sequence[Cell] | None = None,
    **figures: Any,
) -> ResultUpdate:
    """Change a draft or returned update's figures (and its breakdown when given)."""
    unknown = set(figures) - set(UPDATE_FIGURES)
    if unknown:
        raise TypeError(f"update_edit cannot change {', '.join(sorted(unknown))}")
    stored = locked(ResultUpdate, update)
    if not can_report(actor, stored.project):
        raise PermissionDenied
    version_check(stored, version)
    _editable(stored)
    indicator = stored.indicator
    before = snapshot(stored, UPDATE_FIGURES)
    merged = {name: getattr(stored, name) for name in UPDATE_FIGURES} | figures
    clean = _clean_figures(indicator, merged)
    _figures_check(indicator.measure, **clean)
    for name, value in clean.items():
        setattr(stored, name, value)
    if cells is not None:
        _cells_check(indicator, stored, cells)
    elif stored.cells.exists():
        existing = [
            Cell(c.dimension, c.category, c.value, c.numerator, c.denominator)
            for c in stored.cells.all()
        ]
        _cells_check(indicator, stored, existing)
    delta = diff(before, snapshot(stored, UPDATE_FIGURES))
    cell_delta = _cells_write(stored, cells) if cells is not None else []
    if cell_delta:
        delta["cells"] = cell_delta
    if not delta:
        return stored
    stored.version += 1
    stored.save(update_fields=[*UPDATE_FIGURES, "version"])
    audit_record(actor=actor, action=UPDATE, obj=stored, changes=delta)
    return stored


def _transition(stored: ResultUpdate, allowed_from: tuple[str, ...], verb: str) -> None:
    if stored.status not in allowed_from:
        raise ValidationError(
            _("Un résultat « %(status)s » ne peut pas être %(verb)s.")
            % {"status": stored.get_status_display(), "verb": verb}
        )


def _comment(stored: ResultUpdate, actor: Any, text: str, action: str) -> UpdateComment:
    return UpdateComment.objects.create(update=stored, author=actor, text=text, action=action)


@transaction.atomic
def update_submit(*, actor: Any, update: ResultUpdate | int, version: int | None) -> ResultUpdate:
    stored = locked(ResultUpdate, update)
    if not can_report(actor, stored.project):
        raise PermissionDenied
    version_check(stored, version)
    _transition(stored, EDITABLE_STATUSES, _("soumis"))
    old = stored.status
    stored.status = UpdateStatus.SUBMITTED
    stored.submitted_by = actor
    stored.submitted_at = timezone.now()
    stored.version += 1
    stored.save(update_fields=["status", "submitted_by", "submitted_at", "version"])
    audit_record(
        actor=actor, action=RESULT_SUBMIT, obj=stored, changes={"status": [old, stored.status]}
    )
    return stored


@transaction.atomic
def update_return(
    *, actor: Any, update: ResultUpdate | int, version: int | None, comment: str
) -> ResultUpdate:
    """Send a submitted update back to its country with a comment saying what to fix."""
    stored = locked(ResultUpdate, update)
    if not can_approve_update(actor, stored):
        raise PermissionDenied
    version_check(stored, version)
    _transition(stored, (UpdateStatus.SUBMITTED,), _("renvoyé"))
    if not comment.strip():
        raise ValidationError(
            {"comment": _("Dites ce qu'il faut corriger : un commentaire est requis.")}
        )
    stored.status = UpdateStatus.RETURNED
    stored.version += 1
    stored.save(update_fields=["status", "version"])
    _comment(stored, actor, comment.strip(), "return")
    audit_record(
        actor=actor,
        action=RESULT_RETURN,
        obj=stored,
        changes={
            "status": [UpdateStatus.SUBMITTED, stored.status],
            "comment": [None, comment[:200]],
        },
    )
    return stored


@transaction.atomic
def update_approve(
    *, actor: Any, update: ResultUpdate | int, version: int | None, comment: str = ""
) -> ResultUpdate:
    stored = locked(ResultUpdate, update)
    if not can_approve_update(actor, stored):
        if manages(actor, stored.project.programme) and stored.submitted_by_id == actor.pk:
            raise ValidationError(
                _("Vous avez soumis ce résultat : un autre chargé de programme l'approuve.")
            )
        raise PermissionDenied
    version_check(stored, version)
    _transition(stored, (UpdateStatus.SUBMITTED,), _("approuvé"))
    stored.status = UpdateStatus.APPROVED
    stored.approved_by = actor
    stored.approved_at = timezone.now()
    stored.version += 1
    stored.save(update_fields=["status", "approved_by", "approved_at", "version"])
    if comment.strip():
        _comment(stored, actor, comment.strip(), "approve")
    audit_record(
        actor=actor,
        action=RESULT_APPROVE,
        obj=stored,
        changes={"status": [UpdateStatus.SUBMITTED, stored.status]},
    )
    return stored


@transaction.atomic
def update_comment_add(*, actor: Any, update: ResultUpdate, text: str) -> UpdateComment:
    """A remark on an update by anyone who reports or approves it."""
    stored = locked(ResultUpdate, update)
    if not (can_report(actor, stored.project) or can_approve_update(actor, stored)):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Le commentaire est vide.")})
    found = _comment(stored, actor, text.strip(), "")
    audit_record(
        actor=actor, action=RESULT_COMMENT, obj=stored, changes={"comment": [None, text[:200]]}
    )
    return found
