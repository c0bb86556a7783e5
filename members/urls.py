from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("directory/", views.directory, name="directory"),
    # Django's language switch, which also changes a logged-in person's profile.
    path("i18n/setlang/", views.set_language, name="set_language"),
]
