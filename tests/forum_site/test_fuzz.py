"""The OpenAPI document tells the truth: every operation of /api/schema/, called with data
generated from the schema itself (schemathesis), as an anonymous client, a member and
staff, never answers 5xx and answers only what the schema says (status code, content
type, body shape).

Bounded for CI (FORUM_FUZZ_EXAMPLES examples per operation and role, derandomized so a
run is repeatable); `make fuzz` runs many more, with fresh randomness each time.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from events import services as event_services
from forum_site.wsgi import application
from members.messaging import services as messaging_services
from tests.factories import EventFactory
from tests.worlds import accept_and_host, build_world, with_requests

EXAMPLES = int(os.environ.get("FORUM_FUZZ_EXAMPLES", "4"))
LONG_RUN = "FORUM_FUZZ_EXAMPLES" in os.environ
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(params=["anonymous", "member", "staff"])
def who(request):
    return request.param


@pytest.fixture
def world(db):
    """The delegation world with an event, a registration and a conversation, so that
    generated ids land on real objects now and then."""
    w = with_requests(accept_and_host(build_world()))
    w.event = EventFactory(platform=w.platform, capacity=1)
    event_services.registration_create(actor=w.kenji, event=w.event)
    event_services.registration_create(actor=w.yuki, event=w.event)  # waitlisted
    w.conversation = messaging_services.conversation_start(
        actor=w.kenji,
        subject="Tea",
        body="Shall we meet in Ahmedabad?",
        recipient_ids=[w.yuki.pk],
        organisation_id=None,
        context_type="",
        context_id=None,
    )
    return w


@pytest.fixture
def in_process():
    """Requests through the WSGI app inside the test's transaction: like Django's test
    client, keep the connection open at the end of each request. Throttle counts start
    and end empty (they are in the shared cache, and other tests log in too)."""
    cache.clear()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    cache.clear()


@pytest.fixture
def api_schema(world, in_process):
    return schemathesis.openapi.from_wsgi("/api/schema/", in_process)


@pytest.fixture
def credentials(world, who) -> dict:
    user = {"anonymous": None, "member": world.kenji, "staff": world.staff}[who]
    if user is None:
        return {}
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def known_ids(world) -> list[int]:
    """Ids of the world's objects: a generated id is mapped onto one of them (or kept)."""
    from django.apps import apps

    ids: set[int] = set()
    for label in (
        "events.Event",
        "events.Registration",
        "delegations.Delegation",
        "delegations.DelegationApplication",
        "delegations.DelegationHost",
        "delegations.MeetingRequest",
        "messaging.Conversation",
        "messaging.Message",
        "members.Organisation",
        "members.Membership",
        "members.Sector",
        "members.Region",
    ):
        ids.update(apps.get_model(label).objects.values_list("pk", flat=True)[:20])
    ids.update([world.kenji.pk, world.asha.pk])
    return sorted(ids)


def aim(case, ids: list[int]) -> None:
    """Point the generated path ids at real objects most of the time (deterministically,
    so that Hypothesis can replay a failure)."""
    for name, value in list((case.path_parameters or {}).items()):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            if name == "number":
                case.path_parameters[name] = value % 3 + 1
            elif value % 4:
                case.path_parameters[name] = ids[value % len(ids)]
        elif name == "slug" and isinstance(value, str) and len(value) % 2:
            case.path_parameters[name] = "sme-forum"


def strategy(operation):
    """Valid data and data the schema forbids (which must be a 4xx, never a 5xx)."""
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in modes))


def fuzz(operation, credentials: dict, ids: list[int], seen: Counter) -> None:
    @given(case=strategy(operation))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not LONG_RUN,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        aim(case, ids)
        response = case.call_and_validate(headers=credentials, checks=CHECKS)
        seen[response.status_code] += 1

    run()


def test_every_operation_answers_as_the_schema_says(api_schema, world, who, credentials):
    ids = known_ids(world)
    failures, operations, seen = [], 0, Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            fuzz(operation, credentials, ids, seen)
        except BaseException as exc:  # every operation's failure, not just the first
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(exc).split('Reproduce with')[0][:2000]}")
    assert operations > 80
    if os.environ.get("FORUM_FUZZ_REPORT"):
        print(f"\n{who}: {sum(seen.values())} requests, by status: {sorted(seen.items())}")
    # The generated requests reach the views, not only the authentication in front of them.
    assert sum(n for code, n in seen.items() if code < 300) > (2 if who == "anonymous" else 20)
    assert not failures, "\n\n".join(failures)
