"""Shapes of messaging in the API. Input serializers name every field a client may send;
anything else in the payload (sender, timestamps, conversation…) is ignored."""

import datetime as dt

from rest_framework import serializers

from members.messaging.models import MESSAGE_MAX_LENGTH, ContextType, Conversation, Message

PREVIEW_LENGTH = 140
MESSAGE_PAGE_SIZE = 50


def iso(value: dt.datetime | None) -> str | None:
    """As DRF's DateTimeField renders it (UTC, "Z"), without its per-field overhead."""
    if value is None:
        return None
    text = value.astimezone(dt.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def message_row_data(r: dict) -> dict:
    """A message row of `messaging_selectors.message_page` in the shape of MessageSerializer."""
    sender = r["sender_id"]
    if sender is not None:
        name = f"{r['sender_first_name']} {r['sender_last_name']}".strip()
        sender = {"id": sender, "name": name or r["sender_username"]}
    return {
        "id": r["id"],
        "conversation": r["conversation_id"],
        "sender": sender,
        "body": r["body"],
        "created_at": iso(r["created_at"]),
        "edited": r["edited_at"] is not None,
        "edited_at": iso(r["edited_at"]),
        "deleted": r["deleted_at"] is not None,
        "deleted_at": iso(r["deleted_at"]),
        "updated_at": iso(r["updated_at"]),
    }


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MessagePreviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sender = PersonSerializer(allow_null=True)
    preview = serializers.CharField()
    created_at = serializers.DateTimeField()
    deleted = serializers.BooleanField()


class MessageSerializer(serializers.ModelSerializer):
    sender = serializers.SerializerMethodField()
    conversation = serializers.IntegerField(source="conversation_id", read_only=True)
    edited = serializers.SerializerMethodField()
    deleted = serializers.SerializerMethodField()

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

    def get_sender(self, message) -> PersonSerializer(allow_null=True):
        return person(message.sender)

    def to_representation(self, m):
        # Hand-written: the message page is the hottest read (see bench/bench_messaging.py);
        # the declared fields above still describe it in the OpenAPI schema.
        return {
            "id": m.pk,
            "conversation": m.conversation_id,
            "sender": person(m.sender),
            "body": m.body,
            "created_at": iso(m.created_at),
            "edited": m.edited_at is not None,
            "edited_at": iso(m.edited_at),
            "deleted": m.deleted_at is not None,
            "deleted_at": iso(m.deleted_at),
            "updated_at": iso(m.updated_at),
        }

    def get_edited(self, message) -> bool:
        return message.edited_at is not None

    def get_deleted(self, message) -> bool:
        return message.deleted_at is not None


class ConversationSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    last_message = serializers.SerializerMethodField()
    unread_count = serializers.IntegerField(read_only=True)
    muted = serializers.BooleanField(source="my_muted", read_only=True)

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

    def get_organisation(self, conversation) -> OrganisationRefSerializer(allow_null=True):
        org = conversation.organisation
        return {"id": org.pk, "name": org.name} if org else None

    def get_participants(self, conversation) -> PersonSerializer(many=True):
        return [person(p.user) for p in conversation.active_participants]

    def get_last_message(self, conversation) -> MessagePreviewSerializer(allow_null=True):
        m = conversation.last_message
        if m is None:
            return None
        deleted = m.deleted_at is not None
        body = m.body
        if len(body) > PREVIEW_LENGTH:
            body = body[: PREVIEW_LENGTH - 1] + "…"
        return {
            "id": m.pk,
            "sender": person(m.sender),
            "preview": body,
            "created_at": iso(m.created_at),
            "deleted": deleted,
        }

    def to_representation(self, c):
        # Hand-written for speed, like MessageSerializer.
        org = c.organisation
        return {
            "id": c.pk,
            "subject": c.subject,
            "organisation": {"id": org.pk, "name": org.name} if org else None,
            "context_type": c.context_type,
            "context_id": c.context_id,
            "participants": self.get_participants(c),
            "created_at": iso(c.created_at),
            "last_message_at": iso(c.last_message_at),
            "last_message": self.get_last_message(c),
            "unread_count": c.unread_count,
            "muted": c.my_muted,
        }


class ConversationStartSerializer(serializers.Serializer):
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="User ids of the people to write to.",
    )
    organisation = serializers.IntegerField(
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
    context_id = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None
    )


class MessageBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)


class MessagePageSerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    has_older = serializers.BooleanField()
    has_newer = serializers.BooleanField()
    older = serializers.CharField(allow_null=True, help_text="URL of the previous page.")
    newer = serializers.CharField(allow_null=True, help_text="URL of the next page.")


class MessageQuerySerializer(serializers.Serializer):
    before = serializers.IntegerField(min_value=1, required=False)
    after = serializers.IntegerField(min_value=0, required=False)
    since = serializers.DateTimeField(required=False)
    limit = serializers.IntegerField(
        min_value=1, max_value=200, required=False, default=MESSAGE_PAGE_SIZE
    )

    def validate(self, attrs):
        if "before" in attrs and "after" in attrs:
            raise serializers.ValidationError({"before": "Use either `before` or `after`."})
        return attrs


class MarkReadSerializer(serializers.Serializer):
    message_id = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Read up to this message (default: the last one).",
    )


class ReadStateSerializer(serializers.Serializer):
    last_read_message_id = serializers.IntegerField()
    unread_count = serializers.IntegerField()


class MuteSerializer(serializers.Serializer):
    muted = serializers.BooleanField(default=True)


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="Unread messages in conversations not muted.")
    conversations = serializers.IntegerField(help_text="Conversations with unread messages.")


class PreferenceSerializer(serializers.Serializer):
    email_digest = serializers.BooleanField()


class BlockSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="blocked_id", help_text="Id of the blocked person.")
    name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_name(self, block) -> str:
        return person(block.blocked)["name"]


class BlockCreateSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, help_text="Id of the person to block.")
