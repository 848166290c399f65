"""Pages: online registration and group self-service."""

from __future__ import annotations

from django.urls import path

from partners import views_registration as reg
from partners import views_selfservice as self_
from partners import views_verify as verify

urlpatterns = [
    path("register/", reg.start, name="register-start"),
    path("register/group/", reg.group, name="register-group"),
    path("register/where/", reg.where, name="register-where"),
    path("register/activities/", reg.activities, name="register-activities"),
    path("register/needs/", reg.needs, name="register-needs"),
    path("register/contact/", reg.contact, name="register-contact"),
    path("register/check/", reg.check, name="register-check"),
    path("register/done/", reg.done, name="register-done"),
    path("register/verify/new/", verify.resend, name="register-resend"),
    path("register/verified/", verify.verified, name="register-verified"),
    path("register/verify/<str:token>/", verify.verify, name="register-verify"),
    path("group/sign-in/", self_.sign_in, name="selfservice-sign-in"),
    path("group/sign-in/link/<str:token>/", self_.sign_in_link, name="selfservice-sign-in-link"),
    path("group/", self_.dashboard, name="selfservice-dashboard"),
    path("group/erased/", self_.erased, name="selfservice-erased"),
    path("group/<int:group_id>/", self_.group_detail, name="selfservice-group"),
    path("group/<int:group_id>/edit/", self_.group_edit, name="selfservice-edit"),
    path(
        "group/<int:group_id>/activities/add/", self_.activity_add, name="selfservice-activity-add"
    ),
    path(
        "group/<int:group_id>/activities/<int:activity_id>/edit/",
        self_.activity_edit,
        name="selfservice-activity-edit",
    ),
    path(
        "group/<int:group_id>/activities/<int:activity_id>/remove/",
        self_.activity_delete,
        name="selfservice-activity-remove",
    ),
    path("group/<int:group_id>/needs/add/", self_.need_add, name="selfservice-need-add"),
    path(
        "group/<int:group_id>/needs/<int:need_id>/edit/",
        self_.need_edit,
        name="selfservice-need-edit",
    ),
    path(
        "group/<int:group_id>/needs/<int:need_id>/remove/",
        self_.need_delete,
        name="selfservice-need-remove",
    ),
    path("group/<int:group_id>/consent/", self_.consent, name="selfservice-consent"),
    path("group/<int:group_id>/withdraw/", self_.withdraw, name="selfservice-withdraw"),
    path("group/<int:group_id>/export.json", self_.export, name="selfservice-export"),
    path("group/<int:group_id>/erase/", self_.erase, name="selfservice-erase"),
]
