from django import template

from feedback.models import CandidateStatus

register = template.Library()


@register.filter
def status_label(status):
    return CandidateStatus(status).label if status in CandidateStatus.values else status
