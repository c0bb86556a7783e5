"""The messaging API's JSON renderer writes exactly the bytes DRF's JSONRenderer writes."""

import datetime as dt
import decimal
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from forum_site.renderers import FastJSONRenderer

pytestmark = pytest.mark.django_db

API = "/api/v1/conversations/"


@pytest.mark.parametrize(
    "data",
    [
        {"results": [], "has_older": False, "older": None},
        {"detail": ErrorDetail("Not found.", code="not_found")},
        {"body": [ErrorDetail("This field may not be blank.", code="blank")]},
        {"text": "Line\u2028separator\u2029and 日本語 «quotes»", "n": 5, "ok": True},
        {"lazy": gettext_lazy("Event"), "amount": decimal.Decimal("1.50"), 3: "int key"},
        {
            "utc": dt.datetime(2026, 2, 10, 9, 15, tzinfo=dt.UTC),
            "micro": dt.datetime(2026, 2, 10, 9, 15, 0, 123456, tzinfo=dt.UTC),
            "tokyo": dt.datetime(2026, 2, 10, 18, 15, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
            "day": dt.date(2026, 2, 10),
        },
        None,
    ],
)
def test_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_indent_is_left_to_drf():
    data = {"a": [1, 2]}
    media_type = "application/json; indent=4"
    assert FastJSONRenderer().render(data, media_type) == JSONRenderer().render(data, media_type)


def test_pages_are_what_drf_would_write(asha, kenji, start, client_for):
    conversation = start(asha, kenji, body="Line\u2028break")
    client = client_for(kenji)
    for url in [API, f"{API}{conversation.pk}/", f"{API}{conversation.pk}/messages/"]:
        response = client.get(url)
        assert response.content == JSONRenderer().render(response.data), url
    [message] = client.get(f"{API}{conversation.pk}/messages/").json()["results"]
    assert message["created_at"].endswith("Z")
