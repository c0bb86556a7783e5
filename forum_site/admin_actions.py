"""Admin bulk actions that run a service on each selected object."""

from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError


def error_text(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def run_each(
    modeladmin,
    request,
    objects: Iterable,
    action: Callable[[object], object],
    *,
    done: str,
    label: Callable[[object], str] = str,
    refusals: tuple[type[Exception], ...] = (ValidationError, PermissionDenied),
) -> int:
    """Call `action(obj)` for each object. A refusal is reported for that object and the
    others go on; then `done` (formatted with `n`) says how many succeeded."""
    count = 0
    for obj in objects:
        try:
            action(obj)
            count += 1
        except refusals as exc:
            modeladmin.message_user(request, f"{label(obj)}: {error_text(exc)}", messages.ERROR)
    modeladmin.message_user(request, done.format(n=count))
    return count


def service_action(
    description: str,
    call: Callable[[object, object], object],
    *,
    done: str,
    label: Callable[[object], str] = str,
    refusals: tuple[type[Exception], ...] = (ValidationError, PermissionDenied),
):
    """An admin action that runs `call(actor, obj)` (a service) on each selected object,
    through `run_each`: `publish = service_action("Publish", lambda actor, e: …, done=…)`."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        run_each(
            modeladmin,
            request,
            queryset,
            lambda obj: call(request.user, obj),
            done=done,
            label=label,
            refusals=refusals,
        )

    return action
