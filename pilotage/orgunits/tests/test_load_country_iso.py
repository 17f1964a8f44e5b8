"""``load_country <ISO code>``: a country and its first-level subdivisions from pycountry."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from pilotage.orgunits.countries import country_load_iso
from pilotage.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_senegal_and_its_14_regions():
    root = country_load_iso("sn")
    assert (root.code, root.name_fr, root.name_en) == ("SN", "Sénégal", "Senegal")
    assert root.name_ar  # pycountry's Arabic catalogue of ISO 3166-1
    regions = OrgUnit.objects.filter(path__startswith=root.path, depth=2)
    # ISO 3166-2:SN lists 14 regions, Dakar among them.
    assert regions.count() == 14
    dakar = regions.get(code="SN-DK")
    assert dakar.name_fr == "Dakar" and dakar.level.code == "subdivision"


def test_loading_twice_changes_nothing():
    country_load_iso("TG")
    count = OrgUnit.objects.count()
    country_load_iso("TG")
    assert OrgUnit.objects.count() == count == 1 + 5  # Togo's 5 regions


def test_the_command_refuses_an_unknown_code_with_a_clear_message():
    with pytest.raises(CommandError, match="ISO 3166-1 alpha-2"):
        call_command("load_country", "XX")
    assert not OrgUnit.objects.exists()


def test_morocco_keeps_its_own_configuration_next_to_other_countries():
    call_command("load_country", "BF")
    call_command("load_country", "MA")
    morocco = OrgUnit.objects.get(code="MA")
    assert OrgUnit.objects.filter(path__startswith=morocco.path, depth=3).count() == 75
    assert OrgUnit.objects.filter(code__startswith="BF-").count() == 13
