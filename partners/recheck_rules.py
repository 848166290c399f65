"""When a group's details are due for their yearly re-check, in calendar months.

Pure dates, no Django: the model's ``group_live_q``, the sweep that e-mails
the contacts (partners/services/rechecks.py) and the team's queue all read
the same rule from here, so "due", "reminder" and "out" cannot drift apart.

    last checked -> 12 months: first e-mail ("due")
                 -> 12½ months (12 months and 15 days): reminder
                 -> 13 months: out of the directory and matching ("overdue")
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

__all__ = [
    "DUE_MONTHS",
    "EXPIRY_MONTHS",
    "REMINDER_EXTRA_DAYS",
    "REMINDER_GAP",
    "due_cutoff",
    "expiry_cutoff",
    "months_after",
    "months_before",
    "out_after",
    "reminder_cutoff",
]

DUE_MONTHS = 12
REMINDER_EXTRA_DAYS = 15  # the "half month" after DUE_MONTHS
EXPIRY_MONTHS = 13
# A group found already past 12½ months (say, after a long outage) gets the
# first e-mail now and the reminder a week later, never both at once.
REMINDER_GAP = timedelta(days=7)


def months_before(moment: datetime, months: int) -> datetime:
    """The same time of day ``months`` calendar months earlier; a day the
    earlier month lacks (31 March - 1 month) becomes its last day."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def months_after(moment: datetime, months: int) -> datetime:
    """``months`` calendar months later, clamped as months_before is."""
    return months_before(moment, -months)


def out_after(last_checked: datetime) -> datetime:
    """When a group checked at ``last_checked`` leaves the directory and
    matching, unless checked again (for the e-mail and the pages)."""
    return months_after(last_checked, EXPIRY_MONTHS)


def due_cutoff(now: datetime) -> datetime:
    """Checked before this: the first e-mail is due."""
    return months_before(now, DUE_MONTHS)


def reminder_cutoff(now: datetime) -> datetime:
    """Checked before this: the reminder is due."""
    return months_before(now, DUE_MONTHS) - timedelta(days=REMINDER_EXTRA_DAYS)


def expiry_cutoff(now: datetime) -> datetime:
    """Checked before this: the group is out of the directory and matching."""
    return months_before(now, EXPIRY_MONTHS)
