"""Pages of the member portal: my account, the language switch, the directory, an
organisation's profile and its partner matches. Organisation management is in
members/organisation_views.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from forum_site.i18n import localized
from members import directory as directory_search
from members import preferences, selectors, services
from members.forms import ProfileForm
from members.matchmaking import Match, matches_for
from members.models import Language

MATCHES_SHOWN = 20


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


def _other_pages(params) -> str:
    """The query string of the current search without its page number."""
    query = params.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def directory(request):
    """Search the directory with the API's filters (members/directory.py)."""
    filterset = directory_search.directory_filter(request.GET)
    found = directory_search.directory_results(filterset, request.GET)
    page = None
    if found is not None:
        page = Paginator(found, directory_search.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {
            "form": filterset.form,
            "search": request.GET.get("search", ""),
            "page": page,
            "query": _other_pages(request.GET),
            "affiliations": selectors.affiliation_list_for_user(request.user),
        },
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = selectors.organisation_profile(pk=pk)
    roles = selectors.organisation_roles(user=request.user, organisation=organisation)
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "is_admin": "admin" in roles or request.user.is_staff,
            "represents": bool(roles),
        },
    )


def _reasons(match: Match) -> dict[str, list[str]]:
    """A match's reasons as names in the reader's language (from the prefetched tags)."""
    language = translation.get_language()
    candidate = match.organisation

    def names(tags, slugs):
        return [localized(t, "name", language) for t in tags if t.slug in slugs]

    return {
        "offers": names(candidate.offers.all(), match.they_offer_what_you_seek),
        "seeks": names(candidate.seeks.all(), match.they_seek_what_you_offer),
        "sectors": names(candidate.sectors.all(), match.shared_sectors),
    }


@login_required
def organisation_matches(request, pk: int):
    """Partner matches, for the people of a member organisation."""
    organisation = selectors.organisation_profile(pk=pk)
    roles = selectors.organisation_roles(user=request.user, organisation=organisation)
    try:
        found, is_member = (
            matches_for(user=request.user, organisation=organisation, limit=MATCHES_SHOWN),
            True,
        )
    except PermissionDenied:
        if not roles and not request.user.is_staff:
            raise  # not theirs: refused as the API refuses
        found, is_member = [], False  # theirs, not a member yet: the page says how to join
    return render(
        request,
        "members/organisation_matches.html",
        {
            "organisation": organisation,
            "is_member": is_member,
            "is_admin": "admin" in roles,
            "matches": [{"match": m, "reasons": _reasons(m)} for m in found],
        },
    )
