"""Semester report cards (bulletins) as PDF, in French or in Arabic.

Typst lays the pages out: it shapes Arabic with rustybuzz (HarfBuzz's algorithm), applies
the Unicode bidirectional algorithm and mirrors the whole page when the text runs
right-to-left, and compiles a class of bulletins in a fraction of a second. The choice
against WeasyPrint and ReportLab, with measurements, is in docs/report-cards.md.

Every word and number is prepared here, translated with gettext under
``translation.override(language)`` and formatted for that language (dates through the
Moroccan formats of ``pilotage/formats``: « 3 دجنبر 2026 », « 3 décembre 2026 »); the template
``templates/schooling/bulletin.typ`` only places them. The figures come from
``selectors.class_results``, computed once per class whatever the number of pupils.

Fonts come from Debian's ``fonts-noto-core`` (Noto Sans for Latin script, Noto Naskh
Arabic for Arabic script). Typst only sees the font folders named here, so a missing font
fails with :class:`ReportFontMissing`, never with boxes in place of letters.
"""

from __future__ import annotations

import functools
import io
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import typst
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from pilotage.core import pdf as core_pdf
from pilotage.core.jobs import Progress
from pilotage.orgunits.models import OrgUnit, Semester
from pilotage.orgunits.selectors import orgunit_ancestors
from pilotage.schooling import grading
from pilotage.schooling.models import ACTIVE_STATUSES, Enrolment, SchoolClass
from pilotage.schooling.selectors import absence_summary, class_appreciations, class_results

JOB_KIND = "schooling.report_cards"
LANGUAGES = ("fr", "ar")
REPORT_DIR = "report-cards"

# The fonts (Debian's fonts-noto-core; settings.REPORT_FONT_DIRS overrides) and the
# compiler are the kernel's (core/pdf.py), shared with the performance reports.
FONT_PACKAGE = core_pdf.FONT_PACKAGE
FONT_FAMILIES = core_pdf.FONT_FAMILIES

# Levels of the org-unit tree named in the header, top first (Morocco: AREF, then DP).
HEADER_LEVELS = ("aref", "direction-provinciale")
TEMPLATE = Path(__file__).resolve().parent / "templates" / "schooling" / "bulletin.typ"


class ReportError(Exception):
    """The bulletins cannot be produced; the message says why, for the person who asked."""


class ReportFontMissing(ReportError):
    pass


class ReportEmpty(ReportError):
    pass


# --- Typst ---------------------------------------------------------------------------------


def report_fonts_check(dirs: Sequence[str] | None = None) -> None:
    """Raise :class:`ReportFontMissing` unless every family the bulletin uses is found."""
    message = core_pdf.fonts_missing_message(dirs)
    if message:
        raise ReportFontMissing(message)


_PAGE_TREE = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


def _compiler() -> typst.Compiler:
    """The thread's compiler for the configured fonts (``core.pdf.compiler``)."""
    return core_pdf.compiler(report_fonts_check)


@functools.cache
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def _render(document: dict[str, Any], *, tagged: bool) -> bytes:
    """Compile ``document`` with the bulletin template. ``tagged`` adds the structure tree
    screen readers follow (8× the size, so batches meant for printing go without)."""
    try:
        return core_pdf.typst_pdf(_template(), document, tagged=tagged, check=report_fonts_check)
    except core_pdf.PdfFontMissing as exc:
        raise ReportFontMissing(str(exc)) from exc
    except core_pdf.PdfError as exc:
        raise ReportError(str(exc)) from exc


def _page_count(pdf: bytes) -> int:
    # Typst writes one flat, uncompressed page tree: its /Count is the answer, and reading
    # it is far cheaper than parsing the file. Anything else goes through the parser.
    found = _PAGE_TREE.findall(pdf)
    if len(found) == 1:
        return int(found[0])
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _merge(parts: Sequence[bytes], *, title: str) -> bytes:
    writer = pypdf.PdfWriter()
    for part in parts:
        writer.append(pypdf.PdfReader(io.BytesIO(part)))
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- What a bulletin says --------------------------------------------------------------------


def _number(value: Decimal | None, separator: str) -> str:
    """Two decimals with the language's separator (12,35)."""
    return grading.mark_text(value, separator=separator)


def _coefficient(value: Decimal | None, separator: str) -> str:
    return "" if value is None else f"{value.normalize():f}".replace(".", separator)


def _labels() -> dict[str, Any]:
    """The fixed words of the page, in the active language."""
    return {
        "kingdom": _("Royaume du Maroc"),
        "ministry": _("Ministère de l'Éducation nationale, du Préscolaire et des Sports"),
        "title": _("Bulletin de notes"),
        "school_code": _("Code de l'établissement"),
        "year": _("Année scolaire"),
        "name": _("Nom et prénom"),
        "other_name": (
            _("Nom en caractères latins") if translation.get_language_bidi() else _("Nom en arabe")
        ),
        "massar": _("Code Massar"),
        "birth_date": _("Date de naissance"),
        "class": _("Classe"),
        "level": _("Niveau"),
        "columns": [
            _("Matière"),
            _("Coefficient"),
            _("Moyenne de l'élève"),
            _("Moyenne de la classe"),
            _("Appréciation du professeur"),
        ],
        "no_marks": _("Aucune note saisie pour ce semestre."),
        "average": _("Moyenne générale"),
        "rank": _("Rang"),
        "mention": _("Mention"),
        "class_average": _("Moyenne générale de la classe"),
        "absences": _("Absences"),
        "unjustified": _("Absences non justifiées"),
        "signatures": [
            _("Le directeur de l'établissement (signature et cachet)"),
            _("Le professeur principal"),
            _("Le parent ou tuteur"),
        ],
    }


def _header(school: OrgUnit) -> dict[str, Any]:
    """The authorities above the school (AREF, Direction provinciale) and its own name."""
    ancestors = {
        unit.level.code: unit for unit in orgunit_ancestors(school).select_related("level")
    }
    authorities = [
        _("%(level)s : %(name)s") % {"level": unit.level.name, "name": unit.name}
        for unit in (ancestors.get(code) for code in HEADER_LEVELS)
        if unit is not None
    ]
    other = school.name_fr if translation.get_language_bidi() else school.name_ar
    school_record = getattr(school, "school", None)
    return {
        "authorities": authorities,
        "school": school.name,
        "school_other": "" if other == school.name else other,
        "school_code": school_record.school_code if school_record else school.code,
    }


def _hours(hours: int) -> str:
    return _("%(hours)s h") % {"hours": hours}


def _class_pages(
    school_class: SchoolClass,
    semester: Semester,
    *,
    header: dict[str, Any],
    pupil_id: int | None = None,
) -> list[dict[str, Any]]:
    """One page of data per pupil of the class (or only ``pupil_id``'s), from a single
    ``class_results``: the class averages and ranks need every pupil anyway."""
    results = class_results(school_class, semester)
    absences = absence_summary(school_class, start=semester.start, end=semester.end)
    appreciations = class_appreciations(school_class, semester)
    subject_class_averages = {
        subject.pk: _mean([r.subjects.get(subject.pk) for r in results.pupils])
        for subject in results.subjects
    }
    size = len(results.pupils)
    sep = str(formats.get_format("DECIMAL_SEPARATOR"))
    level = school_class.grade_level.name
    if school_class.stream_id:
        level = f"{level} · {school_class.stream.name}"  # type: ignore[union-attr]
    common = {
        **header,
        "year": semester.academic_year.code,
        "semester": _("Semestre %(number)s") % {"number": semester.number},
        "class_name": school_class.name,
        "level": level,
        "class_average": _number(results.class_average, sep),
        "issued": _("Édité le %(date)s")
        % {"date": formats.date_format(timezone.localdate(), "DATE_FORMAT")},
    }
    pages = []
    for result in results.pupils:
        pupil = result.enrolment.pupil
        if pupil_id is not None and pupil.pk != pupil_id:
            continue
        # In the reader's script first (display_name); the other script on the next field.
        names = pupil.names_in_reading_order
        absent = absences.get(pupil.pk, {"hours": 0, "unjustified": 0})
        pages.append(
            {
                **common,
                "name": names[0][1],
                "name_lang": names[0][0],
                "other_name": names[1][1] if len(names) > 1 else "",
                "other_name_lang": names[1][0] if len(names) > 1 else "",
                "massar": pupil.code_massar,
                "birth_date": formats.date_format(pupil.birth_date, "DATE_FORMAT"),
                "rows": [
                    {
                        "subject": subject.name,
                        "coefficient": _coefficient(results.coefficients.get(subject.pk), sep),
                        "average": _number(result.subjects.get(subject.pk), sep),
                        "class_average": _number(subject_class_averages[subject.pk], sep),
                        "appreciation": appreciations.get((pupil.pk, subject.pk), ""),
                    }
                    for subject in results.subjects
                ],
                "average": (
                    _("%(average)s / %(max)s")
                    % {"average": _number(result.average, sep), "max": results.scale.maximum_text}
                    if result.average is not None
                    else ""
                ),
                "rank": (
                    _("%(rank)s / %(size)s") % {"rank": result.rank, "size": size}
                    if result.rank is not None
                    else ""
                ),
                "mention": result.mention,
                "has_mentions": bool(results.scale.mentions),
                "absences": _hours(absent["hours"]),
                "unjustified": _hours(absent["unjustified"]),
            }
        )
    return pages


def _mean(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return grading.rounded(sum(present, Decimal(0)) / len(present))


def _document(pages: list[dict[str, Any]], *, language: str, title: str) -> dict[str, Any]:
    return {
        "lang": language,
        "rtl": translation.get_language_bidi(),
        "fonts": list(FONT_FAMILIES),
        "title": title,
        "author": _("Ministère de l'Éducation nationale, du Préscolaire et des Sports"),
        "labels": _labels(),
        "bulletins": pages,
    }


def _check(language: str, semester: Semester, classes: Iterable[SchoolClass]) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    for school_class in classes:
        if school_class.academic_year_id != semester.academic_year_id:
            raise ValueError(f"semester {semester} is not in the year of class {school_class}")


# --- Public API ----------------------------------------------------------------------------


def bulletin_pdf(*, enrolment: Enrolment, semester: Semester, language: str) -> bytes:
    """One pupil's bulletin, tagged for screen readers."""
    school_class = enrolment.school_class
    if school_class is None:
        raise ReportEmpty(_("Cet élève n'est inscrit dans aucune classe."))
    _check(language, semester, [school_class])
    with translation.override(language):
        pages = _class_pages(
            school_class, semester, header=_header(school_class.school), pupil_id=enrolment.pupil_id
        )
        if not pages:
            raise ReportEmpty(_("Cet élève ne fait plus partie de la classe."))
        title = f"{_('Bulletin de notes')} · {enrolment.pupil.code_massar} · {pages[0]['semester']}"
        return _render(_document(pages, language=language, title=title), tagged=True)


def bulletins_class_pdf(
    *,
    school_class: SchoolClass,
    semester: Semester,
    language: str,
    progress: Progress | None = None,
) -> bytes:
    """Every pupil of the class, one page each, in one PDF."""
    return bulletins_pdf(
        classes=[school_class], semester=semester, language=language, progress=progress
    )


def bulletins_pdf(
    *,
    classes: Sequence[SchoolClass],
    semester: Semester,
    language: str,
    progress: Progress | None = None,
) -> bytes:
    """The bulletins of several classes, class after class, in one PDF."""
    return _bulletins(classes=classes, semester=semester, language=language, progress=progress)[0]


def _bulletins(
    *,
    classes: Sequence[SchoolClass],
    semester: Semester,
    language: str,
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    """The PDF and its number of pages. Each class is compiled on its own, so the progress
    moves class by class; the parts are then joined."""
    _check(language, semester, classes)
    if progress is not None:
        progress.total(
            Enrolment.objects.filter(school_class__in=classes, status__in=ACTIVE_STATUSES).count()
        )
    parts: list[bytes] = []
    counts: list[int] = []
    headers: dict[int, dict[str, Any]] = {}
    with translation.override(language):
        for school_class in classes:
            if school_class.school_id not in headers:
                headers[school_class.school_id] = _header(school_class.school)
            pages = _class_pages(school_class, semester, header=headers[school_class.school_id])
            if not pages:
                continue
            title = f"{_('Bulletins')} · {school_class.name} · {pages[0]['semester']}"
            pdf = _render(_document(pages, language=language, title=title), tagged=False)
            if _page_count(pdf) != len(pages):
                raise ReportError(
                    _("Un bulletin de la classe %(name)s dépasse une page.")
                    % {"name": school_class.name}
                )
            parts.append(pdf)
            counts.append(len(pages))
            if progress is not None:
                progress.advance(len(pages), message=school_class.name)
        if not parts:
            raise ReportEmpty(_("Aucun élève à qui éditer un bulletin."))
        pages_done = sum(counts)
        if len(parts) == 1:
            return parts[0], pages_done
        return _merge(parts, title=f"{_('Bulletins')} · {semester}"), pages_done


def report_classes(
    *, semester: Semester, class_ids: Sequence[int] | None = None, school_id: int | None = None
) -> list[SchoolClass]:
    """The classes a batch covers, in the order their bulletins are printed."""
    classes = SchoolClass.objects.filter(academic_year_id=semester.academic_year_id)
    if school_id is not None:
        classes = classes.filter(school_id=school_id)
    elif class_ids:
        classes = classes.filter(pk__in=class_ids)
    else:
        raise ValueError("a batch needs class ids or a school id")
    return list(
        classes.select_related("school__school", "grade_level", "stream", "academic_year").order_by(
            "school__path", "grade_level__order", "name"
        )
    )


def report_files_purge(*, now: float | None = None) -> int:
    """Delete the batch files older than ``settings.REPORT_CARDS_RETENTION_DAYS`` (by their
    modification time) and return how many went. Batches hold pupils' results, and nothing
    else ever removes them. Leftover ``.part`` files of a crashed batch go the same way."""
    folder = Path(settings.MEDIA_ROOT) / REPORT_DIR
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - settings.REPORT_CARDS_RETENTION_DAYS * 86400
    removed = 0
    for file in folder.iterdir():
        if file.suffix not in {".pdf", ".part"}:
            continue
        try:
            if file.stat().st_mtime < cutoff:
                file.unlink()
                removed += 1
        except FileNotFoundError:  # purged at the same moment by another run
            continue
    return removed


def report_cards_build(
    progress: Progress,
    *,
    semester_id: int,
    language: str,
    class_ids: list[int] | None = None,
    school_id: int | None = None,
) -> dict[str, Any]:
    """Params: ``class_ids`` or ``school_id``, ``semester_id``, ``language``. Writes
    MEDIA_ROOT/report-cards/<job id>.pdf and returns its path relative to MEDIA_ROOT.

    The worker is the only process sure to run (``make run`` starts no scheduler), so each
    batch first purges the files past their retention."""
    report_files_purge()
    semester = Semester.objects.select_related("academic_year").get(pk=semester_id)
    classes = report_classes(semester=semester, class_ids=class_ids, school_id=school_id)
    pdf, pages = _bulletins(
        classes=classes, semester=semester, language=language, progress=progress
    )
    job_id = progress.job.pk if progress.job is not None else uuid.uuid4()
    name = f"{job_id}.pdf"
    relative = f"{REPORT_DIR}/{name}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(target)
    return {
        "file": relative,
        "download": reverse("schooling:report-cards-download", args=[job_id]),
        "bulletins": pages,
        "classes": len(classes),
    }
