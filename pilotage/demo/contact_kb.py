# ruff: noqa: E501 - the demo articles are prose
"""Demo data of the contact centre: the knowledge base. Core procedures written out in
French and Arabic (founding an association under dahir 1-58-376, its récépissé, the board's
renewal, annual reports, partnerships with schools, law 31-13, décret 2-17-265…), then
articles built from structured facts (a funding call per field of action, where to file in
each region, the documents of each procedure), and the agents' internal scripts. Every
article goes through the knowledge-base services, so it is versioned, audited and indexed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.text import slugify

from pilotage.accounts.models import User
from pilotage.contact.models import Article, ArticleKind, ArticleStatus, Category
from pilotage.contact.services.kb import article_create, article_status_set, article_twin_set
from pilotage.demo.context import Context

# slug, category, kind, French title, French text, Arabic title, Arabic text
CORE = [
    (
        "fonder-association",
        "constitution",
        ArticleKind.PROCEDURE,
        "Fonder une association : la déclaration prévue par le dahir n° 1-58-376",
        "Toute association se constitue librement, mais elle doit être déclarée au siège de "
        "l'autorité administrative locale (pachalik, caïdat ou annexe administrative) dont "
        "relève son siège, conformément à l'article 5 du dahir n° 1-58-376 du 15 novembre 1958.\n"
        "La déclaration est déposée par les dirigeants après l'assemblée générale constitutive. "
        "Elle indique le nom et l'objet de l'association, les noms, nationalités, professions et "
        "domiciles des membres du bureau et l'adresse du siège.\n"
        "Un récépissé provisoire, cacheté et daté, est remis immédiatement au déposant. "
        "Le récépissé définitif est délivré dans un délai maximal de soixante jours.",
        "تأسيس جمعية: التصريح المنصوص عليه في الظهير رقم 1.58.376",
        "تؤسس الجمعيات بكل حرية، غير أنه يجب التصريح بها لدى مقر السلطة الإدارية المحلية "
        "(الباشوية أو القيادة أو الملحقة الإدارية) التي يوجد بها مقر الجمعية، طبقا للفصل الخامس "
        "من الظهير الشريف رقم 1.58.376 الصادر في 15 نونبر 1958.\n"
        "يودع التصريح من طرف المسيرين بعد انعقاد الجمع العام التأسيسي، ويتضمن اسم الجمعية "
        "وأهدافها وأسماء أعضاء المكتب وجنسياتهم ومهنهم وعناوينهم وعنوان المقر.\n"
        "يسلم للمودع وصل الإيداع المؤقت مختوما ومؤرخا في الحين، ويسلم الوصل النهائي داخل أجل "
        "أقصاه ستون يوما.",
    ),
    (
        "recepisse-definitif",
        "receipt",
        ArticleKind.FAQ,
        "Je n'ai pas reçu le récépissé définitif : que faire ?",
        "Le récépissé définitif doit être remis dans les soixante jours qui suivent le dépôt. "
        "Passé ce délai, l'association peut exercer ses activités conformément à ses statuts, "
        "comme le prévoit l'article 5 du dahir n° 1-58-376.\n"
        "Conservez précieusement le récépissé provisoire : il prouve la date du dépôt. "
        "Si l'autorité locale refuse de recevoir le dossier, demandez un écrit motivé et "
        "signalez-le au centre de contact par une réclamation.",
        "لم أتسلم الوصل النهائي: ماذا أفعل؟",
        "يجب تسليم الوصل النهائي داخل أجل ستين يوما من تاريخ الإيداع. وبعد انصرام هذا الأجل، "
        "يحق للجمعية أن تمارس نشاطها وفق الأهداف المسطرة في قانونها الأساسي.\n"
        "احتفظوا بوصل الإيداع المؤقت فهو يثبت تاريخ الإيداع. وإذا رفضت السلطة المحلية تسلم "
        "الملف، اطلبوا ردا مكتوبا ومعللا وقدموا شكاية إلى مركز الاتصال.",
    ),
    (
        "renouveler-bureau",
        "constitution",
        ArticleKind.PROCEDURE,
        "Renouveler le bureau de l'association",
        "Tout changement dans la direction ou l'administration de l'association, et toute "
        "modification des statuts, doivent être déclarés dans le mois qui suit, dans les mêmes "
        "formes que la déclaration initiale.\n"
        "Joignez le procès-verbal de l'assemblée générale, la liste des nouveaux membres du "
        "bureau avec leurs pièces d'identité et, le cas échéant, les statuts modifiés. "
        "Un nouveau récépissé vous est remis.",
        "تجديد مكتب الجمعية",
        "يجب التصريح بكل تغيير يطرأ على إدارة الجمعية أو تسييرها، وبكل تعديل للقانون الأساسي، "
        "داخل أجل شهر واحد وبنفس الكيفية المتبعة في التصريح الأول.\n"
        "يرفق التصريح بمحضر الجمع العام ولائحة أعضاء المكتب الجديد مع نسخ من بطائقهم الوطنية، "
        "وبالقانون الأساسي المعدل عند الاقتضاء. ويسلم للجمعية وصل جديد.",
    ),
    (
        "rapports-annuels",
        "associations",
        ArticleKind.PROCEDURE,
        "Rapports moral et financier annuels",
        "Chaque année, l'assemblée générale ordinaire approuve le rapport moral (les "
        "activités réalisées) et le rapport financier (recettes, dépenses, solde) présentés par "
        "le bureau.\n"
        "Une association qui reçoit une subvention publique tient une comptabilité et présente "
        "ses comptes à l'administration qui l'a financée ; au-delà de certains montants, ses "
        "comptes relèvent du contrôle de la Cour des comptes.",
        "التقريران الأدبي والمالي السنويان",
        "يصادق الجمع العام العادي كل سنة على التقرير الأدبي (الأنشطة المنجزة) والتقرير المالي "
        "(المداخيل والمصاريف والرصيد) اللذين يقدمهما المكتب.\n"
        "تمسك الجمعية التي تتلقى دعما عموميا محاسبة منتظمة وتقدم حساباتها إلى الإدارة المانحة، "
        "وتخضع حساباتها لمراقبة المجلس الأعلى للحسابات بحسب مبالغ الدعم.",
    ),
    (
        "partenariat-etablissement",
        "partnership",
        ArticleKind.PROCEDURE,
        "Conclure une convention de partenariat avec un établissement scolaire",
        "Une association qui souhaite mener une activité dans une école, un collège ou un lycée "
        "(soutien scolaire, club, sortie éducative, alphabétisation) présente son projet au "
        "directeur de l'établissement et à la direction provinciale.\n"
        "La convention précise les objectifs, le public, les horaires, les obligations de "
        "chacun, l'assurance des participants et la durée. Elle est signée par le directeur "
        "provincial après avis du conseil de gestion de l'établissement.",
        "إبرام اتفاقية شراكة مع مؤسسة تعليمية",
        "تقدم الجمعية الراغبة في تنظيم نشاط داخل مدرسة أو إعدادية أو ثانوية (الدعم المدرسي، "
        "الأندية، الخرجات التربوية، محو الأمية) مشروعها إلى مدير المؤسسة وإلى المديرية "
        "الإقليمية.\n"
        "تحدد الاتفاقية الأهداف والفئة المستهدفة والتوقيت والتزامات كل طرف وتأمين المشاركين "
        "والمدة، ويوقعها المدير الإقليمي بعد رأي مجلس تدبير المؤسسة.",
    ),
    (
        "acces-information",
        "reception",
        ArticleKind.PROCEDURE,
        "Demander une information administrative (loi n° 31-13)",
        "La loi n° 31-13 relative au droit d'accès à l'information permet à toute personne "
        "de demander une information détenue par l'administration.\n"
        "La demande écrite indique le nom du demandeur, son adresse, l'information demandée "
        "et la forme souhaitée (copie papier, fichier). La réponse est due dans un délai de "
        "vingt jours ouvrables, prorogeable une fois ; en cas d'urgence (vie, sécurité ou "
        "liberté d'une personne), dans les trois jours ouvrables.",
        "طلب الحصول على المعلومات (القانون رقم 31.13)",
        "يخول القانون رقم 31.13 المتعلق بالحق في الحصول على المعلومات لكل شخص أن يطلب "
        "المعلومات التي توجد في حوزة الإدارة.\n"
        "يتضمن الطلب المكتوب اسم صاحبه وعنوانه والمعلومات المطلوبة والشكل المرغوب فيه. ويجب "
        "الرد داخل أجل عشرين يوم عمل قابل للتمديد مرة واحدة، وداخل ثلاثة أيام عمل في حالة "
        "الاستعجال.",
    ),
    (
        "reclamation",
        "reception",
        ArticleKind.PROCEDURE,
        "Déposer une réclamation (décret n° 2-17-265)",
        "Le décret n° 2-17-265 fixe la procédure de réception des observations, suggestions "
        "et réclamations des usagers.\n"
        "Vous pouvez déposer une réclamation par téléphone, par courriel, au guichet, par "
        "courrier ou par le formulaire en ligne. Un accusé de réception vous est remis avec une "
        "référence et un code de suivi. L'administration répond dans un délai de soixante jours.",
        "تقديم شكاية (المرسوم رقم 2.17.265)",
        "يحدد المرسوم رقم 2.17.265 كيفيات تلقي ملاحظات المرتفقين واقتراحاتهم وشكاياتهم.\n"
        "يمكنكم تقديم الشكاية عبر الهاتف أو البريد الإلكتروني أو الشباك أو البريد أو الاستمارة "
        "الإلكترونية، ويسلم لكم إشعار بالتوصل يتضمن مرجعا ورمزا للتتبع. وتجيب الإدارة داخل أجل "
        "ستين يوما.",
    ),
    (
        "utilite-publique",
        "public_utility",
        ArticleKind.PROCEDURE,
        "Faire reconnaître son association d'utilité publique",
        "Une association peut être reconnue d'utilité publique par décret lorsqu'elle poursuit "
        "un but d'intérêt général et justifie d'une activité réelle et de moyens suffisants.\n"
        "La demande est déposée auprès de l'autorité administrative locale avec les statuts, "
        "les rapports des dernières années, les états financiers et la liste des membres "
        "dirigeants. La reconnaissance permet notamment de faire appel à la générosité publique.",
        "الاعتراف للجمعية بصفة المنفعة العامة",
        "يمكن أن يعترف للجمعية بصفة المنفعة العامة بمرسوم إذا كانت تسعى إلى تحقيق هدف ذي منفعة "
        "عامة وتثبت نشاطا فعليا ووسائل كافية.\n"
        "يودع الطلب لدى السلطة الإدارية المحلية مرفقا بالقانون الأساسي وتقارير السنوات الأخيرة "
        "والقوائم المالية ولائحة المسيرين. ويتيح هذا الاعتراف بالخصوص دعوة العموم إلى التبرع.",
    ),
    (
        "financement-etranger",
        "funding",
        ArticleKind.FAQ,
        "Recevoir un financement étranger",
        "Une association qui reçoit des aides d'une source étrangère en informe le Secrétariat "
        "général du gouvernement dans les trente jours qui suivent leur réception, en précisant "
        "le montant et la provenance.\n"
        "Gardez les conventions et les justificatifs : ils peuvent être demandés lors d'un "
        "contrôle.",
        "الحصول على تمويل أجنبي",
        "تخبر الجمعية التي تتلقى مساعدات من جهة أجنبية الأمانة العامة للحكومة داخل أجل ثلاثين "
        "يوما من تاريخ التوصل بها، مع بيان المبلغ ومصدره.\n"
        "احتفظوا بالاتفاقيات والوثائق المثبتة لأنها قد تطلب أثناء المراقبة.",
    ),
    (
        "indh",
        "calls",
        ArticleKind.FUNDING,
        "Financer un projet par l'Initiative nationale pour le développement humain (INDH)",
        "L'INDH finance des projets portés par des associations dans ses programmes : "
        "rattrapage des déficits en infrastructures, accompagnement des personnes en situation "
        "de précarité, amélioration du revenu et inclusion économique des jeunes, "
        "développement du capital humain des générations montantes.\n"
        "Les appels à projets sont publiés par les comités provinciaux de développement humain. "
        "Le dossier comprend la fiche projet, le budget, les statuts, le dernier récépissé et "
        "les rapports de l'association.",
        "تمويل مشروع في إطار المبادرة الوطنية للتنمية البشرية",
        "تمول المبادرة الوطنية للتنمية البشرية مشاريع تحملها الجمعيات في إطار برامجها: تدارك "
        "الخصاص في البنيات التحتية، ومواكبة الأشخاص في وضعية هشاشة، وتحسين الدخل والإدماج "
        "الاقتصادي للشباب، والدفع بالرأسمال البشري للأجيال الصاعدة.\n"
        "تعلن اللجان الإقليمية للتنمية البشرية عن طلبات المشاريع، ويتضمن الملف بطاقة المشروع "
        "والميزانية والقانون الأساسي وآخر وصل وتقارير الجمعية.",
    ),
    (
        "subvention-ministere",
        "calls",
        ArticleKind.FUNDING,
        "Subventions du ministère aux associations partenaires",
        "Le ministère soutient chaque année des associations qui agissent pour l'éducation : "
        "éducation non formelle, lutte contre l'abandon scolaire, préscolaire, inclusion des "
        "enfants en situation de handicap.\n"
        "L'appel à propositions précise les critères, le plafond de la subvention et la date "
        "de clôture. Les projets retenus font l'objet d'une convention de partenariat et d'un "
        "suivi des résultats.",
        "دعم الوزارة للجمعيات الشريكة",
        "تدعم الوزارة كل سنة جمعيات تعمل في مجال التربية: التربية غير النظامية، ومحاربة الهدر "
        "المدرسي، والتعليم الأولي، وإدماج الأطفال في وضعية إعاقة.\n"
        "يحدد طلب العروض المعايير وسقف الدعم وتاريخ الإغلاق، وتبرم مع الجمعيات المنتقاة "
        "اتفاقيات شراكة تتبع نتائجها.",
    ),
    (
        "education-non-formelle",
        "nonformal",
        ArticleKind.PROCEDURE,
        "Ouvrir une classe d'éducation non formelle",
        "Les associations partenaires peuvent accueillir des enfants de 9 à 15 ans non "
        "scolarisés ou ayant quitté l'école, en vue de leur réinsertion scolaire ou de leur "
        "insertion professionnelle.\n"
        "La direction provinciale fixe avec l'association le local, l'effectif, les "
        "animateurs et le programme ; elle assure le suivi pédagogique.",
        "فتح قسم للتربية غير النظامية",
        "يمكن للجمعيات الشريكة استقبال الأطفال من 9 إلى 15 سنة غير الممدرسين أو المنقطعين عن "
        "الدراسة قصد إعادة إدماجهم في المدرسة أو إدماجهم المهني.\n"
        "تحدد المديرية الإقليمية مع الجمعية المقر وعدد المستفيدين والمنشطين والبرنامج، وتتولى "
        "التتبع التربوي.",
    ),
    (
        "inscription-ecole",
        "school_access",
        ArticleKind.FAQ,
        "Inscrire un enfant à l'école en cours d'année",
        "L'inscription se fait auprès du directeur de l'établissement le plus proche du "
        "domicile. Présentez l'acte de naissance, le dernier bulletin et, en cas de changement "
        "d'établissement, le certificat de départ.\n"
        "En cas de refus, demandez une réponse écrite et contactez la direction provinciale.",
        "تسجيل طفل في المدرسة خلال السنة الدراسية",
        "يتم التسجيل لدى مدير المؤسسة الأقرب إلى محل السكنى، بتقديم عقد الازدياد وآخر بيان "
        "للنقط وشهادة المغادرة عند تغيير المؤسسة.\n"
        "في حالة الرفض، اطلبوا ردا مكتوبا واتصلوا بالمديرية الإقليمية.",
    ),
    (
        "delais-reponse",
        "delay",
        ArticleKind.FAQ,
        "Quels sont les délais de réponse de l'administration ?",
        "Une réclamation est accusée dès sa réception et reçoit une réponse dans les soixante "
        "jours (décret n° 2-17-265). Une demande d'information reçoit une réponse dans les "
        "vingt jours ouvrables (loi n° 31-13), trois en cas d'urgence.\n"
        "Le récépissé définitif d'une association est délivré dans les soixante jours.",
        "ما هي آجال رد الإدارة؟",
        "يشعر بالتوصل بالشكاية فور تلقيها ويرد عليها داخل ستين يوما (المرسوم رقم 2.17.265). "
        "ويرد على طلب الحصول على المعلومات داخل عشرين يوم عمل (القانون رقم 31.13)، وثلاثة أيام "
        "في حالة الاستعجال.\n"
        "ويسلم الوصل النهائي للجمعية داخل ستين يوما.",
    ),
    (
        "dissolution",
        "constitution",
        ArticleKind.PROCEDURE,
        "Dissoudre une association",
        "La dissolution volontaire est décidée par l'assemblée générale extraordinaire dans "
        "les conditions prévues par les statuts, qui fixent aussi la dévolution des biens.\n"
        "Le procès-verbal de dissolution est déposé auprès de l'autorité administrative locale.",
        "حل جمعية",
        "يقرر الجمع العام الاستثنائي الحل الاختياري للجمعية وفق الشروط المنصوص عليها في قانونها "
        "الأساسي الذي يحدد كذلك مآل ممتلكاتها.\n"
        "يودع محضر الحل لدى السلطة الإدارية المحلية.",
    ),
    (
        "suivre-reclamation",
        "reception",
        ArticleKind.FAQ,
        "Suivre sa réclamation avec la référence et le code de suivi",
        "L'accusé de réception indique une référence (par exemple 2026-000123) et un code de "
        "suivi de huit caractères. Saisissez-les sur la page de suivi pour voir l'état de votre "
        "demande et les réponses de l'administration.\n"
        "Le code n'est donné qu'une fois : gardez-le. Sans lui, appelez le centre de contact avec "
        "votre pièce d'identité.",
        "تتبع الشكاية بواسطة المرجع ورمز التتبع",
        "يتضمن الإشعار بالتوصل مرجعا (مثلا 2026-000123) ورمزا للتتبع من ثمانية أحرف. أدخلوهما في "
        "صفحة التتبع للاطلاع على وضعية طلبكم وأجوبة الإدارة.\n"
        "لا يسلم الرمز إلا مرة واحدة، فاحتفظوا به. وفي حالة ضياعه اتصلوا بمركز الاتصال.",
    ),
    (
        "mediateur",
        "reception",
        ArticleKind.FAQ,
        "Saisir le Médiateur du Royaume après une réponse insatisfaisante",
        "Si la réponse à votre réclamation ne vous satisfait pas, ou si vous n'en avez reçu "
        "aucune dans le délai de soixante jours, vous pouvez saisir l'institution du Médiateur "
        "du Royaume. Joignez la copie de votre réclamation et de la réponse reçue.",
        "اللجوء إلى مؤسسة وسيط المملكة بعد جواب غير مرض",
        "إذا لم يرضكم الجواب على شكايتكم، أو لم تتوصلوا بأي جواب داخل أجل ستين يوما، يمكنكم "
        "اللجوء إلى مؤسسة وسيط المملكة، مع إرفاق نسخة من الشكاية ومن الجواب المتوصل به.",
    ),
    (
        "assemblee-generale",
        "constitution",
        ArticleKind.PROCEDURE,
        "Convoquer et tenir l'assemblée générale",
        "Les statuts fixent la périodicité de l'assemblée générale ordinaire, le délai de "
        "convocation et le quorum. Envoyez la convocation avec l'ordre du jour, tenez une liste "
        "de présence signée et rédigez un procès-verbal signé par le président et le secrétaire "
        "général.",
        "الدعوة إلى الجمع العام وعقده",
        "يحدد القانون الأساسي دورية الجمع العام العادي وأجل الدعوة والنصاب القانوني. وجهوا الدعوة "
        "مرفقة بجدول الأعمال، وامسكوا لائحة حضور موقعة، وحرروا محضرا يوقعه الرئيس والكاتب العام.",
    ),
    (
        "cloture-appels",
        "calls",
        ArticleKind.FAQ,
        "Mon dossier est arrivé après la date de clôture",
        "Un dossier déposé après la date de clôture d'un appel à projets n'est pas examiné. "
        "Il peut être présenté au prochain appel. Le récépissé de dépôt fait foi de la date.",
        "وصل ملفي بعد تاريخ الإغلاق",
        "لا يدرس الملف المودع بعد تاريخ إغلاق طلب المشاريع، ويمكن تقديمه في الطلب الموالي. "
        "ويعتد بوصل الإيداع لإثبات التاريخ.",
    ),
]

# code, French, Arabic, the public a project serves (French, Arabic)
FIELDS = [
    ("youth", "jeunesse", "الشباب", "les jeunes de 15 à 30 ans", "الشباب من 15 إلى 30 سنة"),
    (
        "women",
        "femmes et égalité",
        "المرأة والمساواة",
        "les femmes et les filles",
        "النساء والفتيات",
    ),
    ("childhood", "enfance", "الطفولة", "les enfants", "الأطفال"),
    (
        "environment",
        "environnement",
        "البيئة",
        "les élèves des clubs verts",
        "تلاميذ الأندية البيئية",
    ),
    (
        "education",
        "éducation et alphabétisation",
        "التربية ومحو الأمية",
        "les adultes non alphabétisés",
        "الكبار غير المتعلمين",
    ),
    (
        "disability",
        "handicap",
        "الإعاقة",
        "les enfants en situation de handicap",
        "الأطفال في وضعية إعاقة",
    ),
    (
        "human_rights",
        "droits humains",
        "حقوق الإنسان",
        "les élèves et les enseignants",
        "التلاميذ والأساتذة",
    ),
    ("health", "santé", "الصحة", "les élèves des écoles rurales", "تلاميذ المدارس القروية"),
    (
        "culture",
        "culture et patrimoine",
        "الثقافة والتراث",
        "les élèves et les familles",
        "التلاميذ والأسر",
    ),
    (
        "sport",
        "sport",
        "الرياضة",
        "les élèves des quartiers périphériques",
        "تلاميذ الأحياء الهامشية",
    ),
    (
        "local_development",
        "développement local",
        "التنمية المحلية",
        "les communes rurales",
        "الجماعات القروية",
    ),
    (
        "solidarity",
        "solidarité et action sociale",
        "التضامن والعمل الاجتماعي",
        "les familles en situation de précarité",
        "الأسر في وضعية هشاشة",
    ),
]

# French, Arabic names of the regions (where to file)
REGIONS = [
    ("Tanger-Tétouan-Al Hoceïma", "طنجة تطوان الحسيمة"),
    ("L'Oriental", "الشرق"),
    ("Fès-Meknès", "فاس مكناس"),
    ("Rabat-Salé-Kénitra", "الرباط سلا القنيطرة"),
    ("Béni Mellal-Khénifra", "بني ملال خنيفرة"),
    ("Casablanca-Settat", "الدار البيضاء سطات"),
    ("Marrakech-Safi", "مراكش آسفي"),
    ("Drâa-Tafilalet", "درعة تافيلالت"),
    ("Souss-Massa", "سوس ماسة"),
    ("Guelmim-Oued Noun", "كلميم واد نون"),
    ("Laâyoune-Sakia El Hamra", "العيون الساقية الحمراء"),
    ("Dakhla-Oued Ed-Dahab", "الداخلة وادي الذهب"),
]

# slug, French title, French documents, Arabic title, Arabic documents
FORMS = [
    (
        "dossier-constitution",
        "Dossier de constitution d'une association",
        [
            "la déclaration signée par le président",
            "trois exemplaires des statuts",
            "le procès-verbal de l'assemblée constitutive",
            "la liste des membres du bureau",
            "les copies des cartes nationales des dirigeants",
        ],
        "ملف تأسيس جمعية",
        [
            "التصريح موقعا من طرف الرئيس",
            "ثلاث نسخ من القانون الأساسي",
            "محضر الجمع العام التأسيسي",
            "لائحة أعضاء المكتب",
            "نسخ من البطائق الوطنية للمسيرين",
        ],
    ),
    (
        "dossier-renouvellement",
        "Dossier de renouvellement du bureau",
        [
            "la déclaration de modification",
            "le procès-verbal de l'assemblée générale",
            "la liste des nouveaux membres",
            "le dernier récépissé",
        ],
        "ملف تجديد المكتب",
        ["التصريح بالتغيير", "محضر الجمع العام", "لائحة الأعضاء الجدد", "آخر وصل"],
    ),
    (
        "dossier-subvention",
        "Dossier de demande de subvention",
        [
            "la fiche projet",
            "le budget prévisionnel",
            "le dernier récépissé",
            "les rapports moral et financier de l'année précédente",
            "le relevé d'identité bancaire",
        ],
        "ملف طلب الدعم",
        [
            "بطاقة المشروع",
            "الميزانية التوقعية",
            "آخر وصل",
            "التقريران الأدبي والمالي للسنة السابقة",
            "شهادة التعريف البنكي",
        ],
    ),
    (
        "dossier-partenariat",
        "Dossier de convention avec un établissement",
        [
            "la lettre de demande au directeur provincial",
            "la fiche de l'activité",
            "l'attestation d'assurance des participants",
            "la liste des animateurs",
        ],
        "ملف اتفاقية مع مؤسسة تعليمية",
        [
            "رسالة طلب إلى المدير الإقليمي",
            "بطاقة النشاط",
            "شهادة تأمين المشاركين",
            "لائحة المنشطين",
        ],
    ),
    (
        "formulaire-information",
        "Formulaire de demande d'information",
        [
            "le nom et l'adresse du demandeur",
            "l'information demandée",
            "la forme souhaitée de la réponse",
            "la date et la signature",
        ],
        "استمارة طلب الحصول على المعلومات",
        [
            "اسم صاحب الطلب وعنوانه",
            "المعلومات المطلوبة",
            "الشكل المرغوب فيه للجواب",
            "التاريخ والتوقيع",
        ],
    ),
    (
        "formulaire-reclamation",
        "Formulaire de réclamation",
        [
            "l'identité du réclamant (facultative pour une réclamation anonyme)",
            "l'objet de la réclamation",
            "les pièces qui l'appuient",
            "les coordonnées pour la réponse",
        ],
        "استمارة الشكاية",
        [
            "هوية المشتكي (اختيارية في الشكاية المجهولة)",
            "موضوع الشكاية",
            "الوثائق المدعمة",
            "وسيلة التواصل للرد",
        ],
    ),
    (
        "dossier-utilite-publique",
        "Dossier de reconnaissance d'utilité publique",
        [
            "la demande motivée",
            "les statuts en vigueur",
            "les rapports des trois dernières années",
            "les états financiers certifiés",
        ],
        "ملف الاعتراف بصفة المنفعة العامة",
        [
            "طلب معلل",
            "القانون الأساسي الجاري به العمل",
            "تقارير السنوات الثلاث الأخيرة",
            "القوائم المالية المصادق عليها",
        ],
    ),
    (
        "dossier-education-non-formelle",
        "Dossier d'une classe d'éducation non formelle",
        [
            "la liste des enfants et leur âge",
            "le local proposé",
            "les animateurs et leurs diplômes",
            "le programme d'activités",
        ],
        "ملف قسم التربية غير النظامية",
        ["لائحة الأطفال وأعمارهم", "المقر المقترح", "المنشطون وشهاداتهم", "برنامج الأنشطة"],
    ),
]

# Internal agent scripts: title, text (French and Arabic mixed, as agents use them)
SCRIPTS = [
    (
        "Script : accueil d'un appel",
        "Saluer, se présenter, demander le nom et la qualité de l'appelant (citoyen, association), puis l'objet de l'appel. Rechercher l'association par son nom ou son numéro d'enregistrement.",
    ),
    (
        "Script : récépissé non délivré",
        "Vérifier la date du dépôt sur le récépissé provisoire. Avant soixante jours : rassurer. Après : expliquer que l'association peut exercer ; proposer une réclamation.",
    ),
    (
        "Script : réclamation contre une école",
        "Noter l'établissement, la date des faits, les personnes concernées. Ne jamais promettre de sanction. Donner la référence et le code de suivi.",
    ),
    (
        "Script : demande d'information 31-13",
        "Vérifier que la demande porte sur une information détenue par le ministère. Rappeler le délai de vingt jours ouvrables, trois en cas d'urgence.",
    ),
    (
        "Script : appel agressif",
        "Rester calme, reformuler la demande, ne pas couper la parole. Après deux avertissements, proposer un rappel par le superviseur et noter l'incident.",
    ),
    (
        "Script : transfert vers la direction provinciale",
        "Avant de transférer, vérifier la province concernée dans la fiche, résumer le dossier dans une note interne et prévenir l'appelant du délai.",
    ),
    (
        "Script : subvention refusée",
        "Expliquer les critères publiés de l'appel, proposer l'accompagnement pour le prochain appel. Une contestation devient une réclamation.",
    ),
    (
        "Script : demande de la presse",
        "Ne pas répondre sur le fond. Transmettre à la cellule de communication et noter les coordonnées du journaliste.",
    ),
    (
        "Script : réclamation confidentielle",
        "Cocher « confidentiel » : seule la supervision verra l'identité. Le rappeler au réclamant.",
    ),
    (
        "Script : appel en amazighe",
        "Noter la langue préférée dans la fiche du demandeur et proposer un rappel par un agent amazighophone.",
    ),
    (
        "نص المكالمة: استقبال المتصل",
        "التحية، تقديم النفس، السؤال عن اسم المتصل وصفته (مواطن أو جمعية) ثم موضوع المكالمة.",
    ),
    (
        "نص المكالمة: شكاية ضد مؤسسة تعليمية",
        "تسجيل اسم المؤسسة وتاريخ الوقائع، وعدم الوعد بأي عقوبة، ثم تسليم المرجع ورمز التتبع.",
    ),
    ("نص المكالمة: وصل الإيداع", "التحقق من تاريخ الإيداع في الوصل المؤقت، وشرح أجل الستين يوما."),
    ("نص المكالمة: طلب دعم", "توجيه الجمعية إلى طلب العروض الجاري وشرح الوثائق المطلوبة."),
    (
        "نص المكالمة: تحويل إلى المديرية الإقليمية",
        "تلخيص الملف في ملاحظة داخلية قبل التحويل وإخبار المتصل بالأجل.",
    ),
]


def _write(
    author: User,
    publisher: User,
    *,
    slug: str,
    lang: str,
    kind: str,
    title: str,
    body: str,
    category: Category | None,
    status: str = ArticleStatus.PUBLIC,
    closes_on: dt.date | None = None,
) -> Article:
    article = article_create(
        actor=author,
        lang=lang,
        kind=kind,
        title=title,
        body=body,
        category=category,
        closes_on=closes_on,
        slug=slug,
    )
    return article_status_set(actor=publisher, article=article, status=status)


def create_knowledge_base(ctx: Context) -> None:
    author = User.objects.get(username="agent.contact")
    publisher = User.objects.get(username="superviseur.contact")
    categories = {c.code: c for c in Category.objects.all()}
    rng = ctx.rng("contact_kb")
    total = 2 * (len(CORE) + len(FIELDS) + len(REGIONS) + len(FORMS)) + len(SCRIPTS)
    ctx.progress.total(total)
    pairs: list[tuple[Article, Article]] = []

    def both(
        slug: str,
        category: str,
        kind: str,
        fr_title: str,
        fr_body: str,
        ar_title: str,
        ar_body: str,
        closes_on: dt.date | None = None,
    ) -> None:
        cat = categories.get(category)
        fr = _write(
            author,
            publisher,
            slug=slug,
            lang="fr",
            kind=kind,
            title=fr_title,
            body=fr_body,
            category=cat,
            closes_on=closes_on,
        )
        ar = _write(
            author,
            publisher,
            slug=slug,
            lang="ar",
            kind=kind,
            title=ar_title,
            body=ar_body,
            category=cat,
            closes_on=closes_on,
        )
        pairs.append((fr, ar))
        ctx.progress.advance(2, slug)

    for slug, category, kind, fr_title, fr_body, ar_title, ar_body in CORE:
        both(slug, category, kind, fr_title, fr_body, ar_title, ar_body)

    year = timezone.localdate().year
    for code, fr, ar, public_fr, public_ar in FIELDS:
        closes = dt.date(year, rng.randint(3, 11), rng.randint(1, 28))
        ceiling = rng.choice([50_000, 80_000, 100_000, 150_000, 200_000])
        both(
            f"appel-{code}",
            "calls",
            ArticleKind.FUNDING,
            f"Appel à projets {year} : {fr}",
            f"Le ministère lance son appel à projets {year} pour les associations qui agissent "
            f"dans le domaine « {fr} ». Les projets doivent s'adresser à {public_fr} et se "
            f"dérouler en lien avec un établissement scolaire ou une direction provinciale.\n"
            f"La subvention peut atteindre {ceiling:,} dirhams par projet".replace(",", " ")
            + ". Le dossier de demande de subvention est déposé à la direction provinciale "
            f"avant la date de clôture ({closes:%d/%m/%Y}). Les associations doivent disposer "
            "d'un récépissé définitif et avoir présenté leurs rapports de l'année précédente.",
            f"طلب مشاريع {year}: {ar}",
            f"تعلن الوزارة عن طلب المشاريع لسنة {year} لفائدة الجمعيات العاملة في مجال «{ar}». "
            f"ويجب أن تستهدف المشاريع {public_ar} وأن تنجز بتنسيق مع مؤسسة تعليمية أو مديرية "
            "إقليمية.\n"
            f"يمكن أن يصل الدعم إلى {ceiling} درهم للمشروع الواحد، ويودع ملف طلب الدعم لدى "
            f"المديرية الإقليمية قبل تاريخ الإغلاق ({closes:%d/%m/%Y}). ويشترط توفر الجمعية على "
            "الوصل النهائي وتقديم تقاريرها عن السنة السابقة.",
            closes_on=closes,
        )

    for fr, ar in REGIONS:
        both(
            f"deposer-{slugify(fr)}",
            "reception",
            ArticleKind.FAQ,
            f"Où déposer son dossier dans la région {fr} ?",
            f"Dans la région {fr}, la déclaration d'une association se dépose auprès de "
            "l'autorité administrative locale du siège (pachalik, caïdat ou annexe). Les "
            "demandes de partenariat et de subvention du ministère se déposent à la direction "
            f"provinciale de l'éducation ; l'académie régionale de {fr} coordonne les appels "
            "régionaux.\n"
            "Le centre de contact vous indique l'adresse exacte et les horaires d'accueil.",
            f"أين أودع ملفي في جهة {ar}؟",
            f"في جهة {ar}، يودع التصريح بالجمعية لدى السلطة الإدارية المحلية للمقر (الباشوية أو "
            "القيادة أو الملحقة). وتودع طلبات الشراكة والدعم لدى المديرية الإقليمية للتربية "
            f"الوطنية، وتنسق الأكاديمية الجهوية لجهة {ar} طلبات العروض الجهوية.\n"
            "يرشدكم مركز الاتصال إلى العنوان المضبوط وأوقات الاستقبال.",
        )

    for slug, fr_title, fr_docs, ar_title, ar_docs in FORMS:
        both(
            slug,
            "associations",
            ArticleKind.FORM,
            fr_title,
            "Pièces à fournir :\n"
            + "\n".join(f"- {d} ;" for d in fr_docs)
            + "\nLes copies n'ont pas à être certifiées conformes, sauf demande expresse. "
            "Gardez une copie de tout le dossier et du récépissé de dépôt.",
            ar_title,
            "الوثائق المطلوبة:\n"
            + "\n".join(f"- {d}؛" for d in ar_docs)
            + "\nلا يشترط تصحيح إمضاء النسخ إلا إذا طلب ذلك صراحة. احتفظوا بنسخة من الملف ومن "
            "وصل الإيداع.",
        )

    for i, (title, body) in enumerate(SCRIPTS):
        lang = "ar" if any("\u0600" <= c <= "\u06ff" for c in title) else "fr"
        _write(
            author,
            publisher,
            slug=f"script-{i + 1}",
            lang=lang,
            kind=ArticleKind.FAQ,
            title=title,
            body=body,
            category=categories.get("reception"),
            status=ArticleStatus.INTERNAL,
        )
        ctx.progress.advance(1, title)

    for fr_article, ar_article in pairs:
        article_twin_set(actor=publisher, article=fr_article, twin=ar_article)
    ctx.counts["kb_articles"] = total
