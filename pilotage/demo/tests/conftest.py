from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from pilotage.demo import generate

# The hashers the suite's autouse ``_fast_password_hashing`` sets for each test; a fixture
# wider than a test runs before it, so it sets them itself, or the accounts it makes would
# be hashed with Argon2 and rehashed at their first login.
TEST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]


# The last step fills the indicators' fact tables with ``pilotage.indicators.facts``'s
# ``facts_rebuild``, which the indicators app provides and tests itself; the demo's tests
# check what the demo writes, so they run every step but that one.
FACTS_STEP = "indicator_facts"
# The steering step sets targets against the facts' values, so it goes with them; its own
# tests (test_seed_steering.py) run both.
STEERING_STEP = "steering"
# The steps that write the school records and then their facts: the facts come last of
# them. The steering step follows (test_seed_steering.py pins that order).
ALL_STEPS = [step for step in generate.STEPS if step.name != STEERING_STEP]


def steps_without_facts():
    return [step for step in generate.STEPS if step.name not in (FACTS_STEP, STEERING_STEP)]


@pytest.fixture(autouse=True)
def _without_facts_step():
    with mock.patch.object(generate, "STEPS", steps_without_facts()):
        yield


@pytest.fixture(scope="class")
def small_demo(django_db_setup, django_db_blocker):
    """The small demo, seeded once for a whole test class: with its ten thousand pupils
    and their marks it takes seconds. Each test runs in a savepoint inside this
    transaction, rolled back after it, so every test starts from the same seeded state;
    the class's transaction is rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=TEST_HASHERS),
        transaction.atomic(),
        mock.patch.object(generate, "STEPS", steps_without_facts()),
    ):
        call_command("seed_demo", "--scale", "small", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(small_demo, db):
    """The small demo, as `make run` seeds it. Put the tests that use it in a class: a
    plain test function gets a seeding of its own."""
