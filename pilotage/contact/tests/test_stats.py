"""The statistics: the aggregate rebuild (worked example), the dashboard's reach and query
count, the XLSX export and the monthly PDF in French and Arabic."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from pilotage.contact.models import (
    Channel,
    MessageKind,
    Priority,
    SatisfactionSurvey,
    Status,
    Ticket,
    TicketType,
)
from pilotage.contact.models.stats import TicketFieldStat, TicketStat
from pilotage.contact.selectors.stats import StatsFilter, stats_dashboard
from pilotage.contact.services.stats import stats_rebuild
from pilotage.contact.services.tickets import ticket_message_add, ticket_status_set
from pilotage.contact.tests.factories import make_ticket
from pilotage.schooling.tests.test_reports import pdf_text

# Monday 2 March 2026, 09:00 in Casablanca (UTC+1 outside Ramadan).
AT = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
MARCH = StatsFilter(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))


@pytest.fixture
def month(cc):
    """Four tickets of March 2026, worked out by hand:

    - A, web, Tanger, association Amal (youth, education): answered after 3 h,
      resolved after 2 days (due in 20: in time);
    - B, phone, Tanger: answered on the spot (first-contact resolution, 0 h);
    - C, e-mail, Fès (association B, environment), confidential, an urgent complaint:
      resolved after 25 days, past its deadline of 15 calendar days;
    - D, web, Fès: still open.
    Received 4, resolved 3, in time 2 of 3 (66.7 %), first contact 1 of 4 (25 %), mean
    time to resolution (48 + 0 + 600) / 3 h = 216 h = 9.0 days.
    """
    p = cc.personas
    a = make_ticket(cc.info, p.province_a, association=cc.assoc_a, at=AT, category=cc.cat_funding)
    ticket_message_add(
        actor=cc.agent,
        ticket=a,
        kind=MessageKind.REPLY,
        body="Réponse",
        at=AT + dt.timedelta(hours=3),
    )
    ticket_status_set(
        actor=cc.agent, ticket=a, status=Status.RESOLVED, at=AT + dt.timedelta(days=2)
    )
    b = make_ticket(cc.info, p.province_a, actor=cc.agent, channel=Channel.PHONE, at=AT)
    b.first_contact_resolution = True
    b.save(update_fields=["first_contact_resolution"])
    ticket_status_set(actor=cc.agent, ticket=b, status=Status.RESOLVED, at=AT)
    c = make_ticket(
        cc.complaints,
        p.province_b,
        association=cc.assoc_b,
        confidential=True,
        channel=Channel.EMAIL,
        type=TicketType.COMPLAINT,
        priority=Priority.URGENT,
        at=AT,
    )
    ticket_status_set(
        actor=cc.agent, ticket=c, status=Status.RESOLVED, at=AT + dt.timedelta(days=25)
    )
    make_ticket(cc.info, p.province_b, at=AT + dt.timedelta(days=1))
    stats_rebuild()
    return cc


def test_the_rebuild_gives_the_worked_example(month) -> None:
    totals = stats_dashboard(month.supervisor, MARCH)["totals"]
    assert (totals["received"], totals["resolved"]) == (4, 3)
    assert totals["sla_resolution"] == 66.7
    assert totals["fcr_rate"] == 25.0
    assert totals["mean_resolution_days"] == 9.0


def test_satisfaction_counts_each_survey_once(month) -> None:
    """Surveys of March's tickets, by hand: A rated 5; C rated 2 and appealed; B sent, not
    answered; C was resolved twice, so it has a second survey, rated 4. Sent 4, rated 3,
    mean (5 + 2 + 4) / 3 = 3.7, rated 4 or 5: 2 of 3 (66.7 %), answered 3 of 4 (75 %),
    appeals 1; and the tickets' own counts stay as they were (no double count)."""
    SatisfactionSurvey.objects.all().delete()
    answered = AT + dt.timedelta(days=30)
    a, b, c = Ticket.objects.filter(created_at=AT).order_by("pk")
    for ticket, rating, appealed in ((a, 5, None), (c, 2, answered), (c, 4, None), (b, None, None)):
        SatisfactionSurvey.objects.create(
            ticket=ticket,
            token_hash=f"{ticket.pk}-{rating}",
            sent_at=AT,
            rating=rating,
            answered_at=answered if rating else None,
            appealed_at=appealed,
        )
    stats_rebuild()
    totals = stats_dashboard(month.supervisor, MARCH)["totals"]
    assert (totals["surveys_sent"], totals["surveys_rated"], totals["appeals"]) == (4, 3, 1)
    assert (totals["satisfaction_mean"], totals["satisfied_rate"]) == (3.7, 66.7)
    assert totals["survey_answer_rate"] == 75.0
    assert (totals["received"], totals["resolved"]) == (4, 3)
    queues = {
        g["label"]: g["satisfaction_mean"]
        for g in stats_dashboard(month.supervisor, MARCH)["by_queue"]
    }
    assert queues == {month.info.name: 5.0, month.complaints.name: 3.0}


def test_the_breakdowns_add_up(month) -> None:
    data = stats_dashboard(month.supervisor, MARCH)
    channels = {g["key"]: g["received"] for g in data["by_channel"]}
    assert channels == {"web": 2, "phone": 1, "email": 1}
    regions = {g["label"]: g["received"] for g in data["by_region"]}
    assert regions == {"Tanger-Tétouan-Al Hoceïma": 2, "Fès-Meknès": 2}
    assert {g["label"]: g["received"] for g in data["by_category"]} == {
        "Vie associative": 1,
        "—": 3,
    }


def test_fields_of_action_leave_confidential_tickets_out(month) -> None:
    fields = {
        g["label"]: g["received"] for g in stats_dashboard(month.supervisor, MARCH)["by_field"]
    }
    # A counts in both of Amal's fields; C (confidential) does not count for environment.
    assert fields == {"Jeunesse": 1, "Éducation": 1}


def test_rebuilding_twice_gives_the_same_rows(month) -> None:
    before = sorted(TicketStat.objects.values_list("day", "received", "resolved"))
    stats_rebuild()
    assert sorted(TicketStat.objects.values_list("day", "received", "resolved")) == before
    assert TicketFieldStat.objects.count() == 2


def test_the_backlog_counts_open_tickets_by_age(month) -> None:
    backlog = {b["label"]: b["count"] for b in stats_dashboard(month.supervisor, MARCH)["backlog"]}
    # D was received on 3 March 2026: more than 60 days before today's run.
    assert sum(v for k, v in backlog.items() if k != "overdue") == 1
    assert backlog["overdue"] == 1


@pytest.mark.parametrize("who", ["agent", "head_a", "anonymous"])
def test_only_the_supervision_reads_the_statistics(client, month, who) -> None:
    user = getattr(month, who, None) or getattr(month.personas, who)
    if who != "anonymous":
        client.force_login(user)
    for url in (
        "/contact/stats/",
        "/contact/stats/export.xlsx",
        "/contact/stats/report.pdf?year=2026&month=3&lang=fr",
    ):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert response.status_code == 404 or who == "anonymous"


def test_the_national_admin_reads_everything(client, month) -> None:
    client.force_login(month.personas.national_admin)
    page = client.get("/contact/stats/", {"start": "2026-03-01", "end": "2026-03-31"})
    assert page.status_code == 200
    assert 'id="stats-kpis"' in page.content.decode()


def test_a_supervisor_of_a_region_sees_its_region_only(month) -> None:
    from pilotage.conftest import _person
    from pilotage.contact.roles import CONTACT_SUPERVISOR

    fes = _person("sup.fes", CONTACT_SUPERVISOR, month.personas.fresh(month.personas.region_b))
    totals = stats_dashboard(fes, MARCH)["totals"]
    assert (totals["received"], totals["resolved"]) == (2, 1)


def test_the_dashboard_query_count_does_not_grow(
    client, month, django_assert_max_num_queries
) -> None:
    client.force_login(month.supervisor)
    url = "/contact/stats/?start=2026-03-01&end=2026-03-31"
    # session, user, roles; queues and regions of the filter form (2); totals, 6
    # breakdowns, agents, fields, weekly, monthly (11); the names of categories, queues,
    # regions and fields (4); the backlog (1); the last rebuild (1).
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200
    for _n in range(20):
        make_ticket(month.info, month.personas.province_a, at=AT)
    stats_rebuild()
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200


def test_a_reversed_period_is_refused_with_its_reason(client, month) -> None:
    client.force_login(month.supervisor)
    page = client.get("/contact/stats/", {"start": "2026-03-31", "end": "2026-03-01"})
    assert "précède son début" in page.content.decode()


def test_the_export_opens_with_the_same_figures(client, month) -> None:
    client.force_login(month.supervisor)
    response = client.get(
        "/contact/stats/export.xlsx", {"start": "2026-03-01", "end": "2026-03-31"}
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    # An empty figure (no survey rated: no mean) is an empty cell.
    summary = {row[0]: row[1:2] for row in book["Synthèse"].iter_rows(values_only=True)}
    assert summary["Reçus"] == (4,) and summary["Résolus"] == (3,)
    assert summary["Satisfaction moyenne (sur 5)"] in ((), (None,))
    channels = {row[0]: row[1] for row in book["Canaux"].iter_rows(min_row=2, values_only=True)}
    assert channels["Formulaire web"] == 2


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", ["Centre de contact", "Demandes reçues", "Par canal"]),
        ("ar", ["مركز الاتصال", "دجنبر", "حسب القناة"]),
    ],
)
def test_the_monthly_report_in_french_and_arabic(client, month, lang, expected) -> None:
    client.force_login(month.supervisor)
    response = client.get("/contact/stats/report.pdf", {"year": 2026, "month": 3, "lang": lang})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for word in expected:
        assert word in text


def test_a_bad_month_is_a_clear_400(client, month) -> None:
    client.force_login(month.supervisor)
    response = client.get("/contact/stats/report.pdf", {"year": 2026, "month": 13, "lang": "fr"})
    assert response.status_code == 400
