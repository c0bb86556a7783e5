"""/api/v1/conversations/ and /api/v1/blocks/: messaging between members.

Every conversation and message route looks the conversation up through
`conversation_visible` / `conversation_get_for_user`, so a person who does not take part
gets 404, exactly as for a conversation that does not exist.
"""

from django.conf import settings
from django.utils.http import urlencode
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, pagination, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from members.api.views import errors
from members.messaging import selectors, services
from members.messaging.api.examples import (
    EX_BAD_BODY,
    EX_BLOCK,
    EX_BLOCK_PAGE,
    EX_BLOCK_REQUEST,
    EX_BLOCKED,
    EX_BODY,
    EX_CONVERSATION,
    EX_CONVERSATION_PAGE,
    EX_MESSAGE,
    EX_MESSAGE_DELETED,
    EX_MUTE,
    EX_PAGE,
    EX_PREFERENCES,
    EX_READ,
    EX_READ_REQUEST,
    EX_START_ORG,
    EX_START_PEOPLE,
    EX_UNREAD,
    TOO_MANY,
)
from members.messaging.api.serializers import (
    MESSAGE_PAGE_SIZE,
    BlockCreateSerializer,
    BlockSerializer,
    ConversationSerializer,
    ConversationStartSerializer,
    MarkReadSerializer,
    MessageBodySerializer,
    MessagePageSerializer,
    MessageQuerySerializer,
    MessageSerializer,
    MuteSerializer,
    PreferenceSerializer,
    ReadStateSerializer,
    UnreadSerializer,
    conversation_row_data,
    message_page_data,
    message_row_data,
)
from members.messaging.models import Block, ContextType, Conversation

# --- Throttling -----------------------------------------------------------------------------


class MessagingThrottle(SimpleRateThrottle):
    """Messages a person may post (settings.MESSAGING_RATE, e.g. "60/min"), counted in the
    shared cache (Redis when REDIS_URL is set) so that every process sees the same count."""

    scope = "messages"

    def get_rate(self):
        return settings.MESSAGING_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


# --- Conversations -------------------------------------------------------------------------


class ConversationPagination(pagination.CursorPagination):
    """Cursor pages: no COUNT over a person's (possibly thousands of) conversations."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-last_message_at", "-id")


class ConversationFilter(filters.FilterSet):
    context_type = filters.ChoiceFilter(choices=ContextType.choices)
    context_id = filters.NumberFilter()
    organisation = filters.NumberFilter(field_name="organisation_id")

    class Meta:
        model = Conversation
        fields = ["context_type", "context_id", "organisation"]


@extend_schema_view(
    list=extend_schema(
        summary="My conversations, newest activity first, with unread counts",
        responses={200: ConversationSerializer(many=True), **errors(400, 401)},
        examples=[EX_CONVERSATION_PAGE],
    ),
    retrieve=extend_schema(
        summary="A conversation I take part in",
        responses={200: ConversationSerializer, **errors(401, 404)},
        examples=[EX_CONVERSATION],
    ),
    create=extend_schema(
        summary="Start a conversation with people and/or an organisation (with its first message)",
        request=ConversationStartSerializer,
        responses={201: ConversationSerializer, **errors(400, 401, 403), **TOO_MANY},
        examples=[EX_START_PEOPLE, EX_START_ORG, EX_CONVERSATION, EX_BLOCKED],
    ),
)
class ConversationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Conversations between members: with people, or addressed to an organisation."""

    serializer_class = ConversationSerializer
    pagination_class = ConversationPagination
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ConversationFilter

    queryset = Conversation.objects.none()  # for the schema; requests use get_queryset()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conversation.objects.none()
        return selectors.conversation_list_for_user(self.request.user)

    def get_object(self):
        return selectors.conversation_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_throttles(self):
        posting = self.action == "create" or (
            self.action == "messages" and self.request.method == "POST"
        )
        return [MessagingThrottle()] if posting else []

    @staticmethod
    def _data(rows: list[dict]) -> list[dict]:
        people = selectors.conversation_participants(r["id"] for r in rows)
        return [conversation_row_data(r, people[r["id"]]) for r in rows]

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(rows))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data([self.get_object()])[0])

    def create(self, request, *args, **kwargs):
        serializer = ConversationStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        conversation = services.conversation_start(
            actor=request.user,
            subject=data["subject"],
            body=data["body"],
            recipient_ids=data["recipients"],
            organisation_id=data["organisation"],
            context_type=data["context_type"],
            context_id=data["context_id"],
        )
        row = selectors.conversation_get_for_user(user=request.user, pk=conversation.pk)
        return Response(self._data([row])[0], status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="My unread messages in total (muted conversations not counted)",
        responses={200: UnreadSerializer, **errors(401)},
        examples=[EX_UNREAD],
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def unread(self, request):
        return Response(selectors.unread_total(request.user))

    @extend_schema(
        methods=["GET"],
        summary="My messaging preferences",
        responses={200: PreferenceSerializer, **errors(401)},
        examples=[EX_PREFERENCES],
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Change my messaging preferences (email digests on/off)",
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, **errors(400, 401)},
        examples=[EX_PREFERENCES],
    )
    @action(detail=False, methods=["get", "patch"], pagination_class=None, filter_backends=[])
    def preferences(self, request):
        if request.method == "PATCH":
            serializer = PreferenceSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.preference_update(actor=request.user, **serializer.validated_data)
        preference = selectors.preference_for(request.user)
        return Response(PreferenceSerializer(preference).data)

    # --- Messages ---------------------------------------------------------------------------
    @extend_schema(
        methods=["GET"],
        summary="Messages of a conversation, a page at a time (cursors `before`/`after`, "
        "polling with `since`)",
        parameters=[
            OpenApiParameter("before", OpenApiTypes.INT, description="Older than this id."),
            OpenApiParameter("after", OpenApiTypes.INT, description="Newer than this id."),
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                description="Only messages created, edited or deleted since.",
            ),
            OpenApiParameter("limit", OpenApiTypes.INT, description="Page size (max 200)."),
        ],
        request=None,
        responses={200: MessagePageSerializer, **errors(400, 401, 404)},
        examples=[EX_PAGE],
    )
    @extend_schema(
        methods=["POST"],
        summary="Post a message",
        request=MessageBodySerializer,
        responses={201: MessageSerializer, **errors(400, 401, 403, 404), **TOO_MANY},
        examples=[EX_BODY, EX_MESSAGE, EX_BAD_BODY, EX_BLOCKED],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def messages(self, request, pk=None):
        if request.method == "POST":
            serializer = MessageBodySerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            message = services.message_post(
                actor=request.user, conversation_id=pk, body=serializer.validated_data["body"]
            )
            return Response(
                self._message_data(request, pk, message.pk), status=status.HTTP_201_CREATED
            )
        if request.query_params:
            query = MessageQuerySerializer(data=request.query_params)
            if not query.is_valid():
                selectors.conversation_visible(user=request.user, pk=pk)  # 404 before 400
                raise ValidationError(query.errors)
            q = query.validated_data
        else:  # the usual request: the latest page
            q = {"limit": MESSAGE_PAGE_SIZE}
        rows, more = selectors.message_page(
            user=request.user,
            conversation_id=pk,
            before=q.get("before"),
            after=q.get("after"),
            since=q.get("since"),
            limit=q["limit"],
        )
        base = request.build_absolute_uri(request.path)
        keep = {k: v for k, v in request.query_params.items() if k in ("since", "limit")}
        return Response(
            message_page_data(
                rows, more, q, link=lambda **cursor: f"{base}?{urlencode({**keep, **cursor})}"
            )
        )

    @staticmethod
    def _message_data(request, conversation_pk, message_pk) -> dict:
        return message_row_data(
            selectors.message_row_for_user(
                user=request.user, conversation_pk=conversation_pk, pk=message_pk
            )
        )

    @extend_schema(
        methods=["GET"],
        operation_id="v1_conversations_message_retrieve",
        summary="One message",
        request=None,
        responses={200: MessageSerializer, **errors(401, 404)},
        examples=[EX_MESSAGE],
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Edit my message (within MESSAGING_EDIT_WINDOW_MINUTES; shows as edited)",
        request=MessageBodySerializer,
        responses={200: MessageSerializer, **errors(400, 401, 403, 404)},
        examples=[EX_BODY, EX_MESSAGE, EX_BAD_BODY],
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Delete my message (a “message deleted” marker stays)",
        request=None,
        responses={200: MessageSerializer, **errors(401, 403, 404)},
        examples=[EX_MESSAGE_DELETED],
    )
    @action(
        detail=True,
        methods=["get", "patch", "delete"],
        url_path=r"messages/(?P<message_id>[0-9]+)",
        pagination_class=None,
        filter_backends=[],
    )
    def message(self, request, pk=None, message_id=None):
        if request.method == "PATCH":
            serializer = MessageBodySerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services.message_edit(
                actor=request.user,
                conversation_id=pk,
                message_id=message_id,
                body=serializer.validated_data["body"],
            )
        elif request.method == "DELETE":
            services.message_delete(actor=request.user, conversation_id=pk, message_id=message_id)
        return Response(self._message_data(request, pk, message_id))

    # --- Per-person state -------------------------------------------------------------------
    @extend_schema(
        summary="Mark the conversation read up to a message (default: all of it)",
        request=MarkReadSerializer,
        responses={200: ReadStateSerializer, **errors(400, 401, 404)},
        examples=[EX_READ_REQUEST, EX_READ],
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def read(self, request, pk=None):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pointer = services.conversation_mark_read(
            actor=request.user,
            conversation_id=pk,
            message_id=serializer.validated_data["message_id"],
        )
        conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
        return Response(
            {"last_read_message_id": pointer, "unread_count": conversation["unread_count"]}
        )

    @extend_schema(
        summary="Mute or unmute the conversation (no digests, not in the total unread)",
        request=MuteSerializer,
        responses={200: MuteSerializer, **errors(400, 401, 404)},
        examples=[EX_MUTE],
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def mute(self, request, pk=None):
        serializer = MuteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        muted = services.conversation_mute(
            actor=request.user, conversation_id=pk, muted=serializer.validated_data["muted"]
        )
        return Response({"muted": muted})

    @extend_schema(
        summary="Leave the conversation (it disappears from my list)",
        request=None,
        responses={204: OpenApiResponse(description="Left."), **errors(401, 404)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def leave(self, request, pk=None):
        services.conversation_leave(actor=request.user, conversation_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Blocks --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="People I have blocked",
        responses={200: BlockSerializer(many=True), **errors(401)},
        examples=[EX_BLOCK_PAGE],
    ),
    create=extend_schema(
        summary="Block a person: their new messages to me are refused",
        request=BlockCreateSerializer,
        responses={201: BlockSerializer, **errors(400, 401)},
        examples=[EX_BLOCK_REQUEST, EX_BLOCK],
    ),
    destroy=extend_schema(
        summary="Unblock a person",
        parameters=[
            OpenApiParameter(
                "user_id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="Id of the blocked person.",
            )
        ],
        responses={204: OpenApiResponse(description="Unblocked."), **errors(401, 404)},
    ),
)
class BlockViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The people I have blocked. A blocked person cannot start a conversation with me or
    post to one I take part in (403); they are not told that I blocked them elsewhere."""

    serializer_class = BlockSerializer
    filter_backends = []
    lookup_url_kwarg = "user_id"
    lookup_value_regex = "[0-9]+"

    queryset = Block.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Block.objects.none()
        return selectors.block_list(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = BlockCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        block = services.block_create(actor=request.user, user_id=serializer.validated_data["user"])
        block = selectors.block_list(request.user).get(pk=block.pk)
        return Response(BlockSerializer(block).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        if not services.block_delete(actor=request.user, user_id=int(kwargs["user_id"])):
            return Response(
                {"detail": "You have not blocked this person."}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(status=status.HTTP_204_NO_CONTENT)
