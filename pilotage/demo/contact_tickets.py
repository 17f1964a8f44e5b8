# ruff: noqa: E501 - the demo's requests and answers are prose
"""Demo data of the contact centre: a year of tickets, each played through the ticket
services at its own time.

Every ticket is first *planned* (when it arrived, by which channel, from whom, about what,
how it will be handled: answered at once, after a holding reply, after asking the
requester for a document, after another service's answer), then *played* in the order of
arrival: ``ticket_create(at=…)`` records it at its historical time (its reference is that
year's next number and ``services/sla.py`` computes its three due dates on the queue's
calendar), and each later event of its story — assignment, internal notes, public
replies, the requester's answers (which restart the stopped clock), resolution, closure,
a reopening, an appeal, a referral to the Médiateur — is a service call at its own time.
A story stops at the first event that would fall after now: what is left open on the SLA
board is what a real centre would have open today, some at 75 % of their time, some past
it. The times of the agents' actions are drawn in business time (``businesstime.Clock``),
most within the deadline and some beyond it.

A few stories are fixed rather than drawn (``BOARD``): so that whatever day the demo is
seeded, the board shows new, waiting, reopened, at-warning and breached tickets, two
appeals and two referrals to the Médiateur are on file, and a few duplicates have been
merged.

What the services stamp with the time of the seed rather than the event's time is written
afterwards in bulk: the acknowledgement mail of a ticket received by e-mail, the sending of
the public replies, the answers to the satisfaction surveys (whose token only the
requester's mail held), the first-contact resolutions of the calls and visits answered on
the spot, and each ticket's last change. Nothing is mailed: the replies and surveys of a
past year went out in that year.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from pilotage.accounts.models import User
from pilotage.contact import businesstime as bt
from pilotage.contact.audit import SURVEY_ANSWER
from pilotage.contact.models import (
    ActionField,
    Association,
    Category,
    Channel,
    Language,
    MessageKind,
    Priority,
    Queue,
    Requester,
    SatisfactionSurvey,
    Status,
    Ticket,
    TicketMessage,
    TicketType,
)
from pilotage.contact.models.satisfaction import SURVEY_VALIDITY
from pilotage.contact.services.public import queue_for
from pilotage.contact.services.routing import ticket_assign
from pilotage.contact.services.satisfaction import mediator_referral_record, ticket_appeal
from pilotage.contact.services.sla import clock_for
from pilotage.contact.services.tickets import (
    ticket_create,
    ticket_merge,
    ticket_message_add,
    ticket_status_set,
)
from pilotage.core.audit import SEED, audit_record, audit_record_bulk
from pilotage.demo.contact_registry import place_of
from pilotage.demo.context import SCALES, Context, Scale
from pilotage.demo.names import Pair
from pilotage.demo.orgunits import COUNTRY_CODE, SCHOOL_DEPTH
from pilotage.orgunits.models import OrgUnit

TICKETS = 1500
# A scale smaller than seed_demo's smallest (the tests' few schools) gets this share.
TEST_SHARE = 0.1
YEAR = dt.timedelta(days=365)

AGENT, REGIONAL_AGENT, SUPERVISOR = "agent.contact", "agent.fes", "superviseur.contact"
# The region of the regional agent (demo/people.py posts agent.fes at MA-03).
REGIONAL_AGENT_REGION = "MA-03"

OFFICE_CHANNELS = (Channel.PHONE, Channel.WALK_IN, Channel.LETTER)
CHANNEL_WEIGHTS = {
    Channel.PHONE: 30,
    Channel.EMAIL: 25,
    Channel.WEB: 22,
    Channel.WALK_IN: 13,
    Channel.LETTER: 10,
}
TYPE_WEIGHTS = {
    TicketType.INFORMATION: 30,
    TicketType.PROCEDURE: 20,
    TicketType.GUIDANCE: 12,
    TicketType.COMPLAINT: 22,
    TicketType.OBSERVATION: 8,
    TicketType.SUGGESTION: 8,
}
PRIORITY_WEIGHTS = {Priority.LOW: 8, Priority.NORMAL: 72, Priority.HIGH: 15, Priority.URGENT: 5}
# More requests at the start of the school year (boards renewed, clubs in schools) and in
# spring (the calls for proposals), fewer in the summer.
MONTH_WEIGHTS = {
    1: 0.9,
    2: 1.0,
    3: 1.15,
    4: 1.1,
    5: 1.0,
    6: 0.9,
    7: 0.6,
    8: 0.45,
    9: 1.3,
    10: 1.35,
    11: 1.1,
    12: 0.9,
}
# Mails and web forms arrive at any hour, mostly in the day; calls, visits and letters in
# the centre's opening hours (drawn in business time).
HOUR_WEIGHTS = [0.05] * 7 + [0.3] + [1.0] * 5 + [0.7] + [1.0] * 4 + [0.6] * 4 + [0.3] * 2
WORKDAY_MINUTES = 8 * 60


@dataclass(frozen=True)
class Topic:
    """What a request is about, in both languages; ``{place}``, ``{field}`` and
    ``{year}`` are filled from the requester."""

    category: str
    types: tuple[str, ...]
    who: str  # "association", "citizen" or "any"
    subject: Pair
    body: Pair
    answer: Pair


INFO, PROC, GUIDE, COMPL, OBS, SUGG = (
    TicketType.INFORMATION,
    TicketType.PROCEDURE,
    TicketType.GUIDANCE,
    TicketType.COMPLAINT,
    TicketType.OBSERVATION,
    TicketType.SUGGESTION,
)

TOPICS = [
    Topic(
        "constitution",
        (PROC, INFO),
        "any",
        ("Constitution d'une association : pièces à fournir", "تأسيس جمعية: الوثائق المطلوبة"),
        (
            "Bonjour, nous sommes un groupe d'habitants de {place} et nous voulons créer une association. Quels documents faut-il préparer et où faut-il les déposer ?",
            "السلام عليكم، نحن مجموعة من سكان {place} ونرغب في تأسيس جمعية. ما هي الوثائق التي يجب إعدادها وأين نودعها؟",
        ),
        (
            "La déclaration se dépose auprès de l'autorité administrative locale du siège (pachalik, caïdat ou annexe administrative) : statuts, procès-verbal de l'assemblée générale constitutive, liste des membres du bureau avec la copie de leur CIN. Un récépissé provisoire vous est remis le jour du dépôt, le récépissé définitif dans les soixante jours. La liste complète figure dans notre base de connaissances (« Fonder une association »).",
            "يودع التصريح لدى السلطة الإدارية المحلية لمقر الجمعية (الباشوية أو القيادة أو الملحقة الإدارية)، ويتضمن القانون الأساسي ومحضر الجمع العام التأسيسي ولائحة أعضاء المكتب مع نسخ من بطائقهم الوطنية. يسلم لكم وصل الإيداع المؤقت يوم الإيداع، والوصل النهائي داخل أجل ستين يوما. تجدون اللائحة الكاملة في قاعدة المعارف («تأسيس جمعية»).",
        ),
    ),
    Topic(
        "constitution",
        (PROC,),
        "association",
        ("Renouvellement du bureau après l'assemblée générale", "تجديد المكتب بعد الجمع العام"),
        (
            "Notre assemblée générale a élu un nouveau bureau le mois dernier. Dans quel délai devons-nous déclarer le changement, et faut-il déposer de nouveau les statuts ?",
            "انتخب الجمع العام لجمعيتنا مكتبا جديدا الشهر الماضي. ما هو أجل التصريح بهذا التغيير، وهل يجب إيداع القانون الأساسي من جديد؟",
        ),
        (
            "Le changement de bureau se déclare dans le mois qui suit l'assemblée générale, dans les mêmes formes que la déclaration initiale : procès-verbal de l'assemblée, liste des nouveaux membres et copies de leurs CIN. Les statuts ne sont à joindre que s'ils ont été modifiés. Un nouveau récépissé vous sera remis.",
            "يصرح بتغيير المكتب داخل أجل شهر من انعقاد الجمع العام وبنفس كيفية التصريح الأول: محضر الجمع العام ولائحة الأعضاء الجدد ونسخ من بطائقهم الوطنية. ولا يرفق القانون الأساسي إلا إذا تم تعديله. وسيسلم لكم وصل جديد.",
        ),
    ),
    Topic(
        "receipt",
        (COMPL, INFO),
        "association",
        ("Récépissé définitif toujours pas délivré", "عدم تسليم الوصل النهائي"),
        (
            "Nous avons déposé notre dossier à {place} il y a plus de trois mois. Nous n'avons reçu que le récépissé provisoire et l'autorité locale ne nous donne aucune date. Que pouvons-nous faire ?",
            "أودعنا ملف جمعيتنا ب{place} منذ أكثر من ثلاثة أشهر، ولم نتسلم سوى وصل الإيداع المؤقت، ولا تحدد لنا السلطة المحلية أي تاريخ. ماذا يمكننا أن نفعل؟",
        ),
        (
            "Passé le délai de soixante jours, votre association peut exercer ses activités conformément à ses statuts (article 5 du dahir n° 1-58-376). Conservez le récépissé provisoire, qui prouve la date du dépôt. Nous avons signalé votre dossier à l'autorité locale et à la direction provinciale.",
            "بعد انصرام أجل ستين يوما، يحق لجمعيتكم ممارسة أنشطتها وفق قانونها الأساسي (الفصل الخامس من الظهير رقم 1.58.376). احتفظوا بوصل الإيداع المؤقت فهو يثبت تاريخ الإيداع. وقد أشعرنا السلطة المحلية والمديرية الإقليمية بملفكم.",
        ),
    ),
    Topic(
        "receipt",
        (PROC,),
        "association",
        ("Perte du récépissé de dépôt", "ضياع وصل الإيداع"),
        (
            "Le récépissé de notre association a été perdu lors du déménagement du siège. Comment en obtenir une copie ?",
            "ضاع وصل إيداع جمعيتنا أثناء نقل المقر. كيف يمكن الحصول على نسخة منه؟",
        ),
        (
            "Une copie certifiée du récépissé se demande à l'autorité locale qui l'a délivré, par une demande écrite du président accompagnée de la copie de sa CIN et, si possible, du numéro du récépissé. Pensez aussi à déclarer le changement d'adresse du siège.",
            "تطلب نسخة مصادق عليها من الوصل لدى السلطة المحلية التي سلمته، بطلب كتابي من الرئيس مرفق بنسخة من بطاقته الوطنية ورقم الوصل إن أمكن. ولا تنسوا التصريح بتغيير عنوان المقر.",
        ),
    ),
    Topic(
        "public_utility",
        (INFO, PROC),
        "association",
        ("Reconnaissance d'utilité publique : conditions", "الاعتراف بصفة المنفعة العامة: الشروط"),
        (
            "Notre association agit depuis douze ans dans le domaine « {field} ». Quelles sont les conditions pour être reconnue d'utilité publique et combien de temps dure la procédure ?",
            "تعمل جمعيتنا منذ اثنتي عشرة سنة في مجال «{field}». ما هي شروط الاعتراف بصفة المنفعة العامة وكم تستغرق المسطرة؟",
        ),
        (
            "La demande est adressée au secrétariat général du gouvernement par l'intermédiaire de l'autorité locale. Elle suppose notamment des comptes tenus régulièrement, les rapports moral et financier des dernières années et une activité d'intérêt général. Nous vous envoyons la liste des pièces ; l'instruction prend généralement plusieurs mois.",
            "يوجه الطلب إلى الأمانة العامة للحكومة عن طريق السلطة المحلية، ويشترط على الخصوص مسك محاسبة منتظمة وتقديم التقارير الأدبية والمالية للسنوات الأخيرة وممارسة نشاط ذي منفعة عامة. نرسل لكم لائحة الوثائق، وتستغرق دراسة الملف عادة عدة أشهر.",
        ),
    ),
    Topic(
        "calls",
        (INFO,),
        "association",
        ("Appel à projets {year} : date limite", "طلب المشاريع {year}: آخر أجل"),
        (
            "Bonjour, quelle est la date limite de dépôt pour l'appel à projets {year} dans le domaine « {field} » ? Le dossier se dépose-t-il à la direction provinciale ou en ligne ?",
            "السلام عليكم، ما هو آخر أجل لإيداع الملفات في طلب المشاريع لسنة {year} في مجال «{field}»؟ وهل يودع الملف لدى المديرية الإقليمية أم عبر الإنترنت؟",
        ),
        (
            "Le dossier se dépose à la direction provinciale avant la date de clôture indiquée dans l'avis d'appel, publié dans notre base de connaissances. Votre association doit disposer d'un récépissé définitif et avoir présenté ses rapports de l'année précédente.",
            "يودع الملف لدى المديرية الإقليمية قبل تاريخ الإغلاق المحدد في إعلان طلب المشاريع المنشور في قاعدة المعارف. ويشترط توفر الجمعية على الوصل النهائي وتقديم تقاريرها عن السنة الماضية.",
        ),
    ),
    Topic(
        "calls",
        (PROC, GUIDE),
        "association",
        ("Dossier de demande de subvention", "ملف طلب الدعم"),
        (
            "Nous préparons une demande de subvention pour un projet ({field}) à {place}. Faut-il joindre un budget détaillé et des devis ? Pouvez-vous nous orienter ?",
            "نعد طلب دعم لمشروع في مجال {field} ب{place}. هل يجب إرفاق ميزانية مفصلة وعروض أثمان؟ المرجو توجيهنا.",
        ),
        (
            "Oui : le dossier comprend la fiche du projet, un budget détaillé (avec les devis pour les achats importants), le récépissé, les derniers rapports moral et financier et le relevé d'identité bancaire de l'association. Le formulaire est téléchargeable depuis notre base de connaissances.",
            "نعم، يتضمن الملف بطاقة المشروع وميزانية مفصلة (مع عروض الأثمان بالنسبة للمشتريات المهمة) والوصل وآخر تقريرين أدبي ومالي وشهادة التعريف البنكية للجمعية. ويمكن تحميل المطبوع من قاعدة المعارف.",
        ),
    ),
    Topic(
        "calls",
        (COMPL,),
        "association",
        ("Résultats de l'appel à projets non communiqués", "عدم الإعلان عن نتائج طلب المشاريع"),
        (
            "Nous avons déposé notre projet dans les délais il y a quatre mois. Aucun résultat ne nous a été communiqué et la direction provinciale ne répond pas à nos appels.",
            "أودعنا مشروعنا داخل الآجال منذ أربعة أشهر، ولم نتوصل بأي نتيجة، ولا تجيب المديرية الإقليمية على اتصالاتنا.",
        ),
        (
            "La commission de sélection a terminé ses travaux et la direction provinciale a adressé les résultats aux associations. Votre projet figure sur la liste complémentaire : vous serez contactés si un financement se libère.",
            "أنهت لجنة الانتقاء أشغالها وأرسلت المديرية الإقليمية النتائج إلى الجمعيات. ويوجد مشروعكم في اللائحة التكميلية، وسيتم الاتصال بكم إذا توفر تمويل.",
        ),
    ),
    Topic(
        "partnership",
        (PROC, GUIDE),
        "association",
        ("Convention de partenariat avec une école", "اتفاقية شراكة مع مؤسسة تعليمية"),
        (
            "Nous souhaitons organiser du soutien scolaire gratuit dans une école de {place}. Comment conclure une convention avec l'établissement ?",
            "نرغب في تنظيم دروس الدعم المجانية في مدرسة ب{place}. كيف نبرم اتفاقية مع المؤسسة؟",
        ),
        (
            "Présentez votre projet au directeur de l'établissement et à la direction provinciale : objectifs, public, horaires, encadrants et assurance des participants. La convention est signée par le directeur provincial après avis du conseil de gestion. Un modèle de convention est disponible dans notre base de connaissances.",
            "قدموا مشروعكم إلى مدير المؤسسة وإلى المديرية الإقليمية: الأهداف والفئة المستهدفة والتوقيت والمؤطرين وتأمين المشاركين. ويوقع المدير الإقليمي الاتفاقية بعد رأي مجلس التدبير. ويوجد نموذج للاتفاقية في قاعدة المعارف.",
        ),
    ),
    Topic(
        "partnership",
        (COMPL,),
        "association",
        ("Deuxième tranche de la subvention non versée", "عدم صرف الشطر الثاني من الدعم"),
        (
            "Notre convention prévoyait le versement de la deuxième tranche après le rapport d'étape, que nous avons remis il y a deux mois. Rien n'a été versé et nos activités sont à l'arrêt.",
            "تنص اتفاقيتنا على صرف الشطر الثاني بعد تقديم التقرير المرحلي الذي سلمناه منذ شهرين، ولم يصرف أي مبلغ وتوقفت أنشطتنا.",
        ),
        (
            "Le service financier a validé votre rapport d'étape et l'ordre de virement de la deuxième tranche a été émis. Les fonds devraient parvenir sur le compte de l'association dans les prochains jours.",
            "صادقت المصلحة المالية على تقريركم المرحلي وصدر أمر تحويل الشطر الثاني، وستصل الأموال إلى حساب الجمعية خلال الأيام المقبلة.",
        ),
    ),
    Topic(
        "school_access",
        (GUIDE, COMPL),
        "association",
        ("Accès refusé à l'établissement pour notre club", "رفض ولوج نادينا إلى المؤسسة"),
        (
            "Le directeur de l'établissement refuse désormais l'accès à notre club ({field}), alors que notre convention court jusqu'à la fin de l'année scolaire.",
            "أصبح مدير المؤسسة يرفض ولوج نادينا في مجال {field}، رغم أن اتفاقيتنا سارية إلى نهاية السنة الدراسية.",
        ),
        (
            "La direction provinciale a rappelé à l'établissement les termes de la convention. Le club peut reprendre ses séances ; merci de vous présenter au directeur avec une copie de la convention signée.",
            "ذكرت المديرية الإقليمية المؤسسة بمقتضيات الاتفاقية، ويمكن للنادي استئناف حصصه. المرجو الحضور لدى المدير مع نسخة من الاتفاقية الموقعة.",
        ),
    ),
    Topic(
        "nonformal",
        (INFO, GUIDE),
        "citizen",
        ("École de la deuxième chance : inscription d'un jeune", "مدرسة الفرصة الثانية: تسجيل شاب"),
        (
            "Mon fils a quitté l'école à quatorze ans. Existe-t-il un programme d'éducation non formelle près de {place} et comment l'inscrire ?",
            "انقطع ابني عن الدراسة في سن الرابعة عشرة. هل يوجد برنامج للتربية غير النظامية قرب {place} وكيف يمكن تسجيله؟",
        ),
        (
            "Les programmes de l'école de la deuxième chance accueillent les jeunes de 12 à 18 ans sortis du système scolaire. L'inscription se fait auprès du service de l'éducation non formelle de la direction provinciale, à qui nous avons transmis vos coordonnées pour qu'il vous indique le centre le plus proche.",
            "تستقبل برامج مدرسة الفرصة الثانية الشباب من 12 إلى 18 سنة المنقطعين عن الدراسة. ويتم التسجيل لدى مصلحة التربية غير النظامية بالمديرية الإقليمية، وقد أحلنا عليها معلوماتكم لتدلكم على أقرب مركز.",
        ),
    ),
    Topic(
        "nonformal",
        (PROC,),
        "association",
        ("Ouvrir une classe d'alphabétisation", "فتح قسم لمحو الأمية"),
        (
            "Notre association veut ouvrir une classe d'alphabétisation pour les femmes à {place}. Quelles sont les démarches et existe-t-il un appui du ministère ?",
            "ترغب جمعيتنا في فتح قسم لمحو الأمية لفائدة النساء ب{place}. ما هي الإجراءات وهل يوجد دعم من الوزارة؟",
        ),
        (
            "Les associations partenaires des programmes d'alphabétisation signent une convention annuelle avec la direction provinciale, qui fournit les manuels et une contribution par bénéficiaire. Déposez votre demande avant le début de la campagne, avec la liste prévisionnelle des bénéficiaires.",
            "توقع الجمعيات الشريكة في برامج محو الأمية اتفاقية سنوية مع المديرية الإقليمية التي توفر الكتب ومساهمة عن كل مستفيد. أودعوا طلبكم قبل انطلاق الحملة مرفقا باللائحة التقديرية للمستفيدين.",
        ),
    ),
    Topic(
        "delay",
        (COMPL,),
        "any",
        ("Aucune réponse à notre courrier", "عدم الرد على مراسلتنا"),
        (
            "Nous avons adressé un courrier à la direction provinciale de {place} il y a deux mois et n'avons reçu aucune réponse, malgré deux relances.",
            "وجهنا مراسلة إلى المديرية الإقليمية ب{place} منذ شهرين ولم نتوصل بأي رد رغم تذكيرين.",
        ),
        (
            "Votre courrier avait été enregistré mais n'avait été attribué à aucun service. Il est désormais traité par le service des affaires générales, qui vous répondra directement ; nous vous prions d'excuser ce retard.",
            "سجلت مراسلتكم لكنها لم تحل على أي مصلحة، وهي الآن قيد المعالجة لدى مصلحة الشؤون العامة التي ستجيبكم مباشرة. نعتذر عن هذا التأخير.",
        ),
    ),
    Topic(
        "reception",
        (COMPL,),
        "any",
        ("Mauvais accueil au guichet", "سوء الاستقبال في الشباك"),
        (
            "J'ai été reçu de façon désagréable au guichet de la direction provinciale de {place} ; on m'a refusé un formulaire sans explication.",
            "استقبلت بطريقة غير لائقة في شباك المديرية الإقليمية ب{place}، ورفض تسليمي مطبوعا دون أي توضيح.",
        ),
        (
            "Nous regrettons l'accueil que vous avez reçu. Le responsable de la direction provinciale a été informé et a rappelé à son équipe les règles d'accueil. Le formulaire est disponible au guichet et dans notre base de connaissances.",
            "نأسف للاستقبال الذي لقيتموه. وقد أخبرنا مسؤول المديرية الإقليمية الذي ذكر فريقه بقواعد الاستقبال. والمطبوع متوفر في الشباك وفي قاعدة المعارف.",
        ),
    ),
    Topic(
        "reception",
        (INFO,),
        "any",
        ("Demande d'accès à l'information (loi 31-13)", "طلب الحصول على المعلومات (القانون 31.13)"),
        (
            "En application de la loi n° 31-13, je demande la liste des associations ayant bénéficié d'une subvention de la direction provinciale de {place} l'an dernier, avec les montants.",
            "طبقا للقانون رقم 31.13، أطلب لائحة الجمعيات التي استفادت من دعم المديرية الإقليمية ب{place} خلال السنة الماضية مع المبالغ.",
        ),
        (
            "La direction provinciale vous adresse la liste demandée (associations bénéficiaires, projets et montants accordés). Ces informations sont aussi publiées chaque année sur le portail du ministère.",
            "ترسل إليكم المديرية الإقليمية اللائحة المطلوبة (الجمعيات المستفيدة والمشاريع والمبالغ الممنوحة). وتنشر هذه المعلومات كل سنة في بوابة الوزارة.",
        ),
    ),
    Topic(
        "associations",
        (INFO,),
        "association",
        ("Rapports annuels : à qui les adresser ?", "التقارير السنوية: لمن توجه؟"),
        (
            "Notre association a reçu une subvention l'an dernier. À quel service devons-nous adresser les rapports moral et financier, et avant quelle date ?",
            "استفادت جمعيتنا من دعم السنة الماضية. إلى أي مصلحة يجب توجيه التقريرين الأدبي والمالي وقبل أي تاريخ؟",
        ),
        (
            "Les rapports sont adressés au service qui a accordé la subvention, ici la direction provinciale, dans les trois mois qui suivent la clôture de l'exercice, avec les pièces justificatives des dépenses.",
            "توجه التقارير إلى المصلحة المانحة، أي المديرية الإقليمية، داخل أجل ثلاثة أشهر من اختتام السنة المالية، مرفقة بالوثائق المثبتة للمصاريف.",
        ),
    ),
    Topic(
        "associations",
        (GUIDE,),
        "any",
        ("À quel service s'adresser pour notre projet ?", "إلى أي مصلحة نتوجه بخصوص مشروعنا؟"),
        (
            "Nous portons un projet ({field}) avec des jeunes de {place} et ne savons pas s'il relève du ministère, de la commune ou de l'INDH. Pouvez-vous nous orienter ?",
            "لدينا مشروع في مجال {field} مع شباب {place} ولا نعرف هل يدخل في اختصاص الوزارة أم الجماعة أم المبادرة الوطنية للتنمية البشرية. المرجو توجيهنا.",
        ),
        (
            "Votre projet peut relever de plusieurs guichets : le ministère pour les activités liées aux écoles, la commune pour les équipements de proximité, l'INDH pour les projets générateurs de revenus. Commencez par la direction provinciale, dont le service des partenariats vous recevra.",
            "يمكن أن يندرج مشروعكم ضمن عدة جهات: الوزارة بالنسبة للأنشطة المرتبطة بالمدارس، والجماعة بالنسبة لتجهيزات القرب، والمبادرة الوطنية للتنمية البشرية بالنسبة للمشاريع المدرة للدخل. ننصحكم بالبدء بالمديرية الإقليمية حيث ستستقبلكم مصلحة الشراكات.",
        ),
    ),
    Topic(
        "funding",
        (GUIDE, INFO),
        "association",
        ("Financer une activité génératrice de revenus", "تمويل الأنشطة المدرة للدخل"),
        (
            "Nous accompagnons des femmes de {place} dans une activité de couture. Quels financements publics pouvons-nous solliciter ?",
            "نواكب نساء {place} في نشاط للخياطة. ما هي أنواع التمويل العمومي التي يمكننا طلبها؟",
        ),
        (
            "Les activités génératrices de revenus relèvent surtout de l'INDH et de l'Agence de développement social ; le ministère finance les actions d'alphabétisation qui peuvent les accompagner. Nous vous envoyons les coordonnées des services provinciaux concernés.",
            "تندرج الأنشطة المدرة للدخل أساسا ضمن المبادرة الوطنية للتنمية البشرية ووكالة التنمية الاجتماعية، بينما تمول الوزارة أنشطة محو الأمية المصاحبة لها. نرسل لكم عناوين المصالح الإقليمية المعنية.",
        ),
    ),
    Topic(
        "schools",
        (INFO, COMPL),
        "citizen",
        ("Inscription refusée en cours d'année", "رفض التسجيل خلال السنة الدراسية"),
        (
            "Nous avons déménagé à {place} en novembre et l'école du quartier refuse d'inscrire ma fille sans certificat de départ de l'ancienne école.",
            "انتقلنا للسكن ب{place} في شهر نونبر، وترفض مدرسة الحي تسجيل ابنتي دون شهادة المغادرة من المدرسة السابقة.",
        ),
        (
            "La nouvelle école peut demander le certificat de départ directement à l'ancienne par le système Massar ; l'inscription ne peut pas être refusée dans l'attente. La direction provinciale a contacté l'établissement.",
            "يمكن للمدرسة الجديدة أن تطلب شهادة المغادرة مباشرة من المدرسة السابقة عبر منظومة مسار، ولا يجوز رفض التسجيل في انتظارها. وقد اتصلت المديرية الإقليمية بالمؤسسة.",
        ),
    ),
    Topic(
        "schools",
        (OBS,),
        "any",
        ("État des locaux prêtés aux associations", "حالة القاعات المعارة للجمعيات"),
        (
            "La salle que l'école de {place} prête aux associations le samedi n'a plus d'éclairage et les fenêtres sont cassées.",
            "القاعة التي تعيرها مدرسة {place} للجمعيات يوم السبت أصبحت بدون إنارة ونوافذها مكسورة.",
        ),
        (
            "Merci pour votre observation, transmise au service de l'équipement de la direction provinciale, qui a programmé la réparation.",
            "شكرا على ملاحظتكم التي أحلناها على مصلحة التجهيز بالمديرية الإقليمية، وقد برمجت الإصلاح.",
        ),
    ),
    Topic(
        "service",
        (OBS,),
        "any",
        ("Horaires d'accueil affichés erronés", "خطأ في أوقات الاستقبال المعلقة"),
        (
            "Les horaires affichés à l'entrée de la direction provinciale de {place} ne correspondent pas à ceux du site ; plusieurs personnes se sont trouvées devant une porte fermée.",
            "أوقات الاستقبال المعلقة في مدخل المديرية الإقليمية ب{place} لا تطابق المنشورة في الموقع، وقد وجد عدة أشخاص الباب مغلقا.",
        ),
        (
            "Merci pour votre observation. Les horaires ont été corrigés sur le site et à l'entrée : du lundi au vendredi de 8 h 30 à 16 h 30, de 9 h à 15 h pendant le mois de Ramadan.",
            "شكرا على ملاحظتكم. تم تصحيح الأوقات في الموقع وفي المدخل: من الاثنين إلى الجمعة من الثامنة والنصف صباحا إلى الرابعة والنصف مساء، ومن التاسعة إلى الثالثة خلال شهر رمضان.",
        ),
    ),
    Topic(
        "service",
        (OBS,),
        "citizen",
        ("Formulaire de contact difficile à trouver", "صعوبة العثور على استمارة التواصل"),
        (
            "Sur le site du ministère, il faut plusieurs clics pour trouver le formulaire de contact, et il ne s'affiche pas en arabe sur téléphone.",
            "في موقع الوزارة يتطلب الوصول إلى استمارة التواصل عدة نقرات، ولا تظهر بالعربية على الهاتف.",
        ),
        (
            "Merci pour cette observation, transmise à l'équipe du site, qui a ajouté un lien direct sur la page d'accueil.",
            "شكرا على هذه الملاحظة التي أحلناها على فريق الموقع، وقد أضاف رابطا مباشرا في الصفحة الرئيسية.",
        ),
    ),
    Topic(
        "service",
        (SUGG,),
        "any",
        ("Suggestion : déposer les dossiers en ligne", "اقتراح: إيداع الملفات عبر الإنترنت"),
        (
            "Il serait utile de pouvoir déposer les dossiers de subvention et les rapports en ligne, sans se déplacer à la direction provinciale, surtout pour les associations rurales.",
            "سيكون من المفيد إمكانية إيداع ملفات الدعم والتقارير عبر الإنترنت دون التنقل إلى المديرية الإقليمية، خاصة بالنسبة للجمعيات القروية.",
        ),
        (
            "Merci pour votre suggestion, transmise au service chargé de la dématérialisation des procédures. Elle sera étudiée avec les autres propositions reçues cette année.",
            "شكرا على اقتراحكم الذي أحلناه على المصلحة المكلفة برقمنة المساطر، وسيدرس مع باقي الاقتراحات الواردة هذه السنة.",
        ),
    ),
    Topic(
        "funding",
        (SUGG,),
        "association",
        (
            "Suggestion : publier les appels à projets plus tôt",
            "اقتراح: نشر طلبات المشاريع في وقت مبكر",
        ),
        (
            "Les appels à projets sont publiés trop près de la date limite pour les petites associations. Pourriez-vous les annoncer au moins deux mois à l'avance ?",
            "تنشر طلبات المشاريع في وقت قريب جدا من آخر أجل بالنسبة للجمعيات الصغيرة. هل يمكن الإعلان عنها قبل شهرين على الأقل؟",
        ),
        (
            "Merci pour votre suggestion, transmise au service des partenariats, qui prépare le calendrier des appels de l'an prochain.",
            "شكرا على اقتراحكم الذي أحلناه على مصلحة الشراكات التي تعد جدولة طلبات المشاريع للسنة المقبلة.",
        ),
    ),
]

HOLDING = (
    "Nous avons bien reçu votre demande (référence {reference}) et l'étudions avec le service concerné. Nous reviendrons vers vous dans les meilleurs délais.",
    "توصلنا بطلبكم (المرجع {reference}) ونقوم بدراسته مع المصلحة المعنية، وسنعود إليكم في أقرب الآجال.",
)
ASK = (
    "Merci pour votre message. Pour traiter votre demande, pourriez-vous nous faire parvenir {doc} ? Le délai de traitement est suspendu jusqu'à votre réponse.",
    "شكرا على رسالتكم. لمعالجة طلبكم، المرجو موافاتنا ب{doc}. ويتوقف أجل المعالجة إلى حين التوصل بجوابكم.",
)
DOCUMENTS: list[Pair] = [
    ("une copie du récépissé de dépôt de l'association", "نسخة من وصل إيداع الجمعية"),
    ("le procès-verbal de la dernière assemblée générale", "محضر آخر جمع عام"),
    ("une copie de la convention signée", "نسخة من الاتفاقية الموقعة"),
    ("le numéro de votre dossier à la direction provinciale", "رقم ملفكم لدى المديرية الإقليمية"),
    ("une copie de votre carte nationale d'identité", "نسخة من بطاقتكم الوطنية"),
]
REQUESTER_ANSWERS: list[Pair] = [
    (
        "Voici les éléments demandés. Merci de votre aide.",
        "هذه هي المعلومات المطلوبة. شكرا على مساعدتكم.",
    ),
    (
        "Je vous envoie le document demandé ; le dossier est au nom du président.",
        "أرسل لكم الوثيقة المطلوبة، والملف باسم الرئيس.",
    ),
    ("Nous avons déposé la copie à l'accueil ce matin.", "أودعنا النسخة في الاستقبال هذا الصباح."),
]
NO_ANSWER = (
    "Sans réponse de votre part, nous clôturons votre demande. Vous pouvez la rouvrir à tout moment en répondant à ce message.",
    "في غياب جوابكم، نغلق طلبكم. ويمكنكم إعادة فتحه في أي وقت بالرد على هذه الرسالة.",
)
SERVICES: list[Pair] = [
    ("la direction provinciale", "المديرية الإقليمية"),
    ("l'académie régionale", "الأكاديمية الجهوية"),
    ("la direction des affaires juridiques", "مديرية الشؤون القانونية"),
    ("la division des partenariats", "مصلحة الشراكات"),
]
FORWARD = (
    "Votre demande a été transmise à {service}, qui détient les éléments de réponse. Nous vous tiendrons informé dès son retour.",
    "أحيل طلبكم على {service} التي تتوفر على عناصر الجواب، وسنخبركم فور توصلنا بردها.",
)
FORWARD_NOTE = "Transmis à {service} par courriel ; relance prévue dans dix jours."
RETURN_NOTE = "Retour de {service} reçu : éléments de réponse versés au dossier."
NOTES = [
    "Vérifié dans le registre : association active, récépissé au dossier.",
    "Appel à la direction provinciale : dossier en cours de traitement.",
    "Demandeur rappelé, messagerie ; nouvel essai demain.",
    "Voir l'article de la base de connaissances sur ce sujet avant de répondre.",
    "Cas signalé au superviseur pour suivi.",
    "Dossier semblable traité le mois dernier : même réponse.",
]
REOPEN: list[Pair] = [
    (
        "Votre réponse ne règle pas notre problème : la situation est toujours la même.",
        "جوابكم لا يحل مشكلتنا، فالوضع ما يزال على حاله.",
    ),
    (
        "Merci, mais il nous manque encore une information pour finaliser le dossier.",
        "شكرا، لكن تنقصنا معلومة أخرى لإتمام الملف.",
    ),
]
AGAIN = (
    "Suite à votre nouveau message, nous avons repris le dossier avec le service concerné. {answer}",
    "على إثر رسالتكم الجديدة، أعدنا دراسة الملف مع المصلحة المعنية. {answer}",
)
APPEAL = (
    "Je ne suis pas satisfait de la réponse : le problème n'est pas réglé.",
    "لست راضيا عن الجواب: المشكل لم يحل.",
)
APPEAL_ANSWER = (
    "Nous avons réexaminé votre dossier à la suite de votre recours. Le service concerné a confirmé la solution et s'est engagé sur un délai ; nous restons à votre disposition.",
    "أعدنا دراسة ملفكم على إثر تظلمكم، وأكدت المصلحة المعنية الحل والتزمت بأجل محدد، ونبقى رهن إشارتكم.",
)
GOOD_COMMENTS = [
    "Réponse claire et rapide, merci.",
    "شكرا على سرعة الرد.",
    "Agent très aimable au téléphone.",
]
BAD_COMMENTS = ["Réponse trop tardive.", "لم يحل مشكلي.", "On m'a renvoyé d'un service à l'autre."]
# rating → weight, for a ticket resolved within its deadline and for one resolved late.
RATINGS_IN_TIME = {5: 40, 4: 32, 3: 14, 2: 8, 1: 6}
RATINGS_LATE = {5: 10, 4: 20, 3: 25, 2: 25, 1: 20}

# Stories fixed rather than drawn, so the board and the follow-up pages have something to
# show whatever the day of the seed: kind → how many.
BOARD = {
    "new": 3,  # received in the last hours, nobody has touched them yet
    "unassigned": 2,  # complaints (manual queue) the supervisor has not assigned: breached
    "warning": 3,  # complaints past 75 % of their 60 days, not yet resolved
    "forgotten": 3,  # sent to another service which never answered: breached
    "waiting": 2,  # waiting on the requester's document
    "reopened": 2,  # the requester wrote back after the answer
    "appeal": 2,  # not satisfied with the answer: reopened by the survey, answered again
    "mediator": 2,  # complaints the requester took to the Médiateur du Royaume
    "duplicate": 3,  # the same request by mail and on the web form, merged
}


@dataclass
class Plan:
    index: int
    at: dt.datetime
    channel: str
    type: str
    topic: Topic
    priority: str
    unit: OrgUnit
    requester: Requester | None
    association: Association | None
    language: str
    confidential: bool
    kind: str = ""  # one of BOARD, or "" for a drawn story
    path: str = "direct"  # "direct", "holding", "ask" or "forward"
    response_share: float = 0.3
    resolution_share: float = 0.5
    on_the_spot: bool = False
    requester_answers: bool = True
    reopens: bool = False
    closes: bool = True


@dataclass
class _World:
    """What the stories draw from, read once."""

    now: dt.datetime
    agent: User
    regional_agent: User
    supervisor: User
    regional_path: str
    clocks: dict[int, bt.Clock]
    associations: list[Association]
    association_weights: list[float]
    contacts: dict[int, list[Requester]]
    citizens: list[Requester]
    provinces: list[OrgUnit]
    schools: dict[str, list[OrgUnit]]  # by the path of their commune
    fields: list[ActionField]
    categories: dict[str, Category]
    # Collected while playing, written in bulk at the end.
    on_the_spot: list[int] = field(default_factory=list)
    answers: list[tuple[SatisfactionSurvey, int, str, dt.datetime]] = field(default_factory=list)
    last_change: dict[int, dt.datetime] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def clock(self, queue_id: int) -> bt.Clock:
        return self.clocks[queue_id]

    def regional(self, unit: OrgUnit) -> bool:
        return unit.path.startswith(self.regional_path)


class _Later(Exception):
    """The next event of a story falls after now: the story stops there."""


def _text(pair: Pair, language: str, **values: Any) -> str:
    text = pair[1] if language in (Language.ARABIC, Language.AMAZIGH) else pair[0]
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _utc(at: dt.datetime) -> dt.datetime:
    """The services are given UTC times, as ``timezone.now()`` gives them: a calendar-clock
    deadline is ``at + delay`` (``businesstime.add_calendar``), which Python counts in wall
    time for a datetime in Casablanca's zone, an hour off across the change of offset at
    the start and the end of Ramadan."""
    return at.astimezone(dt.UTC)


def _weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


@contextmanager
def _nothing_mailed() -> Iterator[None]:
    """Drops the mails the services schedule for after the commit (the public replies and
    the satisfaction surveys): they belong to a past year and to invented addresses. The
    replies are marked as sent at their time afterwards, so the retry job leaves them be.
    Only the callbacks registered inside this block are dropped."""
    connection = transaction.get_connection()
    with transaction.atomic():
        before = len(connection.run_on_commit)
        try:
            yield
        finally:
            del connection.run_on_commit[before:]


# --- the world and the plans ---------------------------------------------------------


def _world(now: dt.datetime) -> _World:
    users = {
        u.username: u for u in User.objects.filter(username__in=(AGENT, REGIONAL_AGENT, SUPERVISOR))
    }
    country = OrgUnit.objects.get(code=COUNTRY_CODE, depth=1)
    region = OrgUnit.objects.filter(code=REGIONAL_AGENT_REGION, depth=2).first()
    associations = list(
        Association.objects.filter(is_active=True)
        .select_related("org_unit")
        .prefetch_related("fields")
        .order_by("pk")
    )
    contacts: dict[int, list[Requester]] = {}
    for person in Requester.objects.filter(association__isnull=False).order_by("pk"):
        contacts.setdefault(person.association_id or 0, []).append(person)
    associations = [a for a in associations if a.pk in contacts]
    # A few associations write often, most now and then.
    weights = [1 / (rank**0.7) for rank in range(1, len(associations) + 1)]
    schools: dict[str, list[OrgUnit]] = {}
    steplen = OrgUnit.steplen
    for school in OrgUnit.objects.filter(
        path__startswith=country.path, depth=SCHOOL_DEPTH
    ).order_by("path"):
        schools.setdefault(school.path[: (SCHOOL_DEPTH - 1) * steplen], []).append(school)
    return _World(
        now=now,
        agent=users[AGENT],
        regional_agent=users.get(REGIONAL_AGENT, users[AGENT]),
        supervisor=users[SUPERVISOR],
        regional_path=region.path if region is not None else "-",
        clocks={q.pk: clock_for(q.calendar) for q in Queue.objects.select_related("calendar")},
        associations=associations,
        association_weights=weights,
        contacts=contacts,
        citizens=list(
            Requester.objects.filter(association__isnull=True, org_unit__isnull=False)
            .select_related("org_unit")
            .order_by("pk")
        ),
        provinces=list(
            OrgUnit.objects.filter(path__startswith=country.path, depth=3).order_by("path")
        ),
        schools=schools,
        fields=list(ActionField.objects.order_by("order", "code")),
        categories={c.code: c for c in Category.objects.select_related("queue")},
    )


def _arrival(rng: random.Random, world: _World, office: bool) -> dt.datetime:
    """A time in the last year, more often in the busy months; in opening hours for the
    channels that need someone at the centre."""
    start = world.now - YEAR
    clock = next(iter(world.clocks.values()))
    total = clock.between(start, world.now)
    while True:
        if office:
            at = clock.add(start, rng.randrange(1, total))
        else:
            at = start + dt.timedelta(seconds=rng.randrange(int(YEAR.total_seconds())))
            local = timezone.localtime(at)
            weight = HOUR_WEIGHTS[local.hour] * (0.5 if local.weekday() >= 5 else 1.0)
            if rng.random() > weight:
                continue
        if (
            at < world.now - dt.timedelta(minutes=30)
            and rng.random() < MONTH_WEIGHTS[timezone.localtime(at).month] / 1.35
        ):
            return at


def _requester(
    rng: random.Random, world: _World, who: str, channel: str
) -> tuple[Requester | None, Association | None]:
    """An association's contact, a citizen, or nobody (anonymous: not by e-mail)."""
    needs_email = channel == Channel.EMAIL
    roll = rng.random()
    if who == "association" or (who == "any" and roll < 0.6):
        for _attempt in range(50):
            association = rng.choices(world.associations, world.association_weights)[0]
            people = [p for p in world.contacts[association.pk] if p.email or not needs_email]
            if people:
                return rng.choice(people), association
    if not needs_email and rng.random() < 0.1:
        return None, None
    people = [p for p in world.citizens if p.email or not needs_email]
    return rng.choice(people), None


def _unit(
    rng: random.Random,
    world: _World,
    topic: Topic,
    requester: Requester | None,
    association: Association | None,
) -> OrgUnit:
    if association is not None:
        seat = association.org_unit
        nearby = world.schools.get(seat.path[: 4 * OrgUnit.steplen], []) if seat.depth >= 4 else []
        if (
            topic.category in ("school_access", "partnership", "schools")
            and nearby
            and rng.random() < 0.6
        ):
            return rng.choice(nearby)
        return seat
    if requester is not None and requester.org_unit is not None:
        return requester.org_unit
    return rng.choice(world.provinces)


def _draw_plan(
    rng: random.Random,
    world: _World,
    index: int,
    *,
    channel: str,
    type: str,  # noqa: A002 - the ticket's field
    at: dt.datetime,
    kind: str = "",
) -> Plan:
    topic = rng.choice([t for t in TOPICS if type in t.types])
    requester, association = _requester(rng, world, topic.who, channel)
    if kind in ("appeal", "duplicate", "reopened", "waiting", "new", "mediator") and (
        requester is None or not requester.email
    ):
        requester, association = _requester(rng, world, topic.who, Channel.EMAIL)
    language = (
        requester.language
        if requester is not None
        else rng.choice([Language.ARABIC, Language.FRENCH])
    )
    unit = _unit(rng, world, topic, requester, association)
    roll, first, last = rng.random(), rng.random(), rng.random()
    # Most first answers well within the deadline, some near it, one in ten late; most
    # resolutions in time, one in eight late.
    if first < 0.75:
        response_share = rng.uniform(0.05, 0.6)
    elif first < 0.9:
        response_share = rng.uniform(0.6, 1.0)
    else:
        response_share = rng.uniform(1.0, 1.8)
    if last < 0.76:
        resolution_share = rng.uniform(0.15, 0.9)
    elif last < 0.88:
        resolution_share = rng.uniform(0.9, 1.0)
    else:
        resolution_share = rng.uniform(1.0, 1.7)
    if roll < 0.45:
        path = "direct"
    elif roll < 0.65 or requester is None:
        path = "holding"  # nobody to ask a document of when the requester is anonymous
    elif roll < 0.85:
        path = "ask"
    else:
        path = "forward"
    return Plan(
        index=index,
        at=_utc(at),
        channel=channel,
        type=type,
        topic=topic,
        priority=_weighted(rng, PRIORITY_WEIGHTS),
        unit=unit,
        requester=requester,
        association=association,
        language=language,
        # Complaints about a person or a service are the ones kept confidential.
        confidential=requester is not None and rng.random() < (0.12 if type == COMPL else 0.02),
        kind=kind,
        path=path,
        response_share=response_share,
        resolution_share=resolution_share,
        on_the_spot=channel in (Channel.PHONE, Channel.WALK_IN)
        and type in (INFO, PROC, GUIDE)
        and rng.random() < 0.45,
        requester_answers=rng.random() < 0.85,
        reopens=requester is not None and rng.random() < 0.03,
        closes=rng.random() < 0.85,
    )


def _board_plans(rng: random.Random, world: _World, start: int) -> list[Plan]:
    now, clock = world.now, next(iter(world.clocks.values()))
    days = dt.timedelta(days=1)
    plans: list[Plan] = []

    def add(kind: str, channel: str, type: str, at: dt.datetime, **story: Any) -> None:  # noqa: A002
        plan = _draw_plan(
            rng, world, start + len(plans), channel=channel, type=type, at=at, kind=kind
        )
        plan.on_the_spot = plan.reopens = False
        plan.closes = True
        plan.priority = Priority.NORMAL
        for name, value in story.items():
            setattr(plan, name, value)
        plans.append(plan)

    for n in range(BOARD["new"]):
        add(
            "new",
            (Channel.EMAIL, Channel.WEB)[n % 2],
            INFO,
            now - dt.timedelta(hours=rng.uniform(1, 18)),
        )
    # kind, channel, type, received (days ago, from–to), moved to the next working hour,
    # and how its story goes.
    fixed: list[tuple[str, str, str, tuple[float, float], bool, dict[str, Any]]] = [
        ("unassigned", Channel.LETTER, COMPL, (10, 20), True, {}),
        (
            "warning",
            Channel.PHONE,
            COMPL,
            (50, 52),
            True,
            {"path": "holding", "response_share": 0.3, "resolution_share": 0.985},
        ),
        (
            "forgotten",
            Channel.WEB,
            INFO,
            (40, 70),
            False,
            {"path": "forward", "response_share": 0.3},
        ),
        (
            "waiting",
            Channel.EMAIL,
            INFO,
            (6, 10),
            False,
            {"path": "ask", "response_share": 0.15, "requester_answers": False},
        ),
        (
            "reopened",
            Channel.EMAIL,
            INFO,
            (12, 15),
            False,
            {"path": "direct", "response_share": 0.2, "reopens": True},
        ),
        (
            "appeal",
            Channel.EMAIL,
            PROC,
            (100, 200),
            False,
            {"path": "holding", "resolution_share": 0.5},
        ),
        (
            "mediator",
            Channel.LETTER,
            COMPL,
            (150, 260),
            True,
            {"path": "holding", "resolution_share": 0.6},
        ),
        ("duplicate", Channel.EMAIL, INFO, (20, 200), False, {"path": "direct"}),
    ]
    for kind, channel, ticket_type, (low, high), working, story in fixed:
        for _n in range(BOARD[kind]):
            received = now - rng.uniform(low, high) * days
            add(
                kind, channel, ticket_type, clock.add(received, 1) if working else received, **story
            )
    for plan in plans:
        if plan.kind in ("unassigned", "warning", "mediator"):
            # Complaints of the manual queue: a category whose queue is the complaints one.
            plan.topic = rng.choice(
                [t for t in TOPICS if t.category in ("delay", "reception") and COMPL in t.types]
            )
    return plans


def _plans(rng: random.Random, world: _World, total: int) -> list[Plan]:
    board = _board_plans(rng, world, 0)
    plans = list(board)
    # Every channel with every type first, then the usual mix.
    combos = [(c, t) for c in CHANNEL_WEIGHTS for t in TYPE_WEIGHTS]
    while len(plans) < total:
        if combos:
            channel, type_ = combos.pop(0)
        else:
            channel, type_ = _weighted(rng, CHANNEL_WEIGHTS), _weighted(rng, TYPE_WEIGHTS)
            if channel == Channel.LETTER and type_ in (INFO, GUIDE) and rng.random() < 0.5:
                type_ = COMPL  # letters are more often complaints
        plans.append(
            _draw_plan(
                rng,
                world,
                len(plans),
                channel=channel,
                type=type_,
                at=_arrival(rng, world, channel in OFFICE_CHANNELS),
            )
        )
    return sorted(plans, key=lambda p: (p.at, p.index))


# --- playing a story ------------------------------------------------------------------


class _Story:
    def __init__(self, world: _World, plan: Plan, rng: random.Random):
        self.world, self.plan, self.rng = world, plan, rng
        self.now = world.now
        self.last = plan.at
        self.reopened = self.appealed = False
        self.handler: Any = None
        self.recorder: Any = None
        self.ticket: Ticket
        self.clock: bt.Clock

    # -- time --

    def when(self, at: dt.datetime) -> dt.datetime:
        """``at`` for a service call, or the end of the story if it has not come yet."""
        if at > self.now:
            raise _Later
        self.last = max(self.last, at)
        return _utc(at)

    def office(self, after: dt.datetime, minutes: float) -> dt.datetime:
        """``minutes`` of business time after ``after``: the agents work in opening hours."""
        return self.clock.add(after, max(1, int(minutes)))

    def share_of(self, due_name: str, share: float) -> dt.datetime:
        """The instant ``share`` of the way (in business time) from the receipt to the
        deadline, and never before the previous event."""
        start, due = self.ticket.created_at, getattr(self.ticket, due_name)
        after = self.office(self.last, self.rng.randint(10, 90))
        if due is None:
            return after
        window = max(1, self.clock.between(start, due))
        return max(self.clock.add(start, max(1, int(window * share))), after)

    def requester_time(self, after: dt.datetime, low: float, high: float) -> dt.datetime:
        """The requester answers some days later, at a waking hour."""
        at = timezone.localtime(after + dt.timedelta(days=self.rng.uniform(low, high)))
        at = at.replace(hour=self.rng.randint(8, 21), minute=self.rng.randrange(60))
        return at if at > after else at + dt.timedelta(days=1)

    # -- the services --

    def reply(self, pair: Pair, status: str, at: dt.datetime, **values: Any) -> None:
        language = (
            Language.ARABIC if self.ticket.language == Language.AMAZIGH else self.ticket.language
        )
        message = ticket_message_add(
            actor=self.handler,
            ticket=self.ticket,
            kind=MessageKind.REPLY,
            body=_text(pair, language, reference=self.ticket.reference, **values),
            language=language,
            status=status,
            at=self.when(at),
        )
        self.ticket = message.ticket

    def note(self, text: str, at: dt.datetime) -> None:
        ticket_message_add(
            actor=self.handler,
            ticket=self.ticket,
            kind=MessageKind.NOTE,
            body=text,
            language=Language.FRENCH,
            at=self.when(at),
        )

    def incoming(self, pair: Pair, at: dt.datetime) -> None:
        """The requester writes again: by mail or the tracking page themself, or through
        the agent who takes the call, the visit or the letter."""
        channel = self.plan.channel
        actor = None if channel in (Channel.EMAIL, Channel.WEB) else self.handler
        message = ticket_message_add(
            actor=actor,
            ticket=self.ticket,
            kind=MessageKind.INCOMING,
            body=_text(pair, self.ticket.language),
            channel=channel,
            at=self.when(at),
        )
        self.ticket = message.ticket

    def status(self, status: str, at: dt.datetime, actor: Any = None) -> None:
        self.ticket = ticket_status_set(
            actor=actor or self.handler, ticket=self.ticket, status=status, at=self.when(at)
        )

    # -- the story --

    def play(self) -> Ticket:
        plan, world = self.plan, self.world
        if plan.channel in OFFICE_CHANNELS:
            regional = world.regional(plan.unit) and self.rng.random() < 0.6
            self.recorder = world.regional_agent if regional else world.agent
        category = world.categories.get(plan.topic.category)
        field_name = self._field()
        place = place_of(plan.association.org_unit if plan.association else plan.unit)
        place_text = place[1] if plan.language in (Language.ARABIC, Language.AMAZIGH) else place[0]
        values = {
            "place": place_text,
            "field": field_name,
            "year": timezone.localtime(plan.at).year,
        }
        self.ticket = ticket_create(
            actor=self.recorder,
            channel=plan.channel,
            type=plan.type,
            subject=_text(plan.topic.subject, plan.language, **values),
            body=_text(plan.topic.body, plan.language, **values),
            queue=queue_for(plan.type, category),
            org_unit=plan.unit,
            priority=plan.priority,
            category=category,
            requester=plan.requester,
            association=plan.association,
            language=plan.language,
            confidential=plan.confidential,
            at=plan.at,
        )
        self.clock = world.clock(self.ticket.queue_id)
        if plan.channel == Channel.EMAIL:
            # The acknowledgement mail (services/mail.acknowledgement_send) left a minute
            # or two after the mail came in.
            Ticket.objects.filter(pk=self.ticket.pk, acknowledged_at__isnull=True).update(
                acknowledged_at=plan.at + dt.timedelta(seconds=self.rng.randint(40, 240))
            )
        with suppress(_Later):
            self._handle(values)
        world.last_change[self.ticket.pk] = self.last
        return self.ticket

    def _field(self) -> str:
        plan = self.plan
        chosen = list(plan.association.fields.all()) if plan.association is not None else []
        found = chosen[0] if chosen else self.rng.choice(self.world.fields)
        return (
            found.name_ar if plan.language in (Language.ARABIC, Language.AMAZIGH) else found.name_fr
        )

    def _handle(self, values: dict[str, Any]) -> None:
        plan, rng, world = self.plan, self.rng, self.world
        start = plan.at
        duplicate = None
        if plan.kind == "duplicate":
            # The same request sent again on the web form an hour later.
            duplicate = ticket_create(
                actor=None,
                channel=Channel.WEB,
                type=plan.type,
                subject=self.ticket.subject,
                body=self.ticket.messages.get().body,
                queue=self.ticket.queue,
                org_unit=plan.unit,
                priority=plan.priority,
                category=self.ticket.category,
                requester=plan.requester,
                association=plan.association,
                language=plan.language,
                at=self.when(start + dt.timedelta(minutes=rng.randint(20, 90))),
            )
            world.last_change[duplicate.pk] = self.last
        if plan.on_the_spot:
            # Answered during the call or the visit (services/intake.call_record).
            self.handler = self.ticket.assignee or self.recorder
            self.status(
                Status.RESOLVED,
                start + dt.timedelta(minutes=rng.randint(3, 15)),
                actor=self.recorder,
            )
            world.on_the_spot.append(self.ticket.pk)
            self._after_resolution()
            return
        self.handler = self.ticket.assignee
        if self.handler is None:
            # The complaints queue is assigned by hand, during the day.
            if plan.kind == "unassigned":
                raise _Later
            self.when(self.office(self.last, rng.randint(15, 480)))
            self.handler = self._complaint_handler()
            self.ticket = ticket_assign(
                actor=world.supervisor, ticket=self.ticket, assignee=self.handler
            )
        if duplicate is not None:
            merged_at = self.when(self.office(self.last, rng.randint(20, 240)))
            self.ticket = ticket_merge(
                actor=self.handler, source=duplicate, target=self.ticket, at=merged_at
            )
            world.last_change[duplicate.pk] = merged_at
            world.counts["merged"] = world.counts.get("merged", 0) + 1
        if plan.kind == "new":
            raise _Later
        if plan.kind == "" and rng.random() < 0.25:
            self.status(Status.OPEN, self.office(self.last, rng.randint(20, 600)))
        if rng.random() < 0.25:
            self.note(rng.choice(NOTES), self.office(self.last, rng.randint(10, 300)))
        answered = self.share_of("response_due_at", plan.response_share)
        if plan.path == "direct":
            self.reply(plan.topic.answer, Status.RESOLVED, answered, **values)
        elif plan.path == "holding":
            self.reply(HOLDING, Status.OPEN, answered)
            self.reply(
                plan.topic.answer,
                Status.RESOLVED,
                self.share_of("resolution_due_at", plan.resolution_share),
                **values,
            )
        elif plan.path == "ask":
            self.reply(
                ASK,
                Status.WAITING_REQUESTER,
                answered,
                doc=_text(rng.choice(DOCUMENTS), self.ticket.language),
            )
            if plan.requester_answers:
                self.incoming(rng.choice(REQUESTER_ANSWERS), self.requester_time(self.last, 1, 12))
                self.reply(
                    plan.topic.answer,
                    Status.RESOLVED,
                    self.share_of("resolution_due_at", plan.resolution_share),
                    **values,
                )
            else:
                self.reply(NO_ANSWER, Status.RESOLVED, self.office(self.last, 15 * WORKDAY_MINUTES))
        else:
            service = rng.choice(SERVICES)
            self.reply(
                FORWARD,
                Status.WAITING_OTHER,
                answered,
                service=_text(service, self.ticket.language),
            )
            self.note(FORWARD_NOTE.replace("{service}", service[0]), self.office(self.last, 5))
            if plan.kind == "forgotten":
                raise _Later
            self.note(
                RETURN_NOTE.replace("{service}", service[0]),
                self.office(self.last, rng.randint(2, 15) * WORKDAY_MINUTES),
            )
            self.reply(
                plan.topic.answer,
                Status.RESOLVED,
                self.share_of("resolution_due_at", plan.resolution_share),
                **values,
            )
        self._after_resolution()

    def _has_address(self) -> bool:
        plan = self.plan
        return bool(
            (plan.requester is not None and plan.requester.email)
            or (plan.association is not None and plan.association.email)
        )

    def _complaint_handler(self) -> Any:
        world, rng, plan = self.world, self.rng, self.plan
        if world.regional(plan.unit) and rng.random() < 0.6:
            return world.regional_agent
        if rng.random() < (0.5 if plan.confidential else 0.2):
            return world.supervisor
        return world.agent

    def _after_resolution(self) -> None:
        plan, rng, world = self.plan, self.rng, self.world
        resolved = self.ticket.resolved_at
        if resolved is None:
            return
        late = (
            self.ticket.resolution_due_at is not None and resolved > self.ticket.resolution_due_at
        )
        answers = rng.random() < 0.45 or (plan.kind == "appeal" and not self.appealed)
        # The survey services/satisfaction.survey_on_resolved sent, if there was an address.
        survey = None
        if answers and self._has_address():
            survey = (
                SatisfactionSurvey.objects.filter(ticket=self.ticket, answered_at__isnull=True)
                .order_by("-pk")
                .first()
            )
        if survey is not None:
            answered = self.requester_time(resolved, 0.1, 6)
            if answered <= self.now and answered < survey.sent_at + SURVEY_VALIDITY:
                unhappy = plan.kind == "appeal" and not self.appealed
                rating = (
                    rng.choice([1, 2])
                    if unhappy
                    else _weighted(rng, RATINGS_LATE if late else RATINGS_IN_TIME)
                )
                comment = ""
                if rng.random() < 0.3 or unhappy:
                    comment = rng.choice(BAD_COMMENTS if rating <= 2 else GOOD_COMMENTS)
                world.answers.append((survey, rating, comment, answered))
                self.last = max(self.last, answered)
                if unhappy:
                    self.appealed = True
                    self.ticket = ticket_appeal(
                        ticket=self.ticket,
                        reason=_text(APPEAL, self.ticket.language),
                        survey=survey,
                        at=self.when(answered + dt.timedelta(hours=rng.uniform(1, 30))),
                    )
                    world.counts["appeals"] = world.counts.get("appeals", 0) + 1
                    self.reply(
                        APPEAL_ANSWER,
                        Status.RESOLVED,
                        self.office(self.last, rng.randint(240, 2400)),
                    )
                    self._after_resolution()
                    return
        if plan.reopens and not self.reopened:
            self.reopened = True
            self.incoming(rng.choice(REOPEN), self.requester_time(resolved, 1, 3))
            rehandle = (
                10 * WORKDAY_MINUTES
                if plan.kind == "reopened"
                else rng.randint(120, 4 * WORKDAY_MINUTES)
            )
            self.reply(
                AGAIN,
                Status.RESOLVED,
                self.office(self.last, rehandle),
                answer=_text(plan.topic.answer, self.ticket.language),
            )
            self._after_resolution()
            return
        if not plan.closes:
            return
        self.status(Status.CLOSED, self.office(resolved, rng.randint(5, 12) * WORKDAY_MINUTES))
        if plan.kind == "mediator":
            closed = timezone.localtime(self.ticket.closed_at or self.last)
            referred_on = (closed + dt.timedelta(days=rng.randint(15, 45))).date()
            if referred_on <= timezone.localdate(self.now):
                self.ticket = mediator_referral_record(
                    actor=self.handler,
                    ticket=self.ticket,
                    referred_on=referred_on,
                    reference=f"MR/{referred_on.year}/{rng.randint(100, 9999):04d}",
                )
                world.counts["mediator"] = world.counts.get("mediator", 0) + 1


# --- the step -------------------------------------------------------------------------


def _history_written(world: _World, tickets: list[int]) -> None:
    """What the services stamp with the time of the seed, at the time it happened."""
    Ticket.objects.filter(pk__in=world.on_the_spot).update(first_contact_resolution=True)
    # The public replies to someone with an address went by mail when they were written.
    # The addressed tickets are picked in Python and the update touches one table: on
    # PostgreSQL, tables just filled have no statistics yet, and the joined form of this
    # update was planned as nested loops that ran for a quarter of an hour.
    addressed = [
        pk
        for pk, person, association in Ticket.objects.filter(pk__in=tickets).values_list(
            "pk", "requester__email", "association__email"
        )
        if person or association
    ]
    for start in range(0, len(addressed), 500):
        TicketMessage.objects.filter(
            ticket_id__in=addressed[start : start + 500],
            kind=MessageKind.REPLY,
            sent_at__isnull=True,
        ).update(sent_at=F("created_at"))
    # The answers to the surveys (services/satisfaction.survey_answer needs the token the
    # requester's mail held; only its hash is stored): the same fields and audit rows.
    surveys = []
    for survey, rating, comment, answered in world.answers:
        survey.rating, survey.comment, survey.answered_at = rating, comment, answered
        surveys.append(survey)
    SatisfactionSurvey.objects.bulk_update(
        surveys, ["rating", "comment", "answered_at"], batch_size=500
    )
    by_pk = {
        s.pk: s
        for s in SatisfactionSurvey.objects.filter(pk__in=[s.pk for s in surveys]).select_related(
            "ticket__org_unit"
        )
    }
    audit_record_bulk(
        actor=None,
        action=SURVEY_ANSWER,
        entries=[(by_pk[s.pk], {"rating": [None, s.rating]}) for s in surveys],
    )
    # Each ticket's last change (the services' saves stamp now).
    items = sorted(world.last_change.items())
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        Ticket.objects.filter(pk__in=[pk for pk, _at in chunk]).update(
            updated_at=Case(*[When(pk=pk, then=Value(at)) for pk, at in chunk])
        )


def tickets_for(scale: Scale) -> int:
    """About 1 500 tickets at every scale of seed_demo: the contact centre serves the whole
    country, however many schools the demo fills. A scale smaller than the smallest of them
    (the tests' few schools) gets a tenth, so that a test can seed it several times."""
    smallest = min(s.schools for s in SCALES.values())
    return TICKETS if scale.schools >= smallest else round(TICKETS * TEST_SHARE)


def create_contact_tickets(ctx: Context) -> None:
    if Ticket.objects.exists():
        # Tickets already on file (real ones, or this step run before) are not mixed with
        # an invented year; seed_demo refuses a seeded database before this.
        raise RuntimeError("the contact centre already has tickets: demo tickets not added")
    now = timezone.now()
    world = _world(now)
    plans = _plans(ctx.rng("contact_tickets", "plans"), world, tickets_for(ctx.scale))
    ctx.progress.total(len(plans))
    with _nothing_mailed():
        for plan in plans:
            story = _Story(world, plan, ctx.rng("contact_tickets", "story", plan.index))
            ctx.progress.advance(1, story.play().reference)
        tickets = list(Ticket.objects.values_list("pk", flat=True))
        _history_written(world, tickets)
        audit_record(
            actor=None,
            action=SEED,
            obj=OrgUnit.objects.get(code=COUNTRY_CODE, depth=1),
            changes={
                "tickets": [None, len(tickets)],
                "since": [None, timezone.localdate(now - YEAR).isoformat()],
                "survey_answers": [None, len(world.answers)],
                "seed": [None, ctx.seed],
            },
        )
    ctx.counts["contact_tickets"] = len(tickets)
    for key, n in world.counts.items():
        ctx.counts[f"contact_{key}"] = n
