"""The registry's normalisations, selectors (the caller lookup) and services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilotage.contact.models import Association, Requester
from pilotage.contact.selectors.registry import (
    association_tickets,
    name_key,
    names_similar,
    phone_digits,
    requesters_search,
)
from pilotage.contact.services.registry import (
    association_create,
    association_update,
    requester_create,
    requester_update,
)
from pilotage.contact.tests.factories import make_ticket
from pilotage.core.models import AuditEntry
from pilotage.core.versioning import Conflict


@pytest.mark.parametrize(
    "raw",
    [
        "+212 6 12 34 56 78",
        "00212612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+212 (0)6 12 34 56 78",
        "212612345678",
    ],
)
def test_phone_numbers_take_the_national_form(raw: str) -> None:
    assert phone_digits(raw) == "0612345678"


def test_a_foreign_number_keeps_its_prefix() -> None:
    assert phone_digits("+33 1 23 45 67 89") == "0033123456789"
    assert phone_digits("") == ""


def test_names_compare_without_accents_stopwords_or_arabic_variants() -> None:
    assert name_key("Association Amal pour le Développement") == "amal developpement"
    assert name_key("جمعية أمل للتنمية") == name_key("جمعيه امل التنميه")
    assert names_similar("Association Amal pour le développement", "Assoc. AMAL de developpement")
    assert not names_similar("Association Amal", "Association Nour Tanger")
    assert not names_similar("Association", "جمعية")  # nothing left to compare


def test_the_caller_lookup_finds_by_phone_name_email_and_association(cc) -> None:
    agent = cc.agent
    assert requesters_search(agent, "+212 6 12 34 56 78") == [cc.citizen]
    assert requesters_search(agent, "0612") == [cc.citizen]
    assert requesters_search(agent, "فاطمة") == [cc.citizen]
    assert requesters_search(agent, "Fatima Bennani") == [cc.citizen]
    assert requesters_search(agent, "FATIMA@citoyen.test") == [cc.citizen]
    assert requesters_search(agent, "Amal") == [cc.assoc_contact]
    assert requesters_search(agent, "أمل") == [cc.assoc_contact]
    assert requesters_search(agent, "x") == []


def test_the_caller_lookup_is_scoped(cc) -> None:
    # The contact person of an association of Tanger is not the Fès agent's to see;
    # neither is anyone to a school head.
    assert requesters_search(cc.agent_fes, "Youssef") == []
    assert requesters_search(cc.personas.head_a, "Fatima") == []
    assert len(requesters_search(cc.agent, "Demandeur", limit=2)) <= 2


def test_a_confidential_ticket_stays_out_of_the_history_of_an_agent(cc) -> None:
    public = make_ticket(cc.info, cc.personas.province_a, association=cc.assoc_a)
    secret = make_ticket(
        cc.complaints, cc.personas.province_a, association=cc.assoc_a, confidential=True
    )
    assert list(association_tickets(cc.agent, cc.assoc_a)) == [public]
    assert set(association_tickets(cc.supervisor, cc.assoc_a)) == {public, secret}


def test_create_normalises_and_audits(cc) -> None:
    created = requester_create(
        actor=cc.agent,
        first_name=" Karim ",
        last_name="Alaoui",
        phone="+212 661-22 33 44",
        email=" Karim@Mail.TEST ",
    )
    assert (created.first_name, created.phone_digits, created.email) == (
        "Karim",
        "0661223344",
        "karim@mail.test",
    )
    assert AuditEntry.objects.filter(action="requester_create", object_id=str(created.pk)).exists()


def test_a_requester_needs_a_name_or_a_way_to_reach_them(cc) -> None:
    before = Requester.objects.count()
    with pytest.raises(ValidationError) as err:
        requester_create(actor=cc.agent, first_name="", phone="")
    assert "last_name" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        requester_create(actor=cc.agent, last_name="X", phone="12")
    assert "phone" in err.value.message_dict
    assert Requester.objects.count() == before


def test_the_phone_is_renormalised_on_edit_and_a_stale_version_refused(cc) -> None:
    updated = requester_update(
        actor=cc.agent, requester=cc.citizen, version=1, changes={"phone": "00212 699 000 111"}
    )
    assert (updated.phone_digits, updated.version) == ("0699000111", 2)
    with pytest.raises(Conflict):
        requester_update(actor=cc.agent, requester=cc.citizen, version=1, changes={"cin": "K1"})
    cc.citizen.refresh_from_db()
    assert cc.citizen.cin == ""


def test_association_create_refuses_a_registration_number_already_taken(cc) -> None:
    before = (Association.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as err:
        association_create(
            actor=cc.agent,
            name_fr="Autre",
            registration_number="tng-2019-0042 ",
            org_unit=cc.personas.commune_a,
        )
    assert "registration_number" in err.value.message_dict
    assert (Association.objects.count(), AuditEntry.objects.count()) == before


def test_association_update_versions_the_fields_of_action(cc) -> None:
    updated = association_update(
        actor=cc.agent,
        association=cc.assoc_a,
        version=1,
        changes={"employees": 3},
        fields=[cc.fields["women"]],
    )
    assert updated.version == 2
    assert [f.code for f in updated.fields.all()] == ["women"]
    again = association_update(
        actor=cc.agent, association=cc.assoc_a, version=2, changes={}, fields=[cc.fields["youth"]]
    )
    assert again.version == 3
    entries = AuditEntry.objects.filter(object_type="contact.association", action="update")
    assert entries.count() == 3  # employees, fields, fields


def test_the_regional_agent_cannot_edit_or_create_elsewhere(cc) -> None:
    before = (Association.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied):
        association_update(
            actor=cc.agent_fes, association=cc.assoc_a, version=1, changes={"employees": 9}
        )
    with pytest.raises(PermissionDenied):
        association_create(actor=cc.agent_fes, name_fr="Nouvelle", org_unit=cc.personas.commune_a)
    with pytest.raises(PermissionDenied):
        # Moving its own association out of its reach.
        association_update(
            actor=cc.agent_fes,
            association=cc.assoc_b,
            version=1,
            changes={"org_unit": cc.personas.commune_a},
        )
    cc.assoc_a.refresh_from_db()
    cc.assoc_b.refresh_from_db()
    assert (cc.assoc_a.employees, cc.assoc_b.org_unit_id) == (None, cc.personas.commune_b.pk)
    assert (Association.objects.count(), AuditEntry.objects.count()) == before
