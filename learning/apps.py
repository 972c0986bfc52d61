from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"

    def ready(self):
        # Phase 5 weighs each new proposal's confidence by the track record this app keeps.
        from assist import weighting
        from learning.selectors import confidence_weight

        weighting.install(confidence_weight)
