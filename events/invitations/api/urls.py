from events.invitations.api import views


def register(router) -> None:
    router.register(
        r"events/(?P<event_pk>[0-9]+)/invitations",
        views.EventInvitationViewSet,
        basename="event-invitation",
    )
    router.register("invitations", views.InvitationAnswerViewSet, basename="invitation")


urlpatterns: list = []
