"""The demo data set: deterministic, so that building it twice gives the same rows (and the second build
inserts nothing). Times are anchored to the demo hubs' `created_at`, fixed by the first build."""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.text import Truncator

from ihf.ids import uuid7

NAMESPACE = uuid.UUID("6f1c2a4e-9d7b-4c1e-8a55-1f0e3b2c7d90")
PASSWORD = "ihf-demo"
DAYS = 90

USERS = [
    # email, name, superuser, role in every demo hub (None: no membership)
    ("admin@ihf.local", "Ada Admin", True, None),
    ("steward@ihf.local", "Sam Steward", False, "steward"),
    ("reviewer@ihf.local", "Riley Reviewer", False, "reviewer"),
    ("viewer@ihf.local", "Vic Viewer", False, "viewer"),
]

HUBS = [
    (
        "checkout",
        "Checkout & Payments",
        "shop.example.com",
        ["cart", "payment", "address", "coupon", "shipping"],
    ),
    (
        "search",
        "Search & Discovery",
        "shop.example.com",
        ["search", "filter", "results", "sort", "suggestion"],
    ),
    ("onboarding", "Onboarding", "app.example.com", ["signup", "welcome", "profile", "tour", "invite"]),
    ("billing", "Billing Portal", "billing.example.com", ["invoice", "plan", "card", "usage", "tax"]),
    ("help", "Help Center", "help.example.com", ["article", "contact", "chat", "feedback", "faq"]),
    (
        "analytics",
        "Analytics Workspace",
        "insights.example.com",
        ["report", "dashboard", "export", "segment"],
    ),
]

# widget type -> (event types with weights, path fragment)
WIDGET_TYPES = {
    "button": ({"clicked": 70, "viewed": 25, "error": 5}, "action"),
    "form": ({"viewed": 30, "input_changed": 35, "submitted": 25, "error": 10}, "form"),
    "search-box": ({"viewed": 20, "input_changed": 45, "submitted": 30, "error": 5}, "search"),
    "data-table": ({"viewed": 50, "clicked": 30, "scrolled": 17, "error": 3}, "table"),
    "chart": ({"viewed": 70, "clicked": 20, "error": 10}, "chart"),
    "navigation": ({"clicked": 80, "viewed": 20}, "nav"),
    "modal": ({"viewed": 50, "dismissed": 30, "clicked": 15, "error": 5}, "dialog"),
    "date-picker": ({"viewed": 30, "input_changed": 55, "error": 15}, "date"),
    "file-upload": ({"viewed": 30, "submitted": 45, "error": 25}, "upload"),
}
STATUSES = ["active"] * 16 + ["experimental"] * 2 + ["deprecated"] + ["retired"]
SEVERITIES = ["low"] * 30 + ["medium"] * 40 + ["high"] * 22 + ["critical"] * 8
ANNOTATION_TEXTS = {
    "friction": [
        "Took three tries to get the {thing} to accept my input.",
        "The {thing} is slow to respond after clicking; I clicked twice and got two results.",
        "Too many steps in the {thing}; I lost track of where I was.",
    ],
    "bug": [
        "The {thing} shows an error after submitting, but the change was saved anyway.",
        "The {thing} breaks on a narrow screen: the last column is cut off.",
        "After going back, the {thing} forgets everything I entered.",
    ],
    "confusion": [
        "Not clear what the {thing} does before you use it. The label is vague.",
        "I expected the {thing} to save automatically; it did not.",
    ],
    "accessibility": [
        "The {thing} cannot be reached with the keyboard alone.",
        "Screen reader announces the {thing} as 'button button'.",
        "Contrast of the {thing} text is too low on the grey background.",
    ],
    "suggestion": [
        "It would help if the {thing} remembered my last choice.",
        "Could the {thing} show a preview before confirming?",
    ],
    "praise": [
        "The new {thing} is much faster than before, nice.",
        "Love how clear the {thing} is now.",
    ],
}


def demo_id(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


@dataclass
class WidgetSpec:
    id: uuid.UUID
    hub_slug: str
    name: str
    widget_type: str
    capability_ref: str
    view_context: str
    status: str
    history: list[dict]  # snapshots, oldest first; the last is the current state
    weight: float


def build_widgets(widgets_per_hub: int) -> list[WidgetSpec]:
    rng = random.Random(1)
    specs = []
    types = list(WIDGET_TYPES)
    for slug, _name, _domain, nouns in HUBS:
        combos = [(noun, wtype) for noun in nouns for wtype in types]
        rng.shuffle(combos)
        for index in range(widgets_per_hub):
            noun, wtype = combos[index % len(combos)]
            suffix = f" {index // len(combos) + 1}" if index >= len(combos) else ""
            name = f"{noun.capitalize()} {wtype.replace('-', ' ')}{suffix}"
            current = {
                "name": name,
                "widget_type": wtype,
                "capability_ref": f"{slug}.{noun}.{WIDGET_TYPES[wtype][1]}",
                "view_context": f"/{slug}/{noun}",
                "policy_scope": rng.choice(["internal", "internal", "public", "restricted"]),
                "status": rng.choice(STATUSES),
            }
            history = [current]
            for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
                earlier = dict(history[0])
                change = rng.choice(["name", "status", "view_context", "policy_scope"])
                earlier[change] = {
                    "name": f"{earlier['name']} (old)",
                    "status": "experimental",
                    "view_context": f"{earlier['view_context']}/legacy",
                    "policy_scope": "internal" if earlier["policy_scope"] != "internal" else "public",
                }[change]
                history.insert(0, earlier)
            specs.append(
                WidgetSpec(
                    id=demo_id("widget", slug, index),
                    hub_slug=slug,
                    name=name,
                    widget_type=wtype,
                    capability_ref=current["capability_ref"],
                    view_context=current["view_context"],
                    status=current["status"],
                    history=history,
                    # A few widgets get most of the traffic, as in real products.
                    weight=1.0 / (index + 1) ** 0.8,
                )
            )
    return specs


def generate_events(widgets: list[WidgetSpec], count: int, anchor: datetime):
    """Yield event rows (id, widget_id, event_type, actor_id, actor_type, view_context_ref, metadata json,
    occurred_at), deterministic for a given anchor."""
    rng = random.Random(2)
    actors = [demo_id("actor", n) for n in range(2000)]
    weights = [w.weight for w in widgets]
    chosen = rng.choices(widgets, weights=weights, k=count)
    span_ms = DAYS * 24 * 3600 * 1000
    start = anchor - timedelta(days=DAYS)
    for widget in chosen:
        event_types, _path = WIDGET_TYPES[widget.widget_type]
        event_type = rng.choices(list(event_types), weights=list(event_types.values()))[0]
        offset_ms = rng.randrange(span_ms)
        occurred_at = start + timedelta(milliseconds=offset_ms)
        metadata = f'{{"session": "s-{rng.randrange(40000)}"'
        if event_type == "error":
            metadata += ', "message": "Request failed with status 500"'
        metadata += "}"
        agent = rng.random() < 0.03
        yield (
            uuid7(int(occurred_at.timestamp() * 1000), rng.randbytes(10)),
            widget.id,
            event_type,
            None if agent else rng.choice(actors),
            "agent" if agent else "user",
            widget.view_context,
            metadata,
            occurred_at,
        )


def generate_annotations(widgets: list[WidgetSpec], count: int, anchor: datetime, user_ids: list[uuid.UUID]):
    rng = random.Random(3)
    weights = [w.weight for w in widgets]
    chosen = rng.choices(widgets, weights=weights, k=count)
    categories = list(ANNOTATION_TEXTS)
    for number, widget in enumerate(chosen):
        category = rng.choices(categories, weights=[35, 25, 15, 10, 10, 5])[0]
        thing = widget.name.lower()
        created_at = anchor - timedelta(seconds=rng.randrange(DAYS * 24 * 3600))
        from_user = rng.random() < 0.3
        yield {
            "id": demo_id("annotation", number),
            "widget_id": widget.id,
            "body": rng.choice(ANNOTATION_TEXTS[category]).format(thing=thing),
            "category": category,
            "severity": "low" if category == "praise" else rng.choice(SEVERITIES),
            "actor_id": rng.choice(user_ids) if from_user else demo_id("actor", rng.randrange(2000)),
            "actor_type": "user",
            "widget_state_ref": f"v{len(widget.history)}",
            **(
                {
                    "retracted_at": created_at + timedelta(hours=2),
                    "retraction_reason": "Posted on the wrong widget.",
                }
                if rng.random() < 0.03
                else {}
            ),
            "created_at": created_at,
        }


CANDIDATE_STATUSES = (
    ["open"] * 6
    + ["under_review"] * 5
    + ["accepted"] * 3
    + ["rejected"] * 2
    + ["deferred"] * 2
    + ["duplicate"] * 2
)
# The path through the workflow that leads to each status (the first step, "open", is the escalation).
STATUS_PATHS = {
    "open": ["open"],
    "under_review": ["open", "under_review"],
    "accepted": ["open", "under_review", "accepted"],
    "rejected": ["open", "under_review", "rejected"],
    "deferred": ["open", "under_review", "deferred"],
    "duplicate": ["open", "duplicate"],
}
TRIAGE_NOTES = {
    "under_review": "Picked up for review.",
    "accepted": "Confirmed with usage data: worth fixing.",
    "rejected": "Works as intended; the copy already explains it.",
    "deferred": "Revisit after the redesign ships.",
}


def build_triage(*, hubs, annotations, anchor, steward, reviewer):
    """Rows for threads, candidates, triage history and assignments: 20 candidates per hub."""
    rng = random.Random(4)
    plan = {"threads": [], "thread_members": {}, "candidates": [], "history": [], "assignments": []}
    for slug in sorted(hubs):
        pool = [a for a in annotations if a["widget__hub__slug"] == slug]
        pool.sort(key=lambda a: (-["low", "medium", "high", "critical"].index(a["severity"]), str(a["id"])))
        by_widget = {}
        for annotation in pool:
            by_widget.setdefault(annotation["widget_id"], []).append(annotation)
        threaded = [group for group in by_widget.values() if len(group) >= 2][:4]
        for number, group in enumerate(threaded):
            thread_id = demo_id("thread", slug, number)
            plan["threads"].append(
                {
                    "id": thread_id,
                    "widget_id": group[0]["widget_id"],
                    "title": f"Recurring {group[0]['category']} on this widget",
                    "description": "Several people reported the same thing.",
                    "created_by_id": steward,
                }
            )
            plan["thread_members"][thread_id] = [a["id"] for a in group[:4]]
        statuses = list(CANDIDATE_STATUSES)
        rng.shuffle(statuses)
        hub_candidates = []
        for number, (annotation, status) in enumerate(zip(pool[: len(statuses)], statuses, strict=False)):
            candidate_id = demo_id("candidate", slug, number)
            thread_id = next(
                (t for t, members in plan["thread_members"].items() if annotation["id"] in members), None
            )
            created_at = anchor - timedelta(days=rng.randrange(1, 60), hours=rng.randrange(24))
            candidate = {
                "id": candidate_id,
                "title": Truncator(annotation["body"]).chars(80),
                "description": annotation["body"],
                "category": annotation["category"],
                "status": status,
                "source_widget_id": annotation["widget_id"],
                "source_annotation_id": annotation["id"],
                "source_thread_id": thread_id,
                "created_by_id": steward,
                "created_at": created_at,
            }
            if status == "duplicate" and hub_candidates:
                candidate["duplicate_of_id"] = hub_candidates[0]["id"]
            elif status == "duplicate":
                candidate["status"] = status = "open"
            hub_candidates.append(candidate)
            when = created_at
            for step, step_status in enumerate(STATUS_PATHS[status]):
                plan["history"].append(
                    {
                        "id": demo_id("triage", candidate_id, step),
                        "candidate_id": candidate_id,
                        "status": step_status,
                        "notes": "Escalated from an annotation."
                        if step == 0
                        else TRIAGE_NOTES.get(step_status, "Same as an earlier candidate."),
                        "changed_by_id": steward,
                        "changed_at": when,
                    }
                )
                if step_status == "open" and status != "open":
                    when = when + timedelta(hours=rng.randrange(2, 48))
                    assignee = reviewer if rng.random() < 0.75 else steward
                    plan["assignments"].append(
                        {
                            "id": demo_id("assignment", candidate_id),
                            "candidate_id": candidate_id,
                            "user_id": assignee,
                            "assigned_by_id": steward,
                            "assigned_at": when,
                        }
                    )
                    plan["history"].append(
                        {
                            "id": demo_id("triage-assignment", candidate_id),
                            "candidate_id": candidate_id,
                            "status": "open",
                            "kind": "assignment",
                            "assigned_to_id": assignee,
                            "notes": "Assigned for review.",
                            "changed_by_id": steward,
                            "changed_at": when,
                        }
                    )
                when = when + timedelta(hours=rng.randrange(2, 72))
        plan["candidates"].extend(hub_candidates)
    return plan


def build_outcomes(*, candidates, anchor, steward, reviewer):
    """For each hub's accepted candidates: the first two promoted, decided, deployed and observed (the first
    also evaluated, and later regressed); the third left accepted, for a person to walk through."""
    plan = {
        k: []
        for k in (
            "requirements",
            "promotions",
            "decisions",
            "deployments",
            "events",
            "signals",
            "evaluations",
            "annotations",
        )
    }
    by_hub = {}
    for candidate in sorted(candidates, key=lambda c: str(c["id"])):
        by_hub.setdefault(candidate["hub_id"], []).append(candidate)
    for hub_id, accepted in sorted(by_hub.items(), key=lambda item: str(item[0])):
        for number, candidate in enumerate(accepted[:2]):
            first = number == 0
            requirement_id = demo_id("requirement", candidate["id"])
            decision_id = demo_id("decision", candidate["id"])
            deployment_id = demo_id("deployment", candidate["id"])
            deployed_at = anchor - timedelta(days=40 if first else 10)
            plan["requirements"].append(
                {
                    "id": requirement_id,
                    "title": candidate["title"],
                    "description": candidate["description"],
                    "source_candidate_id": candidate["id"],
                    "created_by_id": steward,
                    "created_at": deployed_at - timedelta(days=7),
                }
            )
            plan["promotions"].append((candidate["id"], requirement_id))
            plan["decisions"].append(
                {
                    "id": decision_id,
                    "hub_id": hub_id,
                    "title": Truncator(f"Fix: {candidate['title']}").chars(200),
                    "rationale": "Reported repeatedly and confirmed in the interaction data.",
                    "outcome": "approved",
                    "requirement_id": requirement_id,
                    "decided_by_id": reviewer,
                    "decided_at": deployed_at - timedelta(days=5),
                }
            )
            plan["deployments"].append(
                {
                    "id": deployment_id,
                    "decision_id": decision_id,
                    "version_ref": f"v2026.{number + 8}.{hub_id.int % 90}",
                    "deployed_at": deployed_at,
                    "deployed_by_id": steward,
                    "notes": "Shipped with the weekly release.",
                }
            )
            for step, status in enumerate(["pending", "success"]):
                plan["events"].append(
                    {
                        "deployment_id": deployment_id,
                        "status": status,
                        "remediation_type": "gitops_pr",
                        "action_name": "deploy",
                        "executed_by": "human:steward@ihf.local",
                        "created_at": deployed_at + timedelta(minutes=10 * step),
                    }
                )
            plan["signals"].append(
                {
                    "id": demo_id("signal", candidate["id"]),
                    "widget_id": candidate["source_widget_id"],
                    "deployment_id": deployment_id,
                    "signal_type": "improved" if first else "neutral",
                    "value": 0.18 if first else None,
                    "observed_at": deployed_at + timedelta(days=5),
                    "recorded_by_id": reviewer,
                }
            )
            if first:
                plan["evaluations"].append(
                    {
                        "id": demo_id("evaluation", candidate["id"]),
                        "deployment_id": deployment_id,
                        "decision_id": decision_id,
                        "score": 4,
                        "rationale": "Error rate halved; one edge case remains.",
                        "evaluated_by_id": reviewer,
                        "evaluated_at": deployed_at + timedelta(days=7),
                    }
                )
                plan["annotations"].append(
                    {
                        "id": demo_id("regression-annotation", candidate["id"]),
                        "widget_id": candidate["source_widget_id"],
                        "category": "bug",
                        "severity": "high",
                        "body": "Since the last release this breaks again after going back.",
                        "actor_type": "user",
                        "created_at": deployed_at + timedelta(days=9),
                    }
                )
    return plan
