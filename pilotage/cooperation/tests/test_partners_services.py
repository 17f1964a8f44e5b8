"""The partners registry's writes: who may, what is validated, the version column, the
audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.cooperation.models import Partner, PartnerContact, PartnerKind
from pilotage.cooperation.services.common import Conflict
from pilotage.cooperation.services.partners import (
    partner_contact_add,
    partner_contact_remove,
    partner_contact_update,
    partner_create,
    partner_update,
)
from pilotage.core.models import AuditEntry

pytestmark = pytest.mark.django_db

AFD = {
    "code": "afd",
    "name_fr": "Agence française de développement",
    "acronym": "AFD",
    "kind": PartnerKind.BILATERAL_DONOR,
    "iati_type": "10",
    "iati_identifier": "FR-3",
    "country": "fr",
}


def test_the_head_creates_a_partner_audited(coop):
    before = AuditEntry.objects.count()
    partner = partner_create(actor=coop.head, **AFD)
    assert partner.country == "FR" and partner.version == 1
    entry = AuditEntry.objects.get(object_type="cooperation.partner", object_id=str(partner.pk))
    assert entry.changes["iati_identifier"] == [None, "FR-3"]
    assert AuditEntry.objects.count() == before + 1


@pytest.mark.parametrize(
    "identifier", ["XM-DAC-41122", "FR-3", "GB-COH-01234567", "XI-IATI-EC_INTPA", "US-EIN-12-3456"]
)
def test_iati_identifiers_of_the_right_shape_pass(coop, identifier):
    partner = partner_create(actor=coop.head, **{**AFD, "iati_identifier": identifier})
    assert partner.iati_identifier == identifier


@pytest.mark.parametrize("identifier", ["41304", "XM DAC 41304", "xm-dac-41304", "XM-", "-3"])
def test_a_malformed_iati_identifier_is_refused_and_nothing_written(coop, identifier):
    rows, audit = Partner.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        partner_create(actor=coop.head, **{**AFD, "iati_identifier": identifier})
    assert "iati_identifier" in exc.value.message_dict
    assert "XM-DAC-41304" in exc.value.message_dict["iati_identifier"][0]
    assert (Partner.objects.count(), AuditEntry.objects.count()) == (rows, audit)


@pytest.mark.parametrize("country", ["XX", "FRA", "F1", "UK"])
def test_a_country_not_in_iso_3166_is_refused(coop, country):
    rows = Partner.objects.count()
    with pytest.raises(ValidationError) as exc:
        partner_create(actor=coop.head, **{**AFD, "country": country})
    assert "country" in exc.value.message_dict
    assert Partner.objects.count() == rows


def test_the_same_iati_identifier_twice_is_refused(coop):
    with pytest.raises(ValidationError) as exc:
        partner_create(
            actor=coop.head, **{**AFD, "code": "unesco-bis", "iati_identifier": "XM-DAC-41304"}
        )
    assert "identifiant IATI" in str(exc.value)


@pytest.mark.parametrize("who", ["finance", "coordinator_sn", "partner_user", "consultant"])
def test_only_partner_managers_write_and_a_refusal_changes_nothing(coop, who):
    actor = getattr(coop, who)
    rows, audit = Partner.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        partner_create(actor=actor, **AFD)
    with pytest.raises(PermissionDenied):
        partner_update(actor=actor, partner=coop.unesco, version=None, acronym="X")
    with pytest.raises(PermissionDenied):
        partner_contact_add(actor=actor, partner=coop.unesco, name="Someone")
    coop.unesco.refresh_from_db()
    assert coop.unesco.acronym == "UNESCO"
    assert (Partner.objects.count(), AuditEntry.objects.count()) == (rows, audit)


def test_update_bumps_the_version_and_a_stale_form_is_a_conflict(coop):
    updated = partner_update(actor=coop.manager, partner=coop.unesco, version=1, country="fr")
    assert updated.version == 2 and updated.country == "FR"
    audit = AuditEntry.objects.count()
    with pytest.raises(Conflict):
        partner_update(actor=coop.head, partner=coop.unesco, version=1, acronym="U")
    coop.unesco.refresh_from_db()
    assert coop.unesco.acronym == "UNESCO" and AuditEntry.objects.count() == audit


def test_an_update_changing_nothing_keeps_the_version(coop):
    same = partner_update(actor=coop.head, partner=coop.unesco, version=1, acronym="UNESCO")
    assert same.version == 1


def test_the_code_is_not_editable(coop):
    with pytest.raises(TypeError):
        partner_update(actor=coop.head, partner=coop.unesco, version=1, code="x")


def test_contacts_are_added_edited_removed_and_audited_on_the_partner(coop):
    contact = partner_contact_add(
        actor=coop.head, partner=coop.oif, name="Jean Dupont", email="jd@example.org"
    )
    partner_contact_update(actor=coop.head, contact=contact, position="Chargé de programme")
    contact.refresh_from_db()
    assert contact.position == "Chargé de programme"
    partner_contact_remove(actor=coop.head, contact=contact)
    assert not PartnerContact.objects.filter(pk=contact.pk).exists()
    actions = list(
        AuditEntry.objects.filter(object_type="cooperation.partner", object_id=str(coop.oif.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["partner_contact_add", "partner_contact_update", "partner_contact_remove"]


def test_a_bad_contact_email_is_refused(coop):
    with pytest.raises(ValidationError) as exc:
        partner_contact_add(actor=coop.head, partner=coop.oif, name="X", email="not-an-email")
    assert "email" in exc.value.message_dict
    assert not coop.oif.contacts.exists()


def test_removing_a_contact_with_an_account_keeps_the_account(coop):
    contact = coop.unesco.contacts.get(user=coop.partner_user)
    partner_contact_remove(actor=coop.head, contact=contact)
    coop.partner_user.refresh_from_db()
    assert coop.partner_user.is_active
