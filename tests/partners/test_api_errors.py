"""The one exception handler: every API error is {"message", "extra"}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions

from config.exceptions import ApplicationError, api_exception_handler


def handle(exc):
    response = api_exception_handler(exc, {})
    return response.status_code, response.data


def test_an_application_error_is_a_400_with_extra():
    assert handle(ApplicationError("Only pending groups", {"status": "verified"})) == (
        400,
        {"message": "Only pending groups", "extra": {"status": "verified"}},
    )


def test_a_validation_error_lists_the_fields():
    status, data = handle(exceptions.ValidationError({"name": ["Required"]}))
    assert status == 400
    assert data["message"] == "Validation error"
    assert data["extra"]["fields"]["name"] == ["Required"]


def test_a_django_validation_error_is_a_400_not_a_500():
    status, data = handle(DjangoValidationError({"postcode": ["Bad postcode"]}))
    assert status == 400
    assert data["extra"]["fields"] == {"postcode": ["Bad postcode"]}
    status, data = handle(DjangoValidationError("Bad"))
    assert (status, data["extra"]["fields"]) == (400, {"non_field_errors": ["Bad"]})


def test_403_and_404_carry_a_message():
    assert handle(PermissionDenied("Not yours")) == (403, {"message": "Not yours", "extra": {}})
    assert handle(Http404("No CommunityGroup matches")) == (
        404,
        {"message": "Not found.", "extra": {}},
    )
    _status, data = handle(exceptions.NotAuthenticated())
    assert data == {"message": "Authentication credentials were not provided.", "extra": {}}


def test_an_unknown_error_is_left_to_django():
    assert api_exception_handler(RuntimeError("bug"), {}) is None
