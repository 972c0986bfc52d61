"""What the API tests send: an event with a client id, and a JSON (or raw) POST."""

import json
import uuid
from datetime import UTC, datetime

EVENTS = "/api/v1/interaction-events"
ANNOTATIONS = "/api/v1/annotations"
NOW = datetime.now(UTC).replace(microsecond=0).isoformat()


def event(widget, **extra):
    return {
        "id": str(uuid.uuid4()),
        "widget_id": str(widget.pk),
        "event_type": "clicked",
        "occurred_at": NOW,
        **extra,
    }


def post(client, path, body, headers, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(path, data, content_type="application/json", headers=headers, **extra)
