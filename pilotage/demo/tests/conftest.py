import pytest
from django.core.management import call_command


@pytest.fixture
def seeded(db):
    """The small demo, as `make run` seeds it."""
    call_command("seed_demo", "--scale", "small", verbosity=0)
