"""Writing aggregate data: the catalogue (category combinations, data elements, data
sets) and the data values entered per data set × org unit × period.

A form is saved whole and all or nothing: every cell is checked (an element of the data
set, an option of its combination, a value of the element's type), the unit must be at
the data set's level and the data not yet approved, and a cell someone else saved since
the form was read is a conflict. Only then are the changed cells written, with one audit
row each (old → new). An empty cell deletes the value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.core.audit import CREATE, DELETE, UPDATE, audit_record, audit_record_bulk
from pilotage.core.tabular import parse_decimal
from pilotage.indicators.models import (
    CategoryCombo,
    CategoryOption,
    DataElement,
    DataSet,
    DataValue,
    PopulationEstimate,
    ValueType,
)
from pilotage.indicators.permissions import can_enter_data, can_manage_catalogue
from pilotage.indicators.quality.approval import approval_locks
from pilotage.indicators.quality.completeness import reports_received
from pilotage.indicators.quality.rules import rules_after_write
from pilotage.orgunits.models import OrgUnit, Period

Key = tuple[str, str]  # (element code, option code)

# DataValue.value holds 16 digits, 4 of them decimals.
MAX_DECIMALS = 4
MAX_ABS = Decimal(10) ** 12
UNIT_CHUNK = 2000


class DataValuesRejected(Exception):
    """Nothing was written. ``errors`` holds a reason per cell; ``message`` a reason for
    the whole form (wrong level, locked data, conflict)."""

    def __init__(self, message: str = "", *, errors: Mapping[Key, str] | None = None):
        self.message = message
        self.errors = dict(errors or {})
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class DataLocked(DataValuesRejected):
    pass


class DataConflict(DataValuesRejected):
    """Cells saved by someone else since the form was read: ``current`` gives their value
    now (None: deleted) and ``versions`` their version now, so the form can show them."""

    def __init__(
        self,
        message: str,
        *,
        errors: Mapping[Key, str],
        current: Mapping[Key, Decimal | None],
        versions: Mapping[Key, int],
    ):
        super().__init__(message, errors=errors)
        self.current = dict(current)
        self.versions = dict(versions)


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    # The version of every cell of the form after the save (0: no value).
    versions: dict[Key, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


# --- Values -------------------------------------------------------------------------------------


def value_parse(value_type: str, raw: Any) -> Decimal | None:
    """A typed cell as stored, ``None`` for an empty cell. Raises ``ValueError`` with the
    reason, in the reader's language."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    number = parse_decimal(raw)
    if value_type == ValueType.BOOLEAN:
        if number not in (0, 1):
            raise ValueError(_("attendu : 0 (non) ou 1 (oui)"))
        return Decimal(int(number))
    if value_type == ValueType.INTEGER:
        if number != number.to_integral_value():
            raise ValueError(_("nombre entier attendu"))
        if number < 0:
            raise ValueError(_("nombre positif ou nul attendu"))
    if value_type == ValueType.PERCENTAGE and not 0 <= number <= 100:
        raise ValueError(_("pourcentage attendu : de 0 à 100"))
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise ValueError(_("quatre décimales au plus"))
    if abs(number) >= MAX_ABS:
        raise ValueError(_("nombre trop grand"))
    return number.quantize(Decimal(1)) if value_type == ValueType.INTEGER else number


def value_text(value: Decimal | None) -> str:
    """A stored value as it is typed back: ``12``, ``12.5`` (no trailing zeros)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


@dataclass
class CellWrite:
    """One cell to write: the value (None: delete) and what it is."""

    element: DataElement
    option: CategoryOption
    org_unit: OrgUnit
    period: Period
    value: Decimal | None


@dataclass
class _Plan:
    create: list[DataValue] = field(default_factory=list)
    update: list[tuple[DataValue, Decimal]] = field(default_factory=list)
    delete: list[DataValue] = field(default_factory=list)
    # The cells that change: all of them, and those left holding a value.
    changed: list[CellWrite] = field(default_factory=list)
    filled: list[CellWrite] = field(default_factory=list)


def _stored(cells: Sequence[CellWrite], lock: bool) -> dict[tuple[int, int, int, int], DataValue]:
    """The stored values of the cells (a superset read, then matched)."""
    if not cells:
        return {}
    elements = {c.element.pk for c in cells}
    periods = {c.period.pk for c in cells}
    units = sorted({c.org_unit.pk for c in cells})
    found: dict[tuple[int, int, int, int], DataValue] = {}
    # Units by chunks: a file of every school of the country stays under the databases'
    # limits on query parameters.
    for start in range(0, len(units), UNIT_CHUNK):
        rows = DataValue.objects.filter(
            data_element_id__in=elements,
            org_unit_id__in=units[start : start + UNIT_CHUNK],
            period_id__in=periods,
        )
        if lock:
            rows = rows.select_for_update()
        for v in rows:
            found[(v.data_element_id, v.category_option_id, v.org_unit_id, v.period_id)] = v
    return found


def _cell_key(cell: CellWrite) -> tuple[int, int, int, int]:
    return (cell.element.pk, cell.option.pk, cell.org_unit.pk, cell.period.pk)


def _plan(
    actor: Any, cells: Sequence[CellWrite], stored: Mapping[tuple[int, int, int, int], DataValue]
) -> _Plan:
    plan = _Plan()
    actor_id = getattr(actor, "pk", None)
    for cell in cells:
        old = stored.get(_cell_key(cell))
        if old is None:
            if cell.value is not None:
                plan.changed.append(cell)
                plan.filled.append(cell)
                plan.create.append(
                    DataValue(
                        data_element=cell.element,
                        category_option=cell.option,
                        org_unit=cell.org_unit,
                        path=cell.org_unit.path,
                        period=cell.period,
                        value=cell.value,
                        stored_by_id=actor_id,
                        version=1,
                    )
                )
        elif cell.value is None:
            plan.changed.append(cell)
            plan.delete.append(old)
        elif old.value != cell.value:
            plan.changed.append(cell)
            plan.filled.append(cell)
            plan.update.append((old, cell.value))
    return plan


def _execute(actor: Any, plan: _Plan, *, action: str | None = None) -> None:
    """Write a plan with its audit rows. ``action`` (an import) replaces create, update
    and delete as the audit action of every row."""
    now = timezone.now()
    if plan.create:
        created = DataValue.objects.bulk_create(plan.create, batch_size=1000)
        audit_record_bulk(
            actor=actor,
            action=action or CREATE,
            entries=[(v, {"value": [None, value_text(v.value)]}) for v in created],
        )
    if plan.update:
        changes = []
        for stored, new in plan.update:
            changes.append((stored, {"value": [value_text(stored.value), value_text(new)]}))
            stored.value = new
            stored.version += 1
            stored.stored_by_id = getattr(actor, "pk", None)
            stored.updated_at = now
        DataValue.objects.bulk_update(
            [s for s, _ in plan.update],
            ["value", "version", "stored_by", "updated_at"],
            batch_size=1000,
        )
        audit_record_bulk(actor=actor, action=action or UPDATE, entries=changes)
    if plan.delete:
        audit_record_bulk(
            actor=actor,
            action=action or DELETE,
            entries=[(v, {"value": [value_text(v.value), None]}) for v in plan.delete],
        )
        DataValue.objects.filter(pk__in=[v.pk for v in plan.delete]).delete()


def _after_write(actor: Any, plan: _Plan, forms: Callable[[CellWrite], Iterable[DataSet]]) -> None:
    """What data quality learns of a write, inside its transaction: the forms given a
    value are received (their first date recorded), and the validation rules run again
    over the units and periods written once the transaction commits."""
    if plan.filled:
        reports_received(
            (data_set, cell.org_unit, cell.period)
            for cell in plan.filled
            for data_set in forms(cell)
        )
    rules_after_write(actor=actor, touched=((c.org_unit, c.period) for c in plan.changed))


def data_values_write(
    *,
    actor: Any,
    cells: Sequence[CellWrite],
    action: str | None = None,
    forms: Callable[[CellWrite], Iterable[DataSet]] | None = None,
) -> dict[str, int]:
    """Write checked cells (the import's apply step): only those that differ are written.
    The caller has checked the cells and holds the transaction. ``forms`` names the data
    sets whose form holds a cell: those given a value are recorded as received; the
    validation rules run after the commit either way (:func:`_after_write`)."""
    plan = _plan(actor, cells, _stored(cells, lock=True))
    _execute(actor, plan, action=action)
    _after_write(actor, plan, forms or (lambda cell: ()))
    return {
        "created": len(plan.create),
        "updated": len(plan.update),
        "deleted": len(plan.delete),
        "unchanged": len(cells) - len(plan.create) - len(plan.update) - len(plan.delete),
    }


def _user_name(user: Any) -> str:
    if user is None:
        return _("un import")
    return user.get_full_name() or user.username


def data_values_save(
    *,
    actor: Any,
    data_set: DataSet,
    org_unit: OrgUnit,
    period: Period,
    values: Mapping[Key, Any],
    versions: Mapping[Key, int] | None = None,
) -> SaveResult:
    """Save the form of ``data_set`` for ``org_unit`` and ``period``: ``values`` maps
    (element code, option code) to the typed value (empty or None: delete), ``versions``
    to the version each cell had when the form was read (0 or absent: it was empty).
    ``versions=None`` skips the conflict check. Raises PermissionDenied, DataLocked,
    DataConflict or DataValuesRejected; then nothing is written."""
    if actor is not None and not can_enter_data(actor, org_unit):
        raise PermissionDenied
    if org_unit.level_id != data_set.level_id:
        raise DataValuesRejected(
            _("l'ensemble « %(set)s » se saisit au niveau « %(level)s », pas pour cette unité")
            % {"set": data_set.name, "level": data_set.level.name}
        )
    if period.type != data_set.period_type:
        raise DataValuesRejected(
            _("période %(period)s : l'ensemble « %(set)s » se saisit par %(type)s")
            % {
                "period": period.code,
                "set": data_set.name,
                "type": data_set.get_period_type_display(),
            }
        )
    elements = {e.code: e for e in data_set.elements.all()}
    options = {
        (o.combo_id, o.code): o
        for o in CategoryOption.objects.filter(combo_id__in={e.combo_id for e in elements.values()})
    }
    errors: dict[Key, str] = {}
    cells: list[CellWrite] = []
    for key, raw in values.items():
        element_code, option_code = key
        element = elements.get(element_code)
        if element is None:
            errors[key] = _("élément absent de cet ensemble de données")
            continue
        option = options.get((element.combo_id, option_code))
        if option is None:
            errors[key] = _("option absente des catégories de cet élément")
            continue
        try:
            value = value_parse(element.value_type, raw)
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        cells.append(CellWrite(element, option, org_unit, period, value))
    if errors:
        raise DataValuesRejected(_("certaines valeurs sont refusées"), errors=errors)
    with transaction.atomic():
        if approval_locks(data_set, org_unit, period):
            raise DataLocked(
                _("ces données sont approuvées : elles ne se modifient plus (désapprouvez-les)")
            )
        stored = _stored(cells, lock=True)
        if versions is not None:
            _check_versions(cells, stored, versions)
        plan = _plan(actor, cells, stored)
        try:
            with transaction.atomic():
                _execute(actor, plan)
        except IntegrityError as exc:
            # Someone created one of the cells between the read and the insert.
            raise DataValuesRejected(
                _(
                    "une autre saisie a enregistré ces cellules en même temps ; rechargez le "
                    "formulaire"
                )
            ) from exc
        _after_write(actor, plan, lambda cell: (data_set,))
    after = {(c.element.pk, c.option.pk): c for c in cells}
    result = SaveResult(len(plan.create), len(plan.update), len(plan.delete))
    by_ids = {
        (v.data_element_id, v.category_option_id): v.version
        for v in [*stored.values(), *plan.create]
        if v not in plan.delete
    }
    for (element_id, option_id), cell in after.items():
        result.versions[(cell.element.code, cell.option.code)] = by_ids.get(
            (element_id, option_id), 0
        )
    return result


def _check_versions(
    cells: Iterable[CellWrite],
    stored: Mapping[tuple[int, int, int, int], DataValue],
    versions: Mapping[Key, int],
) -> None:
    """A cell whose value the form changes, but which someone saved after the form was
    read, is a conflict (a cell the form leaves as it is now is not)."""
    errors: dict[Key, str] = {}
    current: dict[Key, Decimal | None] = {}
    now: dict[Key, int] = {}
    users = {}
    for cell in cells:
        key = (cell.element.code, cell.option.code)
        old = stored.get(_cell_key(cell))
        old_value = old.value if old else None
        if old_value == cell.value:
            continue
        version = old.version if old else 0
        if int(versions.get(key, 0) or 0) != version:
            current[key] = old_value
            now[key] = version
            if old is not None and old.stored_by_id not in users:
                users[old.stored_by_id] = old.stored_by
            who = _user_name(users.get(old.stored_by_id)) if old else ""
            errors[key] = (
                _("modifiée entre-temps par %(who)s : valeur actuelle %(value)s")
                % {"who": who, "value": value_text(old_value)}
                if old is not None
                else _("effacée entre-temps par quelqu'un d'autre")
            )
    if errors:
        raise DataConflict(
            _(
                "quelqu'un a enregistré ce formulaire après son ouverture ; les cellules "
                "concernées montrent la valeur actuelle, rien n'a été enregistré"
            ),
            errors=errors,
            current=current,
            versions=now,
        )


# --- Catalogue ----------------------------------------------------------------------------------


def _check_catalogue(actor: Any) -> None:
    if actor is not None and not can_manage_catalogue(actor):
        raise PermissionDenied


def _save_named(
    actor: Any, model: type[Any], lookup: dict[str, Any], fields: dict[str, Any]
) -> Any:
    """Create or update one catalogue row, validated, with its audit row."""
    obj = model._default_manager.filter(**lookup).first()
    creating = obj is None
    if creating:
        obj = model(**lookup)
    before = {} if creating else {k: _plain(getattr(obj, k)) for k in fields}
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    after = {k: _plain(getattr(obj, k)) for k in fields}
    changes = {k: [before.get(k), after[k]] for k in fields if before.get(k) != after[k]}
    if creating:
        obj.save()
    elif changes:
        obj.save(update_fields=[k for k in fields if k in changes])
    if creating or changes:
        audit_record(actor=actor, action=CREATE if creating else UPDATE, obj=obj, changes=changes)
    return obj


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return value


@transaction.atomic
def category_combo_save(
    *,
    actor: Any,
    code: str,
    name_fr: str,
    name_ar: str = "",
    name_en: str = "",
    options: Sequence[Mapping[str, Any]] = (),
) -> CategoryCombo:
    """Create or update a combination and its options (``code``, ``name_fr``, optionally
    ``name_ar``/``name_en``, in order). An option left out is removed unless data uses it."""
    _check_catalogue(actor)
    combo = _save_named(
        actor,
        CategoryCombo,
        {"code": code},
        {"name_fr": name_fr, "name_ar": name_ar, "name_en": name_en},
    )
    if not options:
        if not combo.options.exists():
            raise ValidationError({"options": _("une combinaison a au moins une option")})
        return combo
    had = list(combo.options.order_by("order", "code").values_list("code", flat=True))
    kept = []
    for order, option in enumerate(options):
        kept.append(option["code"])
        _save_named(
            actor,
            CategoryOption,
            {"combo": combo, "code": option["code"]},
            {
                "name_fr": option["name_fr"],
                "name_ar": option.get("name_ar", ""),
                "name_en": option.get("name_en", ""),
                "order": order,
            },
        )
    for gone in combo.options.exclude(code__in=kept):
        if DataValue.objects.filter(category_option=gone).exists():
            raise ValidationError(
                {"options": _("l'option %(code)s a des valeurs saisies") % {"code": gone.code}}
            )
        audit_record(actor=actor, action=DELETE, obj=gone)
        gone.delete()
    if had and had != kept:
        audit_record(actor=actor, action=UPDATE, obj=combo, changes={"options": [had, kept]})
    return combo


@transaction.atomic
def data_element_save(
    *,
    actor: Any,
    code: str,
    name_fr: str,
    combo: CategoryCombo,
    value_type: str = ValueType.INTEGER,
    name_ar: str = "",
    name_en: str = "",
    description: str = "",
) -> DataElement:
    _check_catalogue(actor)
    stored = DataElement.objects.filter(code=code).first()
    if (
        stored is not None
        and (stored.combo_id != combo.pk or stored.value_type != value_type)
        and DataValue.objects.filter(data_element=stored).exists()
    ):
        raise ValidationError(
            _(
                "l'élément %(code)s a des valeurs saisies : ses catégories et son type ne "
                "changent plus"
            )
            % {"code": code}
        )
    element: DataElement = _save_named(
        actor,
        DataElement,
        {"code": code},
        {
            "name_fr": name_fr,
            "name_ar": name_ar,
            "name_en": name_en,
            "combo": combo,
            "value_type": value_type,
            "description": description,
        },
    )
    return element


@transaction.atomic
def data_set_save(
    *,
    actor: Any,
    code: str,
    name_fr: str,
    period_type: str,
    level: Any,
    elements: Iterable[DataElement],
    name_ar: str = "",
    name_en: str = "",
    timely_days: int = 15,
) -> DataSet:
    _check_catalogue(actor)
    data_set: DataSet = _save_named(
        actor,
        DataSet,
        {"code": code},
        {
            "name_fr": name_fr,
            "name_ar": name_ar,
            "name_en": name_en,
            "period_type": period_type,
            "level": level,
            "timely_days": timely_days,
        },
    )
    wanted = sorted(e.code for e in elements)
    had = sorted(data_set.elements.values_list("code", flat=True))
    if wanted != had:
        data_set.elements.set(list(DataElement.objects.filter(code__in=wanted)))
        audit_record(actor=actor, action=UPDATE, obj=data_set, changes={"elements": [had, wanted]})
    return data_set


# --- Population estimates -----------------------------------------------------------------------


@dataclass
class PopulationCell:
    province: OrgUnit
    academic_year_id: int
    age: int
    sex: str
    population: int


@transaction.atomic
def population_estimates_write(
    *, actor: Any, cells: Sequence[PopulationCell], action: str
) -> dict[str, int]:
    """Replace the given cells (province × year × age × sex); other cells are kept. Only
    cells whose figure changes are written, each with an audit row old → new."""
    if actor is not None and not can_manage_catalogue(actor):
        raise PermissionDenied
    stored = {
        (p.org_unit_id, p.academic_year_id, p.age, p.sex): p
        for p in PopulationEstimate.objects.select_for_update().filter(
            org_unit_id__in={c.province.pk for c in cells},
            academic_year_id__in={c.academic_year_id for c in cells},
        )
    }
    create: list[PopulationEstimate] = []
    update: list[tuple[PopulationEstimate, int]] = []
    for cell in cells:
        old = stored.get((cell.province.pk, cell.academic_year_id, cell.age, cell.sex))
        if old is None:
            create.append(
                PopulationEstimate(
                    org_unit=cell.province,
                    path=cell.province.path,
                    academic_year_id=cell.academic_year_id,
                    age=cell.age,
                    sex=cell.sex,
                    population=cell.population,
                )
            )
        elif old.population != cell.population:
            update.append((old, cell.population))
    if create:
        created = PopulationEstimate.objects.bulk_create(create, batch_size=1000)
        audit_record_bulk(
            actor=actor,
            action=action,
            entries=[(p, {"population": [None, p.population]}) for p in created],
        )
    if update:
        entries = []
        for row, population in update:
            entries.append((row, {"population": [row.population, population]}))
            row.population = population
        PopulationEstimate.objects.bulk_update(
            [r for r, _ in update], ["population"], batch_size=1000
        )
        audit_record_bulk(actor=actor, action=action, entries=entries)
    return {
        "created": len(create),
        "updated": len(update),
        "unchanged": len(cells) - len(create) - len(update),
    }
