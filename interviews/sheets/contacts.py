"""Contact data in one canonical form, so that the same person is found by equality.

Pure functions (no Django): e-mail lower-cased and trimmed, phone numbers in E.164
(``+79123456789``; Russian numbers written ``8 (912) …`` or without a plus are read as
such), Telegram handles without ``@`` or a t.me link.
"""

import re

import phonenumbers

DEFAULT_REGION = "RU"
_TELEGRAM_LINK = re.compile(r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/", re.IGNORECASE)


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def normalise_phone(value: str) -> str:
    """E.164 when the number can be read; otherwise the input, trimmed (never lost)."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    candidate = value
    # Russian habit: a leading 8 instead of +7, or 7 without the plus.
    if not value.startswith("+"):
        if len(digits) == 11 and digits[0] in "78":
            candidate = "+7" + digits[1:]
        elif len(digits) == 10 and digits[0] == "9":
            candidate = "+7" + digits
    try:
        number = phonenumbers.parse(candidate, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_possible_number(number):
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_telegram(value: str) -> str:
    value = _TELEGRAM_LINK.sub("", (value or "").strip())
    return value.lstrip("@").strip("/").lower()
