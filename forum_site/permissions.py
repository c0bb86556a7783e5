"""Who is staff: one rule for services (PermissionDenied) and the API (a DRF permission)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from rest_framework import permissions


def is_staff(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def require_staff(actor: AbstractBaseUser | AnonymousUser | None, what: str) -> None:
    """Refuse `actor` unless staff; `what` completes "Only staff can …"."""
    if not is_staff(actor):
        raise PermissionDenied(f"Only staff can {what}.")


class IsStaff(permissions.BasePermission):
    message = "Only staff can do this."

    def has_permission(self, request, view) -> bool:
        return is_staff(request.user)
