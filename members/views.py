"""Pages of the member portal: my account, the language switch, the directory."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from members import preferences, selectors, services
from members.forms import ProfileForm
from members.models import Language


@require_POST
def set_language(request):
    """Django's language switch; for a logged-in person it also changes their profile."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        services.person_update(user=request.user, language=language)
        preferences.remember_profile(request, request.user.profile)
    return django_set_language(request)


@login_required
def account(request):
    profile = services.profile_ensure(user=request.user)
    initial = {
        "first_name": request.user.first_name,
        "last_name": request.user.last_name,
        "job_title": profile.job_title,
        "language": profile.language,
        "time_zone": profile.time_zone,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.person_update(user=request.user, **form.cleaned_data)
        profile.refresh_from_db()
        preferences.remember_profile(request, profile)
        messages.success(request, _("Your profile has been saved."))
        response = redirect("members:account")
        response.set_cookie("django_language", profile.language, samesite="Lax")
        return response
    return render(
        request,
        "members/account.html",
        {
            "form": form,
            "affiliations": selectors.affiliation_list_for_user(request.user),
        },
    )


def directory(request):
    return render(request, "members/directory.html", {"organisations": []})
