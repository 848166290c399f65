"""Community groups, what they do and need; anchors and their sites.

Personal fields (contact name, e-mail, phone, private address, the postcode
and point of a group that meets at home) are listed in PERSONAL_FIELDS: the
board role and the public never receive them.

The models live by behaviour in groups.py, anchors.py and records.py;
import them from here (``from partners.models import CommunityGroup``).
"""

from __future__ import annotations

from partners.models.anchors import (
    Anchor,
    AnchorKind,
    AnchorMembership,
    MembershipRole,
    Site,
    SiteKind,
)
from partners.models.groups import (
    NEED_KIND_UNITS,
    NEED_KIND_UNITS_ONE,
    PERSONAL_FIELDS,
    Activity,
    CommunityGroup,
    CommunityGroupQuerySet,
    Frequency,
    GroupKind,
    GroupSource,
    Need,
    NeedKind,
    NeedStatus,
    Theme,
    VerificationStatus,
    amount_in_words,
    group_live_q,
    group_public_q,
)
from partners.models.records import (
    ConsentRecord,
    ImportJob,
    ImportKind,
    ImportStatus,
    SignInLink,
)
from partners.models.suppliers import (
    SupplierInvitation,
    SupplierMembership,
    SupplierOrganisation,
)

__all__ = [
    "NEED_KIND_UNITS",
    "NEED_KIND_UNITS_ONE",
    "PERSONAL_FIELDS",
    "Activity",
    "Anchor",
    "AnchorKind",
    "AnchorMembership",
    "CommunityGroup",
    "CommunityGroupQuerySet",
    "ConsentRecord",
    "Frequency",
    "GroupKind",
    "GroupSource",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "MembershipRole",
    "Need",
    "NeedKind",
    "NeedStatus",
    "SignInLink",
    "Site",
    "SiteKind",
    "SupplierInvitation",
    "SupplierMembership",
    "SupplierOrganisation",
    "Theme",
    "VerificationStatus",
    "amount_in_words",
    "group_live_q",
    "group_public_q",
]
