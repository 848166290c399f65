"""A sign-in link says nothing of whose it is, and asking for one takes the same
path whether or not the address is known.

Links end up in access logs, browser histories and mail scanners' reports;
the token in them is random, and only its hash is kept.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import re
import zlib
from urllib.parse import unquote, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.models import OutboxMessage
from partners.models import SignInLink
from tests import factories as f

pytestmark = pytest.mark.django_db

ADDRESS = "pat.jones@example.org"


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()


def token_of(message) -> str:  # type: ignore[no-untyped-def]
    path = urlsplit(re.search(r"https?://\S+/group/sign-in/link/\S+/", message.body).group(0)).path
    return unquote(path.rstrip("/").rsplit("/", 1)[1])


def decodings(token: str) -> list[bytes]:
    """Every way the token, or any segment of it, can be read back."""
    found = [token.encode()]
    for segment in {token, *re.split(r"[.:]", token)}:
        for candidate in {segment, segment.lstrip(".")}:
            padded = candidate + "=" * (-len(candidate) % 4)
            for decode in (base64.urlsafe_b64decode, base64.b64decode):
                try:
                    raw = decode(padded)
                except (binascii.Error, ValueError):
                    continue
                found.append(raw)
                with contextlib.suppress(zlib.error):
                    found.append(zlib.decompress(raw))
    return found


def test_the_token_carries_no_part_of_the_address(client, mailoutbox, ask):
    group = f.CommunityGroupFactory(contact_email=ADDRESS)
    ask(client, ADDRESS)
    token = token_of(mailoutbox[0])
    personal = [ADDRESS, "pat.jones", "example.org", group.contact_name]
    for decoded in decodings(token):
        text = decoded.decode("latin-1").lower()
        for part in personal:
            assert part.lower() not in text, f"{part!r} readable in the token"
    assert len(token) >= 40, "at least 256 bits of randomness"


def test_only_the_tokens_hash_is_stored(client, mailoutbox, ask):
    f.CommunityGroupFactory(contact_email=ADDRESS)
    ask(client, ADDRESS)
    token = token_of(mailoutbox[0])
    (row,) = SignInLink.objects.all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(SignInLink.objects.values().get())


def test_a_known_and_an_unknown_address_take_the_same_path(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    f.CommunityGroupFactory(contact_email=ADDRESS)

    def request(email: str):  # type: ignore[no-untyped-def]
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            response = client.post("/group/sign-in/", {"email": email})
        # The same statements, in the same order, with the same shape.
        shapes = [
            re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", q["sql"])
            for q in queries.captured_queries
        ]
        return response, shapes, callbacks

    known, known_sql, known_callbacks = request(ADDRESS)
    unknown, unknown_sql, unknown_callbacks = request("nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.templates[0].name == unknown.templates[0].name
    assert known_sql == unknown_sql
    assert len(known_callbacks) == len(unknown_callbacks) == 1
    messages = list(OutboxMessage.objects.order_by("pk").values("task_name", "kwargs"))
    assert [m["task_name"] for m in messages] == ["partners.send_sign_in_link"] * 2
    assert all(set(m["kwargs"]) == {"link_id"} for m in messages), "no address in the outbox"
    assert mailoutbox == [], "nothing is sent from the request itself"

    # The worker runs both; only the known address gets mail.
    for callback in known_callbacks + unknown_callbacks:
        callback()
    (message,) = mailoutbox
    assert message.to == [ADDRESS]
    assert list(SignInLink.objects.values_list("email", flat=True)) == [ADDRESS]
    assert OutboxMessage.objects.filter(done_at__isnull=True).count() == 0
