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


def _catalogues():
    from pathlib import Path

    import polib

    root = Path(__file__).resolve().parents[2]
    for path in sorted(root.glob("**/locale/ja/LC_MESSAGES/django.po")):
        if ".venv" not in path.parts:
            yield path.relative_to(root), polib.pofile(str(path))


def test_every_japanese_catalogue_is_complete():
    missing = [
        f"{path}: {entry.msgid!r}"
        for path, po in _catalogues()
        for entry in po
        if not entry.obsolete and ("fuzzy" in entry.flags or not entry.translated())
    ]
    assert missing == []


def test_one_message_has_one_translation_across_the_apps():
    # Django merges the apps' catalogues and the first app listed wins: the same words
    # translated two ways would silently show the other app's Japanese. A different
    # meaning needs a context (`{% translate "Register" context "for an event" %}`).
    seen: dict[tuple, dict[str, str]] = {}
    for path, po in _catalogues():
        for entry in po:
            if entry.obsolete or not entry.translated():
                continue
            text = entry.msgstr or entry.msgstr_plural.get(0, "")
            seen.setdefault((entry.msgctxt, entry.msgid), {})[str(path)] = text
    clashes = {key: per for key, per in seen.items() if len(set(per.values())) > 1}
    assert clashes == {}
