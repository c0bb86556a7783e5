"""What the delegation viewsets share: the 503 answer of the schema and the nesting under
/delegations/{delegation_pk}/."""

from drf_spectacular.utils import OpenApiResponse

from events.delegations import selectors
from events.delegations.models import Delegation

BUSY = {503: OpenApiResponse(description="The delegation is very busy; try again in a moment.")}


class DelegationChild:
    """Viewsets nested under /delegations/{delegation_pk}/: the delegation, if visible."""

    def delegation(self) -> Delegation:
        if not hasattr(self, "_delegation"):
            self._delegation = selectors.delegation_ref_for_user(
                user=self.request.user, pk=self.kwargs["delegation_pk"]
            )
        return self._delegation
