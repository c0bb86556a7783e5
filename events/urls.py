from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/", views.event_list, name="list"),
    path("events/<id:pk>/", views.event_detail, name="detail"),
    path("events/<id:pk>/cancel/", views.event_cancel, name="cancel"),
    path("events/<id:pk>.ics", views.event_ics_view, name="ics"),
    path("account/events/", views.my_registrations, name="my-registrations"),
    path("account/events/feed/replace/", views.feed_replace, name="feed-replace"),
    path("calendar/platform/<slug:slug>.ics", views.platform_feed, name="platform-feed"),
    path("calendar/<str:token>.ics", views.user_feed, name="user-feed"),
]
