"""django-allauth's hooks: a new account gets a profile in the language it signed up in."""

from allauth.account.adapter import DefaultAccountAdapter
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
