from django.urls import path

from members import organisation_views, views

app_name = "members"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("directory/", views.directory, name="directory"),
    path("organisations/new/", organisation_views.organisation_create, name="organisation_create"),
    path("organisations/<id:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<id:pk>/matches/", views.organisation_matches, name="matches"),
    path(
        "organisations/<id:pk>/edit/",
        organisation_views.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "organisations/<id:pk>/representatives/",
        organisation_views.representatives,
        name="representatives",
    ),
    path("organisations/<id:pk>/memberships/", organisation_views.memberships, name="memberships"),
    path("organisations/join/<str:token>/", organisation_views.invitation, name="invitation"),
    # Django's language switch, which also changes a logged-in person's profile.
    path("i18n/setlang/", views.set_language, name="set_language"),
]
