"""Answer files' bytes as normalised text.

:func:`decode` raises :class:`SheetError` (and nothing else) for input that is not a text
file. The text it gives has LF line ends, NFC and plain spaces: what the parser expects.
"""

# Russian letters in the patterns are meant, not look-alikes.

from __future__ import annotations

import codecs
import re
import unicodedata

from . import messages

__all__ = ["SheetError", "decode"]


class SheetError(ValueError):
    """The file is not a readable text sheet; ``str(error)`` is one human sentence."""


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", messages.PNG_IMAGE),
    (b"\xff\xd8\xff", messages.JPEG_IMAGE),
    (b"GIF87a", messages.GIF_IMAGE),
    (b"GIF89a", messages.GIF_IMAGE),
    (b"%PDF-", messages.PDF_DOCUMENT),
    # .docx and .odt are zip files; candidates do send them instead of Markdown.
    (b"PK\x03\x04", messages.ZIP_ARCHIVE),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", messages.MS_OFFICE_DOCUMENT),
    (b"\x1f\x8b", messages.GZIP_ARCHIVE),
)
_CYRILLIC_CODEPAGES = ["cp1251", "koi8_r", "cp866", "iso8859_5", "mac_cyrillic"]
_RU_LOWER = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
_RU_UPPER = _RU_LOWER.upper()
# What cp1251 bytes 0x80-0xBF turn into when the file is really KOI8-R, CP866 or
# ISO 8859-5: C1 controls, Serbian/Macedonian/Ukrainian letters and odd symbols. A Russian
# text in cp1251 practically never contains them.
_CP1251_UNLIKELY = re.compile("[\x80-\x9fЂЃѓЉЊЌЋЏђљњќћџЎўЈ¤Ґ¦ЄЇІіґµ¶јЅѕї‡‰‹›\xad]")
_SPACES = ("\u00a0", "\u202f")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (normalised text, encoding name); :class:`SheetError` if not a text file.

    Tried in order: UTF-8 with BOM (``utf-8-sig``), UTF-16 with BOM (``utf-16``), strict
    UTF-8, cp1251 when the result reads as Russian, then charset_normalizer limited to the
    Cyrillic code pages. A UTF-8 or UTF-16 file cut off in the middle of its last character
    (a download that stopped short) is read, that character replaced with U+FFFD
    (:func:`.parsing.parse_bytes` warns about it). The text is then normalised: CRLF/CR -> LF,
    NFC, no-break spaces -> spaces. Empty input is not an error here.
    """
    text, encoding, _warnings = decode_with_warnings(data)
    return text, encoding


def decode_with_warnings(data: bytes) -> tuple[str, str, list[str]]:
    """:func:`decode`, and the warnings about what it had to replace."""
    data = bytes(data)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise SheetError(messages.BINARY_FILE % {"kind": what})
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, cut = _strict(data, "utf-16", "UTF-16")
        nul = text.find("\x00")
        if nul >= 0:
            raise SheetError(messages.NUL_CHARACTERS % {"position": nul})
        return normalise(text), "utf-16", _cut_warnings(cut, "UTF-16")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SheetError(messages.NUL_BYTES % {"offset": nul})
    if data.startswith(codecs.BOM_UTF8):
        text, cut = _strict(data, "utf-8-sig", "UTF-8")
        return normalise(text), "utf-8-sig", _cut_warnings(cut, "UTF-8")
    try:
        text, cut = _decode_cut_off(data, "utf-8")
        return normalise(text), "utf-8", _cut_warnings(cut, "UTF-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = None
    if text is not None and _reads_as_russian(text):
        return normalise(text), "cp1251", []
    text, encoding = _guess_cyrillic(data)
    if text is None:
        raise SheetError(
            messages.NOT_DECODABLE
            % {"byte": f"0x{data[utf8_error.start]:02x}", "offset": utf8_error.start}
        )
    return normalise(text), encoding, []


def _strict(data: bytes, codec: str, name: str) -> tuple[str, int | None]:
    try:
        return _decode_cut_off(data, codec)
    except UnicodeDecodeError as exc:
        raise SheetError(messages.BAD_AFTER_BOM % {"encoding": name, "offset": exc.start}) from None


# What the codecs say when the bytes stop inside a character.
_CUT_OFF_REASONS = ("unexpected end of data", "truncated data")


def _decode_cut_off(data: bytes, codec: str) -> tuple[str, int | None]:
    """``data`` decoded, and None; or, when the bytes stop in the middle of the last
    character, the text with U+FFFD for that character and the byte offset where it
    starts. Invalid bytes anywhere else raise UnicodeDecodeError."""
    try:
        return data.decode(codec), None
    except UnicodeDecodeError as exc:
        # utf-8-sig counts its positions after the byte order mark.
        skip = len(codecs.BOM_UTF8) if codec == "utf-8-sig" else 0
        if skip + exc.end != len(data) or exc.reason not in _CUT_OFF_REASONS:
            raise
        cut = skip + exc.start
        return data[:cut].decode(codec) + "\ufffd", cut


def _cut_warnings(cut: int | None, name: str) -> list[str]:
    if cut is None:
        return []
    return [messages.CUT_CHARACTER % {"encoding": name, "offset": cut}]


def _reads_as_russian(text: str) -> bool:
    # ASCII decodes the same in every candidate code page, so only the rest is evidence.
    if _CP1251_UNLIKELY.search(text):
        return False
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    lower = sum(map(text.count, _RU_LOWER))
    upper = sum(map(text.count, _RU_UPPER))
    if (lower + upper) * 10 < non_ascii * 6:
        return False
    # KOI8-R read as cp1251 swaps the cases: lowercase Russian becomes uppercase.
    return lower + upper < 10 or lower >= upper


def _guess_cyrillic(data: bytes) -> tuple[str | None, str]:
    # Imported here: it is only needed for the rare non-UTF-8, non-cp1251 file and its import
    # is not free.
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CYRILLIC_CODEPAGES).best()
    if best is None:
        return None, ""
    return str(best), best.encoding


def normalise(text: str) -> str:
    """CRLF/CR -> LF, NFC, no-break spaces -> spaces; without a byte order mark."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        # str.translate with a mapping is slow; two replace() calls cost nothing.
        for space in _SPACES:
            if space in text:
                text = text.replace(space, " ")
    return text
