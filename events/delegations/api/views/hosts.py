"""The host organisations of a delegation (/delegations/{id}/hosts/)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.response import Response

from events.delegations import selectors, services
from events.delegations.api.serializers import HostCreateSerializer, HostSerializer
from events.delegations.api.views.common import DelegationChild
from events.delegations.models import DelegationHost
from forum_site.permissions import IsStaff
from members.api.views import errors


@extend_schema_view(
    list=extend_schema(
        summary="The delegation's host organisations (participants and staff)",
        responses={200: HostSerializer(many=True), **errors(401, 404)},
    ),
    retrieve=extend_schema(
        summary="A host organisation", responses={200: HostSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Add a host organisation (staff)",
        request=HostCreateSerializer,
        responses={201: HostSerializer, **errors(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Remove a host organisation (staff)", responses={204: None, **errors(401, 403, 404)}
    ),
)
class DelegationHostViewSet(
    DelegationChild,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = HostSerializer
    queryset = DelegationHost.objects.none()  # for the schema; get_queryset filters
    filter_backends = []

    def get_permissions(self):
        if self.action in {"create", "destroy"}:
            return [IsStaff()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.host_list_for_user(user=self.request.user, delegation=self.delegation())

    def create(self, request, *args, **kwargs):
        serializer = HostCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        host = services.host_add(
            actor=request.user, delegation=self.delegation(), **serializer.validated_data
        )
        host = selectors.host_list(delegation=self.delegation()).get(pk=host.pk)
        return Response(HostSerializer(host).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.host_remove(actor=self.request.user, host=instance)
