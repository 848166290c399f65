"""Signed, expiring, single-use e-mail verification links, and link checks.

A verification link carries a signed payload (django.core.signing, with a
salt per purpose and a timestamp checked against max_age): the group's id
and a hash of the state that using the link changes, as Django's
PasswordResetTokenGenerator does. It is bound to the group's
``email_verified_at`` and address, so once the address is verified the same
link no longer matches. It carries no e-mail address.

Sign-in links are different (partners/services/selfservice.py): a random
token whose hash is stored (SignInLink), so the link says nothing of whose
it is, and a request takes the same path whether or not the address is known.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

VERIFY_SALT = "partners.verify-email"

# Defaults; settings BACKER_VERIFY_LINK_MAX_AGE / BACKER_SIGN_IN_LINK_MAX_AGE override.
VERIFY_MAX_AGE = 3 * 24 * 3600  # seconds: three days to find the e-mail
SIGN_IN_MAX_AGE = 30 * 60  # seconds: a sign-in link is a key, keep it short-lived


class LinkProblem(enum.Enum):
    TAMPERED = "tampered"  # bad signature or malformed payload
    EXPIRED = "expired"
    USED = "used"  # genuine, but what it was for has already happened
    CANCELLED = "cancelled"  # genuine, but withdrawn by whoever sent it


@dataclass(frozen=True)
class LinkCheck:
    payload: dict[str, Any] | None
    problem: LinkProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_max_age() -> int:
    return int(getattr(settings, "BACKER_VERIFY_LINK_MAX_AGE", VERIFY_MAX_AGE))


def sign_in_max_age() -> int:
    return int(getattr(settings, "BACKER_SIGN_IN_LINK_MAX_AGE", SIGN_IN_MAX_AGE))


def state_hash(*, salt: str, parts: tuple[object, ...]) -> str:
    """A short keyed hash of the state a link is bound to."""
    value = "|".join("" if part is None else str(part) for part in parts)
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()[:24]


def token_make(*, salt: str, payload: dict[str, Any]) -> str:
    # compress=True keeps the link short enough for mail clients not to wrap it.
    return signing.dumps(payload, salt=salt, compress=True)


def token_read(*, token: str, salt: str, max_age: int) -> LinkCheck:
    """Check signature and age; the caller then checks the bound state."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        return LinkCheck(payload=None, problem=LinkProblem.EXPIRED)
    except signing.BadSignature:
        return LinkCheck(payload=None, problem=LinkProblem.TAMPERED)
    if not isinstance(payload, dict):
        return LinkCheck(payload=None, problem=LinkProblem.TAMPERED)
    return LinkCheck(payload=payload, problem=None)


def state_matches(*, expected: str, given: object) -> bool:
    return isinstance(given, str) and constant_time_compare(expected, given)
