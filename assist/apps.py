from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "assist"
    verbose_name = "AI-assisted triage"

    def ready(self):
        from assist import hooks

        hooks.connect()
