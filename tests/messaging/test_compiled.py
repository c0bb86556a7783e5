"""CompiledQuery: an ORM query compiled once per shape, run with each call's arguments."""

import datetime as dt

import pytest
from django.utils import timezone

from members.messaging import compiled
from members.messaging.compiled import CompiledQuery
from members.messaging.models import Message

pytestmark = pytest.mark.django_db


def _messages(*, conversation_id, after, since, limit):
    qs = Message.objects.filter(conversation_id=conversation_id)
    if after is not None:
        qs = qs.filter(id__gt=after)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    return qs.order_by("id").values("id", "body", "created_at")[:limit]


def query():
    return CompiledQuery(
        _messages,
        model=Message,
        ints=("conversation_id", "after"),
        datetimes=("since",),
        keys=("limit",),
    )


def test_rows_match_the_orm_for_every_shape_and_argument(asha, kenji, start):
    first = start(asha, kenji, body="a")
    second = start(kenji, asha, body="b")
    earlier = timezone.now() - dt.timedelta(hours=1)
    Message.objects.filter(conversation=second).update(updated_at=earlier)
    run = query()
    for arguments in [
        {"conversation_id": first.pk, "after": None, "since": None, "limit": 5},
        {"conversation_id": second.pk, "after": None, "since": None, "limit": 5},
        {"conversation_id": first.pk, "after": 0, "since": None, "limit": 5},
        {"conversation_id": first.pk, "after": first.last_message_id, "since": None, "limit": 5},
        {"conversation_id": second.pk, "after": None, "since": timezone.now(), "limit": 5},
        {"conversation_id": second.pk, "after": None, "since": earlier, "limit": 1},
    ]:
        assert run(**arguments) == list(_messages(**arguments)), arguments
    # One compiled query per shape (which arguments are given, and the limit), not per call.
    assert len(run._compiled) == 4


def test_datetimes_come_back_aware_as_the_orm_gives_them(asha, kenji, start):
    conversation = start(asha, kenji)
    [row] = query()(conversation_id=conversation.pk, after=None, since=None, limit=5)
    assert row["created_at"] == Message.objects.get().created_at
    assert timezone.is_aware(row["created_at"])


def test_an_argument_that_does_not_reach_the_sql_is_refused():
    def ignores_after(*, conversation_id, after):
        return Message.objects.filter(conversation_id=conversation_id).values("id")

    run = CompiledQuery(ignores_after, model=Message, ints=("conversation_id", "after"))
    with pytest.raises(RuntimeError, match="after"):
        run(conversation_id=1, after=5)


def test_the_number_of_compiled_shapes_is_bounded(asha, kenji, start, monkeypatch):
    monkeypatch.setattr(compiled, "MAX_SHAPES", 3)
    conversation = start(asha, kenji)
    run = query()
    for limit in range(1, 8):
        rows = run(conversation_id=conversation.pk, after=None, since=None, limit=limit)
        assert len(rows) == 1
        assert len(run._compiled) <= 3
