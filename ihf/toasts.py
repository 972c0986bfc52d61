"""Django messages after an htmx request: the page's own message list is not re-rendered by a swap, so
this middleware adds the pending messages to an htmx answer as an out-of-band append to #toasts."""

from django.contrib import messages
from django.template.loader import render_to_string


class HtmxToastsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and not 300 <= response.status_code < 400  # htmx follows it: the next answer shows them
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            pending = list(messages.get_messages(request))
            if pending:
                response.content += render_to_string(
                    "includes/toasts.html", {"messages": pending, "oob": True}, request
                ).encode()
                if response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(response.content))
        return response
