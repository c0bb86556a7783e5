"""Reads of messaging shared by the API, admin, tasks and benchmarks.

Access rule, in one place: a person sees a conversation when they are a direct
participant who has not left, or when it is addressed to an organisation they actively
represent and they have not left it. Its pieces are written once: `_direct`, `_left`,
`organisation_representative_ids` and `members.selectors.organisation_ids_represented`.
`conversation_ids_visible` reads the rule from a person's side, `conversation_recipient_ids`
from a conversation's, `digest_due_participant_ids` from a state row's.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    BooleanField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.shortcuts import get_object_or_404

from members.messaging.compiled import CompiledQuery
from members.messaging.models import Block, Conversation, Message, MessagingPreference, Participant
from members.models import Affiliation, Membership
from members.selectors import approved_platform_ids, organisation_ids_represented


class SubqueryCount(Subquery):
    """COUNT(*) of a subquery's rows, as an integer annotation."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def _as_id(value, what: str) -> int:
    """An id from a URL or a client, or 404 (the same answer as for one that is not yours)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}.")


# --- Who sees what -------------------------------------------------------------------------


def _direct(**where) -> QuerySet[Participant]:
    """Named in a conversation and still taking part."""
    return Participant.objects.filter(is_direct=True, left_at__isnull=True, **where)


def _left(**where) -> QuerySet[Participant]:
    """Left a conversation (also one that reached them through their organisation)."""
    return Participant.objects.filter(left_at__isnull=False, **where)


def organisation_representative_ids(organisation_id: int) -> QuerySet:
    """The people who actively represent the organisation (they receive what it is sent)."""
    return Affiliation.objects.filter(organisation_id=organisation_id, is_active=True).values(
        "user_id"
    )


def conversation_ids_visible(user: AbstractBaseUser) -> QuerySet:
    """Ids of the conversations `user` may see: a UNION of two index-driven lookups (an OR
    here would make PostgreSQL scan every conversation). Having left is a NOT EXISTS per
    conversation, an index probe, rather than the list of everything the person left."""
    via_organisation = (
        Conversation.objects.filter(organisation_id__in=organisation_ids_represented(user))
        .filter(~Exists(_left(user=user, conversation=OuterRef("pk"))))
        .order_by()
        .values("id")
    )
    return _direct(user=user).values("conversation_id").order_by().union(via_organisation)


def conversation_recipient_ids(conversation: Conversation) -> QuerySet:
    """Who currently receives the conversation's messages (direct and via organisation)."""
    direct = _direct(conversation=conversation).values("user_id")
    if conversation.organisation_id is None:
        return direct
    via_organisation = (
        organisation_representative_ids(conversation.organisation_id)
        .filter(~Exists(_left(conversation=conversation, user=OuterRef("user_id"))))
        .order_by()
    )
    return direct.order_by().union(via_organisation)


def conversation_visible(*, user: AbstractBaseUser, pk) -> Conversation:
    """The bare conversation (no annotations), or 404: a cheap access check for writes."""
    return get_object_or_404(
        Conversation.objects.filter(id__in=conversation_ids_visible(user)),
        pk=_as_id(pk, "conversation"),
    )


def conversation_is_visible(*, user: AbstractBaseUser, pk: int) -> bool:
    return Conversation.objects.filter(pk=pk, id__in=conversation_ids_visible(user)).exists()


# --- Conversations -------------------------------------------------------------------------


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


def _visible_with_my_state(user: AbstractBaseUser) -> QuerySet[Conversation]:
    """The conversations `user` sees, with their read pointer, mute state and unread count."""
    return (
        Conversation.objects.filter(id__in=conversation_ids_visible(user))
        .annotate(
            my_last_read=Coalesce(
                Subquery(_my_state(user, "last_read_message_id")),
                Value(0),
                output_field=IntegerField(),
            ),
            my_muted=Coalesce(
                Subquery(_my_state(user, "muted")), Value(False), output_field=BooleanField()
            ),
        )
        .annotate(
            unread_count=SubqueryCount(
                unread_messages(
                    user=user, conversation_ref=OuterRef("pk"), after_ref=OuterRef("my_last_read")
                )
            )
        )
    )


PERSON_COLUMNS = ("id", "username", "first_name", "last_name")
MESSAGE_COLUMNS = (
    "id",
    "conversation_id",
    "sender_id",
    "body",
    "created_at",
    "edited_at",
    "deleted_at",
    "updated_at",
)
# A conversation as the API lists it (rows, not models: the list is read on every visit).
CONVERSATION_ROW_FIELDS = (
    "id",
    "subject",
    "organisation_id",
    "organisation__name",
    "context_type",
    "context_id",
    "created_at",
    "last_message_at",
    "last_message_id",
    "last_message__body",
    "last_message__created_at",
    "last_message__deleted_at",
    "last_message__sender_id",
    *(f"last_message__sender__{f}" for f in PERSON_COLUMNS[1:]),
    "unread_count",
    "my_muted",
)


def conversation_list_for_user(user: AbstractBaseUser) -> QuerySet[dict]:
    """My conversations, newest activity first, as rows (CONVERSATION_ROW_FIELDS): each
    with its last message, my unread count and my mute state. One query whatever their
    number; `conversation_participants` adds the people in one more."""
    return (
        _visible_with_my_state(user)
        .values(*CONVERSATION_ROW_FIELDS)
        .order_by("-last_message_at", "-id")
    )


def conversation_get_for_user(*, user: AbstractBaseUser, pk) -> dict:
    """One row of `conversation_list_for_user`, or 404 if `user` may not see it."""
    return get_object_or_404(conversation_list_for_user(user), pk=_as_id(pk, "conversation"))


def conversation_people(conversation: dict) -> list[dict]:
    """Everyone who receives the conversation's messages, named in it or through the
    organisation it is addressed to (rows: `user__id`, `user__username`…), in one query."""
    ids = conversation_recipient_ids(
        Conversation(pk=conversation["id"], organisation_id=conversation["organisation_id"])
    )
    return [
        {f"user__{f}": row[f] for f in PERSON_COLUMNS}
        for row in get_user_model().objects.filter(pk__in=ids).values(*PERSON_COLUMNS)
    ]


def conversation_participants(conversation_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The people named in each conversation who still take part, in the order they were
    added (rows: `user_id`, `user__username`…), in one query."""
    people = defaultdict(list)
    rows = (
        _direct(conversation_id__in=list(conversation_ids))
        .order_by("id")
        .values("conversation_id", *(f"user__{f}" for f in PERSON_COLUMNS))
    )
    for row in rows:
        people[row["conversation_id"]].append(row)
    return people


def _unread_query(*, user_id: int) -> QuerySet:
    # Only conversations whose last message is past my read pointer are counted, so the
    # cost grows with what is unread, not with how many conversations I have.
    return (
        _visible_with_my_state(get_user_model()(pk=user_id))
        .filter(my_muted=False, last_message_id__gt=F("my_last_read"))
        .values("unread_count")
    )


# Polled by every open client, like the message page: compiled once (see compiled.py).
_unread_rows = CompiledQuery(_unread_query, model=Conversation, ints=("user_id",))


def unread_total(user: AbstractBaseUser) -> dict[str, int]:
    """Unread messages over all my conversations that are not muted, and in how many."""
    counts = [r["unread_count"] for r in _unread_rows(user_id=user.pk) if r["unread_count"]]
    return {"unread": sum(counts), "conversations": len(counts)}


# --- Messages ------------------------------------------------------------------------------

# A message as the API shows it: its columns and its sender's (`sender__username`…).
MESSAGE_ROW_FIELDS = (*MESSAGE_COLUMNS, *(f"sender__{f}" for f in PERSON_COLUMNS[1:]))


def _messages_visible(user: AbstractBaseUser, conversation_pk) -> QuerySet[Message]:
    return Message.objects.filter(
        conversation_id=_as_id(conversation_pk, "conversation"),
        conversation_id__in=conversation_ids_visible(user),
    )


def _message_page_query(
    *,
    user_id: int,
    conversation_id: int,
    before: int | None,
    after: int | None,
    since: dt.datetime | None,
    limit: int,
) -> QuerySet:
    qs = _messages_visible(get_user_model()(pk=user_id), conversation_id)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    if after is not None:
        qs = qs.filter(id__gt=after).order_by("id")
    else:
        if before is not None:
            qs = qs.filter(id__lt=before)
        qs = qs.order_by("-id")
    return qs.values(*MESSAGE_ROW_FIELDS)[: limit + 1]


# The hottest read (clients poll it): building the query cost more than running it, so it
# is compiled once per shape (see compiled.py).
_message_page_rows = CompiledQuery(
    _message_page_query,
    model=Message,
    ints=("user_id", "conversation_id", "before", "after"),
    datetimes=("since",),
    keys=("limit",),
)


def message_page(
    *,
    user: AbstractBaseUser,
    conversation_id: int,
    before: int | None = None,
    after: int | None = None,
    since: dt.datetime | None = None,
    limit: int = 50,
) -> tuple[list[dict], bool]:
    """A page of messages of a conversation `user` sees, in chronological order, as rows
    (MESSAGE_ROW_FIELDS), and whether there are more beyond it (404 if the conversation
    is not visible).

    - no cursor: the latest `limit` messages;
    - `before=id`: the `limit` messages just before that id (scrolling back);
    - `after=id`: the `limit` messages just after that id (catching up);
    - `since=datetime`: only messages created, edited or deleted since then (polling).

    The access rule (`conversation_ids_visible`) is part of the one query; only an empty
    page costs a second query to tell "nothing new" from "not yours"."""
    conversation_id = _as_id(conversation_id, "conversation")
    fetched = _message_page_rows(
        user_id=user.pk,
        conversation_id=conversation_id,
        before=before,
        after=after,
        since=since,
        limit=limit,
    )
    more = len(fetched) > limit
    fetched = fetched[:limit]
    if after is None:
        fetched.reverse()
    if not fetched:
        conversation_visible(user=user, pk=conversation_id)
    return fetched, more


def _poll_state_query(*, user_id: int, conversation_id: int) -> QuerySet:
    latest = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .order_by("-updated_at")
        .values("updated_at")[:1]
    )
    return (
        Conversation.objects.filter(
            pk=conversation_id,
            id__in=conversation_ids_visible(get_user_model()(pk=user_id)),
        )
        .annotate(latest_change=Subquery(latest))
        .order_by()
        .values("last_message_id", "latest_change")
    )


# The thread page polls this every few seconds: compiled once (see compiled.py).
_poll_state_rows = CompiledQuery(
    _poll_state_query, model=Conversation, ints=("user_id", "conversation_id")
)


def conversation_poll_state(*, user: AbstractBaseUser, conversation_id) -> dict:
    """What a poll compares with what the reader has: the conversation's last message id
    and the time of its latest change (a message created, edited or deleted), in ONE
    indexed query (`message(conversation_id, updated_at)`) that includes the access rule;
    404 when `user` does not see the conversation."""
    rows = _poll_state_rows(
        user_id=user.pk, conversation_id=_as_id(conversation_id, "conversation")
    )
    if not rows:
        raise Http404("No such conversation.")
    return rows[0]


def person_in_conversation(*, conversation_id: int, user_id: int) -> bool:
    """Whether the person is named in the conversation or wrote in it (whom a reader of the
    thread may block from there)."""
    return (
        _direct(conversation_id=conversation_id, user_id=user_id).exists()
        or Message.objects.filter(conversation_id=conversation_id, sender_id=user_id).exists()
    )


def blocked_ids(user: AbstractBaseUser) -> set[int]:
    return set(Block.objects.filter(blocker=user).values_list("blocked_id", flat=True))


def message_get_for_user(*, user: AbstractBaseUser, conversation_pk, pk) -> Message:
    """A message of a conversation `user` sees, or 404."""
    return get_object_or_404(
        _messages_visible(user, conversation_pk).select_related("sender", "conversation"),
        pk=_as_id(pk, "message"),
    )


def message_row_for_user(*, user: AbstractBaseUser, conversation_pk, pk) -> dict:
    """`message_get_for_user` as a row (MESSAGE_ROW_FIELDS), as the API shows it."""
    return get_object_or_404(
        _messages_visible(user, conversation_pk).values(*MESSAGE_ROW_FIELDS),
        pk=_as_id(pk, "message"),
    )


# --- Who may message whom ------------------------------------------------------------------


def approved_organisation_ids() -> QuerySet:
    return Membership.objects.filter(status=Membership.Status.APPROVED).values("organisation_id")


def approved_member_user_ids() -> QuerySet:
    """People who actively represent an organisation with an approved membership."""
    return Affiliation.objects.filter(
        is_active=True, organisation_id__in=approved_organisation_ids()
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
        user.is_staff or approved_member_user_ids().filter(user_id=user.pk).exists()
    )


def organisation_is_approved_member(organisation_id: int) -> bool:
    return approved_platform_ids(organisation_id).exists()


def blocked_by_any(*, sender: AbstractBaseUser, user_ids: Iterable[int] | QuerySet) -> bool:
    """Whether any of these people blocked `sender`."""
    return Block.objects.filter(blocked=sender, blocker_id__in=user_ids).exists()


def block_list(user: AbstractBaseUser) -> QuerySet[Block]:
    return Block.objects.filter(blocker=user).select_related("blocked")


def preference_for(user: AbstractBaseUser) -> MessagingPreference:
    """The person's preferences (unsaved defaults when they never changed them)."""
    return MessagingPreference.objects.filter(user=user).first() or MessagingPreference(user=user)


# --- Digests ------------------------------------------------------------------------------


def digest_due_participant_ids(*, cutoff: dt.datetime) -> list[int]:
    """Participant rows with a message from someone else that has been unread since before
    `cutoff` and not yet emailed; the person still takes part (the access rule, read from
    the state row: not left, and named or still representing the organisation), has not
    muted the conversation, wants digests and has an email address."""
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
    represents = Exists(
        organisation_representative_ids(OuterRef("conversation__organisation_id")).filter(
            user=OuterRef("user_id")
        )
    )
    return list(
        Participant.objects.filter(left_at__isnull=True, muted=False)
        .filter(Q(is_direct=True) | represents)
        .exclude(user__email="")
        .exclude(
            user_id__in=MessagingPreference.objects.filter(email_digest=False).values("user_id")
        )
        .annotate(pointer=Greatest("last_read_message_id", "last_digested_message_id"))
        .filter(conversation__last_message_id__gt=F("pointer"))
        .annotate(oldest_pending=Subquery(pending))
        .filter(oldest_pending__lte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
    )
