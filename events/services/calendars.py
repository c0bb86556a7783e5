"""Personal calendar feed tokens."""

from django.contrib.auth.models import AbstractBaseUser

from events.models import CalendarFeedToken, new_feed_token


def calendar_feed_token_get(*, user: AbstractBaseUser):
    token, _ = CalendarFeedToken.objects.get_or_create(user=user)
    return token


def calendar_feed_token_rotate(*, user: AbstractBaseUser):
    """Revoke the current feed URL by issuing a new secret."""

    token, created = CalendarFeedToken.objects.get_or_create(user=user)
    if not created:
        token.token = new_feed_token()
        token.save(update_fields=["token", "created_at"])
    return token
