"""The inbox pages, mounted under /messages/ (forum_site/urls.py; the `id` path converter
is registered by forum_site)."""

from django.urls import path

from members.messaging.views import conversations, place, thread

app_name = "messaging"

urlpatterns = [
    path("", conversations.inbox, name="inbox"),
    path("compose/", conversations.compose, name="compose"),
    path("unread/", conversations.unread_badge, name="unread"),
    path("preferences/", conversations.preferences, name="preferences"),
    path("blocked/", place.blocked, name="blocked"),
    path("blocked/<id:user_pk>/unblock/", place.unblock, name="unblock"),
    path("<id:pk>/", thread.thread, name="thread"),
    path("<id:pk>/poll/", thread.poll, name="poll"),
    path("<id:pk>/mute/", place.mute, name="mute"),
    path("<id:pk>/leave/", place.leave, name="leave"),
    path("<id:pk>/block/<id:user_pk>/", place.block, name="block"),
    path("<id:pk>/messages/<id:message_pk>/edit/", thread.message_edit, name="message_edit"),
    path("<id:pk>/messages/<id:message_pk>/delete/", thread.message_delete, name="message_delete"),
]
