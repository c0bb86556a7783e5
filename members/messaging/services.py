"""Every write of messaging between members. The API, admin, tasks and demo call these.

Access: a conversation is found through `messaging_selectors.conversation_visible`, so a
person who does not take part gets the same 404 as for a conversation that does not
exist. Rules (who may message whom, blocks, edit window) raise `PermissionDenied` (403)
or `ValidationError` with field errors (400), before anything is written.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from members.messaging import selectors as selectors
from members.messaging.models import (
    MESSAGE_MAX_LENGTH,
    Block,
    ContextType,
    Conversation,
    Message,
    MessagingPreference,
    Participant,
)
from members.models import Affiliation, Organisation

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 50
SUBJECT_MAX_LENGTH = 200
# Models a conversation's context may point to, tried in order; while the events app does
# not define one, any id is accepted for that context type.
CONTEXT_MODELS = {
    ContextType.EVENT: ["events.Event"],
    ContextType.DELEGATION: ["delegations.Delegation"],
    ContextType.MEETING: ["delegations.MeetingRequest"],
}
NOT_ALLOWED = "Only people of approved member organisations and staff can send messages."
BLOCKED = "You cannot send messages to this conversation."
BLOCKED_START = "You cannot start a conversation with these recipients."


def _clean_body(body: str) -> str:
    if body is None or not str(body).strip():
        raise ValidationError({"body": "Write a message."})
    body = str(body)
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "body": f"A message can be at most {MESSAGE_MAX_LENGTH} characters "
                f"(this one has {len(body)})."
            }
        )
    return body


def _require_may_message(actor: AbstractBaseUser) -> None:
    if not selectors.user_may_message(actor):
        raise PermissionDenied(NOT_ALLOWED)


def _context_errors(context_type: str, context_id: int | None) -> dict[str, str]:
    if not context_type and context_id is None:
        return {}
    if context_type not in ContextType.values:
        return {"context_type": f"Choose one of: {', '.join(ContextType.values)}."}
    if context_id is None:
        return {"context_id": "Give the id of the object the conversation is about."}
    for label in CONTEXT_MODELS[context_type]:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not model._default_manager.filter(pk=context_id).exists():
            return {"context_id": f"No {ContextType(context_type).label.lower()} with this id."}
        break
    return {}


def _advance_read(conversation_id: int, user: AbstractBaseUser, message_id: int) -> None:
    """Move a person's read pointer forward (never back), creating their state row when
    they take part through their organisation and had none yet."""
    updated = Participant.objects.filter(conversation_id=conversation_id, user=user).update(
        last_read_message_id=Greatest(F("last_read_message_id"), Value(message_id))
    )
    if not updated:
        Participant.objects.bulk_create(
            [
                Participant(
                    conversation_id=conversation_id,
                    user=user,
                    is_direct=False,
                    last_read_message_id=message_id,
                )
            ],
            ignore_conflicts=True,
        )


def _state_row(conversation: Conversation, user: AbstractBaseUser) -> Participant:
    participant, _ = Participant.objects.get_or_create(
        conversation=conversation, user=user, defaults={"is_direct": False}
    )
    return participant


def _insert_message(conversation: Conversation, sender: AbstractBaseUser, body: str) -> Message:
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, sender=sender, body=body, created_at=now, updated_at=now
    )
    # Conditional: two posts at once leave the later message as the last one.
    Conversation.objects.filter(pk=conversation.pk).filter(
        Q(last_message__isnull=True) | Q(last_message_id__lt=message.pk)
    ).update(last_message=message, last_message_at=now)
    return message


def conversation_start(
    *,
    actor: AbstractBaseUser,
    subject: str,
    body: str,
    recipient_ids: Iterable[int] = (),
    organisation_id: int | None = None,
    context_type: str = "",
    context_id: int | None = None,
) -> Conversation:
    """Start a conversation with people and/or an organisation, with its first message.

    All in one transaction: a conversation never exists without its first message."""
    _require_may_message(actor)
    errors: dict[str, str] = {}
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = "Give the conversation a subject."
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = f"A subject can be at most {SUBJECT_MAX_LENGTH} characters."
    try:
        body = _clean_body(body)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})

    wanted = list(dict.fromkeys(int(i) for i in recipient_ids if int(i) != actor.pk))
    recipients: list[int] = []
    if len(wanted) > MAX_RECIPIENTS:
        errors["recipients"] = f"A conversation can have at most {MAX_RECIPIENTS} recipients."
    elif wanted:
        found = set(selectors.messaging_users().filter(id__in=wanted).values_list("id", flat=True))
        missing = [i for i in wanted if i not in found]
        if missing:
            # Same words for "no such person" and "not an approved member": nothing leaks.
            errors["recipients"] = (
                "These people cannot be messaged (unknown, or not with an approved member "
                f"organisation): {', '.join(map(str, missing))}."
            )
        recipients = [i for i in wanted if i in found]
    if organisation_id is not None and not (
        Organisation.objects.filter(pk=organisation_id).exists()
        and selectors.organisation_is_approved_member(organisation_id)
    ):
        errors["organisation"] = (
            "This organisation cannot be messaged (unknown, or not an approved member)."
        )
    if not wanted and organisation_id is None:
        errors["recipients"] = "Name at least one recipient or an organisation."
    errors.update(_context_errors(context_type or "", context_id))
    if errors:
        raise ValidationError(errors)

    audience = set(recipients)
    if organisation_id is not None:
        audience |= set(
            Affiliation.objects.filter(organisation_id=organisation_id, is_active=True)
            .exclude(user=actor)
            .values_list("user_id", flat=True)
        )
    if selectors.blocked_by_any(sender=actor, user_ids=audience):
        raise PermissionDenied(BLOCKED_START)

    with transaction.atomic():
        now = timezone.now()
        conversation = Conversation.objects.create(
            subject=subject,
            organisation_id=organisation_id,
            created_by=actor,
            context_type=context_type or "",
            context_id=context_id,
            created_at=now,
            last_message_at=now,
        )
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversation, user_id=uid, joined_at=now)
                for uid in [actor.pk, *recipients]
            ]
        )
        message = _insert_message(conversation, actor, body)
        Participant.objects.filter(conversation=conversation, user=actor).update(
            last_read_message_id=message.pk
        )
    conversation.last_message, conversation.last_message_at = message, message.created_at
    return conversation


@transaction.atomic
def message_post(*, actor: AbstractBaseUser, conversation_id: int, body: str) -> Message:
    conversation = selectors.conversation_visible(user=actor, pk=conversation_id)
    _require_may_message(actor)
    body = _clean_body(body)
    recipients = selectors.conversation_recipient_ids(conversation)
    if selectors.blocked_by_any(sender=actor, user_ids=recipients):
        raise PermissionDenied(BLOCKED)
    message = _insert_message(conversation, actor, body)
    _advance_read(conversation.pk, actor, message.pk)
    return message


def _own_message(actor: AbstractBaseUser, conversation_id: int, message_id: int) -> Message:
    message = selectors.message_get_for_user(
        user=actor, conversation_pk=conversation_id, pk=message_id
    )
    if message.sender_id != actor.pk:
        raise PermissionDenied("You can only change your own messages.")
    return message


@transaction.atomic
def message_edit(
    *, actor: AbstractBaseUser, conversation_id: int, message_id: int, body: str
) -> Message:
    message = _own_message(actor, conversation_id, message_id)
    if message.deleted_at is not None:
        raise ValidationError({"body": "This message was deleted."})
    window = dt.timedelta(minutes=settings.MESSAGING_EDIT_WINDOW_MINUTES)
    if timezone.now() - message.created_at > window:
        raise ValidationError(
            {
                "body": f"A message can be edited for {settings.MESSAGING_EDIT_WINDOW_MINUTES} "
                "minutes after it was sent."
            }
        )
    body = _clean_body(body)
    if body != message.body:
        now = timezone.now()
        message.body, message.edited_at, message.updated_at = body, now, now
        message.save(update_fields=["body", "edited_at", "updated_at"])
    return message


def _blank(message: Message) -> Message:
    if message.deleted_at is None:
        now = timezone.now()
        message.body, message.deleted_at, message.updated_at = "", now, now
        message.save(update_fields=["body", "deleted_at", "updated_at"])
    return message


@transaction.atomic
def message_delete(*, actor: AbstractBaseUser, conversation_id: int, message_id: int) -> Message:
    """Delete one's own message: its text is blanked, a "message deleted" marker stays."""
    return _blank(_own_message(actor, conversation_id, message_id))


@transaction.atomic
def message_moderate_delete(*, actor: AbstractBaseUser, message: Message) -> Message:
    """Staff remove a message (from the admin), leaving the same marker."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff can remove other people's messages.")
    return _blank(message)


@transaction.atomic
def conversation_mark_read(
    *, actor: AbstractBaseUser, conversation_id: int, message_id: int | None = None
) -> int:
    """Mark the conversation read up to `message_id` (default: its last message). The read
    pointer never moves back. Returns the pointer."""
    conversation = selectors.conversation_visible(user=actor, pk=conversation_id)
    if message_id is None:
        message_id = conversation.last_message_id or 0
    elif not Message.objects.filter(conversation=conversation, pk=message_id).exists():
        raise ValidationError({"message_id": "No such message in this conversation."})
    _advance_read(conversation.pk, actor, message_id)
    return Participant.objects.get(conversation=conversation, user=actor).last_read_message_id


@transaction.atomic
def conversation_mute(*, actor: AbstractBaseUser, conversation_id: int, muted: bool) -> bool:
    """Muted conversations send no digest and do not count in the total unread."""
    conversation = selectors.conversation_visible(user=actor, pk=conversation_id)
    participant = _state_row(conversation, actor)
    if participant.muted != muted:
        participant.muted = muted
        participant.save(update_fields=["muted"])
    return muted


@transaction.atomic
def conversation_leave(*, actor: AbstractBaseUser, conversation_id: int) -> None:
    """Leave: the conversation disappears from my list and I receive nothing more from it
    (also when I take part through my organisation)."""
    conversation = selectors.conversation_visible(user=actor, pk=conversation_id)
    participant = _state_row(conversation, actor)
    participant.left_at = timezone.now()
    participant.save(update_fields=["left_at"])


# --- Blocks and preferences ---------------------------------------------------------------


@transaction.atomic
def block_create(*, actor: AbstractBaseUser, user_id: int) -> Block:
    from django.contrib.auth import get_user_model

    if user_id == actor.pk:
        raise ValidationError({"user": "You cannot block yourself."})
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise ValidationError({"user": "No such person."})
    block, _ = Block.objects.get_or_create(blocker=actor, blocked_id=user_id)
    return block


@transaction.atomic
def block_delete(*, actor: AbstractBaseUser, user_id: int) -> bool:
    deleted, _ = Block.objects.filter(blocker=actor, blocked_id=user_id).delete()
    return bool(deleted)


@transaction.atomic
def preference_update(*, actor: AbstractBaseUser, email_digest: bool) -> MessagingPreference:
    preference, _ = MessagingPreference.objects.update_or_create(
        user=actor, defaults={"email_digest": email_digest}
    )
    return preference


# --- Email digests --------------------------------------------------------------------------

DIGEST_LOOKBACK = dt.timedelta(days=2)
DIGEST_SHOWN = 20


def _digest_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=settings.MESSAGING_DIGEST_DELAY_MINUTES)


def message_digests_due(*, now: dt.datetime | None = None) -> list[int]:
    """Participant ids that should get a digest now.

    Members of an organisation a conversation is addressed to get a state row first (for
    recently active conversations), so that their digest pointer can be kept."""
    now = now or timezone.now()
    recent = Conversation.objects.filter(
        organisation__isnull=False, last_message_at__gte=now - DIGEST_LOOKBACK
    ).values_list("id", "organisation_id")
    rows = []
    for conversation_id, organisation_id in recent:
        for user_id in Affiliation.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).values_list("user_id", flat=True):
            rows.append(
                Participant(conversation_id=conversation_id, user_id=user_id, is_direct=False)
            )
    if rows:
        Participant.objects.bulk_create(rows, ignore_conflicts=True)
    return selectors.digest_due_participant_ids(cutoff=_digest_cutoff(now))


def message_digest_send(*, participant_id: int, now: dt.datetime | None = None) -> bool:
    """Email one person the messages of one conversation they have not read for a while.

    Sends at most once for the same messages, however often it runs: the digest pointer
    is moved with a conditional UPDATE before sending (and given back if sending fails)."""
    from forum_site.emails import send_email, stable_message_id

    now = now or timezone.now()
    participant = (
        Participant.objects.select_related("user", "user__profile", "conversation")
        .filter(pk=participant_id)
        .first()
    )
    if participant is None or participant.left_at or participant.muted:
        return False
    user = participant.user
    if not user.email or not user.is_active:
        return False
    if not selectors.preference_for(user).email_digest:
        return False
    conversation = participant.conversation
    if (
        not participant.is_direct
        and not Affiliation.objects.filter(
            user=user, organisation_id=conversation.organisation_id, is_active=True
        ).exists()
    ):
        return False
    old_pointer = participant.last_digested_message_id
    pending = selectors.unread_messages(
        user=user,
        conversation_ref=conversation,
        after_ref=max(participant.last_read_message_id, old_pointer),
    )
    first = pending.order_by("id").values_list("created_at", flat=True).first()
    if first is None or first > _digest_cutoff(now):
        return False
    shown = list(
        Message.objects.filter(id__in=pending)
        .select_related("sender")
        .order_by("-id")[:DIGEST_SHOWN]
    )[::-1]
    total = pending.count()
    high = shown[-1].pk
    claimed = Participant.objects.filter(
        pk=participant.pk, last_digested_message_id=old_pointer
    ).update(last_digested_message_id=high)
    if not claimed:
        return False

    profile = getattr(user, "profile", None)
    language = getattr(profile, "language", None) or "en"
    try:
        tz = ZoneInfo(getattr(profile, "time_zone", None) or settings.TIME_ZONE)
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    context = {
        "recipient_name": user.get_full_name() or user.get_username(),
        "conversation": conversation,
        "messages": [
            {
                "sender": (m.sender.get_full_name() or m.sender.get_username())
                if m.sender
                else "—",
                "sent_at": m.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "body": m.body,
            }
            for m in shown
        ],
        "count": total,
        "more": total - len(shown),
        "url": f"{settings.SITE_URL}/api/v1/conversations/{conversation.pk}/messages/",
    }
    try:
        send_email(
            template="messaging/email/message_digest",
            to=[user.email],
            language=language,
            context=context,
            headers={"Message-ID": stable_message_id("message-digest", participant.pk, high)},
        )
    except Exception:
        Participant.objects.filter(pk=participant.pk, last_digested_message_id=high).update(
            last_digested_message_id=old_pointer
        )
        raise
    return True


def message_digests_send(*, now: dt.datetime | None = None) -> int:
    """Send every due digest in this process (the management command; beat fans out)."""
    now = now or timezone.now()
    return sum(
        message_digest_send(participant_id=pid, now=now) for pid in message_digests_due(now=now)
    )
