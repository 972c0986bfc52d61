"""A scenario generator with planted truth for the phase 7 detectors (docs/metrics.md).

It builds several hubs, each with its own bottleneck thresholds, and plants subjects on both sides of every
documented rule: ages an hour under and an hour over each threshold and each window, retracted annotations
and error events, failed, pending, dry-run and rolled-back deployments, superseded and rejected decisions,
reopened candidates, words that meet only once stemmed, words too short or too old to count, and times
written in time zones from −12:00 to +14:00. Beside the data it keeps the truth: what docs/metrics.md says
each detector must find, worked out here in Python from the planted parameters, never by reading back what
the SQL computed. tests/observability/judging.py then compares the detectors' output against it and
reports precision and recall per detector and bottleneck stage.

tests/observability/test_scenarios.py runs it with a new seed each time (the seed is printed on failure);
bench/detectors.py runs it at scale.
"""

import math
import random
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import connection
from django.utils import timezone

from feedback.models import Annotation, TriageState
from hubs.models import InteractionEvent
from observability.models import (
    DEFAULT_THRESHOLD_DAYS,
    BottleneckThreshold,
    Stage,
)
from outcomes.models import Regression, RemediationEvent
from tests.chain import accepted_candidate, decision_for, deployment_for, requirement_for, signal_for
from tests.factories import CandidateFactory, HubFactory, WidgetFactory

DAY = timedelta(days=1)
MARGIN = timedelta(hours=1)  # "just under" and "just over": far more than a run takes, far less than a day
OFFSETS = [-12, -7, -3.5, 0, 5.5, 9, 14]  # hours: times are written in these zones
SEVERITY = settings.IHF_FRICTION_WEIGHTS["severity"]
# Planted cluster words: families of forms the English stemmer maps to one lexeme ("crashes", "crashing").
CLUSTER_FAMILIES = [
    ("tooltip", "tooltips"),
    ("crash", "crashes", "crashed", "crashing"),
    ("freeze", "freezes", "freezing"),
    ("scroll", "scrolls", "scrolling", "scrolled"),
    ("keyboard", "keyboards"),
    ("contrast", "contrasts"),
    ("spinner", "spinners"),
    ("carousel", "carousels"),
    ("captcha", "captchas"),
    ("checkbox", "checkboxes"),
    ("dropdown", "dropdowns"),
    ("thumbnail", "thumbnails"),
    ("watermark", "watermarks"),
    ("flicker", "flickers", "flickering"),
    ("overlap", "overlaps", "overlapping"),
    ("truncate", "truncated", "truncates"),
    ("lag", "lags", "lagging"),
    ("jitter", "jitters"),
]


@dataclass
class Truth:
    stalled: set = field(default_factory=set)  # {(stage, subject id)}
    stalled_hub: dict = field(default_factory=dict)  # (stage, subject id) -> hub id
    friction: dict = field(default_factory=dict)  # widget id -> score
    clusters: set = field(default_factory=set)  # {(frozenset of hub ids as text, tuple of lexemes)}
    widget_types: set = field(default_factory=set)  # {(widget type, frozenset of hub ids as text)}
    open_candidates: dict = field(default_factory=lambda: defaultdict(int))  # hub id -> count
    regressed: dict = field(default_factory=lambda: defaultdict(set))  # hub id -> widget ids


@dataclass
class _Friction:
    points: int = 0
    annotations: int = 0
    errors: int = 0
    regression: bool = False
    stale: int = 0

    def score(self):
        weights = settings.IHF_FRICTION_WEIGHTS
        raw = (
            self.points
            + weights["error_log"] * math.log(1 + self.errors)
            + (weights["regression"] if self.regression else 0)
            + weights["stale_candidate"] * self.stale
        )
        # PostgreSQL's round() of a numeric rounds half away from zero; Python's round() to even.
        return min(100, math.floor(raw + 0.5))


class Scenario:
    def __init__(self, seed: int, *, hubs: int = 3, per_stage: int = 6, clusters: int = 3):
        self.rng = random.Random(seed)
        self.seed = seed
        self.now = timezone.now()
        self.truth = Truth()
        self.hubs = [HubFactory() for _ in range(hubs)]
        self.per_stage = per_stage
        self.cluster_count = min(clusters, (len(CLUSTER_FAMILIES) - 5) // 3)
        self.thresholds: dict = {}
        self.widget_friction: dict = defaultdict(_Friction)
        self.widgets: list = []

    # Time ------------------------------------------------------------------------------------------------
    def _at(self, age: timedelta):
        """`age` before now, written in a random time zone."""
        offset = dt_timezone(timedelta(hours=self.rng.choice(OFFSETS)))
        return (self.now - age).astimezone(offset)

    def _age(self, days: int) -> tuple[timedelta, bool]:
        """An age around a threshold of `days`, and whether it is past it."""
        limit = days * DAY
        kind = self.rng.choice(["young", "just_under", "just_over", "old"])
        if kind == "young":
            return limit * self.rng.uniform(0.05, 0.9), False
        if kind == "just_under":
            return limit - MARGIN, False
        if kind == "just_over":
            return limit + MARGIN, True
        return limit * self.rng.uniform(1.1, 4.0), True

    def _threshold(self, hub, stage) -> int:
        return self.thresholds.get((hub.pk, stage), DEFAULT_THRESHOLD_DAYS[stage])

    def _expect(self, hub, stage, subject_id, stalled: bool):
        if stalled:
            self.truth.stalled.add((stage, subject_id))
            self.truth.stalled_hub[(stage, subject_id)] = hub.pk

    def _words(self, n: int) -> str:
        """Words that only this call uses: filler no other annotation shares (is_filler() knows them)."""
        return " ".join(
            "".join(self.rng.choice(string.ascii_lowercase) for _ in range(9)) + "q" for _ in range(n)
        )

    def _widget(self, hub, widget_type="button"):
        widget = WidgetFactory(hub=hub, widget_type=widget_type)
        self.widgets.append(widget)
        return widget

    # Building ------------------------------------------------------------------------------------------
    def build(self) -> "Scenario":
        for hub in self.hubs:
            for stage in Stage.values:
                if self.rng.random() < 0.6:  # the others keep the default threshold
                    days = self.rng.randint(3, 90)
                    BottleneckThreshold.objects.create(hub=hub, stage=stage, threshold_days=days)
                    self.thresholds[(hub.pk, stage)] = days
            for _ in range(self.per_stage):
                self._candidate(hub)
                self._requirement(hub)
                self._decision(hub)
                self._deployment(hub)
            for _ in range(2):
                self._friction_widget(hub)
        self._regressions()
        self._clusters()
        self._widget_types()
        self._friction_truth()
        return self

    def _candidate(self, hub):
        widget = self._widget(hub)
        threshold = self._threshold(hub, Stage.CANDIDATE_UNTRIAGED)
        age, over = self._age(threshold)
        shape = self.rng.choice(["new", "reopened", "under_review", "accepted"])
        if shape == "new":
            candidate = CandidateFactory(source_widget=widget, created_at=self._at(age))
        else:
            status = {"reopened": "open", "under_review": "under_review", "accepted": "accepted"}[shape]
            # Old by creation; what counts is its last status change.
            candidate = CandidateFactory(
                source_widget=widget, status=status, created_at=self._at(age + 400 * DAY)
            )
            TriageState.objects.create(candidate=candidate, status=status, changed_at=self._at(age))
        self._expect(hub, Stage.CANDIDATE_UNTRIAGED, candidate.pk, over and candidate.status == "open")
        if candidate.status in {"open", "under_review"}:
            self.truth.open_candidates[hub.pk] += 1
            if age > settings.IHF_FRICTION_WEIGHTS["stale_days"] * DAY + MARGIN / 2:
                self.widget_friction[widget.pk].stale += 1
            elif age > settings.IHF_FRICTION_WEIGHTS["stale_days"] * DAY - MARGIN / 2:
                raise AssertionError("a candidate planted on the stale boundary itself")

    def _requirement(self, hub):
        threshold = self._threshold(hub, Stage.REQUIREMENT_UNDECIDED)
        age, over = self._age(threshold)
        requirement = requirement_for(accepted_candidate(hub, widget=self._widget(hub)))
        type(requirement).objects.filter(pk=requirement.pk).update(created_at=self._at(age))
        decided = self.rng.random() < 0.3
        if decided:  # decided just now, so that the decision itself waits for nothing yet
            decision_for(
                hub, requirement=requirement, outcome=self.rng.choice(["approved", "rejected", "deferred"])
            )
        self._expect(hub, Stage.REQUIREMENT_UNDECIDED, requirement.pk, over and not decided)

    def _decision(self, hub):
        threshold = self._threshold(hub, Stage.DECISION_UNDEPLOYED)
        age, over = self._age(threshold)
        candidate = accepted_candidate(hub, widget=self._widget(hub))
        shape = self.rng.choice(
            [
                "none",
                "failed",
                "pending",
                "dry_run_ok",
                "dry_run_failed",
                "live",
                "rolled_back",
                "redeployed",
                "superseded",
                "rejected",
            ]
        )
        if shape == "rolled_back":
            decision = decision_for(hub, candidate=candidate, decided_at=self._at(age + 200 * DAY))
            deployment = deployment_for(decision, deployed_at=self._at(age + 100 * DAY))
            RemediationEvent.objects.create(
                deployment=deployment, status="rolled_back", created_at=self._at(age)
            )
            self._expect(hub, Stage.DECISION_UNDEPLOYED, decision.pk, over)
            return
        outcome = "rejected" if shape == "rejected" else "approved"
        decision = decision_for(hub, candidate=candidate, outcome=outcome, decided_at=self._at(age))
        stalled = over and shape in {"none", "failed", "pending", "dry_run_ok", "dry_run_failed"}
        if shape in {"failed", "pending", "dry_run_ok", "dry_run_failed"}:
            deployment_for(decision, deployed_at=self._at(age / 2), status=shape)
        elif shape == "live":
            self._signalled(decision, age / 2)
        elif shape == "redeployed":
            deployment = deployment_for(decision, deployed_at=self._at(age + DAY))
            RemediationEvent.objects.create(
                deployment=deployment, status="rolled_back", created_at=self._at(age)
            )
            RemediationEvent.objects.create(
                deployment=deployment, status="pending", created_at=self._at(age / 2)
            )
            RemediationEvent.objects.create(
                deployment=deployment, status="success", created_at=self._at(age / 3)
            )
            signal_for(deployment, self._widget(hub))
        elif shape == "superseded":
            decision_for(hub, candidate=candidate, outcome="rejected", supersedes=decision)
        self._expect(hub, Stage.DECISION_UNDEPLOYED, decision.pk, stalled)

    def _signalled(self, decision, age):
        deployment = deployment_for(decision, deployed_at=self._at(age))
        signal_for(deployment, self._widget(decision.hub))
        return deployment

    def _deployment(self, hub):
        threshold = self._threshold(hub, Stage.DEPLOYMENT_UNOBSERVED)
        age, over = self._age(threshold)
        decision = decision_for(hub, candidate=accepted_candidate(hub, widget=self._widget(hub)))
        shape = self.rng.choice(["live", "observed", "late_success", "failed", "dry_run_ok", "rolled_back"])
        if shape == "late_success":
            # Deployed long ago as a dry run; it went live `age` ago: the wait starts then.
            deployment = deployment_for(decision, deployed_at=self._at(age + 300 * DAY), status="dry_run_ok")
            RemediationEvent.objects.create(deployment=deployment, status="success", created_at=self._at(age))
        elif shape in {"failed", "dry_run_ok"}:
            deployment = deployment_for(decision, deployed_at=self._at(age), status=shape)
            self._expect_decision_waits(hub, decision, age)
        elif shape == "rolled_back":
            deployment = deployment_for(decision, deployed_at=self._at(age + 2 * DAY))
            rolled = age / 2
            RemediationEvent.objects.create(
                deployment=deployment, status="rolled_back", created_at=self._at(rolled)
            )
            self._expect_decision_waits(hub, decision, rolled)
        else:
            deployment = deployment_for(decision, deployed_at=self._at(age))
            if shape == "observed":
                signal_for(deployment, self._widget(hub))
        self._expect(
            hub, Stage.DEPLOYMENT_UNOBSERVED, deployment.pk, over and shape in {"live", "late_success"}
        )

    def _expect_decision_waits(self, hub, decision, since_age):
        """A decision whose only deployment is not live waits, from its decision or its latest rollback."""
        waited = min(self.now - decision.decided_at, since_age)
        limit = self._threshold(hub, Stage.DECISION_UNDEPLOYED) * DAY
        if abs(waited - limit) < MARGIN / 2:
            raise AssertionError("a decision planted on its threshold itself")
        self._expect(hub, Stage.DECISION_UNDEPLOYED, decision.pk, waited > limit)

    def _friction_widget(self, hub):
        widget = self._widget(hub)
        truth = self.widget_friction[widget.pk]
        window = settings.IHF_FRICTION_WEIGHTS["window_days"] * DAY
        for _ in range(self.rng.randint(0, 6)):
            severity = self.rng.choice(list(SEVERITY))
            inside = self.rng.random() < 0.7
            retracted = self.rng.random() < 0.15
            age = (
                self.rng.choice([window - MARGIN, window * self.rng.uniform(0, 0.9)])
                if inside
                else window + MARGIN
            )
            Annotation.objects.create(
                widget=widget,
                body=self._words(3),
                severity=severity,
                created_at=self._at(age),
                **({"retracted_at": self.now, "retraction_reason": "planted"} if retracted else {}),
            )
            if inside and not retracted:
                truth.points += SEVERITY[severity]
                truth.annotations += 1
        events, retractions = [], []
        for _ in range(self.rng.randint(0, 25)):
            inside = self.rng.random() < 0.8
            age = (
                self.rng.choice([window - MARGIN, window * self.rng.uniform(0, 0.9)])
                if inside
                else window + MARGIN
            )
            event = InteractionEvent(widget=widget, event_type="error", occurred_at=self._at(age))
            events.append(event)
            if self.rng.random() < 0.2:
                retractions.append(event)
            elif inside:
                truth.errors += 1
        InteractionEvent.objects.bulk_create(events)
        InteractionEvent.objects.bulk_create(
            InteractionEvent(
                widget=widget,
                event_type="retracted",
                occurred_at=self.now,
                metadata={"retracted_event_id": str(event.pk)},
            )
            for event in retractions
        )

    def _regressions(self):
        for hub in self.hubs:
            for resolved in (False, True):
                if self.rng.random() < 0.5:
                    continue
                widget = self.rng.choice([w for w in self.widgets if w.hub_id == hub.pk])
                decision = decision_for(hub, candidate=accepted_candidate(hub, widget=self._widget(hub)))
                deployment = deployment_for(decision, deployed_at=self._at(20 * DAY))
                signal = signal_for(deployment, widget, observed_at=self._at(19 * DAY))
                annotation = Annotation.objects.create(
                    widget=widget, body=self._words(2), severity="low", created_at=self._at(60 * DAY)
                )
                Regression.objects.create(
                    hub=hub,
                    widget=widget,
                    signal=signal,
                    deployment=deployment,
                    annotation=annotation,
                    resolved_at=self.now if resolved else None,
                )
                if not resolved:
                    self.widget_friction[widget.pk].regression = True
                    self.truth.regressed[hub.pk].add(widget.pk)

    def _annotate(self, hub, body, age=DAY, **extra):
        widget = self._widget(hub, "card")
        if "retracted_at" not in extra and age < settings.IHF_FRICTION_WEIGHTS["window_days"] * DAY:
            self.widget_friction[widget.pk].points += SEVERITY["low"]
            self.widget_friction[widget.pk].annotations += 1
        return Annotation.objects.create(
            widget=widget, body=body, severity="low", created_at=self._at(age), **extra
        )

    def _clusters(self):
        """Clusters across two or three hubs, and near misses that must raise nothing."""
        window = settings.IHF_PROPAGATION["window_days"] * DAY
        families = self.rng.sample(CLUSTER_FAMILIES, len(CLUSTER_FAMILIES))
        if len(self.hubs) < 2:
            return
        for n in range(self.cluster_count):
            words = families[3 * n : 3 * n + 3]
            hubs = self.rng.sample(self.hubs, min(len(self.hubs), self.rng.choice([2, 3])))
            for hub in hubs:
                for _ in range(self.rng.randint(1, 2)):
                    # Each annotation writes each word in a form of its own; they meet as stems.
                    forms = " ".join(self.rng.choice(family) for family in words)
                    self._annotate(hub, f"{forms} {self._words(2)}")
            stems = {lexeme(form) for family in words for form in family}
            assert len(stems) == 3, f"a planted word family does not share one stem: {words}"
            self.truth.clusters.add((frozenset(str(h.pk) for h in hubs), tuple(sorted(stems))))
        rest = families[3 * self.cluster_count :]
        first, second = self.rng.sample(self.hubs, 2)
        if len(rest) >= 2:
            # Two shared words and two short ones: short words do not count, so only two are shared.
            body = f"ui ok {rest[0][0]} {rest[1][0]}"
            self._annotate(first, f"{body} {self._words(2)}")
            self._annotate(second, f"{body} {self._words(2)}")
        if len(rest) >= 5:
            body = " ".join(family[0] for family in rest[2:5])
            # Three shared words, but one annotation is older than the window, or retracted.
            self._annotate(first, f"{body} {self._words(1)}", age=window + MARGIN)
            self._annotate(second, f"{body} {self._words(1)}")
            self._annotate(
                second, f"{body} {self._words(1)}", retracted_at=self.now, retraction_reason="planted"
            )

    def _widget_types(self):
        """A widget type red in two hubs is a pattern; red in one hub only is not."""
        if len(self.hubs) < 2:
            return
        for hub in self.rng.sample(self.hubs, 2):
            self._red_widget(hub, "planted-red")
        self._red_widget(self.hubs[0], "planted-alone")

    def _red_widget(self, hub, widget_type):
        widget = self._widget(hub, widget_type)
        for _ in range(8):
            Annotation.objects.create(widget=widget, body=self._words(2), severity="critical")
        self.widget_friction[widget.pk].points += 8 * SEVERITY["critical"]
        self.widget_friction[widget.pk].annotations += 8

    def _friction_truth(self):
        red = settings.IHF_FRICTION_BANDS["red"]
        red_hubs = defaultdict(set)
        for widget in self.widgets:
            score = self.truth.friction[widget.pk] = self.widget_friction[widget.pk].score()
            if score >= red:
                red_hubs[widget.widget_type].add(str(widget.hub_id))
        # Any type red in two hubs is a pattern, planted or not ("button" can get there by chance).
        self.truth.widget_types = {(t, frozenset(h)) for t, h in red_hubs.items() if len(h) >= 2}


def is_filler(word: str) -> bool:
    """Whether `word` is one of Scenario._words()'s: nine letters and a q."""
    return len(word) == 10 and word.isalpha() and word.endswith("q")


def lexeme(word: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('english', %s))", [word])
        return cursor.fetchone()[0][0]
