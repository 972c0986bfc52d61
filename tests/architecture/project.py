"""What belongs to IHF itself, as opposed to Django's and third-party apps."""

from pathlib import Path

from django.apps import apps
from django.conf import settings


def project_apps():
    """IHF's own apps: the ones whose package sits in the repository root (a virtualenv may sit there too,
    one level deeper, so `is_relative_to` would also take in third-party apps)."""
    root = Path(settings.BASE_DIR).resolve()
    return [app for app in apps.get_app_configs() if Path(app.path).resolve().parent == root]


def project_tables() -> set[str]:
    return {model._meta.db_table for app in project_apps() for model in app.get_models()}
