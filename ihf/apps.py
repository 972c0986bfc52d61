from django.apps import AppConfig


class IhfConfig(AppConfig):
    name = "ihf"
    verbose_name = "IHF"
