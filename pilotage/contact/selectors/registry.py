"""Reading the registry: associations and requesters (their contact people and citizens),
scoped to the actor as the tickets are (``permissions.py``), and the normalisations the
registry matches on (phone numbers, e-mail addresses, names in both scripts)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from pilotage.contact import permissions as perms
from pilotage.contact.models import Association, Requester, Ticket

# --- normalisation -------------------------------------------------------------------

_NON_DIGITS = re.compile(r"\D+")


def phone_digits(raw: str) -> str:
    """The national form of a Moroccan number, digits only: ``+212 6 12 34 56 78``,
    ``00212612345678``, ``06 12 34 56 78`` and ``+212 (0)6…`` all give ``0612345678``. A
    foreign number keeps its digits (with its ``00`` prefix)."""
    digits = _NON_DIGITS.sub("", raw or "")
    if (raw or "").strip().startswith("+"):
        digits = "00" + digits
    if digits.startswith("00212"):
        national = digits[5:]
        return national if national.startswith("0") else "0" + national
    if digits.startswith("212") and len(digits) == 12:
        return "0" + digits[3:]
    return digits


def email_normalised(raw: str) -> str:
    return (raw or "").strip().lower()


# Arabic letters written several ways in registers: hamza forms of alef, teh marbuta
# and heh, alef maqsura and yeh; diacritics and the tatweel are dropped.
_ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": None}
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Words every association's name carries: they say nothing about which one it is.
NAME_STOPWORDS = frozenset(
    {
        "association",
        "associations",
        "assoc",
        "ass",
        "asso",
        "jamiat",
        "jamiya",
        "jamaia",
        "de",
        "des",
        "du",
        "la",
        "le",
        "les",
        "l",
        "d",
        "et",
        "pour",
        "au",
        "aux",
        "جمعيه",
        "الجمعيه",
        "جمعيات",
        "ل",
        "و",
        "من",
        "اجل",
    }
)


def name_key(raw: str) -> str:
    """A name as the duplicate check compares it: lower case, accents folded, Arabic
    letters normalised, the words of ``NAME_STOPWORDS`` dropped (also when fused to the
    next word, as « لل » or « وال » are)."""
    text = unicodedata.normalize("NFKD", (raw or "").lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_ARABIC_FOLD)
    words = []
    for word in _WORD.findall(text):
        if word in NAME_STOPWORDS:
            continue
        for prefix in ("لل", "وال", "بال", "ال"):
            if word.startswith(prefix) and len(word) > len(prefix) + 2:
                word = word[len(prefix) :]
                break
        words.append(word)
    return " ".join(words)


# Two names whose keys match at this ratio or more (difflib's ratio: twice the matched
# characters over both lengths) are taken for the same association: « Association Amal
# pour le développement » and « Assoc. Amal de développement » score 1.0, « Amal » and
# « Amal Tanger » 0.53. Tuned on the demo's names; see docs/contact.md.
SIMILAR_NAME_RATIO = 0.85


def names_similar(a: str, b: str) -> bool:
    key_a, key_b = name_key(a), name_key(b)
    if not key_a or not key_b:
        return False
    return difflib.SequenceMatcher(None, key_a, key_b).ratio() >= SIMILAR_NAME_RATIO


def registration_key(raw: str | None) -> str:
    """A registration number compared case- and space-insensitively."""
    return re.sub(r"\s+", "", raw or "").upper()


# --- associations --------------------------------------------------------------------


def associations_visible(actor: Any) -> QuerySet[Association]:
    if not perms.can_use(actor):
        return Association.objects.none()
    return Association.objects.filter(perms.associations_q(actor))


def associations_list(
    actor: Any,
    *,
    q: str = "",
    unit: Any = None,
    field: str = "",
    legal_form: str = "",
) -> QuerySet[Association]:
    """The registry's list: the seat and the fields in two more queries whatever the
    number of rows. ``unit``: a region, province or commune (its subtree)."""
    rows = associations_visible(actor).select_related("org_unit")
    q = (q or "").strip()
    if q:
        key = registration_key(q)
        rows = rows.filter(
            Q(name_fr__icontains=q)
            | Q(name_ar__icontains=q)
            | Q(acronym__icontains=q)
            | Q(registration_number__icontains=key)
            | Q(registration_number__icontains=q)
        )
    if unit is not None:
        rows = rows.filter(org_unit__path__startswith=unit.path)
    if field:
        rows = rows.filter(fields__code=field)
    if legal_form:
        rows = rows.filter(legal_form=legal_form)
    return rows.prefetch_related("fields").distinct().order_by("name_fr", "pk")


def association_get(actor: Any, pk: int) -> Association:
    found = (
        Association.objects.select_related("org_unit")
        .prefetch_related("fields", Prefetch("contacts", Requester.objects.order_by("last_name")))
        .filter(pk=pk)
        .first()
    )
    if found is None or not perms.can_use(actor) or not perms.can_see_association(actor, found):
        raise Http404
    return found


def association_tickets(actor: Any, association: Association) -> QuerySet[Ticket]:
    """Every ticket of the association the actor sees, newest first (its contacts'
    included). A confidential one is listed only to those who may see who wrote it: its
    mere presence in an association's history would name the requester."""
    return (
        Ticket.objects.filter(perms.tickets_q(actor))
        .filter(perms.confidential_visible_q(actor))
        .filter(Q(association=association) | Q(requester__association=association))
        .select_related("queue", "category", "org_unit")
        .order_by("-created_at", "-pk")
    )


# --- requesters ----------------------------------------------------------------------


def requesters_q(actor: Any) -> Q:
    """A contact person is seen where their association is; a citizen where they live,
    and one whose residence is not recorded by every user of the contact centre."""
    association = perms.associations_q(actor)
    lives = perms.tickets_q(actor)  # org_unit__path in reach
    return Q(association__in=Association.objects.filter(association)) | Q(
        Q(association__isnull=True) & (Q(org_unit__isnull=True) | lives)
    )


def requesters_visible(actor: Any) -> QuerySet[Requester]:
    if not perms.can_use(actor):
        return Requester.objects.none()
    return Requester.objects.filter(requesters_q(actor))


def citizens_list(actor: Any, *, q: str = "") -> QuerySet[Requester]:
    rows = requesters_visible(actor).filter(association__isnull=True).select_related("org_unit")
    if q.strip():
        rows = rows.filter(_person_q(q.strip()))
    return rows.order_by("last_name", "first_name", "pk")


def _person_q(q: str) -> Q:
    match = (
        Q(first_name__icontains=q)
        | Q(last_name__icontains=q)
        | Q(name_ar__icontains=q)
        | Q(cin__iexact=q)
    )
    words = q.split()
    if len(words) > 1:
        # « Fatima Bennani »: every word in one of the names.
        every = Q()
        for word in words:
            every &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        match |= every
    digits = phone_digits(q)
    if len(digits) >= 4 and len(digits) >= len(_NON_DIGITS.sub("", q)) - 3:
        match |= Q(phone_digits__contains=digits.lstrip("0") or digits)
    if "@" in q:
        match |= Q(email__iexact=email_normalised(q))
    elif len(q) >= 3:
        match |= Q(email__icontains=q)
    return match


def requesters_search(actor: Any, q: str, limit: int = 8) -> list[Requester]:
    """The callers who match ``q`` (the phone intake's lookup): name in either script,
    phone number however written, e-mail, or the name of their association. One query;
    exact phone matches first."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    match = (
        _person_q(q) | Q(association__name_fr__icontains=q) | Q(association__name_ar__icontains=q)
    )
    rows = list(
        requesters_visible(actor)
        .filter(match)
        .select_related("association", "org_unit")
        .order_by("last_name", "first_name", "pk")[: limit * 3]
    )
    digits = phone_digits(q)
    rows.sort(key=lambda r: 0 if digits and r.phone_digits == digits else 1)
    return rows[:limit]


def requester_get(actor: Any, pk: int) -> Requester:
    found = (
        requesters_visible(actor)
        .select_related("association", "association__org_unit", "org_unit")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def requester_tickets(actor: Any, requester: Requester) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(perms.tickets_q(actor))
        .filter(perms.confidential_visible_q(actor))
        .filter(requester=requester)
        .select_related("queue", "category", "org_unit")
        .order_by("-created_at", "-pk")
    )


def association_ticket_counts(actor: Any, ids: list[int]) -> dict[int, int]:
    """Tickets per association of a list page (one query)."""
    rows = (
        Ticket.objects.filter(perms.tickets_q(actor))
        .filter(perms.confidential_visible_q(actor))
        .filter(association_id__in=ids)
        .values("association_id")
        .annotate(n=Count("pk"))
    )
    return {r["association_id"]: r["n"] for r in rows}


# --- the registry as a sampling frame (for the surveys app) ------------------------------


def associations_frame(under_path: str) -> list[dict[str, Any]]:
    """The active associations whose seat lies under ``under_path``, as a survey's sampling
    frame: id, names, e-mail, preferred language, the seat's region and province (codes and
    French names) and the fields of action (codes, in the registry's order). Read in three
    queries whatever the number of associations. The caller (the surveys' draw service)
    has checked that its actor manages a survey there: the registry's own pages are not
    theirs, and this gives no requester's personal data."""
    from pilotage.orgunits.models import OrgUnit

    rows = list(
        Association.objects.filter(is_active=True, org_unit__path__startswith=under_path)
        .select_related("org_unit")
        .prefetch_related("fields")
        .order_by("pk")
    )
    step = OrgUnit.steplen
    prefixes = {
        r.org_unit.path[: step * depth]
        for r in rows
        for depth in (2, 3)
        if r.org_unit.depth >= depth
    }
    units = {u.path: u for u in OrgUnit.objects.filter(path__in=prefixes)}

    def level(path: str, depth: int) -> tuple[str, str]:
        unit = units.get(path[: step * depth]) if len(path) >= step * depth else None
        return (unit.code, unit.name_fr) if unit is not None else ("", "")

    frame = []
    for r in rows:
        region, province = level(r.org_unit.path, 2), level(r.org_unit.path, 3)
        frame.append(
            {
                "id": r.pk,
                "name_fr": r.name_fr,
                "name_ar": r.name_ar,
                "email": r.email,
                "language": r.language,
                "region": region[0],
                "region_name": region[1],
                "province": province[0],
                "province_name": province[1],
                "fields": [f.code for f in sorted(r.fields.all(), key=lambda f: (f.order, f.pk))],
                "employees": r.employees,
            }
        )
    return frame
