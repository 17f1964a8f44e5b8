import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from decimal import Decimal
from statistics import mean, pstdev

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Min, Q

from pilotage.accounts.models import RoleAssignment, User
from pilotage.core.models import AuditEntry
from pilotage.core.tests.support import require
from pilotage.demo.context import SCALES, Context
from pilotage.demo.generate import run_steps
from pilotage.demo.orgunits import plan_scale
from pilotage.demo.people import first_school
from pilotage.demo.rows import RowWriter, bulk_load
from pilotage.demo.schooling import (
    MAX_CLASS,
    MIN_CLASS,
    REASONS,
    SchoolInfo,
    plan_scale_classes,
    plan_staff,
    subjects_by_level,
)
from pilotage.demo.tests.helpers import TINY
from pilotage.orgunits.countries import country_load_morocco
from pilotage.orgunits.models import School, Semester
from pilotage.schooling import selectors
from pilotage.schooling.models import (
    ACTIVE_STATUSES,
    Absence,
    Assessment,
    Enrolment,
    EnrolmentStatus,
    Guardian,
    Mark,
    MarkSheet,
    Pupil,
    SchoolClass,
    SubjectCoefficient,
    Teacher,
    TeachingAssignment,
    Transfer,
)
from pilotage.schooling.permissions import can_edit_sheet
from pilotage.schooling.roles import SCHOOL_HEAD, TEACHER
from pilotage.schooling.services.marks import Cell, marks_save_sheet
from pilotage.schooling.structure import structure_load_morocco

ARABIC = re.compile(r"[\u0600-\u06FF]")


def active():
    """Active enrolments of the current year (the previous year's are closed)."""
    return Enrolment.objects.filter(status__in=ACTIVE_STATUSES, academic_year__is_current=True)


def current_classes():
    return SchoolClass.objects.filter(academic_year__is_current=True)


def share(part, whole):
    return part / whole if whole else 0


def subjects_of(school_class):
    rows = SubjectCoefficient.objects.filter(grade_level=school_class.grade_level_id)
    rows = (
        rows.filter(stream=school_class.stream_id)
        if school_class.stream_id
        else rows.filter(stream__isnull=True)
    )
    return set(rows.values_list("subject__code", flat=True))


def demo_class():
    """The class ``enseignant`` teaches."""
    return SchoolClass.objects.get(
        teachings__teacher__user__username="enseignant", teachings__subject__code="MATH"
    )


class TestSmallSchooling:
    """One seeding of the small demo for every test here (see ``small_demo``)."""

    def test_about_ten_thousand_pupils_in_classes_of_a_realistic_size(self, seeded):
        assert 9_000 <= active().count() <= 11_000
        per_school = Counter(active().values_list("school_id", flat=True))
        assert set(per_school) == set(School.objects.values_list("pk", flat=True))
        assert 250 <= mean(per_school.values()) <= 420
        sizes = dict(
            current_classes()
            .annotate(n=Count("enrolments", filter=Q(enrolments__status__in=ACTIVE_STATUSES)))
            .values_list("pk", "n")
        )
        assert min(sizes.values()) >= MIN_CLASS and max(sizes.values()) <= MAX_CLASS
        assert 25 <= mean(sizes.values()) <= 40
        # The previous year's classes hold every pupil of the year (all closed by now).
        previous = dict(
            SchoolClass.objects.filter(academic_year__is_current=False)
            .annotate(n=Count("enrolments"))
            .values_list("pk", "n")
        )
        assert min(previous.values()) >= MIN_CLASS and max(previous.values()) <= MAX_CLASS
        assert set(SchoolClass.objects.values_list("academic_year__start__year", flat=True)) == {
            2024,
            2025,
        }
        # Each school has classes at every level of its cycles, and only those, each year.
        levels = defaultdict(set)
        for school_id, year, level in SchoolClass.objects.values_list(
            "school_id", "academic_year__start__year", "grade_level__code"
        ):
            levels[(school_id, year)].add(level)
        per_cycle = {
            "primaire": {f"{n}AP" for n in range(1, 7)},
            "college": {"1AC", "2AC", "3AC"},
            "lycee": {"TC", "1BAC", "2BAC"},
        }
        for school in School.objects.all():
            for year in (2024, 2025):
                expected = set().union(*(per_cycle[c] for c in school.cycles))
                assert levels[(school.pk, year)] == expected
        streams = Counter(current_classes().values_list("grade_level__code", "stream__code"))
        assert all(
            stream is None for (level, stream) in streams if level not in ("TC", "1BAC", "2BAC")
        )
        assert {s for (level, s) in streams if level == "TC"} == {"SC", "LSH"}
        assert {s for (level, s) in streams if level == "2BAC"} <= {"PC", "SVT", "SM", "L"}
        # Town classes are fuller than village ones.
        by_milieu = defaultdict(list)
        for pk, milieu, sector, cycle in current_classes().values_list(
            "pk", "school__school__milieu", "school__school__sector", "grade_level__cycle"
        ):
            if sector == "public" and cycle == "primaire":
                by_milieu[milieu].append(sizes[pk])
        assert mean(by_milieu["urbain"]) > mean(by_milieu["rural"])

    def test_pupils_look_like_a_moroccan_school_population(self, seeded):
        boys = {}
        for cycle in ("primaire", "college", "lycee"):
            rows = active().filter(grade_level__cycle=cycle)
            boys[cycle] = share(rows.filter(pupil__sex="M").count(), rows.count())
        assert 0.47 <= boys["primaire"] <= 0.55
        assert 0.38 <= boys["lycee"] < 0.5
        assert boys["lycee"] < boys["primaire"]
        for pupil in Pupil.objects.all()[:200]:
            assert pupil.first_name and pupil.last_name and pupil.birth_place
            assert ARABIC.search(pupil.first_name_ar) and ARABIC.search(pupil.last_name_ar)
        # Age for grade: entry age in 2025, some one to three years older (a few four:
        # over-age pupils who repeated), none younger; repeaters at least a year older.
        gaps = Counter()
        repeating_gaps = Counter()
        for birth, age, status in active().values_list(
            "pupil__birth_date", "grade_level__entry_age", "status"
        ):
            gap = 2025 - birth.year - age
            gaps[gap] += 1
            if status == EnrolmentStatus.REPEATING:
                repeating_gaps[gap] += 1
        assert {0, 1, 2, 3} <= set(gaps) <= {0, 1, 2, 3, 4}
        assert 0.12 <= share(gaps.total() - gaps[0], gaps.total()) <= 0.35
        assert gaps[1] > gaps[2] > gaps[3] > gaps[4]
        assert repeating_gaps[1] + repeating_gaps[2] > 0 and repeating_gaps[0] == 0

    def test_code_massar_is_one_capital_letter_and_nine_digits_and_unique(self, seeded):
        codes = list(Pupil.objects.values_list("code_massar", flat=True))
        assert all(re.fullmatch(r"[A-Z][0-9]{9}", code) for code in codes)
        assert len(set(codes)) == len(codes) == Pupil.objects.count()
        for pupil in Pupil.objects.order_by("?")[:50]:
            pupil.full_clean()

    def test_one_active_enrolment_per_pupil_in_a_class_of_its_level(self, seeded):
        per_pupil = Counter(active().values_list("pupil_id", flat=True))
        assert max(per_pupil.values()) == 1
        rows = active().values_list(
            "school_id",
            "grade_level_id",
            "academic_year_id",
            "school_class__school_id",
            "school_class__grade_level_id",
            "school_class__academic_year_id",
        )
        assert all(row[:3] == row[3:] for row in rows)
        # Pupils with no active enrolment this year are the ones who dropped out during
        # the semester, and those of last year who did not come back (left or graduated).
        this_year = Enrolment.objects.filter(academic_year__is_current=True)
        dropped = set(
            this_year.filter(status=EnrolmentStatus.DROPPED_OUT).values_list("pupil_id", flat=True)
        )
        gone = set(
            Enrolment.objects.filter(academic_year__is_current=False).values_list(
                "pupil_id", flat=True
            )
        ) - set(this_year.values_list("pupil_id", flat=True))
        assert dropped and gone
        assert set(Pupil.objects.values_list("pk", flat=True)) - set(per_pupil) == dropped | gone
        semester = Semester.objects.get(academic_year__is_current=True, number=1)
        assert all(
            semester.start < left <= semester.end
            for left in this_year.filter(status=EnrolmentStatus.DROPPED_OUT).values_list(
                "left_on", flat=True
            )
        )
        # A transfer leaves a closed enrolment behind and an active one at the new school.
        transfers = list(Transfer.objects.all())
        assert transfers
        for transfer in transfers:
            assert (
                transfer.status == "accepted" and transfer.from_school_id != transfer.to_school_id
            )
            statuses = dict(
                transfer.pupil.enrolments.filter(
                    academic_year=transfer.academic_year_id
                ).values_list("school_id", "status")
            )
            assert statuses == {
                transfer.from_school_id: EnrolmentStatus.TRANSFERRED_OUT,
                transfer.to_school_id: EnrolmentStatus.TRANSFERRED_IN,
            }

    def test_every_class_has_a_teacher_of_its_school_for_each_subject(self, seeded):
        taught = defaultdict(set)
        teachers_of = defaultdict(set)
        for (
            class_id,
            subject,
            teacher_id,
            class_school,
            teacher_school,
        ) in TeachingAssignment.objects.values_list(
            "school_class_id",
            "subject__code",
            "teacher_id",
            "school_class__school_id",
            "teacher__school_id",
        ):
            taught[class_id].add(subject)
            teachers_of[class_id].add(teacher_id)
            assert class_school == teacher_school
        ens_class = demo_class()
        for school_class in SchoolClass.objects.all():
            assert taught[school_class.pk] == subjects_of(school_class)
            if school_class.grade_level.cycle == "primaire":
                expected = 2 if school_class == ens_class else 1
                assert len(teachers_of[school_class.pk]) == expected
        on_school = set(
            RoleAssignment.objects.filter(role=TEACHER).values_list("user_id", "org_unit_id")
        )
        assert set(Teacher.objects.values_list("user_id", "school_id")) <= on_school
        n = Teacher.objects.count()
        assert 0.85 <= share(Teacher.objects.filter(is_qualified=True).count(), n) <= 0.97
        assert 18 <= active().count() / n <= 35
        assert not Teacher.objects.filter(assignments__isnull=True).exists()

    def test_enseignant_teaches_maths_and_french_and_can_save_marks(self, seeded):
        enseignant = User.objects.get(username="enseignant")
        school_class = demo_class()
        assert school_class.school == first_school()
        assert school_class.grade_level.code in ("5AP", "6AP")
        assert list(selectors.classes_visible(enseignant)) == [school_class]
        assert set(
            TeachingAssignment.objects.filter(teacher__user=enseignant).values_list(
                "subject__code", flat=True
            )
        ) == {"MATH", "FR"}
        head = RoleAssignment.objects.get(role=SCHOOL_HEAD, org_unit=school_class.school)
        assert head.user.username == "directeur"

        sheet = MarkSheet.objects.get(school_class=school_class, subject__code="MATH")
        assert can_edit_sheet(enseignant, sheet)
        assert set(
            Mark.objects.filter(assessment__sheet=sheet).values_list("updated_by", flat=True)
        ) == {enseignant.pk}
        pupil = selectors.class_roster(school_class).first().pupil
        result = marks_save_sheet(
            actor=enseignant,
            sheet=sheet,
            version=sheet.version,
            cells=[Cell(pupil.code_massar, "test_1", "7,75")],  # primary: out of 10
        )
        assert result["changed"] in (0, 1)
        assert Mark.objects.get(
            assessment__sheet=sheet, assessment__kind="test", assessment__number=1, pupil=pupil
        ).value == Decimal("7.75")

    def test_parent_is_the_guardian_of_a_pupil_of_that_class(self, seeded):
        parent = User.objects.get(username="parent")
        wards = list(selectors.wards_of(parent))
        assert len(wards) == 1
        (ward,) = wards
        assert [e.school_class for e in ward.active_enrolments] == [demo_class()]
        guardian = Guardian.objects.get(user=parent)
        if guardian.relation == "father":
            assert ward.last_name == parent.last_name
        assert parent.assignments.get().org_unit == first_school()

    def test_marks_of_both_semesters_last_year_and_of_semester_one_now(self, seeded):
        semester = Semester.objects.get(academic_year__is_current=True, number=1)
        previous = list(Semester.objects.filter(academic_year__is_current=False))
        # One sheet per class and subject and semester, with sheet_ensure's columns.
        taught = Counter(
            TeachingAssignment.objects.values_list("school_class__academic_year__is_current")
        )
        assert MarkSheet.objects.filter(semester=semester).count() == taught[(True,)]
        for earlier in previous:
            assert MarkSheet.objects.filter(semester=earlier).count() == taught[(False,)]
        assert MarkSheet.objects.count() == taught[(True,)] + 2 * taught[(False,)]
        columns = Counter()
        for sheet_id, kind, number in Assessment.objects.values_list("sheet_id", "kind", "number"):
            columns[sheet_id] += 1
            assert (kind, number) in {("test", 1), ("test", 2), ("test", 3), ("activity", 1)}
        assert set(columns.values()) == {4}
        # Last year's classes: every pupil of the year; this year's: the pupils on the roll.
        roster = Counter(active().values_list("school_class_id", flat=True)) + Counter(
            Enrolment.objects.filter(academic_year__is_current=False).values_list(
                "school_class_id", flat=True
            )
        )
        expected = sum(
            4 * roster[class_id]
            for class_id in MarkSheet.objects.values_list("school_class_id", flat=True)
        )
        assert Mark.objects.count() == expected

        values = []
        codes = Counter()
        for value, code, subject, cycle in Mark.objects.values_list(
            "value",
            "code",
            "assessment__sheet__subject__code",
            "assessment__sheet__school_class__grade_level__cycle",
        ):
            if code:
                codes[code] += 1
                assert value is None
                assert code == "ABS" or subject == "EPS"
            else:
                # Primary marks are out of 10 (docs/schooling.md § Marks): drawn out of 20
                # and halved, so the spread below is of the marks out of 20.
                top = Decimal(10) if cycle == "primaire" else Decimal(20)
                assert Decimal(0) <= value <= top and (value * 4) % 1 == 0
                values.append(float(value) * (2 if cycle == "primaire" else 1))
        assert 10.5 <= mean(values) <= 12.5
        assert 3.0 <= pstdev(values) <= 4.2
        assert 0.01 <= share(codes["ABS"], expected) <= 0.03
        assert 0 < codes["DISP"] < codes["ABS"]
        assert {round(v % 1, 2) for v in values} == {0.0, 0.25, 0.5, 0.75}

        # Entered by the class's teacher of the subject, during the semester.
        teacher = {
            (c, s): u
            for c, s, u in TeachingAssignment.objects.values_list(
                "school_class_id", "subject_id", "teacher__user_id"
            )
        }
        sheets = {
            pk: (c, s)
            for pk, c, s in MarkSheet.objects.values_list("pk", "school_class_id", "subject_id")
        }
        for sheet_id, user_id in Mark.objects.values_list(
            "assessment__sheet_id", "updated_by_id"
        ).distinct():
            assert teacher[sheets[sheet_id]] == user_id
        for each in [semester, *previous]:
            span = Mark.objects.filter(assessment__sheet__semester=each).aggregate(
                first=Min("updated_at"), last=Max("updated_at")
            )
            assert each.start <= span["first"].date() and span["last"].date() <= each.end

    def test_a_few_half_days_of_absence_per_pupil(self, seeded):
        semester = Semester.objects.get(academic_year__is_current=True, number=1)
        n = Absence.objects.filter(school_class__academic_year__is_current=True).count()
        assert 1.5 <= n / active().count() <= 4.5
        # Last year: about as many in each semester.
        last_year = Absence.objects.filter(school_class__academic_year__is_current=False)
        pupils = Enrolment.objects.filter(academic_year__is_current=False).count()
        assert 3 <= last_year.count() / pupils <= 9
        for earlier in Semester.objects.filter(academic_year__is_current=False):
            days = last_year.filter(date__range=(earlier.start, earlier.end)).values_list(
                "date", flat=True
            )
            assert days and all(day.weekday() < 5 for day in days)
        n = Absence.objects.count()
        justified = Absence.objects.filter(justified=True)
        assert 0.3 <= share(justified.count(), n) <= 0.5
        assert set(justified.values_list("reason", flat=True)) <= set(REASONS)
        assert set(Absence.objects.filter(justified=False).values_list("reason", flat=True)) == {""}
        assert set(Absence.objects.values_list("session", "hours").distinct()) == {
            ("am", 4),
            ("pm", 4),
        }
        for day in (
            Absence.objects.filter(school_class__academic_year__is_current=True)
            .values_list("date", flat=True)
            .distinct()
        ):
            assert semester.start <= day <= semester.end and day.weekday() < 5
        # Recorded by one of the class's teachers.
        recorded_by_a_teacher = (
            Absence.objects.filter(school_class__teachings__teacher__user=F("recorded_by"))
            .values("pk")
            .distinct()
            .count()
        )
        assert recorded_by_a_teacher == n

    def test_one_audit_entry_per_school(self, seeded):
        entries = AuditEntry.objects.filter(action="seed", changes__has_key="pupils")
        assert entries.count() == School.objects.count() == 30
        assert {e.object_id for e in entries} == {
            str(pk) for pk in School.objects.values_list("pk", flat=True)
        }
        assert sum(e.changes["pupils"][1] for e in entries) == Pupil.objects.count()
        assert sum(e.changes["marks"][1] for e in entries) == Mark.objects.count()


def fingerprint():
    """The school records a person would see, by natural keys (ids left out)."""
    digest = hashlib.sha256()
    queries = [
        Pupil.objects.order_by("code_massar").values_list(
            "code_massar",
            "last_name",
            "first_name",
            "last_name_ar",
            "first_name_ar",
            "sex",
            "birth_date",
            "birth_place",
        ),
        # Two school years: a pupil has an enrolment in each (ordered by year, or the
        # database may return a tie in any order).
        Enrolment.objects.order_by(
            "pupil__code_massar", "academic_year__start", "entered_on", "status", "school__code"
        ).values_list(
            "pupil__code_massar",
            "academic_year__code",
            "school__code",
            "school_class__name",
            "status",
            "entered_on",
            "left_on",
        ),
        Teacher.objects.order_by("ppr").values_list(
            "ppr",
            "user__username",
            "user__first_name",
            "user__last_name",
            "specialty__code",
            "is_qualified",
            "qualification",
        ),
        TeachingAssignment.objects.order_by(
            "teacher__ppr",
            "school_class__academic_year__start",
            "school_class__school__code",
            "school_class__name",
            "subject__code",
        ).values_list(
            "teacher__ppr",
            "school_class__academic_year__code",
            "school_class__school__code",
            "school_class__name",
            "subject__code",
        ),
        Mark.objects.order_by(
            "pupil__code_massar",
            "assessment__sheet__semester__start",
            "assessment__sheet__subject__code",
            "assessment__kind",
            "assessment__number",
        ).values_list(
            "pupil__code_massar",
            "assessment__sheet__semester__start",
            "assessment__sheet__subject__code",
            "assessment__kind",
            "assessment__number",
            "value",
            "code",
            "updated_by__username",
            "updated_at",
        ),
        Absence.objects.order_by("pupil__code_massar", "date", "session").values_list(
            "pupil__code_massar", "date", "session", "justified", "reason", "recorded_by__username"
        ),
    ]
    rows = 0
    for query in queries:
        for row in query:
            digest.update(repr(row).encode())
            rows += 1
    return digest.hexdigest(), rows


def seed_and_roll_back(seed, **kw):
    with transaction.atomic():
        run_steps(Context(scale=TINY, seed=seed, **kw), show_progress=False)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_school_records():
    first, rows = seed_and_roll_back(7)
    assert rows > 1000 * 40
    assert not Pupil.objects.exists()
    assert seed_and_roll_back(7) == (first, rows)
    assert seed_and_roll_back(8)[0] != first


@pytest.mark.django_db
def test_marks_for_a_sample_of_schools_or_none():
    with transaction.atomic():
        ctx = Context(scale=TINY, seed=3, marks="sample")
        run_steps(ctx, show_progress=False)
        with_marks = set(MarkSheet.objects.values_list("school_class__school", flat=True))
        # The demo teacher's school always has its marks; 5 % of the others do.
        assert first_school().pk in with_marks
        assert len(with_marks) < School.objects.count()
        assert ctx.counts["marks"] == Mark.objects.count() > 0
        absences = sorted(Absence.objects.values_list("pupil__code_massar", "date", "session"))
        transaction.set_rollback(True)
    with transaction.atomic():
        ctx = Context(scale=TINY, seed=3, marks="none")
        run_steps(ctx, show_progress=False)
        assert not MarkSheet.objects.exists() and not Mark.objects.exists()
        # Marks draw from a random stream of their own: the rest does not change.
        assert (
            sorted(Absence.objects.values_list("pupil__code_massar", "date", "session")) == absences
        )
        assert selectors.classes_visible(User.objects.get(username="enseignant")).exists()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_national_plan_has_eight_million_pupils_and_300_000_teachers():
    """Planned in memory from the planned tree: nothing written."""
    country_load_morocco()
    structure_load_morocco()
    ctx = Context(scale=SCALES["national"], seed=2026)
    schools = [
        SchoolInfo(
            0, "", s.code, s.name_fr, s.name_ar, s.cycles, s.sector, s.milieu, plan.province, "", ""
        )
        for plan, communes in plan_scale(ctx)
        for commune in communes
        for s in commune.schools
    ]
    plans = plan_scale_classes(ctx, schools)
    subjects = subjects_by_level()
    pupils = sum(c.size for _s, classes in plans for c in classes)
    teachers = sum(len(plan_staff(classes, subjects)) for _s, classes in plans)
    assert len(schools) == 11_000
    assert 7_900_000 <= pupils <= 8_100_000
    assert 250_000 <= teachers <= 350_000
    # Between its two passes a province's pupils wait in memory, one small record each:
    # the largest province (Casablanca, ~600 000 pupils) is a few per cent of the
    # country, not the country.
    per_province = Counter()
    for school, classes in plans:
        per_province[school.province.code] += sum(c.size for c in classes)
    assert max(per_province.values()) <= 0.08 * pupils


@pytest.mark.django_db
def test_the_row_writer_fills_defaults_and_reserves_ids():
    """The path COPY takes on PostgreSQL and executemany elsewhere: columns left out get
    the model's defaults, ids reserved before writing are the ones stored."""
    writer = RowWriter(connection)
    users = writer.table(User, ["id", "username", "password"])
    ids = [writer.next_id(User) for _ in range(3)]
    assert len(set(ids)) == 3
    for n, pk in enumerate(ids):
        users.add((pk, f"u{n}", "!"))
    writer.flush()
    stored = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    assert sorted(stored) == sorted(ids)
    assert all(
        u.is_active and not u.is_staff and u.preferred_language == "fr" for u in stored.values()
    )
    assert all(u.date_joined.tzinfo for u in stored.values())
    assert writer.next_id(User) > max(ids)


@pytest.mark.postgres
@pytest.mark.django_db
def test_bulk_load_puts_back_every_key_and_index_and_checks_the_rows():
    """PostgreSQL only (CI runs the suite on it too): elsewhere bulk_load does nothing."""
    # Marked postgres: make test deselects it, .ci/run runs it in its PostgreSQL pass.
    require(connection.vendor == "postgresql", "needs PostgreSQL")
    tables = [Mark._meta.db_table, Absence._meta.db_table]

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1",
                [tables],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1",
                [tables],
            )
            return constraints, cursor.fetchall()

    before = schema()
    assert any("FOREIGN KEY" in definition for _name, definition in before[0])
    with transaction.atomic():
        with bulk_load(connection, [Mark, Absence]):
            during = schema()
            assert not any("FOREIGN KEY" in definition for _name, definition in during[0])
            assert len(during[1]) < len(before[1])
        assert schema() == before
    # A row pointing nowhere is caught when the keys come back.
    with pytest.raises(IntegrityError), transaction.atomic(), bulk_load(connection, [Absence]):
        writer = RowWriter(connection)
        absences = writer.table(
            Absence, ["pupil_id", "school_class_id", "date", "session", "recorded_by_id"]
        )
        absences.add((10**9, 10**9, dt.date(2025, 10, 1), "am", 10**9))
        writer.flush()
    assert schema() == before


def test_the_command_help_documents_the_marks_option():
    from pilotage.demo.management.commands.seed_demo import Command

    text = Command().create_parser("manage.py", "seed_demo").format_help()
    assert "--marks {all,sample,none}" in text
    assert "sample pour region et national" in " ".join(text.split())
