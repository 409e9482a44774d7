"""Fast settings for the test suite: cheap password hashing, tasks in-process unless a test
asks for the real worker (tests/conftest.py), everything else as in settings."""

from .settings import *  # noqa: F403
from .settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
FIGURES_RECOMPUTED_BY_WORKER = False  # a test that wants the last figures served says so
DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["TEST"].get("NAME")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
