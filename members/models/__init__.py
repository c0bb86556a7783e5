"""The members app's models: the member directory and messaging between members.

One module per topic; everything is re-exported here so `from members.models import X`
keeps working.
"""

from .directory import (
    Affiliation,
    AffiliationRole,
    Capability,
    Country,
    Language,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    Platform,
    Profile,
    Region,
    RegionKind,
    RevenueBand,
    Sector,
)
from .messaging import (
    MESSAGE_MAX_LENGTH,
    Block,
    ContextType,
    Conversation,
    Message,
    MessagingPreference,
    Participant,
)

__all__ = [
    "Affiliation",
    "AffiliationRole",
    "Block",
    "Capability",
    "ContextType",
    "Conversation",
    "Country",
    "Language",
    "MESSAGE_MAX_LENGTH",
    "Membership",
    "MembershipStatus",
    "Message",
    "MessagingPreference",
    "Organisation",
    "OrganisationKind",
    "Participant",
    "Platform",
    "Profile",
    "Region",
    "RegionKind",
    "RevenueBand",
    "Sector",
]
