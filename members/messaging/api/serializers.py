"""Shapes of messaging in the API. Input serializers name every field a client may send;
anything else in the payload (sender, timestamps, conversation…) is ignored."""

import datetime as dt

from rest_framework import serializers

from forum_site import fields as strict
from members.messaging.models import MESSAGE_MAX_LENGTH, ContextType, Conversation, Message

PREVIEW_LENGTH = 140
MESSAGE_PAGE_SIZE = 50


def in_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A time as the API shows it: in UTC, which the JSON renderers write as DRF's
    DateTimeField does ("2026-02-10T09:15:00Z"), without its per-field overhead. The
    database hands times back in UTC already."""
    if value is None or value.tzinfo is dt.UTC:
        return value
    return value.astimezone(dt.UTC)


def person_data(pk: int | None, username: str, first_name: str, last_name: str) -> dict | None:
    """A person as the API shows them: their full name, or their username without one."""
    if pk is None:
        return None
    return {"id": pk, "name": f"{first_name} {last_name}".strip() or username}


def person(user) -> dict | None:
    if user is None:
        return None
    return person_data(user.pk, user.username, user.first_name, user.last_name)


def message_row_data(r: dict) -> dict:
    """A row of `selectors.MESSAGE_ROW_FIELDS` in the shape of MessageSerializer."""
    return {
        "id": r["id"],
        "conversation": r["conversation_id"],
        "sender": person_data(
            r["sender_id"], r["sender__username"], r["sender__first_name"], r["sender__last_name"]
        ),
        "body": r["body"],
        "created_at": in_utc(r["created_at"]),
        "edited": r["edited_at"] is not None,
        "edited_at": in_utc(r["edited_at"]),
        "deleted": r["deleted_at"] is not None,
        "deleted_at": in_utc(r["deleted_at"]),
        "updated_at": in_utc(r["updated_at"]),
    }


def _preview(body: str) -> str:
    return body if len(body) <= PREVIEW_LENGTH else body[: PREVIEW_LENGTH - 1] + "…"


def conversation_row_data(r: dict, participants: list[dict]) -> dict:
    """A row of `selectors.CONVERSATION_ROW_FIELDS`, with the rows of its participants
    (`selectors.conversation_participants`), in the shape of ConversationSerializer."""
    last_message = None
    if r["last_message_id"] is not None:
        last_message = {
            "id": r["last_message_id"],
            "sender": person_data(
                r["last_message__sender_id"],
                r["last_message__sender__username"],
                r["last_message__sender__first_name"],
                r["last_message__sender__last_name"],
            ),
            "preview": _preview(r["last_message__body"]),
            "created_at": in_utc(r["last_message__created_at"]),
            "deleted": r["last_message__deleted_at"] is not None,
        }
    organisation = None
    if r["organisation_id"] is not None:
        organisation = {"id": r["organisation_id"], "name": r["organisation__name"]}
    return {
        "id": r["id"],
        "subject": r["subject"],
        "organisation": organisation,
        "context_type": r["context_type"],
        "context_id": r["context_id"],
        "participants": [
            person_data(
                p["user__id"], p["user__username"], p["user__first_name"], p["user__last_name"]
            )
            for p in participants
        ],
        "created_at": in_utc(r["created_at"]),
        "last_message_at": in_utc(r["last_message_at"]),
        "last_message": last_message,
        "unread_count": r["unread_count"],
        "muted": r["my_muted"],
    }


def message_page_data(rows: list[dict], more: bool, query: dict, link) -> dict:
    """A page of `selectors.message_page` in the shape of MessagePageSerializer; `link(**cursor)`
    is the URL of the page with that cursor (`before=id` or `after=id`)."""
    if "after" in query:
        has_older, has_newer = bool(rows), more
    else:
        has_older, has_newer = more, "before" in query
    return {
        "results": [message_row_data(r) for r in rows],
        "has_older": has_older,
        "has_newer": has_newer,
        "older": link(before=rows[0]["id"]) if rows and has_older else None,
        "newer": link(after=rows[-1]["id"]) if rows and has_newer else None,
    }


class PersonSerializer(serializers.Serializer):
    id = strict.IntegerField()
    name = serializers.CharField()


class OrganisationRefSerializer(serializers.Serializer):
    id = strict.IntegerField()
    name = serializers.CharField()


class MessagePreviewSerializer(serializers.Serializer):
    id = strict.IntegerField()
    sender = PersonSerializer(allow_null=True)
    preview = serializers.CharField()
    created_at = serializers.DateTimeField()
    deleted = serializers.BooleanField()


# The two shapes below describe responses in the schema; the responses themselves are
# built from rows by `message_row_data` and `conversation_row_data` (a serializer per row
# cost more than the query on the hottest reads).
class MessageSerializer(strict.ModelSerializer):
    sender = PersonSerializer(allow_null=True, read_only=True)
    conversation = strict.IntegerField(source="conversation_id", read_only=True)
    edited = serializers.BooleanField(read_only=True)
    deleted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "conversation",
            "sender",
            "body",
            "created_at",
            "edited",
            "edited_at",
            "deleted",
            "deleted_at",
            "updated_at",
        ]
        read_only_fields = fields


class ConversationSerializer(strict.ModelSerializer):
    organisation = OrganisationRefSerializer(allow_null=True, read_only=True)
    participants = PersonSerializer(many=True, read_only=True)
    last_message = MessagePreviewSerializer(allow_null=True, read_only=True)
    unread_count = strict.IntegerField(read_only=True)
    muted = serializers.BooleanField(read_only=True)
    context_type = serializers.ChoiceField(
        choices=ContextType.choices,
        allow_blank=True,
        read_only=True,
        help_text="What the conversation is about; empty when it is about nothing in particular.",
    )

    class Meta:
        model = Conversation
        fields = [
            "id",
            "subject",
            "organisation",
            "context_type",
            "context_id",
            "participants",
            "created_at",
            "last_message_at",
            "last_message",
            "unread_count",
            "muted",
        ]
        read_only_fields = fields


class ConversationStartSerializer(serializers.Serializer):
    recipients = serializers.ListField(
        child=strict.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="User ids of the people to write to.",
    )
    organisation = strict.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of an organisation: its active representatives (now and later) take part.",
    )
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, help_text="The first message.")
    context_type = serializers.ChoiceField(
        choices=ContextType.choices, required=False, allow_blank=True, default=""
    )
    context_id = strict.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class MessageBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)


class MessagePageSerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    has_older = serializers.BooleanField()
    has_newer = serializers.BooleanField()
    older = serializers.CharField(allow_null=True, help_text="URL of the previous page.")
    newer = serializers.CharField(allow_null=True, help_text="URL of the next page.")


class MessageQuerySerializer(serializers.Serializer):
    before = strict.IntegerField(min_value=1, required=False)
    after = strict.IntegerField(min_value=0, required=False)
    since = serializers.DateTimeField(required=False)
    limit = strict.IntegerField(
        min_value=1, max_value=200, required=False, default=MESSAGE_PAGE_SIZE
    )

    def validate(self, attrs):
        if "before" in attrs and "after" in attrs:
            raise serializers.ValidationError({"before": "Use either `before` or `after`."})
        return attrs


class MarkReadSerializer(serializers.Serializer):
    message_id = strict.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Read up to this message (default: the last one).",
    )


class ReadStateSerializer(serializers.Serializer):
    last_read_message_id = strict.IntegerField()
    unread_count = strict.IntegerField()


class MuteSerializer(serializers.Serializer):
    muted = serializers.BooleanField(default=True)


class UnreadSerializer(serializers.Serializer):
    unread = strict.IntegerField(help_text="Unread messages in conversations not muted.")
    conversations = strict.IntegerField(help_text="Conversations with unread messages.")


class PreferenceSerializer(serializers.Serializer):
    email_digest = serializers.BooleanField()


class BlockSerializer(serializers.Serializer):
    user = strict.IntegerField(source="blocked_id", help_text="Id of the blocked person.")
    name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_name(self, block) -> str:
        return person(block.blocked)["name"]


class BlockCreateSerializer(serializers.Serializer):
    user = strict.IntegerField(min_value=1, help_text="Id of the person to block.")
