import hashlib
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest

from pilotage.accounts.models import RoleAssignment, User
from pilotage.core.models import AuditEntry
from pilotage.demo.context import SCALES, Context, Scale
from pilotage.demo.generate import run_steps
from pilotage.demo.orgunits import child_path, plan_scale
from pilotage.demo.people import DEMO_ACCOUNTS, DEMO_USERNAMES, FIRST_SCHOOL, PASSWORD
from pilotage.demo.tests.helpers import NO_PROBLEMS, TINY
from pilotage.orgunits.countries import country_load_morocco
from pilotage.orgunits.models import OrgUnit, OrgUnitGroup, School
from pilotage.orgunits.services import orgunit_create, school_save


def fingerprint():
    """Everything the generator wrote that a person would see, in a stable order."""
    rows = [
        repr(row)
        for row in OrgUnit.objects.filter(depth__gt=3)
        .order_by("path")
        .values_list("path", "code", "name_fr", "name_ar", "numchild")
    ]
    rows += [
        repr(row)
        for row in School.objects.order_by("school_code").values_list(
            "school_code", "has_primaire", "has_college", "has_lycee", "sector", "milieu"
        )
    ]
    rows += [
        repr(row)
        for row in RoleAssignment.objects.order_by("user__username", "role").values_list(
            "user__username", "user__first_name", "user__last_name", "role", "org_unit__code"
        )
    ]
    return hashlib.sha256("\n".join(rows).encode()).hexdigest(), len(rows)


def seed_and_roll_back(seed):
    """Seed a database as it is now, read what was written, then undo it, so each call
    starts from the same empty database as a fresh one would. On the tiny scale: the
    small one's marks take seconds, three times over."""
    with transaction.atomic():
        run_steps(Context(scale=TINY, seed=seed), show_progress=False)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first, rows = seed_and_roll_back(2026)
    assert rows > 6 + 6 + 3
    assert not OrgUnit.objects.filter(depth__gt=3).exists()
    assert seed_and_roll_back(2026) == (first, rows)
    assert seed_and_roll_back(2027)[0] != first


def expected_unit(account):
    if account.unit == FIRST_SCHOOL:
        tanger = OrgUnit.objects.get(code="MA-TNG")
        return OrgUnit.objects.get_descendants(tanger).filter(depth=5).order_by("path").first().code
    return account.unit


class TestSmallDemo:
    """Everything here shares one seeding of the small demo (see ``small_demo``)."""

    def test_small_fills_tanger_with_a_valid_tree(self, seeded):
        assert OrgUnit.objects.find_problems() == NO_PROBLEMS
        tanger = OrgUnit.objects.get(code="MA-TNG")
        descendants = list(OrgUnit.objects.get_descendants(tanger))
        communes = [u for u in descendants if u.depth == 4]
        schools = [u for u in descendants if u.depth == 5]
        assert len(communes) == 8
        assert len(schools) == 30
        assert OrgUnit.objects.filter(depth__gt=3).count() == 38
        assert [c.code for c in communes] == [f"MA-TNG-C{i:03d}" for i in range(1, 9)]
        assert tanger.numchild == 8
        assert sum(c.numchild for c in communes) == 30
        assert set(School.objects.values_list("org_unit_id", flat=True)) == {s.pk for s in schools}
        for unit in descendants:
            unit.full_clean()
            assert unit.level.depth == unit.depth
        assert all(re.fullmatch(r"\d{5}[A-Z]", s.school_code) for s in School.objects.all())
        assert all(s.school.school_code == s.code for s in schools)
        assert Counter(s.milieu for s in School.objects.all()).keys() == {"urbain", "rural"}

    def test_the_bulk_tree_accepts_units_added_by_the_service(self, seeded):
        """treebeard keeps children sorted by code; a school added afterwards through the
        service must land among the bulk-inserted ones without breaking the tree."""
        commune = OrgUnit.objects.get(code="MA-TNG-C001")
        children_before = commune.numchild
        codes = list(OrgUnit.objects.get_children(commune).values_list("code", flat=True))
        assert codes == sorted(codes) and len(codes) == children_before > 1
        first = OrgUnit.objects.get_children(commune).first()
        added = orgunit_create(
            actor=None,
            parent=commune,
            level=first.level,
            code="00000A",
            name_fr="École primaire Test",
        )
        assert OrgUnit.objects.find_problems() == NO_PROBLEMS
        assert OrgUnit.objects.get_children(commune).first() == added
        assert OrgUnit.objects.get(pk=commune.pk).numchild == children_before + 1

    def test_schools_are_in_the_groups_school_save_keeps(self, seeded):
        for school in School.objects.prefetch_related("org_unit__groups"):
            assert {g.code for g in school.org_unit.groups.all()} == {
                f"sector-{school.sector}",
                f"milieu-{school.milieu}",
            }
        groups_before = set(OrgUnitGroup.objects.values_list("pk", flat=True))
        commune = OrgUnit.objects.get(code="MA-TNG-C001")
        sample = OrgUnit.objects.get_children(commune).first().school
        unit = orgunit_create(
            actor=None, parent=commune, level=sample.org_unit.level, code="99999Z", name_fr="X"
        )
        school_save(
            actor=None,
            org_unit=unit,
            school_code="99999Z",
            cycles=sample.cycles,
            sector=sample.sector,
            milieu=sample.milieu,
        )
        assert set(OrgUnitGroup.objects.values_list("pk", flat=True)) == groups_before
        assert set(unit.groups.values_list("pk", flat=True)) == set(
            sample.org_unit.groups.values_list("pk", flat=True)
        )

    def test_one_audit_entry_per_batch_not_per_row(self, seeded):
        # The tree's entries; the schooling step's (one a school) are tested with it.
        seeds = AuditEntry.objects.filter(action="seed", changes__has_key="communes")
        assert seeds.count() == 1
        entry = seeds.get()
        assert entry.object_type == "orgunits.orgunit"
        assert entry.object_repr == "Préfecture de Tanger-Assilah"
        assert entry.changes["schools"] == [None, 30]
        assert not AuditEntry.objects.filter(object_type="orgunits.school").exists()

    def test_every_demo_account_logs_in_with_its_role(self, seeded, client):
        assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_ACCOUNTS) == 18
        # Each account hashed with its own salt (the teachers' and school heads' too), at
        # Argon2's lowest cost; the first login brings the hash to the configured hasher.
        hashes = list(User.objects.values_list("password", flat=True))
        assert len(hashes) > len(DEMO_ACCOUNTS)
        assert len(set(hashes)) == len(hashes)
        assert {identify_hasher(h).algorithm for h in hashes} == {"argon2"}
        for account in DEMO_ACCOUNTS:
            user = User.objects.get(username=account.username)
            assert user.first_name and user.last_name
            assert list(user.assignments.values_list("role", "org_unit__code")) == [
                (account.role, expected_unit(account))
            ]
            assert client.login(request=HttpRequest(), username=account.username, password=PASSWORD)
            client.logout()
        assert not client.login(request=HttpRequest(), username="admin", password="wrong")
        upgraded = User.objects.get(username="admin").password
        assert identify_hasher(upgraded).algorithm == get_hasher().algorithm
        assert not get_hasher().must_update(upgraded)

    def test_admin_can_use_the_django_admin(self, seeded, client):
        admin = User.objects.get(username="admin")
        assert admin.is_staff and admin.is_superuser
        assert not User.objects.filter(is_staff=True).exclude(username="admin").exists()
        client.force_login(admin)
        assert client.get("/admin/").status_code == 200

    def test_if_empty_is_a_no_op_on_a_seeded_database(self, seeded):
        before = (OrgUnit.objects.count(), User.objects.count(), AuditEntry.objects.count())
        out = StringIO()
        call_command("seed_demo", "--scale", "small", "--if-empty", stdout=out, verbosity=0)
        assert "aucune donnée de démonstration ajoutée" in out.getvalue()
        assert (OrgUnit.objects.count(), User.objects.count(), AuditEntry.objects.count()) == before

    @pytest.mark.parametrize("flags", [["--reset"], []])
    def test_seeding_again_refuses_and_says_how_to_start_over(self, seeded, flags):
        before = (OrgUnit.objects.count(), User.objects.count(), AuditEntry.objects.count())
        with pytest.raises(CommandError, match="migrate"):
            call_command("seed_demo", "--scale", "small", *flags, verbosity=0)
        assert (OrgUnit.objects.count(), User.objects.count(), AuditEntry.objects.count()) == before

    def test_demo_accounts_prints_only_existing_accounts(self, seeded):
        # The audit log protects the accounts the demo made act (the contact centre's
        # agents answer its tickets): remove the last one that has done nothing.
        last = [
            a.username
            for a in DEMO_ACCOUNTS
            if not AuditEntry.objects.filter(actor__username=a.username).exists()
        ][-1]
        User.objects.get(username=last).delete()
        out = StringIO()
        call_command("demo_accounts", stdout=out)
        text = out.getvalue()
        assert not re.search(rf"^{re.escape(last)}\s", text, re.MULTILINE)
        for account in DEMO_ACCOUNTS:
            if account.username != last:
                assert re.search(rf"^{re.escape(account.username)}\s", text, re.MULTILINE)
        assert text.count(PASSWORD) == len(DEMO_ACCOUNTS) - 1
        assert "chef." not in text
        teachers = User.objects.filter(username__startswith="ens.").count()
        assert teachers > 300
        assert f"et {teachers} enseignants « ens.<matricule> »" in text


@pytest.mark.django_db
def test_demo_accounts_on_an_empty_database():
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "Aucun compte de démonstration" in out.getvalue()


@pytest.mark.django_db
def test_school_heads_are_created_in_bulk_one_per_school(client):
    """The path the region and national scales take, on a scale small enough for a test."""
    tiny = Scale(
        "tiny",
        communes=3,
        schools=12,
        provinces=("MA-TNG",),
        school_heads=True,
        pupils=600,
        marks="none",
    )
    run_steps(Context(scale=tiny, seed=1), show_progress=False)
    assert OrgUnit.objects.find_problems() == NO_PROBLEMS
    heads = RoleAssignment.objects.filter(user__username__startswith="chef.")
    assert heads.count() == School.objects.count() == 12
    for assignment in heads.select_related("user", "org_unit__school"):
        assert assignment.role == "school_head"
        assert assignment.user.username == f"chef.{assignment.org_unit.school.school_code.lower()}"
    username = heads.first().user.username
    assert client.login(request=HttpRequest(), username=username, password=PASSWORD)
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "et 12 chefs d'établissement" in out.getvalue()


@pytest.mark.django_db
def test_the_national_plan_has_the_expected_shape():
    """Planned in memory (nothing written), so the national figures are checked in a
    fraction of a second."""
    country_load_morocco()
    ctx = Context(scale=SCALES["national"], seed=2026)
    provinces = communes = 0
    codes = []
    cycles, sectors, milieux = Counter(), Counter(), Counter()
    for _plan, planned in plan_scale(ctx):
        provinces += 1
        communes += len(planned)
        for commune in planned:
            assert commune.schools
            for school in commune.schools:
                assert school.milieu == commune.milieu
                codes.append(school.code)
                cycles.update(school.cycles)
                sectors[school.sector] += 1
                milieux[school.milieu] += 1
    n = len(codes)
    assert provinces == 75
    assert 1400 <= communes <= 1600
    assert n == 11000 == len(set(codes))
    assert 0.65 < cycles["primaire"] / n < 0.80
    assert 0.18 < cycles["college"] / n < 0.32
    assert 0.08 < cycles["lycee"] / n < 0.18
    assert 0.12 < sectors["prive"] / n < 0.18
    assert 0.50 < milieux["urbain"] / n < 0.60


def test_child_path_matches_treebeard():
    for position in (1, 9, 10, 35, 36, 1295, 1296):
        assert child_path("0001", position) == OrgUnit._get_path("0001", 2, position)
    assert child_path("", 1) == "0001"
    with pytest.raises(ValueError, match="too many"):
        child_path("0001", 36**4)
