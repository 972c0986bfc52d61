from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Post-change surveys and verdicts"

    def ready(self):
        from surveys import hooks

        hooks.connect()
