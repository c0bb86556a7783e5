"""django-allauth's hooks: a new account gets a profile in the language it signed up in, and
failed logins are counted per account, whichever login (username or email) names it."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import translation

from forum_site.i18n import LANGUAGE_TIME_ZONES
from members.services import profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            language = (translation.get_language() or "en")[:2]
            profile_ensure(
                user=user, language=language, time_zone=LANGUAGE_TIME_ZONES.get(language, "")
            )
        return user

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys the "5/5m/key" limit by the login as typed, so alternating the
        # username and the email address would double the guesses an account allows.
        login = credentials.get("email", credentials.get("username", ""))
        account = (
            get_user_model()
            .objects.filter(Q(username__iexact=login) | Q(emailaddress__email__iexact=login))
            .values_list("pk", flat=True)
            .first()
        )
        if account is None:
            return super()._get_login_attempts_cache_key(request, **credentials)
        return f"account:{account}"
