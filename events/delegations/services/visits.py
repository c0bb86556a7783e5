"""Site visits: which delegates may visit which host site (the admin form's rule)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.delegations.models import ApplicationStatus, Delegation, HostSite
from members.models import Organisation


def validate_visit(
    *, delegation: Delegation, site: HostSite, delegates: list[Organisation]
) -> None:
    """A visit goes to a site of one of the delegation's hosts, with accepted delegates, no
    more of them than the site's visitor limit."""
    if site.host.delegation_id != delegation.pk:
        raise ValidationError({"site": _("This site is not one of the delegation's hosts'.")})
    if not delegates:
        raise ValidationError({"delegates": _("Choose at least one visiting delegate.")})
    accepted = set(
        delegation.applications.filter(status=ApplicationStatus.ACCEPTED).values_list(
            "organisation_id", flat=True
        )
    )
    strangers = sorted(o.name for o in delegates if o.pk not in accepted)
    if strangers:
        raise ValidationError(
            {
                "delegates": _("Not accepted delegates of this delegation: %(names)s.")
                % {"names": ", ".join(strangers)}
            }
        )
    limit = site.visitor_limit
    if limit is not None and len(delegates) > limit:
        raise ValidationError(
            {
                "delegates": ngettext(
                    "The site takes at most %(limit)s visitor at once.",
                    "The site takes at most %(limit)s visitors at once.",
                    limit,
                )
                % {"limit": limit}
            }
        )
