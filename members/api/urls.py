from django.urls import path

from members.api import views


def register(router) -> None:
    router.register("organisations", views.OrganisationViewSet, basename="organisation")
    router.register("platforms", views.PlatformViewSet, basename="platform")
    router.register("memberships", views.MembershipViewSet, basename="membership")
    router.register("sectors", views.SectorViewSet, basename="sector")
    router.register("regions", views.RegionViewSet, basename="region")
    router.register("capabilities", views.CapabilityViewSet, basename="capability")


urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
]
