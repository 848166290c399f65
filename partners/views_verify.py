"""Pages of the e-mailed verification link: confirm an address, ask for a
new link, and the page for a link that cannot be used (also shown by
self-service sign-in links, partners/views_selfservice.py).

GET only shows a button: mail scanners that follow links must not use them up.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from partners.forms.selfservice import EmailForm
from partners.ratelimit import request_limited, setting_rate
from partners.services.registration import (
    group_resend_verification,
    group_verification_check,
    group_verify_email,
)
from partners.services.tokens import LinkProblem


def link_problem(
    request: HttpRequest, problem: LinkProblem | None, *, resend_url: str
) -> HttpResponse:
    """A friendly page for a link that cannot be used, and a way to a new one."""
    status = 400 if problem is LinkProblem.TAMPERED else 410
    return render(
        request,
        "partners/registration/link_problem.html",
        {"problem": problem.value if problem else "tampered", "resend_url": resend_url},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that follow links must not use them up.
    resend = reverse("partners:register-resend")
    if request.method == "POST":
        result = group_verify_email(token=token)
        if not result.ok:
            return link_problem(request, result.problem, resend_url=resend)
        return redirect("partners:register-verified")
    result = group_verification_check(token=token)
    if not result.ok:
        return link_problem(request, result.problem, resend_url=resend)
    return render(request, "partners/registration/verify.html")


@require_http_methods(["GET"])
def verified(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/registration/verified.html")


@require_http_methods(["GET", "POST"])
def resend(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        limited = request_limited(
            request=request, scope="register-resend", rate=setting_rate("BACKER_LINK_RATE", "10/h")
        )
        if limited is not None:
            return limited
        form = EmailForm(data=request.POST)
        if form.is_valid():
            group_resend_verification(email=form.cleaned_data["email"])
            return render(request, "partners/registration/resent.html")
    else:
        form = EmailForm()
    return render(request, "partners/registration/resend.html", {"form": form})
