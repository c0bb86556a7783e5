"""Messaging between members: conversations, their participants' state, messages, blocks.

Who is in a conversation:
- its *direct* participants (the person who started it and the people it was addressed
  to): a `Participant` row with `is_direct=True`;
- when it is addressed to an organisation, that organisation's *current* active
  representatives, derived from `Affiliation` at each read (never copied), so a person
  the organisation adds later sees the conversation and one it removes no longer does.

A `Participant` row also holds per-person state (read pointer, mute, left, digest
pointer); for organisation members it is created only when there is state to keep and
never grants access by itself.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from members.messaging.contexts import CONTEXT_MODELS, ContextType
from members.models import Organisation

__all__ = [
    "CONTEXT_MODELS",
    "MESSAGE_MAX_LENGTH",
    "Block",
    "ContextType",
    "Conversation",
    "Message",
    "MessagingPreference",
    "Participant",
]

MESSAGE_MAX_LENGTH = 5000


class Conversation(models.Model):
    subject = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conversations",
        help_text="Addressed to this organisation: its active representatives take part.",
    )
    context_type = models.CharField(max_length=20, choices=ContextType.choices, blank=True)
    context_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Denormalised so that "my conversations" is one indexed query: set by every post.
    last_message = models.ForeignKey(
        "Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["context_type", "context_id"], name="conversation_context"),
            models.Index(fields=["-last_message_at"], name="conversation_last_message_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(context_type__in=["", *ContextType.values]),
                name="conversation_context_type_valid",
            ),
            models.CheckConstraint(
                condition=(Q(context_type="") & Q(context_id__isnull=True))
                | (~Q(context_type="") & Q(context_id__isnull=False)),
                name="conversation_context_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    is_direct = models.BooleanField(
        default=True,
        help_text="Named in the conversation. Otherwise this row only keeps the read/mute "
        "state of a member of the organisation it is addressed to.",
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    muted = models.BooleanField(default=False)
    # Message ids only grow, so "read up to id N" is one integer; unread = later messages
    # from others.
    last_read_message_id = models.BigIntegerField(default=0)
    # The last message included in an email digest to this person (claimed with a
    # conditional UPDATE so that a digest is never sent twice).
    last_digested_message_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "conversation"], name="participant_unique_user_conversation"
            ),
            models.CheckConstraint(
                condition=Q(last_read_message_id__gte=0) & Q(last_digested_message_id__gte=0),
                name="participant_pointers_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.conversation}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Changes with every create/edit/delete: `?since=` polling reads it.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            # Pages of a conversation (`before`/`after` cursors) and unread counts.
            models.Index(fields=["conversation", "id"], name="message_conversation_id"),
            # `?since=` polling.
            models.Index(fields=["conversation", "updated_at"], name="message_conversation_upd"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), MESSAGE_MAX_LENGTH),
                name="message_body_max_length",
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(body=""),
                name="message_deleted_is_blank",
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=False) | ~Q(body=""),
                name="message_body_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in conversation {self.conversation_id}"


class Block(models.Model):
    """`blocker` does not accept messages from `blocked`."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class MessagingPreference(models.Model):
    """A person's messaging settings; no row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messaging_preference"
    )
    email_digest = models.BooleanField(
        default=True, help_text="Email me a digest of messages I have not read for a while."
    )

    def __str__(self) -> str:
        return f"Messaging preferences of {self.user}"
