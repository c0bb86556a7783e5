"""The system check of messaging: every context model label resolves."""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from members.messaging import checks as messaging_checks
from members.messaging.contexts import CONTEXT_MODELS, ContextType


def test_every_context_type_names_an_installed_model():
    assert set(CONTEXT_MODELS) == set(ContextType)
    assert messaging_checks.context_models_check() == []


def test_a_label_that_does_not_resolve_fails_the_check(monkeypatch):
    monkeypatch.setitem(CONTEXT_MODELS, ContextType.MEETING, "events.Meeting")
    [error] = messaging_checks.context_models_check()
    assert (error.id, error.level) == ("messaging.E001", checks.ERROR)
    assert "'events.Meeting'" in error.msg


def test_the_check_runs_with_manage_py_check(monkeypatch):
    call_command("check", "--tag", "models")
    monkeypatch.setitem(CONTEXT_MODELS, ContextType.EVENT, "events")  # not app_label.Model
    with pytest.raises(SystemCheckError, match="messaging.E001"):
        call_command("check", "--tag", "models")
