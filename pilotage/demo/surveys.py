"""Demo data of the surveys: the contact centre's survey of the associations' expectations
(a bilingual XLSForm with the regions and provinces of the tree as a cascade, a repeat of
projects, skip logic), drawn as a sample of the registry stratified by region, invited,
and answered by about two thirds of the sample — a few left half-way, a few by phone from
the contact centre; and an open satisfaction survey of parents made with the builder,
answered through its public link.

Everything goes through the services (forms, draw, answers), so the pages, the response
rate and the weighted tables show what a real survey would. Only the "sent" stamp of the
invitations is written directly: the demo sends no e-mail.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from typing import Any

import openpyxl
from django.utils import timezone

from pilotage.accounts.models import User
from pilotage.contact.models import ActionField
from pilotage.demo.context import Context
from pilotage.orgunits.models import OrgUnit
from pilotage.surveys.builder import Choice, Question, xlsform_from_questions
from pilotage.surveys.frames import associations_units
from pilotage.surveys.models import Channel, Respondent, Survey, SurveyAccess
from pilotage.surveys.services.collection import submission_save
from pilotage.surveys.services.forms import survey_create, survey_form_load, survey_status_set
from pilotage.surveys.services.sampling import sample_draw

FR = "label::Français (fr)"
AR = "label::العربية (ar)"
MANAGER = "enquetes"
AGENT = "agent.contact"
# How the associations answer, by the fields the story needs.
RESPONSE_SHARE = 0.65
DRAFT_SHARE = 0.08
PHONE_SHARE = 0.1
PARENTS_ANSWERS = 180

CHANNELS = [
    ("phone", "Téléphone", "الهاتف"),
    ("email", "Courriel", "البريد الإلكتروني"),
    ("walk_in", "Accueil sur place", "الاستقبال المباشر"),
    ("web", "Formulaire en ligne", "الاستمارة الإلكترونية"),
]
NEEDS = [
    ("procedures", "Information sur les procédures", "الإعلام بالمساطر"),
    ("funding", "Appels à projets et financement", "طلبات المشاريع والتمويل"),
    ("training", "Formation des membres", "تكوين الأعضاء"),
    ("legal", "Appui juridique", "الدعم القانوني"),
    ("partners", "Mise en relation avec des partenaires", "الربط مع الشركاء"),
]
SATISFACTION = [
    ("1", "Pas du tout satisfait", "غير راض إطلاقا"),
    ("2", "Peu satisfait", "غير راض"),
    ("3", "Moyennement satisfait", "راض نسبيا"),
    ("4", "Satisfait", "راض"),
    ("5", "Très satisfait", "راض جدا"),
]


def _survey_rows() -> list[list[str]]:
    header = [
        "type",
        "name",
        FR,
        AR,
        "hint::Français (fr)",
        "hint::العربية (ar)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::Français (fr)",
        "constraint_message::العربية (ar)",
        "choice_filter",
        "repeat_count",
        "calculation",
    ]

    def row(kind: str, name: str, fr: str = "", ar: str = "", **extra: str) -> list[str]:
        values = dict.fromkeys(header, "")
        values.update({"type": kind, "name": name, FR: fr, AR: ar})
        for key, value in extra.items():
            values[
                {
                    "hint_fr": "hint::Français (fr)",
                    "hint_ar": "hint::العربية (ar)",
                    "message_fr": "constraint_message::Français (fr)",
                    "message_ar": "constraint_message::العربية (ar)",
                }.get(key, key)
            ] = value
        return [values[h] for h in header]

    return [
        header,
        row(
            "note",
            "intro",
            "Cette enquête aide le centre de contact à mieux répondre aux associations. "
            "Elle prend dix minutes.",
            "يساعد هذا الاستطلاع مركز الاتصال على الاستجابة الأفضل لحاجيات الجمعيات. "
            "يستغرق عشر دقائق.",
        ),
        row("select_one region", "region", "Région du siège", "جهة المقر", required="yes"),
        row(
            "select_one province",
            "province",
            "Province ou préfecture du siège",
            "إقليم أو عمالة المقر",
            required="yes",
            choice_filter="region=${region}",
        ),
        row(
            "select_one field",
            "field",
            "Domaine d'action principal",
            "مجال العمل الرئيسي",
            required="yes",
        ),
        row(
            "integer",
            "employees",
            "Nombre de salariés",
            "عدد الأجراء",
            required="yes",
            constraint=". >= 0 and . <= 2000",
            message_fr="Entre 0 et 2000",
            message_ar="بين 0 و2000",
        ),
        row(
            "select_one yesno",
            "knows",
            "Connaissiez-vous le centre de contact avant cette enquête ?",
            "هل كنتم تعرفون مركز الاتصال قبل هذا الاستطلاع؟",
            required="yes",
        ),
        row(
            "select_multiple channel",
            "channels",
            "Par quels moyens l'avez-vous contacté ?",
            "بأي وسيلة تواصلتم معه؟",
            relevant="${knows} = 'yes'",
            required="yes",
        ),
        row(
            "select_one satisfaction",
            "satisfaction",
            "Votre satisfaction des réponses reçues",
            "مدى رضاكم عن الأجوبة المتوصل بها",
            relevant="${knows} = 'yes'",
            required="yes",
        ),
        row(
            "select_multiple need",
            "needs",
            "De quoi votre association a-t-elle le plus besoin ?",
            "ما أكثر ما تحتاجه جمعيتكم؟",
            required="yes",
            constraint="count-selected(.) <= 3",
            message_fr="Trois choix au plus",
            message_ar="ثلاثة اختيارات على الأكثر",
        ),
        row(
            "integer",
            "projects_n",
            "Combien de projets menez-vous cette année ?",
            "كم مشروعا تنجزون هذه السنة؟",
            constraint=". >= 0 and . <= 5",
            message_fr="Indiquez jusqu'à 5 projets",
            message_ar="اذكروا 5 مشاريع على الأكثر",
        ),
        row("begin_repeat", "project", "Projet", "مشروع", repeat_count="${projects_n}"),
        row("text", "project_title", "Intitulé du projet", "عنوان المشروع", required="yes"),
        row(
            "decimal",
            "project_budget",
            "Budget (dirhams)",
            "الميزانية (بالدرهم)",
            constraint=". > 0",
            message_fr="Un montant positif",
            message_ar="مبلغ موجب",
        ),
        row("end_repeat", ""),
        row("calculate", "total_budget", calculation="sum(${project_budget})"),
        row(
            "text",
            "comment",
            "Vos suggestions au centre de contact",
            "اقتراحاتكم لمركز الاتصال",
            hint_fr="Facultatif",
            hint_ar="اختياري",
        ),
    ]


def _choices_rows(fields: list[ActionField]) -> list[list[str]]:
    rows = [["list_name", "name", FR, AR, "region"]]
    regions = OrgUnit.objects.filter(depth=2, path__startswith=_country().path).order_by("path")
    for region in regions:
        rows.append(["region", region.code, region.name_fr, region.name_ar, ""])
    for province in OrgUnit.objects.filter(depth=3, path__startswith=_country().path).order_by(
        "path"
    ):
        parent = next((r for r in regions if province.path.startswith(r.path)), None)
        if parent is not None:
            rows.append(
                ["province", province.code, province.name_fr, province.name_ar, parent.code]
            )
    rows += [["field", f.code, f.name_fr, f.name_ar, ""] for f in fields]
    rows += [["yesno", "yes", "Oui", "نعم", ""], ["yesno", "no", "Non", "لا", ""]]
    rows += [["channel", c, fr, ar, ""] for c, fr, ar in CHANNELS]
    rows += [["satisfaction", c, fr, ar, ""] for c, fr, ar in SATISFACTION]
    rows += [["need", c, fr, ar, ""] for c, fr, ar in NEEDS]
    return rows


def _country() -> OrgUnit:
    return OrgUnit.objects.get(code="MA")


def associations_workbook(fields: list[ActionField], version: str = "2026110101") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if sheet is None:
        sheet = book.create_sheet()
    sheet.title = "survey"
    for values in _survey_rows():
        sheet.append(values)
    choices = book.create_sheet("choices")
    for values in _choices_rows(fields):
        choices.append(values)
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append(
        ["attentes_associations", "Attentes des associations", version, "Français (fr)"]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _answers(
    rng: random.Random, unit_region: str, fields: list[str], province_of: dict[str, list[str]]
) -> dict[str, Any]:
    region = unit_region if unit_region in province_of else rng.choice(list(province_of))
    knows = rng.random() < (0.55 if region == "MA-01" else 0.35)
    projects = rng.choices([0, 1, 2, 3], weights=[3, 4, 3, 1])[0]
    answers: dict[str, Any] = {
        "region": region,
        "province": rng.choice(province_of[region]),
        "field": rng.choice(fields),
        "employees": str(rng.choices([0, 1, 3, 8, 25], weights=[5, 3, 3, 2, 1])[0]),
        "knows": "yes" if knows else "no",
        "needs": " ".join(rng.sample([n for n, _fr, _ar in NEEDS], rng.randint(1, 3))),
        "projects_n": str(projects),
        "project": [
            {
                "project_title": rng.choice(
                    [
                        "Alphabétisation des femmes",
                        "Soutien scolaire",
                        "Jardin partagé",
                        "Caravane de santé",
                        "محو الأمية",
                        "دعم مدرسي",
                    ]
                ),
                "project_budget": str(rng.choice([15000, 40000, 85000, 120000])),
            }
            for _ in range(projects)
        ],
        "comment": rng.choice(
            [
                "",
                "",
                "Plus de réponses par courriel.",
                "نرجو تبسيط المساطر.",
                "Des permanences en région.",
            ]
        ),
    }
    if knows:
        answers["channels"] = " ".join(
            rng.sample([c for c, _fr, _ar in CHANNELS], rng.randint(1, 2))
        )
        answers["satisfaction"] = str(rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 5, 3])[0])
    return answers


def _associations_survey(ctx: Context, manager: User, agent: User | None) -> None:
    rng = ctx.rng("surveys", "associations")
    fields = list(ActionField.objects.order_by("order", "pk"))
    survey = survey_create(
        actor=manager,
        org_unit=_country(),
        title_fr="Attentes des associations vis-à-vis du centre de contact",
        title_ar="انتظارات الجمعيات من مركز الاتصال",
        description=(
            "Enquête par sondage stratifié par région, menée pour le diagnostic du centre "
            "de contact."
        ),
    )
    version = survey_form_load(
        actor=manager,
        survey=survey,
        data=associations_workbook(fields),
        name="attentes-associations.xlsx",
    )
    frame = associations_units(survey)
    if not frame:
        return
    n = min(len(frame), max(12, len(frame) * 2 // 3))
    sample_draw(
        actor=manager,
        survey=survey,
        source="associations",
        frame=frame,
        n=n,
        method="stratified",
        by=["region"],
        allocation="proportional",
        seed=2026,
        parameters={"confidence": 0.95, "margin": 0.05, "proportion": 0.5, "response_rate": 0.7},
    )
    survey_status_set(actor=manager, survey=survey, status="open")
    Respondent.objects.filter(survey=survey).update(
        invited_at=timezone.now() - dt.timedelta(days=12)
    )
    region_code = {r.name_fr: r.code for r in OrgUnit.objects.filter(depth=2)}
    province_of: dict[str, list[str]] = {}
    for choice in version.tree["choices"]["province"]:
        province_of.setdefault(str(choice["region"]), []).append(str(choice["name"]))
    respondents = list(
        Respondent.objects.filter(survey=survey).select_related("unit").order_by("pk")
    )
    ctx.progress.total(len(respondents))
    answered = 0
    for respondent in respondents:
        draw = rng.random()
        region = region_code.get(respondent.unit.stratum if respondent.unit else "", "")
        answers = _answers(rng, region, [f.code for f in fields], province_of)
        if draw < RESPONSE_SHARE:
            staff = agent is not None and rng.random() < PHONE_SHARE
            submission_save(
                survey=survey,
                version=version,
                instance_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                answers=answers,
                final=True,
                channel=Channel.STAFF if staff else Channel.LINK,
                respondent=respondent,
                entered_by=agent if staff else None,
            )
            answered += 1
        elif draw < RESPONSE_SHARE + DRAFT_SHARE:
            partial = {k: answers[k] for k in ("region", "province", "field")}
            submission_save(
                survey=survey,
                version=version,
                instance_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                answers=partial,
                final=False,
                channel=Channel.LINK,
                respondent=respondent,
            )
        ctx.progress.advance(1)
    ctx.counts["survey_respondents"] = len(respondents)
    ctx.counts["survey_answers"] = answered


PARENTS = [
    Question(
        "note",
        "intro",
        "Votre avis sur l'école de votre enfant, en deux minutes.",
        "رأيكم في مدرسة طفلكم، في دقيقتين.",
    ),
    Question(
        "select_one",
        "cycle",
        "Cycle de votre enfant",
        "سلك طفلكم",
        required=True,
        choices=[
            Choice("primaire", "Primaire", "الابتدائي"),
            Choice("college", "Collège", "الإعدادي"),
            Choice("lycee", "Lycée", "الثانوي"),
        ],
    ),
    Question(
        "select_one",
        "satisfied",
        "Êtes-vous satisfait de l'école ?",
        "هل أنتم راضون عن المدرسة؟",
        required=True,
        choices=[
            Choice("yes", "Oui", "نعم"),
            Choice("partly", "En partie", "نسبيا"),
            Choice("no", "Non", "لا"),
        ],
    ),
    Question(
        "text",
        "why",
        "Que faudrait-il améliorer ?",
        "ما الذي ينبغي تحسينه؟",
        relevant="${satisfied} != 'yes'",
    ),
    Question(
        "select_multiple",
        "contact",
        "Comment l'école vous informe-t-elle ?",
        "كيف تخبركم المدرسة؟",
        choices=[
            Choice("notebook", "Carnet de liaison", "دفتر المراسلة"),
            Choice("phone", "Téléphone", "الهاتف"),
            Choice("portal", "Portail des parents", "بوابة الآباء"),
            Choice("meeting", "Réunions", "الاجتماعات"),
        ],
    ),
]


def _parents_survey(ctx: Context, manager: User) -> None:
    rng = ctx.rng("surveys", "parents")
    survey = survey_create(
        actor=manager,
        org_unit=_country(),
        title_fr="Satisfaction des parents d'élèves",
        title_ar="رضا آباء وأمهات التلاميذ",
        access=SurveyAccess.PUBLIC,
    )
    data = xlsform_from_questions(
        PARENTS, form_id="satisfaction_parents", title="Satisfaction des parents", version="1"
    )
    version = survey_form_load(
        actor=manager, survey=survey, data=data, name="satisfaction-parents.xlsx"
    )
    survey_status_set(actor=manager, survey=survey, status="open")
    for _ in range(PARENTS_ANSWERS):
        satisfied = rng.choices(["yes", "partly", "no"], weights=[5, 3, 2])[0]
        answers = {
            "cycle": rng.choices(["primaire", "college", "lycee"], weights=[5, 3, 2])[0],
            "satisfied": satisfied,
            "why": ""
            if satisfied == "yes"
            else rng.choice(["Les classes sont chargées.", "النقل المدرسي", "Plus de réunions."]),
            "contact": " ".join(
                rng.sample(["notebook", "phone", "portal", "meeting"], rng.randint(1, 2))
            ),
        }
        submission_save(
            survey=survey,
            version=version,
            instance_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            answers=answers,
            final=True,
            channel=Channel.PUBLIC,
        )
    ctx.counts["survey_public_answers"] = PARENTS_ANSWERS


def create_surveys(ctx: Context) -> None:
    manager = User.objects.filter(username=MANAGER).first()
    if manager is None or not OrgUnit.objects.filter(code="MA").exists():
        return
    agent = User.objects.filter(username=AGENT).first()
    _associations_survey(ctx, manager, agent)
    _parents_survey(ctx, manager)
    ctx.counts["surveys"] = Survey.objects.count()
