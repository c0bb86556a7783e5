"""Reads of messaging shared by the API, admin, tasks and benchmarks.

Access rule, in one place (`conversation_ids_visible`): a person sees a conversation when
they are a direct participant who has not left, or when it is addressed to an
organisation they actively represent and they have not left it.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    BooleanField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.shortcuts import get_object_or_404

from members.messaging.models import Block, Conversation, Message, MessagingPreference, Participant
from members.models import Affiliation, Membership


class SubqueryCount(Subquery):
    """COUNT(*) of a subquery's rows, as an integer annotation."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def _active_organisation_ids(user: AbstractBaseUser) -> QuerySet:
    return Affiliation.objects.filter(user=user, is_active=True).values("organisation_id")


def conversation_ids_visible(user: AbstractBaseUser) -> QuerySet:
    """Ids of the conversations `user` may see: a UNION of two index-driven lookups (an OR
    here would make PostgreSQL scan every conversation)."""
    direct = Participant.objects.filter(user=user, is_direct=True, left_at__isnull=True).values(
        "conversation_id"
    )
    via_organisation = (
        Conversation.objects.filter(organisation_id__in=_active_organisation_ids(user))
        .exclude(
            id__in=Participant.objects.filter(user=user, left_at__isnull=False).values(
                "conversation_id"
            )
        )
        .order_by()
        .values("id")
    )
    return direct.order_by().union(via_organisation)


def _my_state(user: AbstractBaseUser, field: str):
    return Participant.objects.filter(conversation=OuterRef("pk"), user=user).values(field)[:1]


def unread_messages(*, user: AbstractBaseUser, conversation_ref, after_ref) -> QuerySet:
    """Messages of a conversation after a read pointer, from other people, not deleted."""
    return (
        Message.objects.filter(
            conversation=conversation_ref, id__gt=after_ref, deleted_at__isnull=True
        )
        .exclude(sender=user)
        .order_by()
        .values("id")
    )


def _with_my_state(qs: QuerySet[Conversation], user: AbstractBaseUser) -> QuerySet:
    return qs.annotate(
        my_last_read=Coalesce(
            Subquery(_my_state(user, "last_read_message_id")),
            Value(0),
            output_field=IntegerField(),
        ),
        my_muted=Coalesce(
            Subquery(_my_state(user, "muted")), Value(False), output_field=BooleanField()
        ),
    )


CONVERSATION_COLUMNS = [
    "id",
    "subject",
    "organisation_id",
    "context_type",
    "context_id",
    "created_at",
    "last_message_id",
    "last_message_at",
]
MESSAGE_COLUMNS = [
    "id",
    "conversation_id",
    "sender_id",
    "body",
    "created_at",
    "edited_at",
    "deleted_at",
    "updated_at",
]
PERSON_COLUMNS = ["id", "username", "first_name", "last_name"]


def conversation_list_for_user(user: AbstractBaseUser) -> QuerySet[Conversation]:
    """My conversations, newest activity first, each with its last message, my unread count
    and my mute state; participants prefetched. A constant number of queries."""
    qs = Conversation.objects.filter(id__in=conversation_ids_visible(user))
    qs = _with_my_state(qs, user).annotate(
        unread_count=SubqueryCount(
            unread_messages(
                user=user, conversation_ref=OuterRef("pk"), after_ref=OuterRef("my_last_read")
            )
        )
    )
    # Only the columns the list shows: fewer to fetch and convert for every row.
    return (
        qs.select_related("organisation", "last_message", "last_message__sender")
        .only(
            *CONVERSATION_COLUMNS,
            "organisation__name",
            *(f"last_message__{f}" for f in MESSAGE_COLUMNS),
            *(f"last_message__sender__{f}" for f in PERSON_COLUMNS),
        )
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(is_direct=True, left_at__isnull=True)
                .select_related("user")
                .only("conversation_id", "user_id", *(f"user__{f}" for f in PERSON_COLUMNS))
                .order_by("id"),
                to_attr="active_participants",
            )
        )
        .order_by("-last_message_at", "-id")
    )


def conversation_get_for_user(*, user: AbstractBaseUser, pk) -> Conversation:
    """The conversation with its annotations, or 404 if `user` may not see it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such conversation.")
    return get_object_or_404(conversation_list_for_user(user), pk=pk)


def conversation_visible(*, user: AbstractBaseUser, pk) -> Conversation:
    """The bare conversation (no annotations), or 404: a cheap access check for writes."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such conversation.")
    return get_object_or_404(
        Conversation.objects.filter(id__in=conversation_ids_visible(user)), pk=pk
    )


def unread_total(user: AbstractBaseUser) -> dict[str, int]:
    """Unread messages over all my conversations that are not muted, and in how many.

    Only conversations whose last message is past my read pointer are counted, so the
    cost grows with what is unread, not with how many conversations I have."""
    qs = _with_my_state(Conversation.objects.filter(id__in=conversation_ids_visible(user)), user)
    qs = qs.filter(my_muted=False, last_message_id__gt=F("my_last_read")).annotate(
        unread=SubqueryCount(
            unread_messages(
                user=user, conversation_ref=OuterRef("pk"), after_ref=OuterRef("my_last_read")
            )
        )
    )
    rows = qs.values_list("unread", flat=True)
    counts = [n for n in rows if n]
    return {"unread": sum(counts), "conversations": len(counts)}


MESSAGE_ROW_KEYS = (
    "id",
    "conversation_id",
    "body",
    "created_at",
    "edited_at",
    "deleted_at",
    "updated_at",
    "sender_id",
    "sender_username",
    "sender_first_name",
    "sender_last_name",
)
_SENDER_FIELDS = {
    "sender_username": F("sender__username"),
    "sender_first_name": F("sender__first_name"),
    "sender_last_name": F("sender__last_name"),
}


def message_page(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    before: int | None = None,
    after: int | None = None,
    since=None,
    limit: int = 50,
) -> tuple[list[dict], bool]:
    """A page of messages of a conversation `user` sees, in chronological order, as plain
    rows (keys: MESSAGE_ROW_KEYS), and whether there are more beyond it (404 if the
    conversation is not visible).

    - no cursor: the latest `limit` messages;
    - `before=id`: the `limit` messages just before that id (scrolling back);
    - `after=id`: the `limit` messages just after that id (catching up);
    - `since=datetime`: only messages created, edited or deleted since then (polling).

    The access rule (`conversation_ids_visible`) is part of the one query; only an empty
    page costs a second query to tell "nothing new" from "not yours"."""
    conversation_id = int(conversation_id)
    qs = Message.objects.filter(
        conversation_id=conversation_id, conversation_id__in=conversation_ids_visible(user)
    )
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    if after is not None:
        qs = qs.filter(id__gt=after).order_by("id")
    else:
        if before is not None:
            qs = qs.filter(id__lt=before)
        qs = qs.order_by("-id")
    fetched = list(qs.values(*MESSAGE_ROW_KEYS[:8], **_SENDER_FIELDS)[: limit + 1])
    more = len(fetched) > limit
    fetched = fetched[:limit]
    if after is None:
        fetched.reverse()
    if not fetched:
        conversation_visible(user=user, pk=conversation_id)
    return fetched, more


def message_get_for_user(*, user: AbstractBaseUser, conversation_pk, pk) -> Message:
    conversation = conversation_visible(user=user, pk=conversation_pk)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such message.")
    return get_object_or_404(
        Message.objects.select_related("sender", "conversation"),
        conversation=conversation,
        pk=pk,
    )


# --- Who may message whom ------------------------------------------------------------------


def approved_member_user_ids() -> QuerySet:
    """People who actively represent an organisation with an approved membership."""
    return Affiliation.objects.filter(
        is_active=True,
        organisation_id__in=Membership.objects.filter(status=Membership.Status.APPROVED).values(
            "organisation_id"
        ),
    ).values("user_id")


def messaging_users() -> QuerySet:
    """Everyone who may send and receive messages: staff and approved members' people."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(id__in=approved_member_user_ids()))
    )


def user_may_message(user: AbstractBaseUser) -> bool:
    return user.is_active and (
        user.is_staff
        or Affiliation.objects.filter(
            user=user, is_active=True, organisation__memberships__status=Membership.Status.APPROVED
        ).exists()
    )


def organisation_is_approved_member(organisation_id: int) -> bool:
    return Membership.objects.filter(
        organisation_id=organisation_id, status=Membership.Status.APPROVED
    ).exists()


def conversation_recipient_ids(conversation: Conversation) -> QuerySet:
    """Who currently receives the conversation's messages (direct and via organisation)."""
    direct = Participant.objects.filter(
        conversation=conversation, is_direct=True, left_at__isnull=True
    ).values("user_id")
    if conversation.organisation_id is None:
        return direct
    via_organisation = (
        Affiliation.objects.filter(organisation_id=conversation.organisation_id, is_active=True)
        .exclude(
            user_id__in=Participant.objects.filter(
                conversation=conversation, left_at__isnull=False
            ).values("user_id")
        )
        .order_by()
        .values("user_id")
    )
    return direct.order_by().union(via_organisation)


def blocked_by_any(*, sender: AbstractBaseUser, user_ids: Iterable[int] | QuerySet) -> bool:
    """Whether any of these people blocked `sender`."""
    return Block.objects.filter(blocked=sender, blocker_id__in=user_ids).exists()


def block_list(user: AbstractBaseUser) -> QuerySet[Block]:
    return Block.objects.filter(blocker=user).select_related("blocked")


def preference_for(user: AbstractBaseUser) -> MessagingPreference:
    """The person's preferences (unsaved defaults when they never changed them)."""
    return MessagingPreference.objects.filter(user=user).first() or MessagingPreference(user=user)


# --- Digests ------------------------------------------------------------------------------


def digest_due_participant_ids(*, cutoff) -> list[int]:
    """Participant rows with a message from someone else that has been unread since before
    `cutoff` and not yet emailed; the person still takes part, has not muted the
    conversation, wants digests and has an email address."""
    pending = (
        Message.objects.filter(
            conversation=OuterRef("conversation_id"),
            deleted_at__isnull=True,
            id__gt=OuterRef("pointer"),
        )
        .exclude(sender=OuterRef("user_id"))
        .order_by("id")
        .values("created_at")[:1]
    )
    still_member = Q(is_direct=True) | Exists(
        Affiliation.objects.filter(
            user=OuterRef("user_id"),
            organisation=OuterRef("conversation__organisation_id"),
            is_active=True,
        )
    )
    return list(
        Participant.objects.filter(left_at__isnull=True, muted=False)
        .exclude(user__email="")
        .exclude(
            user_id__in=MessagingPreference.objects.filter(email_digest=False).values("user_id")
        )
        .annotate(pointer=Greatest("last_read_message_id", "last_digested_message_id"))
        .filter(conversation__last_message_id__gt=F("pointer"))
        .filter(still_member)
        .annotate(oldest_pending=Subquery(pending))
        .filter(oldest_pending__lte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
    )
