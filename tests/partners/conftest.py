"""Fixtures shared by the group sign-in tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def ask(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Ask for a link and run what the request left in the outbox, as the worker would."""

    def asking(client, email):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/group/sign-in/", {"email": email})

    return asking
