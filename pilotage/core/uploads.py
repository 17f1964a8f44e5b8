"""What an uploaded file really is, read from its bytes, never from its name.

Every domain that accepts files (a ticket's attachments, an agreement's PDF, a consultant's
deliverable) asks :func:`file_kind` which of the kinds it accepts the content matches, and
refuses the rest with a message naming the file and the reason. Office documents are zip
archives: one is recognised by the parts inside it (``word/document.xml``,
``xl/workbook.xml``, an ODF ``mimetype`` member), so a renamed archive or an executable
called ``lettre.docx`` is refused.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

PDF = "pdf"
PNG = "png"
JPEG = "jpeg"
DOCX = "docx"
XLSX = "xlsx"
ODT = "odt"
TEXT = "text"


@dataclass(frozen=True)
class Kind:
    code: str
    content_type: str
    label: str


KINDS: dict[str, Kind] = {
    PDF: Kind(PDF, "application/pdf", "PDF"),
    PNG: Kind(PNG, "image/png", "PNG"),
    JPEG: Kind(JPEG, "image/jpeg", "JPEG"),
    DOCX: Kind(
        DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "DOCX",
    ),
    XLSX: Kind(XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ODT: Kind(ODT, "application/vnd.oasis.opendocument.text", "ODT"),
    TEXT: Kind(TEXT, "text/plain", "TXT"),
}

# The first bytes of what is never accepted, to say so plainly (Windows PE, ELF, Mach-O,
# shell scripts).
_EXECUTABLE = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"#!")
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# A text file: valid UTF-8 (or Windows-1256 / Latin-1 as ministries write them) without
# control bytes other than tab and line ends.
_TEXT_CONTROLS = set(range(0, 32)) - {9, 10, 12, 13}


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIMETYPE:
                return ODT
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if not data or any(byte in _TEXT_CONTROLS for byte in data[:65536]):
        return False
    for encoding in ("utf-8", "cp1256"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def sniff(data: bytes) -> str | None:
    """The kind the bytes are (a key of :data:`KINDS`), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(_EXECUTABLE):
        return None
    return TEXT if _is_text(data) else None


def _too_large(name: str, size: int, max_bytes: int, field: str) -> ValidationError:
    return ValidationError(
        {
            field: _("%(name)s : %(size)s Mo, au-delà de la limite de %(limit)s Mo.")
            % {
                "name": name,
                "size": f"{size / 1048576:.1f}",
                "limit": f"{max_bytes / 1048576:.0f}",
            }
        }
    )


def read_uploads(
    files: Iterable[UploadedFile], *, max_bytes: int, max_files: int, field: str = "file"
) -> list[tuple[str, bytes]]:
    """The uploaded files as (name, bytes) for :func:`file_kind`, read into memory only when
    within ``max_bytes`` (Django keeps a large upload on disk until then); a file too large
    or one file too many is a ValidationError on ``field``, before anything is read."""
    files = list(files)
    if len(files) > max_files:
        raise ValidationError(
            {
                field: _("%(count)s fichiers envoyés ; %(max)s au plus.")
                % {"count": len(files), "max": max_files}
            }
        )
    problems = [
        _too_large((f.name or "")[:80], f.size or 0, max_bytes, field).message_dict[field][0]
        for f in files
        if (f.size or 0) > max_bytes
    ]
    if problems:
        raise ValidationError({field: problems})
    return [(f.name or "", f.read(max_bytes + 1)) for f in files]


def file_kind(
    data: bytes,
    *,
    name: str,
    allowed: Iterable[str],
    max_bytes: int,
    field: str = "file",
) -> Kind:
    """The kind of an upload among ``allowed``, or a ValidationError on ``field`` that
    names the file and says why (empty, too large, an executable, not an accepted type)."""
    allowed = list(allowed)
    shown = name[:80]
    if not data:
        raise ValidationError({field: _("%(name)s : le fichier est vide.") % {"name": shown}})
    if len(data) > max_bytes:
        raise _too_large(shown, len(data), max_bytes, field)
    if data.startswith(_EXECUTABLE):
        raise ValidationError(
            {field: _("%(name)s : les programmes exécutables sont refusés.") % {"name": shown}}
        )
    found = sniff(data)
    if found is None or found not in allowed:
        raise ValidationError(
            {
                field: _("%(name)s : type de fichier refusé ; seuls %(kinds)s sont acceptés.")
                % {"name": shown, "kinds": ", ".join(KINDS[k].label for k in allowed)}
            }
        )
    return KINDS[found]
