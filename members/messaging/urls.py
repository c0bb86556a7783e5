"""The inbox pages, mounted under /messages/ (forum_site/urls.py; the `id` path converter
is registered by forum_site)."""

from django.urls import path

from members.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("compose/", views.compose, name="compose"),
    path("preferences/", views.preferences, name="preferences"),
    path("blocked/", views.blocked, name="blocked"),
    path("blocked/<id:user_pk>/unblock/", views.unblock, name="unblock"),
    path("<id:pk>/", views.thread, name="thread"),
    path("<id:pk>/poll/", views.poll, name="poll"),
    path("<id:pk>/mute/", views.mute, name="mute"),
    path("<id:pk>/leave/", views.leave, name="leave"),
    path("<id:pk>/block/<id:user_pk>/", views.block, name="block"),
    path("<id:pk>/messages/<id:message_pk>/edit/", views.message_edit, name="message_edit"),
    path("<id:pk>/messages/<id:message_pk>/delete/", views.message_delete, name="message_delete"),
]
