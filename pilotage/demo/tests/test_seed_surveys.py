"""The demo's surveys: the associations' survey drawn from the registry by region,
invited and answered by about two thirds of its sample (some half-way, some by phone),
and the parents' open survey answered through its public link — all through the services,
so every page of the surveys has something true to show.

Seeded once for the module on the small tree with only the steps the surveys need."""

from unittest import mock

import pytest
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from pilotage.demo import generate
from pilotage.demo.context import SCALES, Context
from pilotage.demo.tests.conftest import TEST_HASHERS
from pilotage.surveys.answers import answers_check
from pilotage.surveys.models import (
    Channel,
    Respondent,
    RespondentStatus,
    SampledUnit,
    Submission,
    SubmissionStatus,
    Survey,
    SurveyStatus,
)
from pilotage.surveys.rendering import form_logic

FULL_STEPS = list(generate.STEPS)
SURVEY_STEPS = (
    "country",
    "coop_countries",
    "years",
    "tree",
    "accounts",
    "contact",
    "contact_registry",
    "surveys",
)


@pytest.fixture(scope="module")
def surveys_demo(django_db_setup, django_db_blocker):
    ctx = Context(scale=SCALES["small"], seed=2026)
    steps = [s for s in FULL_STEPS if s.name in SURVEY_STEPS]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=TEST_HASHERS),
        transaction.atomic(),
        mock.patch.object(generate, "STEPS", steps),
    ):
        generate.run_steps(ctx, show_progress=False)
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def seeded(surveys_demo, db):
    return surveys_demo


def test_the_associations_survey_is_a_stratified_sample_two_thirds_answered(seeded):
    survey = Survey.objects.get(title_fr__startswith="Attentes des associations")
    assert survey.status == SurveyStatus.OPEN
    draw = survey.draws.get()
    assert draw.design["method"] == "stratified" and draw.design["by"] == "region"
    strata = dict(
        SampledUnit.objects.filter(draw=draw).values_list("stratum").annotate(n=Count("pk"))
    )
    assert len(strata) >= 10  # the registry's associations sit in most regions
    # Proportional allocation: every weight is close to N/n.
    weights = list(SampledUnit.objects.filter(draw=draw).values_list("weight", flat=True))
    assert max(weights) / min(weights) < 3
    respondents = Respondent.objects.filter(survey=survey)
    assert respondents.filter(invited_at__isnull=True).count() == 0
    share = respondents.filter(status=RespondentStatus.SUBMITTED).count() / respondents.count()
    assert 0.5 < share < 0.8
    assert respondents.filter(status=RespondentStatus.STARTED).exists()
    assert Submission.objects.filter(survey=survey, channel=Channel.STAFF).exists()


def test_every_demo_answer_passes_the_servers_checks(seeded):
    for submission in Submission.objects.filter(status=SubmissionStatus.COMPLETE).select_related(
        "form_version"
    ):
        version = submission.form_version
        checked = answers_check(
            version.tree,
            form_logic((version.pk, version.sha256), version.tree),
            submission.data,
            final=True,
            now=submission.submitted_at,
        )
        assert checked.problems == [], submission.pk


def test_the_parents_survey_is_answered_through_its_public_link(seeded):
    survey = Survey.objects.get(title_fr="Satisfaction des parents d'élèves")
    assert survey.access == "public" and survey.status == SurveyStatus.OPEN
    assert (
        Submission.objects.filter(
            survey=survey, channel=Channel.PUBLIC, status=SubmissionStatus.COMPLETE
        ).count()
        == 180
    )
    assert not survey.respondents.exists()
