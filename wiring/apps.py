from django.apps import AppConfig


class WiringConfig(AppConfig):
    """Settings, URLs, the API, WSGI and the demo data: it imports every app, and nothing imports it."""

    name = "wiring"
    verbose_name = "IHF wiring"
