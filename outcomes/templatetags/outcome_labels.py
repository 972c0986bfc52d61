"""Labels for the outcome codes pages show: a page says "Rolled back", never "rolled_back"."""

from django import template

from outcomes.models import DeploymentStatus, SignalType

register = template.Library()


def _label(choices, value):
    return dict(choices.choices).get(value, value or "—")


@register.filter
def deployment_status(value):
    return _label(DeploymentStatus, value)


@register.filter
def signal_label(value):
    return _label(SignalType, value)
