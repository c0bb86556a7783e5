from django.urls import path

from events.invitations import views

app_name = "invitations"

urlpatterns = [
    path("invitations/<str:token>/", views.respond, name="respond"),
    path("invitations/<str:token>/set-password/", views.set_password, name="set_password"),
]
