"""Name data for the demo: people, schools and communes, each in French (Latin script)
and Arabic.

The lists are written by hand from common Moroccan usage. They are ordered roughly from
most to least frequent, and :func:`person_name` draws with weights that fall with the
rank, so a class list has several Mohammeds and Fatimas, as a real one does, rather than a
flat spread of rare names.

Every draw takes the caller's ``random.Random``: the demo must be reproducible from its
seed, so nothing here touches the global random state.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

Sex = Literal["M", "F"]
T = TypeVar("T")
Pair = tuple[str, str]

# Share of boys among pupils enrolled in primary school (Morocco, public and private
# together, about 51 %: the sex ratio at birth and near-universal primary enrolment).
BOYS_SHARE_PRIMARY = 0.51

MALE_FIRST_NAMES: list[Pair] = [
    ("Mohammed", "محمد"),
    ("Ahmed", "أحمد"),
    ("Youssef", "يوسف"),
    ("Omar", "عمر"),
    ("Adam", "آدم"),
    ("Hamza", "حمزة"),
    ("Ayoub", "أيوب"),
    ("Amine", "أمين"),
    ("Ali", "علي"),
    ("Hassan", "حسن"),
    ("Mehdi", "مهدي"),
    ("Yassine", "ياسين"),
    ("Anas", "أنس"),
    ("Ismail", "إسماعيل"),
    ("Ibrahim", "إبراهيم"),
    ("Khalid", "خالد"),
    ("Said", "سعيد"),
    ("Rachid", "رشيد"),
    ("Abdellah", "عبد الله"),
    ("Abdelkader", "عبد القادر"),
    ("Abderrahim", "عبد الرحيم"),
    ("Abdelaziz", "عبد العزيز"),
    ("Mustapha", "مصطفى"),
    ("Karim", "كريم"),
    ("Hicham", "هشام"),
    ("Nabil", "نبيل"),
    ("Redouane", "رضوان"),
    ("Soufiane", "سفيان"),
    ("Zakaria", "زكرياء"),
    ("Bilal", "بلال"),
    ("Othmane", "عثمان"),
    ("Driss", "إدريس"),
    ("Hamid", "حميد"),
    ("Jamal", "جمال"),
    ("Noureddine", "نور الدين"),
    ("Aziz", "عزيز"),
    ("Adil", "عادل"),
    ("Tarik", "طارق"),
    ("Badr", "بدر"),
    ("Ilyas", "إلياس"),
    ("Walid", "وليد"),
    ("Marouane", "مروان"),
    ("Saad", "سعد"),
    ("Younes", "يونس"),
    ("Abdelilah", "عبد الإله"),
    ("Brahim", "ابراهيم"),
    ("Lahcen", "لحسن"),
    ("Mbarek", "امبارك"),
    ("Larbi", "العربي"),
    ("Taha", "طه"),
    ("Rayan", "ريان"),
    ("Aymane", "أيمن"),
    ("Imad", "عماد"),
    ("Fouad", "فؤاد"),
    ("Anouar", "أنور"),
    ("Salah", "صلاح"),
    ("Abdelhak", "عبد الحق"),
    ("Mourad", "مراد"),
    ("Mohcine", "محسن"),
    ("Yahya", "يحيى"),
    ("Zouhair", "زهير"),
    ("Oussama", "أسامة"),
    ("Achraf", "أشرف"),
    ("Chakib", "شكيب"),
]

FEMALE_FIRST_NAMES: list[Pair] = [
    ("Fatima", "فاطمة"),
    ("Fatima Zahra", "فاطمة الزهراء"),
    ("Khadija", "خديجة"),
    ("Aicha", "عائشة"),
    ("Meryem", "مريم"),
    ("Salma", "سلمى"),
    ("Hajar", "هاجر"),
    ("Imane", "إيمان"),
    ("Zineb", "زينب"),
    ("Nadia", "نادية"),
    ("Naima", "نعيمة"),
    ("Latifa", "لطيفة"),
    ("Hanane", "حنان"),
    ("Samira", "سميرة"),
    ("Malika", "مليكة"),
    ("Amina", "أمينة"),
    ("Sanaa", "سناء"),
    ("Asmaa", "أسماء"),
    ("Houda", "هدى"),
    ("Loubna", "لبنى"),
    ("Souad", "سعاد"),
    ("Noura", "نورة"),
    ("Kawtar", "كوثر"),
    ("Oumaima", "أميمة"),
    ("Chaimae", "شيماء"),
    ("Ikram", "إكرام"),
    ("Hind", "هند"),
    ("Siham", "سهام"),
    ("Rajae", "رجاء"),
    ("Btissam", "ابتسام"),
    ("Fadoua", "فدوى"),
    ("Ghizlane", "غزلان"),
    ("Hayat", "حياة"),
    ("Jamila", "جميلة"),
    ("Karima", "كريمة"),
    ("Layla", "ليلى"),
    ("Nisrine", "نسرين"),
    ("Rania", "رانيا"),
    ("Sara", "سارة"),
    ("Yasmine", "ياسمين"),
    ("Wafae", "وفاء"),
    ("Widad", "وداد"),
    ("Zahra", "زهرة"),
    ("Rim", "ريم"),
    ("Douae", "دعاء"),
    ("Aya", "آية"),
    ("Hiba", "هبة"),
    ("Ilham", "إلهام"),
    ("Najat", "نجاة"),
    ("Rachida", "رشيدة"),
    ("Saida", "سعيدة"),
    ("Touria", "ثريا"),
    ("Zhor", "زهور"),
    ("Habiba", "حبيبة"),
    ("Kenza", "كنزة"),
    ("Nouhaila", "نهيلة"),
    ("Safae", "صفاء"),
    ("Soukaina", "سكينة"),
    ("Mouna", "منى"),
    ("Bouchra", "بشرى"),
    ("Hafsa", "حفصة"),
    ("Inass", "إيناس"),
]

FAMILY_NAMES: list[Pair] = [
    ("El Amrani", "العمراني"),
    ("El Idrissi", "الإدريسي"),
    ("Alaoui", "العلوي"),
    ("Benjelloun", "بنجلون"),
    ("Bennani", "بناني"),
    ("Tazi", "التازي"),
    ("El Fassi", "الفاسي"),
    ("Berrada", "برادة"),
    ("Chraibi", "الشرايبي"),
    ("Benkirane", "بنكيران"),
    ("El Ouazzani", "الوزاني"),
    ("Sqalli", "السقلي"),
    ("Lahlou", "لحلو"),
    ("Tahiri", "الطاهري"),
    ("Kettani", "الكتاني"),
    ("El Mansouri", "المنصوري"),
    ("Bennis", "بنيس"),
    ("Filali", "الفيلالي"),
    ("Hajji", "الحجي"),
    ("Bouzidi", "البوزيدي"),
    ("El Khatib", "الخطيب"),
    ("Naciri", "الناصري"),
    ("Sebti", "السبتي"),
    ("Cherkaoui", "الشرقاوي"),
    ("Mernissi", "المرنيسي"),
    ("Benmoussa", "بنموسى"),
    ("Benali", "بنعلي"),
    ("Benslimane", "بنسليمان"),
    ("Bensaid", "بنسعيد"),
    ("Benabdallah", "بنعبد الله"),
    ("Zniber", "زنيبر"),
    ("Guessous", "كسوس"),
    ("Sefrioui", "الصفريوي"),
    ("Lazrak", "الأزرق"),
    ("Bakkali", "البقالي"),
    ("Zerouali", "الزروالي"),
    ("Rifi", "الريفي"),
    ("Soussi", "السوسي"),
    ("Doukkali", "الدكالي"),
    ("Saidi", "السعيدي"),
    ("Hamdaoui", "الحمداوي"),
    ("El Yousfi", "اليوسفي"),
    ("Kabbaj", "القباج"),
    ("Belhaj", "بلحاج"),
    ("Ait Ali", "آيت علي"),
    ("Ait Taleb", "آيت الطالب"),
    ("Aouad", "عواد"),
    ("Ziani", "الزياني"),
    ("Ghazi", "الغازي"),
    ("Hilali", "الهلالي"),
    ("Jabri", "الجابري"),
    ("Kadiri", "القادري"),
    ("Marzouki", "المرزوقي"),
    ("Mouline", "مولين"),
    ("Nejjar", "النجار"),
    ("Kasmi", "القاسمي"),
    ("Raji", "الراجي"),
    ("Regragui", "الركراكي"),
    ("Sbai", "السباعي"),
    ("Tounsi", "التونسي"),
    ("Wahbi", "الوهبي"),
    ("Yacoubi", "اليعقوبي"),
    ("Zahraoui", "الزهراوي"),
    ("El Ghazouani", "الغزواني"),
    ("Ennaji", "الناجي"),
    ("Essafi", "الصافي"),
    ("El Haddad", "الحداد"),
    ("El Jamali", "الجمالي"),
    ("Bouazza", "بوعزة"),
    ("Boukhari", "البخاري"),
    ("Chaoui", "الشاوي"),
    ("Dahbi", "الذهبي"),
    ("Fikri", "الفكري"),
    ("Ghali", "الغالي"),
    ("Ismaili", "الإسماعيلي"),
    ("Jaafari", "الجعفري"),
    ("Karimi", "الكريمي"),
    ("Laaroussi", "العروسي"),
    ("Mabrouk", "مبروك"),
    ("Rahmouni", "الرحموني"),
    ("Saadi", "السعدي"),
    ("Talbi", "الطالبي"),
    ("Yassini", "الياسيني"),
    ("Zouhri", "الزهري"),
    ("Benchekroun", "بنشقرون"),
    ("Benhima", "بنهيمة"),
    ("Bouabid", "بوعبيد"),
    ("Cherradi", "الشرادي"),
    ("Daoudi", "الداودي"),
    ("El Alami", "العلمي"),
    ("Fassi Fihri", "الفاسي الفهري"),
    ("Hassani", "الحسني"),
    ("Hamdouchi", "الحمدوشي"),
    ("Lahrichi", "لحريشي"),
    ("Meziane", "مزيان"),
    ("Moussaoui", "الموساوي"),
    ("Oulhaj", "أولحاج"),
    ("Rami", "الرامي"),
    ("Serghini", "السرغيني"),
    ("Slaoui", "السلاوي"),
    ("Ouardi", "الوردي"),
    ("Zemmouri", "الزموري"),
]


def _rank_weights(n: int) -> list[float]:
    """Cumulative weights falling as rank^-0.8: the head of each list is common, the tail
    rare but present."""
    return list(itertools.accumulate(1 / (rank**0.8) for rank in range(1, n + 1)))


_MALE_WEIGHTS = _rank_weights(len(MALE_FIRST_NAMES))
_FEMALE_WEIGHTS = _rank_weights(len(FEMALE_FIRST_NAMES))
_FAMILY_WEIGHTS = _rank_weights(len(FAMILY_NAMES))


@dataclass(frozen=True)
class PersonName:
    sex: Sex
    first_name: str
    last_name: str
    first_name_ar: str
    last_name_ar: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name_ar(self) -> str:
        return f"{self.first_name_ar} {self.last_name_ar}"


def draw_sex(rng: random.Random, boys_share: float = BOYS_SHARE_PRIMARY) -> Sex:
    return "M" if rng.random() < boys_share else "F"


def weighted_choice(rng: random.Random, population: Sequence[T], cum_weights: Sequence[float]) -> T:
    """``rng.choices(population, cum_weights=cum_weights)[0]``, same draw and same single
    call to ``rng.random()``, without building a list: millions of pupils are named."""
    hi = len(cum_weights) - 1
    return population[bisect.bisect(cum_weights, rng.random() * cum_weights[-1], 0, hi)]


def person_name(rng: random.Random, sex: Sex) -> PersonName:
    if sex == "M":
        first = weighted_choice(rng, MALE_FIRST_NAMES, _MALE_WEIGHTS)
    else:
        first = weighted_choice(rng, FEMALE_FIRST_NAMES, _FEMALE_WEIGHTS)
    last = weighted_choice(rng, FAMILY_NAMES, _FAMILY_WEIGHTS)
    return PersonName(sex, first[0], last[0], first[1], last[1])


# --- Schools --------------------------------------------------------------------------
# Moroccan schools are named after historical and religious figures, scholars, dynasties,
# national events and values. The French form is the usual transliteration.

SCHOOL_NAMESAKES: list[Pair] = [
    ("Ibn Battouta", "ابن بطوطة"),
    ("Ibn Khaldoun", "ابن خلدون"),
    ("Al Farabi", "الفارابي"),
    ("Ibn Rochd", "ابن رشد"),
    ("Al Idrissi", "الإدريسي"),
    ("Ibn Sina", "ابن سينا"),
    ("Moulay Rachid", "مولاي رشيد"),
    ("Al Massira", "المسيرة"),
    ("Al Andalous", "الأندلس"),
    ("Annahda", "النهضة"),
    ("Al Amal", "الأمل"),
    ("Anoual", "أنوال"),
    ("Oued Eddahab", "وادي الذهب"),
    ("Moulay Ismail", "مولاي إسماعيل"),
    ("Moulay Youssef", "مولاي يوسف"),
    ("Moulay Slimane", "مولاي سليمان"),
    ("Moulay Idriss", "مولاي إدريس"),
    ("Moulay Abdellah", "مولاي عبد الله"),
    ("Moulay Ali Cherif", "مولاي علي الشريف"),
    ("Mohammed V", "محمد الخامس"),
    ("Hassan II", "الحسن الثاني"),
    ("Moulay El Hassan", "مولاي الحسن"),
    ("Lalla Aicha", "للا عائشة"),
    ("Lalla Meryem", "للا مريم"),
    ("Lalla Asmaa", "للا أسماء"),
    ("Sidi Mohammed Ben Abdellah", "سيدي محمد بن عبد الله"),
    ("Youssef Ibn Tachfine", "يوسف بن تاشفين"),
    ("Tarik Ibn Ziad", "طارق بن زياد"),
    ("Abdelkrim El Khattabi", "عبد الكريم الخطابي"),
    ("Allal El Fassi", "علال الفاسي"),
    ("Mohammed Zerktouni", "محمد الزرقطوني"),
    ("Al Mokhtar Soussi", "المختار السوسي"),
    ("Ibn Toumert", "ابن تومرت"),
    ("Abdelmoumen", "عبد المومن"),
    ("Yacoub El Mansour", "يعقوب المنصور"),
    ("Ahmed El Mansour", "أحمد المنصور"),
    ("Al Khawarizmi", "الخوارزمي"),
    ("Ibn Al Haytham", "ابن الهيثم"),
    ("Al Jahiz", "الجاحظ"),
    ("Al Moutanabbi", "المتنبي"),
    ("Abou Al Qassim Chabbi", "أبو القاسم الشابي"),
    ("Al Biruni", "البيروني"),
    ("Al Kindi", "الكندي"),
    ("Ibn Zohr", "ابن زهر"),
    ("Ibn Tofail", "ابن طفيل"),
    ("Ibn Bajja", "ابن باجة"),
    ("Ibn Al Banna", "ابن البناء"),
    ("Ibn Hazm", "ابن حزم"),
    ("Ibn Zaydoun", "ابن زيدون"),
    ("Lissan Eddine Ibn Al Khatib", "لسان الدين ابن الخطيب"),
    ("Al Qadi Ayyad", "القاضي عياض"),
    ("Abou Al Abbas Sebti", "أبو العباس السبتي"),
    ("Al Hassan Al Youssi", "الحسن اليوسي"),
    ("Abou Bakr Seddik", "أبو بكر الصديق"),
    ("Omar Ibn Al Khattab", "عمر بن الخطاب"),
    ("Othmane Ibn Affane", "عثمان بن عفان"),
    ("Ali Ibn Abi Talib", "علي بن أبي طالب"),
    ("Khalid Ibn Al Walid", "خالد بن الوليد"),
    ("Okba Ibn Nafii", "عقبة بن نافع"),
    ("Abou Dar Al Ghifari", "أبو ذر الغفاري"),
    ("Hassan Ibn Thabit", "حسان بن ثابت"),
    ("Salah Eddine Al Ayoubi", "صلاح الدين الأيوبي"),
    ("Al Khansaa", "الخنساء"),
    ("Fatima Al Fihriya", "فاطمة الفهرية"),
    ("Zaynab Nafzawiya", "زينب النفزاوية"),
    ("Al Qods", "القدس"),
    ("Al Quaraouiyine", "القرويين"),
    ("Al Mouahidine", "الموحدين"),
    ("Al Mourabitine", "المرابطين"),
    ("Al Maghrib Al Arabi", "المغرب العربي"),
    ("Al Massira Al Khadra", "المسيرة الخضراء"),
    ("Al Istiqlal", "الاستقلال"),
    ("Al Moukawama", "المقاومة"),
    ("11 Janvier", "11 يناير"),
    ("20 Août", "20 غشت"),
    ("18 Novembre", "18 نونبر"),
    ("Al Wahda", "الوحدة"),
    ("Al Fath", "الفتح"),
    ("Al Irfane", "العرفان"),
    ("Al Hikma", "الحكمة"),
    ("Al Falah", "الفلاح"),
    ("Attakadoum", "التقدم"),
    ("Al Moustaqbal", "المستقبل"),
    ("Al Wifaq", "الوفاق"),
    ("Al Majd", "المجد"),
    ("Assalam", "السلام"),
    ("Ennour", "النور"),
    ("Al Manar", "المنار"),
    ("Al Inbiat", "الانبعاث"),
    ("Al Yasmine", "الياسمين"),
    ("Annakhil", "النخيل"),
    ("Azzaitoune", "الزيتون"),
    ("Al Bassatine", "البساتين"),
    ("Al Wouroud", "الورود"),
    ("Al Atlas", "الأطلس"),
]


# --- Communes -------------------------------------------------------------------------
# Real-sounding, not the official list. Urban communes carry a town's name; rural ones
# are mostly named, as in reality, after a weekly souk day, a tribe ("Oulad", "Beni",
# "Aït": sons of) or a saint ("Sidi").

TOWN_NAMES: list[Pair] = [
    ("Gueznaia", "اكزناية"),
    ("Assilah", "أصيلة"),
    ("Martil", "مرتيل"),
    ("Azemmour", "أزمور"),
    ("Tiflet", "تيفلت"),
    ("Tamesna", "تامسنا"),
    ("Bouskoura", "بوسكورة"),
    ("Dar Bouazza", "دار بوعزة"),
    ("Ain Harrouda", "عين حرودة"),
    ("Tit Mellil", "تيط مليل"),
    ("Bouznika", "بوزنيقة"),
    ("Ain Aouda", "عين عودة"),
    ("Oued Laou", "واد لاو"),
    ("Ksar El Kebir", "القصر الكبير"),
    ("Ksar Sghir", "القصر الصغير"),
    ("Tahla", "تاهلة"),
    ("Zaio", "زايو"),
    ("Aknoul", "أكنول"),
    ("Ahfir", "أحفير"),
    ("Tazenakht", "تازناخت"),
    ("Agdz", "أكدز"),
    ("Skoura", "سكورة"),
    ("Rissani", "الريصاني"),
    ("Erfoud", "أرفود"),
    ("Goulmima", "كلميمة"),
    ("Tafraout", "تافراوت"),
    ("Biougra", "بيوكرى"),
    ("Aoulouz", "أولوز"),
    ("Tahannaout", "تحناوت"),
    ("Amizmiz", "أمزميز"),
    ("Imintanoute", "إمنتانوت"),
    ("Zemamra", "الزمامرة"),
    ("Oualidia", "الوليدية"),
    ("Ain Taoujdate", "عين تاوجطات"),
    ("Imouzzer Kandar", "إموزار كندر"),
    ("Azrou", "أزرو"),
    ("Bhalil", "البهاليل"),
    ("Mechra Bel Ksiri", "مشرع بلقصيري"),
    ("Souk El Arbaa", "سوق الأربعاء"),
    ("Ben Ahmed", "ابن أحمد"),
    ("Oulad Teima", "أولاد تايمة"),
    ("Ait Melloul", "آيت ملول"),
    ("Dcheira", "الدشيرة"),
    ("Lqliaa", "القليعة"),
    ("Boujniba", "بوجنيبة"),
    ("Oued Zem", "وادي زم"),
    ("Kasba Tadla", "قصبة تادلة"),
    ("Demnate", "دمنات"),
    ("Tamallalt", "تملالت"),
    ("Chemaia", "الشماعية"),
]

SOUK_DAYS: list[Pair] = [
    ("Had", "حد"),
    ("Tnine", "اثنين"),
    ("Tleta", "ثلاثاء"),
    ("Larbaa", "أربعاء"),
    ("Khemis", "خميس"),
    ("Jemaa", "جمعة"),
    ("Sebt", "سبت"),
]
SOUK_PLACES: list[Pair] = [
    ("Gzoula", "كزولة"),
    ("Soualem", "السوالم"),
    ("Shaim", "سحيم"),
    ("Ayacha", "عياشة"),
    ("Ghiata", "غياثة"),
    ("Oudaya", "الوداية"),
    ("Zerhoun", "زرهون"),
    ("Brachoua", "براشوة"),
    ("Mzoura", "مزورة"),
    ("Bouguedra", "بوكدرة"),
    ("Ourika", "أوريكة"),
    ("Gharbia", "الغربية"),
    ("Dra", "درعة"),
    ("Rmel", "الرمل"),
    ("Lalla Mimouna", "للا ميمونة"),
    ("Ait Ouallal", "آيت والال"),
]
TRIBE_PREFIXES: list[Pair] = [("Oulad", "أولاد"), ("Beni", "بني"), ("Ait", "آيت")]
TRIBE_NAMES: list[Pair] = [
    ("Ayad", "عياد"),
    ("Hriz", "حريز"),
    ("Frej", "فرج"),
    ("Said", "سعيد"),
    ("Azzouz", "عزوز"),
    ("Ghanem", "غانم"),
    ("Hamdane", "حمدان"),
    ("Amrane", "عمران"),
    ("Salah", "صالح"),
    ("Mbarek", "امبارك"),
    ("Yaich", "يعيش"),
    ("Ahmed", "أحمد"),
    ("Hassan", "حسن"),
    ("Moussa", "موسى"),
    ("Yakhlef", "يخلف"),
    ("Ishaq", "إسحاق"),
    ("Hani", "هاني"),
    ("Attab", "عتاب"),
    ("Ali", "علي"),
    ("Youssef", "يوسف"),
]
SAINTS: list[Pair] = [
    ("Allal Bahraoui", "علال البحراوي"),
    ("Bennour", "بنور"),
    ("Kacem", "قاسم"),
    ("Slimane", "سليمان"),
    ("Yahya", "يحيى"),
    ("Rahal", "رحال"),
    ("Bouzid", "بوزيد"),
    ("Bibi", "بيبي"),
    ("Abdallah", "عبد الله"),
    ("Moumen", "مومن"),
    ("Lamine", "الأمين"),
    ("Boubker", "بوبكر"),
    ("Smail", "إسماعيل"),
    ("Hajjaj", "حجاج"),
    ("Ali", "علي"),
    ("Bouothmane", "بوعثمان"),
    ("Ahmed Ou Moussa", "أحمد أوموسى"),
    ("El Mokhtar", "المختار"),
]


def rural_commune_names() -> list[Pair]:
    """Every rural name the patterns can make, in a fixed order for the caller to shuffle
    with its own generator."""
    names: list[Pair] = []
    names += [
        (f"{d} {p}", f"{da} {pa}") for (d, da), (p, pa) in itertools.product(SOUK_DAYS, SOUK_PLACES)
    ]
    names += [
        (f"{t} {n}", f"{ta} {na}")
        for (t, ta), (n, na) in itertools.product(TRIBE_PREFIXES, TRIBE_NAMES)
    ]
    names += [(f"Sidi {s}", f"سيدي {sa}") for s, sa in SAINTS]
    return names
