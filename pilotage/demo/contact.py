"""Demo data of the contact centre, first step: the fields of action of associations, the
standard calendar, the queues, the category tree and the agents' places in the queues.
The parts of the app add their own steps after this one (calendars and SLA policies,
knowledge base, associations, a year of tickets…), each in its own ``contact_<part>.py``
module, finding what this step made by code."""

from __future__ import annotations

from pilotage.accounts.models import User
from pilotage.contact.models import (
    ActionField,
    AssignmentMode,
    BusinessCalendar,
    Category,
    Queue,
    QueueMember,
)
from pilotage.demo.context import Context

# code, French, Arabic, English
ACTION_FIELDS = [
    ("youth", "Jeunesse", "الشباب", "Youth"),
    ("women", "Femmes et égalité", "المرأة والمساواة", "Women and equality"),
    ("childhood", "Enfance", "الطفولة", "Childhood"),
    ("environment", "Environnement", "البيئة", "Environment"),
    ("education", "Éducation et alphabétisation", "التربية ومحو الأمية", "Education and literacy"),
    ("disability", "Handicap", "الإعاقة", "Disability"),
    ("human_rights", "Droits humains", "حقوق الإنسان", "Human rights"),
    ("health", "Santé", "الصحة", "Health"),
    ("culture", "Culture et patrimoine", "الثقافة والتراث", "Culture and heritage"),
    ("sport", "Sport", "الرياضة", "Sport"),
    ("local_development", "Développement local", "التنمية المحلية", "Local development"),
    ("solidarity", "Solidarité et action sociale", "التضامن والعمل الاجتماعي", "Social action"),
]

# code, French, Arabic, English, mailbox, assignment
QUEUES = [
    (
        "info",
        "Information et orientation",
        "الإعلام والتوجيه",
        "Information and guidance",
        "info@contact.pilotage.example",
        AssignmentMode.ROUND_ROBIN,
    ),
    (
        "procedures",
        "Procédures et documents",
        "المساطر والوثائق",
        "Procedures and documents",
        "procedures@contact.pilotage.example",
        AssignmentMode.LEAST_LOADED,
    ),
    (
        "funding",
        "Financement et partenariats",
        "التمويل والشراكات",
        "Funding and partnerships",
        "financement@contact.pilotage.example",
        AssignmentMode.LEAST_LOADED,
    ),
    (
        "complaints",
        "Réclamations",
        "الشكايات",
        "Complaints",
        "reclamations@contact.pilotage.example",
        AssignmentMode.MANUAL,
    ),
]

# code, parent, French, Arabic, English, queue
CATEGORIES = [
    ("associations", None, "Vie associative", "الحياة الجمعوية", "Associations", "info"),
    (
        "constitution",
        "associations",
        "Constitution et renouvellement des instances",
        "التأسيس وتجديد الأجهزة",
        "Founding and renewal of boards",
        "procedures",
    ),
    (
        "receipt",
        "associations",
        "Récépissé de dépôt",
        "وصل الإيداع",
        "Filing receipt",
        "procedures",
    ),
    (
        "public_utility",
        "associations",
        "Reconnaissance d'utilité publique",
        "الاعتراف بصفة المنفعة العامة",
        "Public-utility status",
        "procedures",
    ),
    ("funding", None, "Financement", "التمويل", "Funding", "funding"),
    (
        "calls",
        "funding",
        "Appels à projets",
        "طلبات العروض للمشاريع",
        "Calls for proposals",
        "funding",
    ),
    (
        "partnership",
        "funding",
        "Conventions de partenariat",
        "اتفاقيات الشراكة",
        "Partnership agreements",
        "funding",
    ),
    ("schools", None, "Écoles et scolarité", "المدارس والتمدرس", "Schools", "info"),
    (
        "school_access",
        "schools",
        "Accès des associations aux écoles",
        "ولوج الجمعيات إلى المؤسسات التعليمية",
        "Access of associations to schools",
        "info",
    ),
    (
        "nonformal",
        "schools",
        "Éducation non formelle",
        "التربية غير النظامية",
        "Non-formal education",
        "info",
    ),
    ("service", None, "Qualité du service", "جودة الخدمة", "Quality of service", "complaints"),
    ("delay", "service", "Délais de traitement", "آجال المعالجة", "Processing time", "complaints"),
    (
        "reception",
        "service",
        "Accueil et comportement",
        "الاستقبال والسلوك",
        "Reception and conduct",
        "complaints",
    ),
]

# Which demo accounts answer in which queues.
MEMBERS = {
    "agent.contact": ("info", "procedures", "funding", "complaints"),
    "agent.fes": ("info", "procedures", "complaints"),
    "superviseur.contact": ("complaints",),
}


def create_contact_base(ctx: Context) -> None:
    ctx.progress.total(len(ACTION_FIELDS) + len(QUEUES) + len(CATEGORIES))
    for order, (code, fr, ar, en) in enumerate(ACTION_FIELDS):
        ActionField.objects.create(code=code, name_fr=fr, name_ar=ar, name_en=en, order=order)
        ctx.progress.advance(1, code)
    calendar = BusinessCalendar.objects.create(
        code="administration", name="Administration publique (lundi–vendredi)"
    )
    queues = {}
    for order, (code, fr, ar, en, email, mode) in enumerate(QUEUES):
        queues[code] = Queue.objects.create(
            code=code,
            name_fr=fr,
            name_ar=ar,
            name_en=en,
            email=email,
            assignment=mode,
            calendar=calendar,
            order=order,
        )
        ctx.progress.advance(1, code)
    categories: dict[str, Category] = {}
    for order, (code, parent, fr, ar, en, queue) in enumerate(CATEGORIES):
        categories[code] = Category.objects.create(
            code=code,
            parent=categories[parent] if parent else None,
            name_fr=fr,
            name_ar=ar,
            name_en=en,
            queue=queues[queue],
            order=order,
        )
        ctx.progress.advance(1, code)
    users = {u.username: u for u in User.objects.filter(username__in=MEMBERS)}
    QueueMember.objects.bulk_create(
        QueueMember(queue=queues[code], user=users[name])
        for name, codes in MEMBERS.items()
        if name in users
        for code in codes
    )
