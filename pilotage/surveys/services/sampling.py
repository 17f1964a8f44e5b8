"""Drawing a survey's sample.

The frame is read (``frames.py``), the design applied by ``sampling.py`` with a seed —
given, or drawn and recorded — and the draw stored whole: the design, every unit drawn with
its stratum, N_h, inclusion probability and weight, and one respondent per unit with the
key of their personal link. Drawing again replaces a draw whose invitations have not left;
once they have, the sample is the survey's and a new draw is refused (the weights of the
answers already in depend on it).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pilotage.core.audit import audit_record
from pilotage.surveys import permissions as perms
from pilotage.surveys import sampling
from pilotage.surveys.audit import SAMPLE_DRAW
from pilotage.surveys.frames import FrameUnit
from pilotage.surveys.models import Respondent, SampleDraw, SampledUnit, Survey

# A personal link is valid this long when the survey has no closing date.
LINK_DAYS = 90
STRATUM_SEPARATOR = " × "


def stratum_label(key: Sequence[str]) -> str:
    return STRATUM_SEPARATOR.join(key) if key else "—"


def link_key() -> str:
    return secrets.token_urlsafe(16)


def sample_draw(
    *,
    actor: Any,
    survey: Survey,
    source: str,
    frame: Sequence[FrameUnit],
    n: int,
    method: str,
    by: Sequence[str] = (),
    allocation: str = "proportional",
    within: str = "simple",
    seed: int | None = None,
    sd: Mapping[tuple[str, ...], float] | None = None,
    minimum: int = 1,
    parameters: Mapping[str, Any] | None = None,
) -> SampleDraw:
    """``method``: ``simple``, ``systematic`` or ``stratified`` (by ``by``, with
    ``allocation`` and ``within``). ``parameters``: what the page computed n from (z, p, e,
    expected response rate), kept with the design. A design the frame cannot bear (n larger
    than N, a stratum too small for the minimum…) is a ValidationError naming it."""
    if not perms.can_manage(actor, survey):
        raise PermissionDenied
    if not frame:
        raise ValidationError({"source": _("La base de sondage ne contient aucune unité.")})
    seed = sampling.new_seed() if seed is None else seed
    units = [f.unit for f in frame]
    try:
        if method == "simple":
            drawn = sampling.simple_random(units, n, seed)
        elif method == "systematic":
            drawn = sampling.systematic(units, n, seed)
        elif method == "stratified":
            drawn = sampling.stratified(
                units, by, n, allocation, seed, sd=sd, within=within, minimum=minimum
            )
        else:
            raise ValidationError(
                {"method": _("Méthode de tirage inconnue : %(m)s") % {"m": method}}
            )
    except ValueError as exc:
        raise ValidationError({"n": str(exc)}) from exc
    by_id = {str(f.unit.id): f for f in frame}
    sizes = {s.key: s for s in drawn.strata}
    expires = survey.closes_at or timezone.now() + dt.timedelta(days=LINK_DAYS)
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        if survey.respondents.filter(invited_at__isnull=False, unit__isnull=False).exists():
            raise ValidationError(
                _(
                    "Les invitations de l'échantillon sont parties : un nouveau tirage changerait "
                    "les poids des réponses déjà reçues."
                )
            )
        Respondent.objects.filter(survey=survey, unit__isnull=False).delete()
        survey.draws.all().delete()
        draw = SampleDraw.objects.create(
            survey=survey,
            source=source,
            design={**drawn.design(), "parameters": dict(parameters or {})},
            seed=seed,
            population=drawn.N,
            size=drawn.n,
            created_by=actor,
        )
        rows = SampledUnit.objects.bulk_create(
            [
                SampledUnit(
                    draw=draw,
                    unit_key=str(s.unit_id),
                    label=by_id[str(s.unit_id)].label[:300],
                    stratum=stratum_label(s.stratum),
                    stratum_population=sizes[s.stratum].population,
                    inclusion_probability=s.probability,
                    weight=s.weight,
                    order=s.order,
                    email=by_id[str(s.unit_id)].email,
                )
                for s in drawn.units
            ],
            batch_size=1000,
        )
        Respondent.objects.bulk_create(
            [
                Respondent(
                    survey=survey,
                    unit=row,
                    name=row.label,
                    email=row.email,
                    language=by_id[row.unit_key].language[:5],
                    link_key=link_key(),
                    expires_at=expires,
                )
                for row in rows
            ],
            batch_size=1000,
        )
        audit_record(
            actor=actor,
            action=SAMPLE_DRAW,
            obj=survey,
            changes={
                "method": [None, method],
                "n": [None, drawn.n],
                "N": [None, drawn.N],
                "seed": [None, seed],
                "by": [None, ", ".join(by)],
            },
        )
    return draw
