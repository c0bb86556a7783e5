"""Settings for the test suite: the production settings with what tests must not depend on
(a secret key, host names, HTTPS) filled in. pytest uses this module (pyproject.toml)."""

from forum_site.settings import *  # noqa: F403

SECRET_KEY = SECRET_KEY or "insecure-test-key"  # noqa: F405
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
# Hashing with the production hasher costs ~0.5 s per user on this hardware; tests create
# hundreds of users and are not about password strength.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run without collectstatic (no manifest), over plain HTTP.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
FORUM_LOG_EAGER_TASKS = False
# Schedule versions are solved by the task (eager, or the real worker), never in a thread
# of the test process (tests that want the thread turn it on).
DELEGATION_SCHEDULER_THREAD = False
