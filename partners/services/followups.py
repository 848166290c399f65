"""The work that follows a partners change, asked for through the outbox.

Every follow-up is named, never imported: the tasks live above the services
(partners/tasks.py imports these names and the services they call), and the
matching app's tasks live above partners altogether. ``outbox_enqueue`` runs
in the caller's transaction, so a change that commits is never left without
its follow-up because the broker was down (config/outbox.py).
"""

from __future__ import annotations

import datetime

from config.outbox import outbox_enqueue

__all__ = [
    "CONNECTIONS_REFRESH",
    "FEEDBACK_ERASE",
    "KNOWN_ORGANISATIONS_LINK",
    "REQUEST_MATCH_RUNS",
    "RUN_IMPORT",
    "SEND_RECHECK_EMAIL",
    "SEND_SIGN_IN_LINK",
    "SEND_VERIFICATION_EMAIL",
    "SUPPLIER_PROPOSALS_DECLINE",
    "connections_request_after_change",
    "feedback_erase_request",
    "known_organisations_link_after_change",
    "known_organisations_link_after_import",
    "match_runs_request_after_change",
    "supplier_proposals_decline_request",
]

# Handled by partners/tasks.py.
SEND_VERIFICATION_EMAIL = "partners.send_verification_email"
SEND_SIGN_IN_LINK = "partners.send_sign_in_link"
RUN_IMPORT = "partners.run_import"
SEND_RECHECK_EMAIL = "partners.send_recheck_email"

# Handled by the matching app (matching/tasks.py). Named, not imported:
# partners sits below matching and must not import it.
REQUEST_MATCH_RUNS = "matching.request_runs_after_change"
CONNECTIONS_REFRESH = "matching.connections_refresh_for_group"
FEEDBACK_ERASE = "matching.feedback_erase_for_group"
SUPPLIER_PROPOSALS_DECLINE = "matching.proposals_decline_for_removed_supplier"

# Handled by the grants app (grants/tasks.py), which sits above partners too.
KNOWN_ORGANISATIONS_LINK = "grants.link_known_organisations"


def match_runs_request_after_change(*, group_id: int, reason: str) -> None:
    """Ask for debounced match runs because a group's needs may now match."""
    outbox_enqueue(REQUEST_MATCH_RUNS, group_id=group_id, reason=reason)


def connections_request_after_change(*, group_id: int) -> None:
    """Ask for the group's connection suggestions to be brought up to date:
    new ones once it is verified or its activities change, its open ones
    closed once it leaves, is erased or suspended."""
    outbox_enqueue(CONNECTIONS_REFRESH, group_id=group_id)


def feedback_erase_request(*, group_id: int) -> None:
    """Ask for an erased group's own words about its backing (its ratings'
    comments, its stories of what happened) to be erased, and its consent to
    be quoted to end."""
    outbox_enqueue(FEEDBACK_ERASE, group_id=group_id)


def supplier_proposals_decline_request(*, supplier_id: int) -> None:
    """Ask for the proposals still waiting for the team on a removed
    supplier's pledges to be declined, with the reason in their history.
    Until then (and after, for a page opened before) approving one is refused."""
    outbox_enqueue(SUPPLIER_PROPOSALS_DECLINE, supplier_id=supplier_id)


def known_organisations_link_after_change(*, group_id: int) -> None:
    """Ask for the recipients of other funders' grants (360Giving) that have
    the group's charity or company number to be linked to it, or unlinked
    once it no longer has it, is rejected or erased."""
    outbox_enqueue(KNOWN_ORGANISATIONS_LINK, group_id=group_id)


def known_organisations_link_after_import(*, since: datetime.datetime) -> None:
    """The same for the groups an import wrote in bulk: those written since
    ``since`` (the job's start), so the link reads their organisations only."""
    outbox_enqueue(KNOWN_ORGANISATIONS_LINK, changed_since=since.isoformat())
