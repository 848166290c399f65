"""One set of cleaners for the values imports bring in: website, e-mail,
phone and postcode. The CSV import (partners/imports.py) turns a CleanError
into a row error; the Open Referral import (partners/openreferral/importer.py)
leaves the value out and counts it. Both store the same clean form.

Messages name what is wrong, never the value: reports end up in terminals
and e-mails, and the values are contact details.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from places.postcodes import InvalidPostcode, normalise_postcode

__all__ = ["CleanError", "email_clean", "phone_clean", "postcode_clean", "website_clean"]

WEBSITE_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 32

_email = EmailValidator()
_url = URLValidator(schemes=["http", "https"])
# Digits and what people write between them: "+44 (0)161 123 4567", "0161-123-4567 ext 12".
_PHONE = re.compile(r"^\+?[0-9 ()\-./]+((ext\.?|x)\s*[0-9]+)?$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


class CleanError(ValueError):
    """The value cannot be used; the message says why (without the value)."""


def _validated(text: str, limit: int, validator: Callable[[str], None], wrong: str) -> str:
    if len(text) > limit:
        raise CleanError(f"is longer than {limit} characters")
    try:
        validator(text)
    except ValidationError as error:
        raise CleanError(wrong) from error
    return text


def website_clean(value: str) -> str:
    """A web address with its scheme ("https://" added if none); "" if blank.

    >>> website_clean("Example.org/club"), website_clean("HTTP://example.org")
    ('https://Example.org/club', 'http://example.org')
    """
    text = value.strip()
    if not text:
        return ""
    if "://" not in text:
        text = f"https://{text}"
    scheme, _, rest = text.partition("://")
    text = f"{scheme.lower()}://{rest}"
    return _validated(text, WEBSITE_MAX, _url, "is not a web address")


def email_clean(value: str) -> str:
    """An e-mail address in lower case; "" if blank.

    >>> email_clean(" Club@Example.ORG ")
    'club@example.org'
    """
    text = value.strip()
    if not text:
        return ""
    return _validated(text, EMAIL_MAX, _email, "is not a valid email address").lower()


def phone_clean(value: str) -> str:
    """A phone number as written, spaces tidied; "" if blank.

    >>> phone_clean(" 0161  123 4567 ")
    '0161 123 4567'
    """
    text = _SPACES.sub(" ", value).strip()
    if not text:
        return ""
    if len(text) > PHONE_MAX:
        raise CleanError(f"is longer than {PHONE_MAX} characters")
    if not _PHONE.match(text) or sum(c.isdigit() for c in text) < 6:
        raise CleanError("is not a phone number (digits, spaces, + and brackets only)")
    return text


def postcode_clean(value: str) -> str:
    """A UK postcode in its standard form ("M5 4WT"); "" if blank."""
    if not value.strip():
        return ""
    try:
        return normalise_postcode(value)
    except InvalidPostcode as error:
        raise CleanError(str(error)) from error
