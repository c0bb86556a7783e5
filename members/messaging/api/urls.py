from members.messaging.api import views


def register(router) -> None:
    router.register("conversations", views.ConversationViewSet, basename="conversation")
    router.register("blocks", views.BlockViewSet, basename="block")


urlpatterns: list = []
