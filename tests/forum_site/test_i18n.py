import pytest
from django.test import Client


@pytest.mark.django_db
def test_public_pages_speak_japanese_when_asked():
    english = Client().get("/events/", HTTP_ACCEPT_LANGUAGE="en")
    japanese = Client().get("/events/", HTTP_ACCEPT_LANGUAGE="ja")
    assert english.status_code == japanese.status_code == 200
    assert "Upcoming events" in english.content.decode()
    assert "今後のイベント" in japanese.content.decode()
    assert japanese["Content-Language"] == "ja"
