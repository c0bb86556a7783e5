"""A production start without collected static files fails at once, saying what to do."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from forum_site.checks import refuse_to_start_without_static_files, static_files_collected

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def production_static(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    return tmp_path


def test_missing_manifest_is_a_deploy_error_and_stops_the_wsgi_start(production_static):
    errors = static_files_collected()
    assert [e.id for e in errors] == ["forum.E001"]
    assert "collectstatic --noinput" in errors[0].hint
    with pytest.raises(ImproperlyConfigured, match="Run `python manage.py collectstatic"):
        refuse_to_start_without_static_files()


def test_collected_static_files_pass(production_static):
    (production_static / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    assert static_files_collected() == []
    refuse_to_start_without_static_files()
