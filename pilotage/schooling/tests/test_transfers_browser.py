"""The transfer journey in a real browser, in French and Arabic: head A picks the
destination among namesake schools from the pupil's page, head B accepts it from the
Transfers page, and the provincial officer reads it there without buttons."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from pilotage.core.tests.browser import open_as
from pilotage.orgunits.tests.factories import make_school
from pilotage.schooling.models import Transfer

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_transfer_picked_among_namesakes_accepted_and_read(
    page: Page, live_server, personas, school_year, lang: str
) -> None:  # type: ignore[no-untyped-def]
    # A namesake of school B ("Collège Al Massira") in head A's own commune.
    namesake = make_school(
        personas.fresh(personas.commune_a), code="04177X", name_fr="Collège Al Massira"
    ).org_unit
    pupil = school_year.pupils_a1[4]

    open_as(page, live_server, "head.a", lang)
    page.locator('nav.mainnav a[href="/schooling/classes/"]').click()
    page.locator(f'main a[href="/schooling/classes/{school_year.class_a1.pk}/"]').click()
    page.locator(f'main a[href="/schooling/pupils/{pupil.code_massar}/"]').click()
    form = page.locator("#transfer-form")
    form.locator("#transfer-search").press_sequentially("Massira")
    choices = form.locator("#transfer-results [data-pick-id]")
    expect(choices).to_have_count(2)
    expect(form.locator(".unit-label bdi.code")).to_have_count(2)  # codes told apart
    form.locator(f'#transfer-results [data-pick-id="{personas.school_b.pk}"]').click()
    expect(form.locator('input[name="to_school"]')).to_have_value(str(personas.school_b.pk))
    expect(form.locator("[data-pick-display]")).to_contain_text("03201B")
    form.locator("#transfer-reason").fill("déménagement")
    form.locator("button[type=submit]").last.click()
    expect(page.locator(".msg-success")).to_be_visible()
    transfer = Transfer.objects.get()
    assert transfer.to_school_id == personas.school_b.pk != namesake.pk

    open_as(page, live_server, "dp.a", lang)
    page.locator('nav.mainnav a[href="/schooling/transfers/"]').click()
    row = page.locator(f"#transfer-{transfer.pk}")
    expect(row).to_contain_text("déménagement")
    expect(row.locator("button")).to_have_count(0)  # read-only
    expect(page.locator("[data-read-only]")).to_be_visible()

    open_as(page, live_server, "head.b", lang)
    page.locator('nav.mainnav a[href="/schooling/transfers/"]').click()
    page.locator(f'#transfer-{transfer.pk} button[name="accept"][value="1"]').click()
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator(f"#transfer-{transfer.pk}")).to_have_attribute("data-status", "accepted")
    transfer.refresh_from_db()
    assert transfer.status == "accepted"
