"""A production start without collected static files fails at once, saying what to do."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

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


# --- The documented production settings (README, "Running in production") --------------

ROOT = Path(__file__).resolve().parents[2]


def production_env(static_root: Path) -> dict:
    """The README's production environment, with debug off, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "FORUM"))}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "forum_site.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "forum.example.org",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://forum.example.org",
        "FORUM_SITE_URL": "https://forum.example.org",
        "DJANGO_STATIC_ROOT": str(static_root),
        "FORUM_VAR_DIR": str(static_root.parent / "var"),
        "LOG_LEVEL": "WARNING",
    }


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    static_root = tmp_path / "static"
    static_root.mkdir()
    (static_root / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(static_root)
    )
    assert (result.returncode, result.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    ), result.stderr


def test_without_collectstatic_check_and_the_server_start_fail_saying_what_to_do(tmp_path):
    env = production_env(tmp_path / "never-collected")
    check = run(["manage.py", "check", "--deploy"], env)
    assert check.returncode == 1
    assert "(forum.E001) Static files have not been collected" in check.stderr
    start = run(["-c", "import forum_site.wsgi"], env)
    assert start.returncode == 1
    last_line = start.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: Static files")
    assert "Run `python manage.py collectstatic --noinput`" in last_line
