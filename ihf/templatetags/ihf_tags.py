from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def with_param(context, name, value):
    """The current query string with `name` set to `value` (filters survive paging)."""
    query = context["request"].GET.copy()
    query[name] = value
    return "?" + query.urlencode()


@register.filter
def severity_class(severity):
    return f"sev sev-{severity}"
