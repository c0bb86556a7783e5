"""Every write of messaging between members. The API, admin, tasks and demo call these.

Access: a conversation is found through `selectors.conversation_visible`, so a
person who does not take part gets the same 404 as for a conversation that does not
exist. Rules (who may message whom, blocks, edit window) raise `PermissionDenied` (403)
or `ValidationError` with field errors (400), before anything is written.
"""

import datetime as dt
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from forum_site.emails import send_email, stable_message_id
from forum_site.i18n import local_time, person_language, person_time_zone
from forum_site.links import absolute_url
from forum_site.permissions import require_staff
from members.messaging import selectors
from members.messaging.models import (
    CONTEXT_MODELS,
    MESSAGE_MAX_LENGTH,
    Block,
    ContextType,
    Conversation,
    Message,
    MessagingPreference,
    Participant,
)
from members.models import Organisation

MAX_RECIPIENTS = 50
SUBJECT_MAX_LENGTH = 200
NOT_ALLOWED = "Only people of approved member organisations and staff can send messages."
BLOCKED = "You cannot send messages to this conversation."
BLOCKED_START = "You cannot start a conversation with these recipients."


def _body_error(body: str | None) -> str | None:
    if body is None or not str(body).strip():
        return "Write a message."
    if len(str(body)) > MESSAGE_MAX_LENGTH:
        return (
            f"A message can be at most {MESSAGE_MAX_LENGTH} characters "
            f"(this one has {len(str(body))})."
        )
    return None


def _clean_body(body: str) -> str:
    error = _body_error(body)
    if error:
        raise ValidationError({"body": error})
    return str(body)


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
    model = apps.get_model(CONTEXT_MODELS[context_type])
    if not model._default_manager.filter(pk=context_id).exists():
        return {"context_id": f"No {ContextType(context_type).label.lower()} with this id."}
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


def _recipients(actor: AbstractBaseUser, recipient_ids: Iterable[int]) -> tuple[list, dict]:
    """The people a new conversation is addressed to (without the sender), and the
    field errors about them."""
    wanted = list(dict.fromkeys(int(i) for i in recipient_ids if int(i) != actor.pk))
    if len(wanted) > MAX_RECIPIENTS:
        return [], {"recipients": f"A conversation can have at most {MAX_RECIPIENTS} recipients."}
    found = set(selectors.messaging_users().filter(id__in=wanted).values_list("id", flat=True))
    missing = [i for i in wanted if i not in found]
    if missing:
        # Same words for "no such person" and "not an approved member": nothing leaks.
        return [i for i in wanted if i in found], {
            "recipients": "These people cannot be messaged (unknown, or not with an approved "
            f"member organisation): {', '.join(map(str, missing))}."
        }
    return wanted, {}


def _start_errors(
    conversation: Conversation, body: str, recipients: list[int], recipient_errors: dict
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not conversation.subject:
        errors["subject"] = "Give the conversation a subject."
    elif len(conversation.subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = f"A subject can be at most {SUBJECT_MAX_LENGTH} characters."
    if body_error := _body_error(body):
        errors["body"] = body_error
    errors.update(recipient_errors)
    organisation_id = conversation.organisation_id
    if organisation_id is not None and not (
        Organisation.objects.filter(pk=organisation_id).exists()
        and selectors.organisation_is_approved_member(organisation_id)
    ):
        errors["organisation"] = (
            "This organisation cannot be messaged (unknown, or not an approved member)."
        )
    if not recipients and not recipient_errors and organisation_id is None:
        errors["recipients"] = "Name at least one recipient or an organisation."
    errors.update(_context_errors(conversation.context_type, conversation.context_id))
    return errors


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
    conversation = Conversation(
        subject=(subject or "").strip(),
        organisation_id=organisation_id,
        created_by=actor,
        context_type=context_type or "",
        context_id=context_id,
    )
    recipients, recipient_errors = _recipients(actor, recipient_ids)
    errors = _start_errors(conversation, body, recipients, recipient_errors)
    if errors:
        raise ValidationError(errors)
    audience = set(recipients)
    if organisation_id is not None:
        audience |= set(
            selectors.organisation_representative_ids(organisation_id)
            .exclude(user=actor)
            .values_list("user_id", flat=True)
        )
    if selectors.blocked_by_any(sender=actor, user_ids=audience):
        raise PermissionDenied(BLOCKED_START)

    with transaction.atomic():
        now = timezone.now()
        conversation.created_at = conversation.last_message_at = now
        conversation.save(force_insert=True)
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversation, user_id=uid, joined_at=now)
                for uid in [actor.pk, *recipients]
            ]
        )
        message = _insert_message(conversation, actor, str(body))
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
    require_staff(actor, "remove other people's messages")
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
    rows = [
        Participant(conversation_id=conversation_id, user_id=user_id, is_direct=False)
        for conversation_id, organisation_id in recent
        for user_id in selectors.organisation_representative_ids(organisation_id).values_list(
            "user_id", flat=True
        )
    ]
    if rows:
        Participant.objects.bulk_create(rows, ignore_conflicts=True)
    return selectors.digest_due_participant_ids(cutoff=_digest_cutoff(now))


def _digest_participant(participant_id: int) -> Participant | None:
    """The state row, when its person still sees the conversation, has not muted it,
    wants digests and can receive email."""
    participant = (
        Participant.objects.select_related(
            "user", "user__profile", "conversation", "conversation__organisation"
        )
        .filter(pk=participant_id)
        .first()
    )
    if participant is None or participant.left_at or participant.muted:
        return None
    user = participant.user
    if not user.email or not user.is_active or not selectors.preference_for(user).email_digest:
        return None
    if not selectors.conversation_is_visible(user=user, pk=participant.conversation_id):
        return None
    return participant


def _name(user: AbstractBaseUser | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else "—"


def _digest_context(participant: Participant, shown: list[Message], total: int) -> dict:
    user, conversation = participant.user, participant.conversation
    language = person_language(user)
    time_zone = person_time_zone(user, default=settings.TIME_ZONE)
    return {
        "recipient_name": _name(user),
        "conversation": conversation,
        "messages": [
            {
                "sender": _name(m.sender),
                "sent_at": local_time(m.created_at, time_zone, language),
                "body": m.body,
            }
            for m in shown
        ],
        "count": total,
        "more": total - len(shown),
        # The thread page (the inbox, where digests can be turned off).
        "url": absolute_url("messaging:thread", conversation.pk),
        "inbox_url": absolute_url("messaging:inbox"),
    }


def message_digest_send(*, participant_id: int, now: dt.datetime | None = None) -> bool:
    """Email one person the messages of one conversation they have not read for a while.

    Sends at most once for the same messages, however often it runs: the digest pointer
    is moved with a conditional UPDATE before sending (and given back if sending fails)."""
    now = now or timezone.now()
    participant = _digest_participant(participant_id)
    if participant is None:
        return False
    old_pointer = participant.last_digested_message_id
    pending = selectors.unread_messages(
        user=participant.user,
        conversation_ref=participant.conversation,
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
    try:
        send_email(
            template="messaging/email/message_digest",
            to=[participant.user.email],
            language=person_language(participant.user),
            context=_digest_context(participant, shown, total),
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
