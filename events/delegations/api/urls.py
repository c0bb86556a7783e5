from events.delegations.api import views


def register(router) -> None:
    router.register("delegations", views.DelegationViewSet, basename="delegation")
    router.register(
        r"delegations/(?P<delegation_pk>\d+)/hosts",
        views.DelegationHostViewSet,
        basename="delegation-host",
    )
    router.register(
        r"delegations/(?P<delegation_pk>\d+)/schedules",
        views.ScheduleVersionViewSet,
        basename="delegation-schedule",
    )
    router.register(
        "delegation-applications",
        views.DelegationApplicationViewSet,
        basename="delegation-application",
    )
    router.register(
        "delegation-requests", views.MeetingRequestViewSet, basename="delegation-request"
    )


urlpatterns: list = []
