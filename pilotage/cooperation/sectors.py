"""The OECD DAC 5-digit purpose codes (CRS) the service uses: the education codes and the
neighbouring ones its programmes are tagged with. Codes and names are facts of the OECD's
list (IATI Sector vocabulary 1); a code outside this list is refused rather than guessed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SECTORS = {
    "11110": _("Politique de l'éducation et gestion administrative"),
    "11120": _("Équipements scolaires et formation"),
    "11130": _("Formation des enseignants"),
    "11182": _("Recherche en éducation"),
    "11220": _("Enseignement primaire"),
    "11230": _("Compétences de base pour les jeunes et les adultes"),
    "11240": _("Éducation de la petite enfance"),
    "11250": _("Alimentation scolaire"),
    "11260": _("Premier cycle de l'enseignement secondaire"),
    "11320": _("Deuxième cycle de l'enseignement secondaire"),
    "11330": _("Formation professionnelle"),
    "11420": _("Enseignement supérieur"),
    "11430": _("Formation technique supérieure et de gestion"),
    "15110": _("Politique et gestion administrative du secteur public"),
    "15150": _("Participation démocratique et société civile"),
    "15170": _("Organisations et institutions pour l'égalité des femmes"),
    "16010": _("Protection sociale"),
    "16020": _("Politique de l'emploi et gestion administrative"),
    "16062": _("Renforcement des capacités statistiques"),
    "22040": _("Technologies de l'information et de la communication"),
    "43010": _("Aide plurisectorielle"),
}


def is_known(code: str) -> bool:
    return code in SECTORS


def sector_label(code: str) -> str:
    label = SECTORS.get(code)
    return f"{code} · {label}" if label else code
