"""PDF through Typst, for every domain that prints (bulletins, performance reports).

Typst shapes Arabic, applies the bidirectional algorithm and mirrors a right-to-left page;
it sees only the font folders named here, so a missing font is an error, never boxes in
place of letters. The fonts are Debian's ``fonts-noto-core``: Noto Sans for Latin script,
Noto Naskh Arabic for Arabic script (``settings.REPORT_FONT_DIRS`` overrides the folder).

A domain keeps its own exceptions and messages: it passes its font check to
:func:`compiler` and turns :class:`PdfError` / :class:`PdfFontMissing` into its own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

import typst
from django.conf import settings
from django.utils.translation import gettext as _

FONT_PACKAGE = "fonts-noto-core"
DEFAULT_FONT_DIRS = ("/usr/share/fonts/truetype/noto",)
FONT_FAMILIES = ("Noto Sans", "Noto Naskh Arabic")


class PdfError(Exception):
    """Typst refused the document (the message is Typst's)."""


class PdfFontMissing(PdfError):
    """Typst warned about a font: the text would not be drawn as written."""


def font_dirs() -> tuple[str, ...]:
    return tuple(str(d) for d in getattr(settings, "REPORT_FONT_DIRS", DEFAULT_FONT_DIRS))


def missing_fonts(dirs: Sequence[str] | None = None) -> list[str]:
    """The families of :data:`FONT_FAMILIES` not found in ``dirs`` (default: the
    configured folders)."""
    dirs = tuple(dirs) if dirs is not None else font_dirs()
    found = set(
        typst.Fonts(
            include_system_fonts=False, include_embedded_fonts=False, font_paths=list(dirs)
        ).families()
    )
    return [family for family in FONT_FAMILIES if family not in found]


def fonts_missing_message(dirs: Sequence[str] | None = None) -> str | None:
    """None when every family of :data:`FONT_FAMILIES` is found; else what a person who
    asked for a PDF reads: the families missing, the folders searched, the package."""
    dirs = tuple(dirs) if dirs is not None else font_dirs()
    missing = missing_fonts(dirs)
    if not missing:
        return None
    return _(
        "Police introuvable pour les documents PDF : %(families)s (cherchée dans %(dirs)s). "
        "Installez le paquet Debian %(package)s : apt-get install %(package)s."
    ) % {"families": ", ".join(missing), "dirs": ", ".join(dirs), "package": FONT_PACKAGE}


_local = threading.local()


def compiler(check: Callable[[Sequence[str]], None] | None = None) -> typst.Compiler:
    """One compiler per thread (a compiler refuses concurrent use) and per font folders;
    it keeps the fonts it has loaded, so only a thread's first document pays for them.
    ``check(dirs)`` runs before a compiler is made (a domain's font check, which raises)."""
    dirs = font_dirs()
    compilers: dict[tuple[str, ...], typst.Compiler] = _local.__dict__.setdefault("compilers", {})
    if dirs not in compilers:
        if check is not None:
            check(dirs)
        compilers[dirs] = typst.Compiler(font_paths=list(dirs), ignore_system_fonts=True)
    return compilers[dirs]


def typst_pdf(
    template: bytes,
    document: dict[str, Any],
    *,
    tagged: bool,
    check: Callable[[Sequence[str]], None] | None = None,
) -> bytes:
    """Compile ``template`` with ``document`` as ``sys.inputs.data`` (JSON). ``tagged``
    adds the structure tree screen readers follow. Raises :class:`PdfError`, or
    :class:`PdfFontMissing` when Typst warns about a font."""
    try:
        pdf, warnings = compiler(check).compile_with_warnings(
            input=template,
            sys_inputs={"data": json.dumps(document, ensure_ascii=False)},
            pdf_tags=tagged,
        )
    except typst.TypstError as exc:
        raise PdfError(str(exc)) from exc
    font_warnings = [str(w) for w in warnings if "font" in str(w)]
    if font_warnings:
        raise PdfFontMissing("; ".join(font_warnings))
    if not isinstance(pdf, bytes):  # one PDF is asked for; anything else is a bug
        raise PdfError(f"Typst returned {type(pdf).__name__}, not a PDF")
    return pdf
