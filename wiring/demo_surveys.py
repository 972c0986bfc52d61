"""Demo data for the post-change surveys: each demo deployment surveyed, its widget's users' answers (the
older change clearly liked, the newer one mixed), the signals they suggest, and the verdicts told to the
authors of the annotations behind the judged deployments."""

import random
from datetime import timedelta

from django.db import transaction

from outcomes.models import DeploymentRecord
from outcomes.selectors import decision_widget_ids
from surveys import services
from surveys.models import DeploymentSurvey, SurveyPrompt, SurveySettings, UserFeedback
from wiring.demo import demo_id

LIKED = [5, 5, 4, 4, 4, 5, 3, 4, 5, 4]
MIXED = [4, 2, 3, 5, 1, 3, 4, 2, 3, 3]


def _answers(deployment, widget, scores, settings, rng):
    """One showing per answer, plus a few dismissed; scores cycle through `scores`."""
    prompts, answers = [], []
    count = 24 + rng.randrange(16)
    for index in range(count + count // 3):
        at = deployment.deployed_at + timedelta(hours=6 + index * 7)
        prompt_id = demo_id("survey-prompt", deployment.pk, index)
        answered = index < count
        prompts.append(
            SurveyPrompt(
                id=prompt_id,
                hub_id=widget.hub_id,
                deployment=deployment,
                widget=widget,
                shown_at=at,
                dismissed_at=None if answered else at + timedelta(seconds=20),
            )
        )
        if not answered:
            continue
        score = scores[index % len(scores)]
        answers.append(
            UserFeedback(
                id=demo_id("survey-answer", deployment.pk, index),
                hub_id=widget.hub_id,
                deployment=deployment,
                widget=widget,
                prompt_id=prompt_id,
                overall_satisfaction=score,
                usefulness=min(5, score + rng.choice([-1, 0, 0, 1])) if index % 2 else None,
                likelihood_to_reuse=min(10, score * 2 + rng.choice([-1, 0, 0])) if index % 3 else None,
                would_recommend=score >= 4 if index % 4 == 0 else None,
                positive_aspects=rng.sample(settings.positive_aspects, k=1) if score >= 4 else None,
                negative_aspects=rng.sample(settings.negative_aspects, k=1) if score <= 2 else None,
                additional_comments="Much quicker than before." if index == 0 and score >= 4 else None,
                submitted_at=at + timedelta(seconds=40),
            )
        )
    SurveyPrompt.objects.bulk_create(prompts, ignore_conflicts=True)
    UserFeedback.objects.bulk_create(answers, ignore_conflicts=True)
    return len(answers)


def seed(hubs: dict, steward, log) -> None:
    rng = random.Random(18)
    total = 0
    with transaction.atomic():
        for slug in sorted(hubs):
            hub = hubs[slug]
            settings, _created = SurveySettings.objects.get_or_create(
                hub=hub, defaults={"sampling_rate": "0.2", "quiet_period_days": 7, "updated_by": steward}
            )
            deployments = DeploymentRecord.objects.filter(decision__hub=hub).order_by("deployed_at")
            for number, deployment in enumerate(deployments):
                DeploymentSurvey.objects.get_or_create(
                    deployment=deployment, defaults={"changed_by": steward}
                )
                widget_ids = decision_widget_ids(deployment.decision)
                if not widget_ids:
                    continue
                widget = deployment.decision.hub.widgets.get(pk=widget_ids[0])
                total += _answers(deployment, widget, LIKED if number == 0 else MIXED, settings, rng)
        suggested = services.suggest_signals(list(DeploymentRecord.objects.values_list("pk", flat=True)))
        told = sum(len(services.tell_authors(d.pk)) for d in DeploymentRecord.objects.all())
    log(f"  surveys: {total} answers, {len(suggested)} suggested signals, {told} verdicts told")
