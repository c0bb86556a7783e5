"""The site's URLs plus a stand-in `messaging:compose` route, for the test that the
itinerary offers a Message link once the inbox exists."""

from django.http import HttpResponse
from django.urls import include, path

from forum_site.urls import urlpatterns as site

compose = ([path("compose/", lambda request: HttpResponse(), name="compose")], "messaging")

urlpatterns = [*site, path("messages/", include(compose))]
