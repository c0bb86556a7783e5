"""Strict input fields for every API serializer (use these, not DRF's own).

DRF's fields are lenient where a client's mistake should be a 400: `{}` passes for an
empty list of related objects (a dict is iterable), `1.5` finds the row with id 1,
`true` is the number 1, and a number past what PostgreSQL's bigint holds reaches the
database. Here each refuses what is not of its type with a field error:

- integers and ids: a JSON integer, or digits in a form or a query string; not a
  boolean, not a fraction (`1.5`, `1.0`), within a bigint;
- numbers: a JSON number or numeric text; not a boolean, finite, within their bounds;
- lists of related objects: a JSON array (or repeated form fields); not an object;
- slugs: text only;
- times of day: documented as what they are, `HH:MM:SS` without an offset (RFC 3339's
  `partial-time`, not its `time`, which needs one).

`ModelSerializer` builds its fields from these too.
"""

import re
from collections.abc import Mapping

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

BIGINT_MAX = 2**63 - 1
BIGINT_MIN = -(2**63)
DIGITS = re.compile(r"[-+]?[0-9]{1,19}")
PARTIAL_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def _integer_text(data) -> bool:
    """A JSON integer (not a boolean), or text of digits (forms, query strings)."""
    if isinstance(data, bool):
        return False
    if isinstance(data, int):
        return True
    return isinstance(data, str) and DIGITS.fullmatch(data.strip()) is not None


class IntegerField(serializers.IntegerField):
    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("max_value", BIGINT_MAX)
            kwargs.setdefault("min_value", BIGINT_MIN)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not _integer_text(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class FloatField(serializers.FloatField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "format": "partial-time", "pattern": PARTIAL_TIME, "example": "09:00:00"}
)
class TimeField(serializers.TimeField):
    """A time of day without an offset: `09:00:00` (input also `09:00`)."""


class ManyRelatedField(serializers.ManyRelatedField):
    """A list of related objects: a JSON array, never an object."""

    def to_internal_value(self, data):
        if isinstance(data, str | Mapping) or not hasattr(data, "__iter__"):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class _Many:
    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return ManyRelatedField(**list_kwargs)


class PrimaryKeyRelatedField(_Many, serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if not _integer_text(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        pk = int(data)
        if not BIGINT_MIN <= pk <= BIGINT_MAX:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(pk)


class SlugRelatedField(_Many, serializers.SlugRelatedField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, with the strict fields above for the model's fields."""

    serializer_related_field = PrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.AutoField: IntegerField,
        models.BigAutoField: IntegerField,
        models.IntegerField: IntegerField,
        models.BigIntegerField: IntegerField,
        models.SmallIntegerField: IntegerField,
        models.PositiveIntegerField: IntegerField,
        models.PositiveSmallIntegerField: IntegerField,
        models.PositiveBigIntegerField: IntegerField,
        models.FloatField: FloatField,
        models.TimeField: TimeField,
    }
