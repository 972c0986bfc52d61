"""How the learning pages write their numbers (docs/metrics.md, "Learning"): shares as whole percents,
differences of shares as signed percentage points, "—" where there is nothing to compare."""

from django import template

from observability.models import Stage

register = template.Library()


@register.filter
def percent(share) -> str:
    return "—" if share is None else f"{round(float(share) * 100)} %"


@register.filter
def signed_points(difference) -> str:
    if difference is None:
        return "—"
    points = round(float(difference) * 100)
    return f"{points:+d} pts".replace("-", "−")


@register.filter
def stage_label(stage: str) -> str:
    return dict(Stage.choices).get(stage, stage)


@register.simple_tag
def learning_hints(hub, candidate) -> dict:
    """For a candidate page: what was decided before for similar feedback, and the correlation rows for its
    category and widget type."""
    from learning import selectors

    return {
        "similar": selectors.similar_knowledge(hub.pk, f"{candidate.title} {candidate.description}"),
        "correlations": selectors.correlation_hint(
            hub.pk, category=candidate.category, widget_type=candidate.source_widget.widget_type
        ),
    }


@register.simple_tag
def pattern_suggestions(hub, text: str) -> list[dict]:
    """For the decision form: patterns of similar past decisions, with how each has performed."""
    from learning import selectors

    return selectors.suggested_patterns(hub.pk, text)
