"""Demo data of the contact centre: the registry of associations and the people who write.

About 150 associations, seated in communes where the demo has communes and in provinces
(unions) and regions (networks) everywhere else, with the country's weight falling on the
home region (Tanger-Tétouan-Al Hoceïma) and on Fès-Meknès, where the demo's regional agent
works; each with one to three contact people; then a few hundred citizens. Everything goes
through the registry's services (``association_create``, ``requester_create``), so it is
validated and audited as an agent's entry would be; at this volume they take about a
second.

The registry is dated before the year of tickets (``contact_tickets``) that follows: the
services stamp each row with the time of the seed, which a year of history cannot keep.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pilotage.accounts.models import User
from pilotage.contact.models import ActionField, Association, Language, LegalForm, Requester
from pilotage.contact.services.registry import association_create, requester_create
from pilotage.core.audit import SEED, audit_record
from pilotage.demo.context import Context
from pilotage.demo.names import SCHOOL_NAMESAKES, Pair, draw_sex, person_name
from pilotage.demo.orgunits import COMMUNE_DEPTH, COUNTRY_CODE, ProvinceInfo, seat_name
from pilotage.orgunits.models import OrgUnit

ASSOCIATIONS = 150
CITIZENS = 220
# The registry was loaded this long before the seed: before the first ticket of the year.
REGISTRY_AGE = dt.timedelta(days=380)
EMAIL_DOMAIN = "associations.example"
CITIZEN_DOMAIN = "courriel.example"

# How the name of an association says what it does, per field of action (contact.py's
# codes): "Association Al Amal pour la jeunesse" / "جمعية الأمل للشباب".
PURPOSES: dict[str, Pair] = {
    "youth": ("pour la jeunesse", "للشباب"),
    "women": ("pour la promotion de la femme", "لإنعاش المرأة"),
    "childhood": ("pour la protection de l'enfance", "لحماية الطفولة"),
    "environment": ("pour la protection de l'environnement", "لحماية البيئة"),
    "education": ("pour l'éducation et l'alphabétisation", "للتربية ومحو الأمية"),
    "disability": (
        "pour le soutien des personnes en situation de handicap",
        "لدعم الأشخاص في وضعية إعاقة",
    ),
    "human_rights": ("pour les droits humains", "لحقوق الإنسان"),
    "health": ("pour l'éducation sanitaire", "للتربية الصحية"),
    "culture": ("pour la culture et le patrimoine", "للثقافة والتراث"),
    "sport": ("pour le sport et les loisirs", "للرياضة والترفيه"),
    "local_development": ("pour le développement local", "للتنمية المحلية"),
    "solidarity": ("pour la solidarité et l'action sociale", "للتضامن والعمل الاجتماعي"),
}
# How often each field is an association's first one (education and local development
# lead among the associations that deal with the ministry).
FIELD_WEIGHTS = {
    "education": 5,
    "local_development": 4,
    "youth": 4,
    "women": 3,
    "childhood": 3,
    "solidarity": 3,
    "culture": 2,
    "environment": 2,
    "sport": 2,
    "disability": 2,
    "health": 1,
    "human_rights": 1,
}

# The hopeful words associations are named with.
WORDS: list[Pair] = [
    ("Al Amal", "الأمل"),
    ("Annour", "النور"),
    ("Al Wafae", "الوفاء"),
    ("Attadamoun", "التضامن"),
    ("Al Khair", "الخير"),
    ("Al Ihssane", "الإحسان"),
    ("Annajah", "النجاح"),
    ("Al Fajr", "الفجر"),
    ("Al Mostakbal", "المستقبل"),
    ("Tifawin", "تيفاوين"),
    ("Tilelli", "تيليلي"),
    ("Afak", "آفاق"),
    ("Chourouk", "الشروق"),
    ("Annahda", "النهضة"),
    ("Al Baraka", "البركة"),
    ("Al Atlas", "الأطلس"),
    ("Arrahma", "الرحمة"),
    ("Al Hayat", "الحياة"),
    ("Assalam", "السلام"),
    ("Al Mouwatana", "المواطنة"),
    ("Ibtissama", "ابتسامة"),
    ("Amal Al Ghad", "أمل الغد"),
    ("Nour Al Maarifa", "نور المعرفة"),
    ("Al Yassamine", "الياسمين"),
    ("Al Wahda", "الوحدة"),
    ("Tamaynut", "تامينوت"),
    ("Al Manar", "المنار"),
    ("Ennakhla", "النخلة"),
    ("Al Moubadara", "المبادرة"),
    ("Al Ikhae", "الإخاء"),
]
# Scholars the foundations are named after (not the royal names of the school list).
SCHOLARS: list[Pair] = [n for n in SCHOOL_NAMESAKES if n[0].startswith(("Ibn ", "Al F", "Al I"))]

# legal form, share
LEGAL_FORMS = [
    (LegalForm.ASSOCIATION, 0.74),
    (LegalForm.UNION, 0.05),
    (LegalForm.NETWORK, 0.04),
    (LegalForm.COOPERATIVE, 0.05),
    (LegalForm.FOUNDATION, 0.04),
    (LegalForm.PUBLIC_UTILITY, 0.05),
    (LegalForm.OTHER, 0.03),
]
# The home region and Fès-Meknès weigh more; the large urban regions a little more.
REGION_WEIGHTS = {"MA-01": 6.0, "MA-03": 4.0, "MA-04": 2.0, "MA-06": 2.0}
STREETS = [
    "avenue Hassan II",
    "avenue Mohammed V",
    "rue Al Massira",
    "rue Ibn Battouta",
    "boulevard Allal El Fassi",
    "rue Al Qods",
    "rue Oued Eddahab",
    "avenue des FAR",
]
POSITIONS = [
    ("Président", "Présidente"),
    ("Secrétaire général", "Secrétaire générale"),
    ("Trésorier", "Trésorière"),
    ("Chargé de projets", "Chargée de projets"),
]


@dataclass(frozen=True)
class Seat:
    unit: OrgUnit
    place: Pair  # the town, commune or region the name and the address give
    province_code: str  # "TNG" in registration numbers


def place_of(unit: OrgUnit) -> Pair:
    """The place a unit names, in French and Arabic: a commune's name, a province's seat
    town, a region's name (the names, addresses and requests quote it)."""
    if unit.depth >= COMMUNE_DEPTH:
        fr = unit.name_fr
        for prefix in ("Commune de ", "Commune d'"):
            fr = fr.removeprefix(prefix)
        return fr, unit.name_ar.removeprefix("جماعة ")
    if unit.depth == COMMUNE_DEPTH - 1:
        return seat_name(ProvinceInfo(unit.code, unit.name_fr, unit.name_ar, unit.path, 0, False))
    return unit.name_fr, unit.name_ar


def _seats() -> tuple[list[Seat], list[Seat], list[Seat], list[float], list[float]]:
    """Morocco's regions, provinces and communes (the demo's tree: the other countries of
    the cooperation programmes are left out), with each province's and commune's weight."""
    country = OrgUnit.objects.get(code=COUNTRY_CODE, depth=1)
    units = list(
        OrgUnit.objects.filter(path__startswith=country.path, depth__in=(2, 3, 4)).order_by("path")
    )
    region_code = {u.path: u.code for u in units if u.depth == 2}
    province_code = {u.path: u.code for u in units if u.depth == 3}
    steplen = OrgUnit.steplen

    def seat(unit: OrgUnit) -> Seat:
        code = province_code.get(unit.path[: 3 * steplen], unit.code)
        return Seat(unit, place_of(unit), code.removeprefix("MA-"))

    def weight(unit: OrgUnit) -> float:
        return REGION_WEIGHTS.get(region_code.get(unit.path[: 2 * steplen], ""), 1.0)

    regions = [seat(u) for u in units if u.depth == 2]
    provinces = [seat(u) for u in units if u.depth == 3]
    communes = [seat(u) for u in units if u.depth == 4]
    return (
        regions,
        provinces,
        communes,
        [weight(s.unit) for s in provinces],
        [weight(s.unit) for s in communes],
    )


def _phone(rng: random.Random, mobile: bool = True) -> str:
    head = rng.choice(["06", "07"]) if mobile else rng.choice(["0522", "0537", "0539", "0535"])
    digits = head + "".join(str(rng.randint(0, 9)) for _ in range(10 - len(head)))
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def _cin(rng: random.Random) -> str:
    letters = rng.choice(["K", "KB", "L", "LC", "C", "CD", "BE", "A", "AB", "G", "J", "H"])
    return f"{letters}{rng.randint(10_000, 999_999)}"


def _name(rng: random.Random, form: str, seat: Seat, purpose: Pair) -> Pair:
    (place, place_ar), (aim, aim_ar) = seat.place, purpose
    word, word_ar = rng.choice(WORDS)
    if form == LegalForm.UNION:
        of = f"d'{place}" if place[0] in "AEIOUÂÉ" else f"de {place}"
        return f"Union des associations {of}", f"اتحاد جمعيات {place_ar}"
    if form == LegalForm.NETWORK:
        return f"Réseau régional {aim} ({place})", f"الشبكة الجهوية {aim_ar} بجهة {place_ar}"
    if form == LegalForm.COOPERATIVE:
        return f"Coopérative {word} {place}", f"تعاونية {word_ar} {place_ar}"
    if form == LegalForm.FOUNDATION:
        scholar, scholar_ar = rng.choice(SCHOLARS)
        return f"Fondation {scholar} {aim}", f"مؤسسة {scholar_ar} {aim_ar}"
    if form == LegalForm.PUBLIC_UTILITY:
        return f"Association marocaine {aim}", f"الجمعية المغربية {aim_ar}"
    if rng.random() < 0.45:
        # Named after its commune or town, as many are.
        return f"Association {place} {aim}", f"جمعية {place_ar} {aim_ar}"
    return f"Association {word} {aim}", f"جمعية {word_ar} {aim_ar}"


def _acronym(name: str) -> str:
    small = {"de", "des", "du", "d", "la", "le", "les", "l", "pour", "et", "en", "a"}
    words = name.replace("'", " ").replace("(", " ").replace(")", " ").split()
    return "".join(w[0].upper() for w in words if w.lower() not in small and w[0].isalpha())


def _email_for(local: str, domain: str, taken: set[str]) -> str:
    """An address no other requester or association has (the mailbox finds people by it)."""
    base = slugify(local).replace("-", ".")[:40].strip(".") or "contact"
    address, n = f"{base}@{domain}", 2
    while address in taken:
        address, n = f"{base}{n}@{domain}", n + 1
    taken.add(address)
    return address


def _founded_on(rng: random.Random, latest: dt.date) -> dt.date:
    # More associations are young than old (the registry grew fast after 2005, with the
    # INDH); none after the registry was loaded.
    year = min(latest.year, int(1975 + (latest.year - 1975) * rng.random() ** 0.6))
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return min(day, latest - dt.timedelta(days=30))


def _size(rng: random.Random, form: str) -> tuple[int | None, int | None]:
    if rng.random() < 0.1:
        return None, None  # not declared
    big = form in (LegalForm.PUBLIC_UTILITY, LegalForm.FOUNDATION, LegalForm.NETWORK)
    roll = rng.random()
    if big or roll > 0.95:
        return rng.randint(8, 80), rng.randint(80, 800)
    if roll > 0.7:
        return rng.randint(1, 10), rng.randint(20, 120)
    return rng.choice([0, 0, 0, 1, 2]), rng.randint(5, 35)


def create_contact_registry(ctx: Context) -> None:
    if Association.objects.exists():
        # A registry already filled (a real one, or this step run before) is not mixed
        # with invented associations; seed_demo refuses a seeded database before this.
        raise RuntimeError("the associations registry is not empty: demo registry not added")
    rng = ctx.rng("contact_registry")
    agent = User.objects.get(username="agent.contact")
    fields = {f.code: f for f in ActionField.objects.all()}
    field_codes = [c for c in FIELD_WEIGHTS if c in fields]
    field_weights = [FIELD_WEIGHTS[c] for c in field_codes]
    regions, provinces, communes, province_weights, commune_weights = _seats()
    registry_at = timezone.now() - REGISTRY_AGE
    ctx.progress.total(ASSOCIATIONS + CITIZENS)

    names: set[str] = set()
    numbers: set[str | None] = set()
    emails: set[str] = set()
    created: list[int] = []
    people: list[int] = []
    with transaction.atomic():
        for _n in range(ASSOCIATIONS):
            form = rng.choices([f for f, _w in LEGAL_FORMS], [w for _f, w in LEGAL_FORMS])[0]
            if form == LegalForm.NETWORK:
                seat = rng.choice(regions)
            elif form == LegalForm.UNION or not communes or rng.random() < 0.5:
                seat = rng.choices(provinces, province_weights)[0]
            else:
                seat = rng.choices(communes, commune_weights)[0]
            first = rng.choices(field_codes, field_weights)[0]
            chosen = [first] + rng.sample(
                [c for c in field_codes if c != first], k=rng.choice([0, 0, 1, 1, 2])
            )
            for _attempt in range(10):
                name_fr, name_ar = _name(rng, form, seat, PURPOSES[first])
                if name_fr not in names:
                    break
            else:
                word, word_ar = rng.choice(WORDS)
                name_fr, name_ar = f"{name_fr} – {word}", f"{name_ar} – {word_ar}"
            names.add(name_fr)
            founded = _founded_on(rng, registry_at.date())
            # The receipt's number: the authority's, its year, its rank among that year's.
            number = None
            if rng.random() > 0.08:
                for _attempt in range(100):
                    number = f"{seat.province_code}/{founded.year}/{rng.randint(1, 400):04d}"
                    if number not in numbers:
                        break
                numbers.add(number)
            acronym = _acronym(name_fr) if rng.random() < 0.4 else ""
            employees, volunteers = _size(rng, form)
            language = rng.choices(
                [Language.ARABIC, Language.FRENCH, Language.AMAZIGH], [55, 40, 5]
            )[0]
            association = association_create(
                actor=agent,
                fields=[fields[c] for c in chosen],
                name_fr=name_fr,
                name_ar=name_ar,
                acronym=acronym[:40],
                registration_number=number,
                legal_form=form,
                org_unit=seat.unit,
                employees=employees,
                volunteers=volunteers,
                founded_on=founded,
                email=(
                    _email_for(
                        f"{(acronym or _acronym(name_fr)).lower()} {seat.place[0]}",
                        EMAIL_DOMAIN,
                        emails,
                    )
                    if rng.random() < 0.75
                    else ""
                ),
                phone=_phone(rng, mobile=rng.random() < 0.6),
                address=(
                    f"{rng.randint(1, 180)}, {rng.choice(STREETS)}, {seat.place[0]}"
                    if rng.random() < 0.7
                    else f"Maison des jeunes, {seat.place[0]}"
                ),
                language=language,
                is_active=rng.random() > 0.04,
            )
            created.append(association.pk)
            for i, (title_m, title_f) in enumerate(POSITIONS):
                if i and rng.random() > (0.5, 0.2, 0.15)[i - 1]:
                    continue
                person = person_name(rng, draw_sex(rng, 0.6))
                contact = requester_create(
                    actor=agent,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    name_ar=person.full_name_ar,
                    phone=_phone(rng),
                    email=(
                        _email_for(person.full_name, CITIZEN_DOMAIN, emails)
                        if rng.random() < 0.7
                        else ""
                    ),
                    cin=_cin(rng) if rng.random() < 0.4 else "",
                    language=language,
                    association=association,
                    position=title_m if person.sex == "M" else title_f,
                )
                people.append(contact.pk)
            ctx.progress.advance(1, name_fr)

        for _n in range(CITIZENS):
            person = person_name(rng, draw_sex(rng, 0.5))
            home = (
                rng.choices(communes, commune_weights)[0]
                if communes and rng.random() < 0.5
                else rng.choices(provinces, province_weights)[0]
            )
            citizen = requester_create(
                actor=agent,
                first_name=person.first_name,
                last_name=person.last_name,
                name_ar=person.full_name_ar,
                phone=_phone(rng) if rng.random() < 0.9 else "",
                email=(
                    _email_for(person.full_name, CITIZEN_DOMAIN, emails)
                    if rng.random() < 0.55
                    else ""
                ),
                cin=_cin(rng) if rng.random() < 0.3 else "",
                language=rng.choices(
                    [Language.ARABIC, Language.FRENCH, Language.AMAZIGH], [60, 35, 5]
                )[0],
                org_unit=home.unit,
            )
            people.append(citizen.pk)
            ctx.progress.advance(1, person.full_name)

        # The services stamp the time of the seed; the registry predates the year of tickets.
        Association.objects.filter(pk__in=created).update(created_at=registry_at)
        Requester.objects.filter(pk__in=people).update(created_at=registry_at)
        audit_record(
            actor=None,
            action=SEED,
            obj=OrgUnit.objects.get(code=COUNTRY_CODE, depth=1),
            changes={
                "associations": [None, len(created)],
                "requesters": [None, len(people)],
                "registered_on": [None, registry_at.date().isoformat()],
                "seed": [None, ctx.seed],
            },
        )
    ctx.counts["contact_associations"] = len(created)
    ctx.counts["contact_requesters"] = len(people)
