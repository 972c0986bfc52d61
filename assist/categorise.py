"""Auto-categorisation: annotations that arrive without a category get one, or `general` when unsure.

The classifier is multinomial logistic regression over the sentence embeddings, trained on the hubs' own
categorised annotations (those a person categorised: not auto-categorised ones, not `general`). Until the hubs
have MIN_OWN of them, IHF's starter set (assist/data/categories.jsonl, written for IHF) is added. A fifth of
the data is held out: the probability under which the classifier answers `general` is chosen there, as the
highest that keeps the fallback rate under FALLBACK_GOAL (seed 003 KPI #7: general < 10 %), and the held-out
accuracy and fallback rate are stored with the classifier. Training runs in the worker (a daily job and
`manage.py train_categoriser`); the web process only applies the latest classifier.
"""

import hashlib
import json
import threading
import time
from pathlib import Path

import numpy as np
from django.db import connection

from assist import calls, embeddings, model
from assist.models import AnnotationCategorisation, CategoryClassifier, SubjectType
from feedback import categories
from feedback.models import Annotation, Category
from ihf import caches

STARTER = Path(__file__).resolve().parent / "data" / "categories.jsonl"
MIN_OWN = 200
FALLBACK_GOAL = 0.10
OWN_LIMIT = 20_000
LABELS = [c for c in Category.values if c != Category.GENERAL]


def _own_examples() -> tuple[list[str], list[str]]:
    """The most recent annotations a person categorised, with their vectors' subjects embedded first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.category FROM annotations a "
            "WHERE a.retracted_at IS NULL AND a.category <> 'general' "
            "AND NOT EXISTS (SELECT 1 FROM annotation_categorisations c WHERE c.annotation_id = a.id) "
            "ORDER BY a.created_at DESC LIMIT %s",
            [OWN_LIMIT],
        )
        rows = cursor.fetchall()
    return [str(r[0]) for r in rows], [r[1] for r in rows]


def starter_examples() -> tuple[list[str], list[str]]:
    records = [json.loads(line) for line in STARTER.read_text().splitlines() if line.strip()]
    return [r["text"] for r in records], [r["category"] for r in records]


def fit(x: np.ndarray, y: np.ndarray, classes: int, *, l2: float = 1e-4, steps: int = 400) -> tuple:
    """Softmax regression by full-batch gradient descent (a few hundred steps over 384 features is enough)."""
    weights = np.zeros((classes, x.shape[1]), dtype=np.float64)
    bias = np.zeros(classes, dtype=np.float64)
    onehot = np.eye(classes)[y]
    rate = 4.0
    for _ in range(steps):
        probs = softmax(x @ weights.T + bias)
        gradient = probs - onehot
        weights -= rate * (gradient.T @ x / len(x) + l2 * weights)
        bias -= rate * gradient.mean(axis=0)
    return weights, bias


def softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)


def _held_out(text: str) -> bool:
    return hashlib.md5(text.encode()).digest()[0] < 52  # about a fifth, the same split on every run


def choose_threshold(probs: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """(threshold, accuracy of the confident answers, fallback rate) for the highest threshold whose fallback
    rate stays under the goal."""
    best = (0.0, float((probs.argmax(1) == truth).mean()) if len(truth) else 0.0, 0.0)
    for threshold in np.arange(0.05, 0.95, 0.01):
        confident = probs.max(axis=1) >= threshold
        fallback = 1 - confident.mean()
        if fallback >= FALLBACK_GOAL:
            break
        accuracy = float((probs.argmax(1)[confident] == truth[confident]).mean()) if confident.any() else 0.0
        best = (float(threshold), accuracy, float(fallback))
    return best


def train(*, log=lambda message: None) -> CategoryClassifier:
    ids, own_labels = _own_examples()
    for count in embeddings.embed_stale(SubjectType.ANNOTATION):
        log(f"embedded {count} annotations for training")
    own_vectors = embeddings.vectors(SubjectType.ANNOTATION, ids)
    texts: list[str] = []
    labels = [label for i, label in zip(ids, own_labels, strict=True) if i in own_vectors]
    rows = [own_vectors[i] for i in ids if i in own_vectors]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, body FROM annotations WHERE id = ANY(%s::uuid[])", [ids])
        bodies = dict((str(i), b) for i, b in cursor.fetchall())
    texts = [bodies[i] for i in ids if i in own_vectors]
    source = f"{len(labels)} of the hubs' own annotations"
    if len(labels) < MIN_OWN:
        starter_texts, starter_labels = starter_examples()
        started = time.perf_counter()
        rows.extend(model.encode(starter_texts))
        calls.log_local("categorise:train", started, sum(map(len, starter_texts)), len(starter_texts) * 384)
        texts += starter_texts
        labels += starter_labels
        source += f" and {len(starter_labels)} of IHF's starter set"
    log(f"training on {source}")
    present = [c for c in LABELS if c in set(labels)]
    x = np.asarray(rows, dtype=np.float64)
    y = np.array([present.index(label) for label in labels])
    held = np.array([_held_out(t) for t in texts])
    weights, bias = fit(x[~held], y[~held], len(present))
    threshold, accuracy, fallback = choose_threshold(softmax(x[held] @ weights.T + bias), y[held])
    weights, bias = fit(x, y, len(present))
    classifier = CategoryClassifier.objects.create(
        model_ref=model.MODEL_REF,
        categories=present,
        weights=weights.tolist(),
        bias=bias.tolist(),
        min_confidence=threshold,
        trained_on=len(labels),
        accuracy=accuracy,
        fallback_rate=fallback,
    )
    log(
        f"held out {int(held.sum())}: accuracy {accuracy:.2f} on the confident answers, "
        f"fallback {fallback:.1%} at probability < {threshold:.2f}"
    )
    return classifier


class _Loaded:
    def __init__(self, row: CategoryClassifier) -> None:
        self.id = row.pk
        self.categories = list(row.categories)
        self.weights = np.asarray(row.weights, dtype=np.float32)
        self.bias = np.asarray(row.bias, dtype=np.float32)
        self.min_confidence = row.min_confidence


_current: _Loaded | None = None


def _classifier() -> _Loaded | None:
    global _current
    latest = CategoryClassifier.objects.filter(model_ref=model.MODEL_REF).values_list("pk", flat=True).first()
    if latest is None:
        return None
    if _current is None or _current.id != latest:
        _current = _Loaded(CategoryClassifier.objects.get(pk=latest))
    return _current


def reset() -> None:
    global _current
    _current = None


caches.register("assist.categorise.current", reset)


class Categoriser:
    """Installed into feedback.categories when the app is ready (assist/hooks.py)."""

    def __init__(self) -> None:
        # guess() and record() run in the same request thread; the vector passes from one to the other.
        self._last = threading.local()

    def guess(self, body: str) -> categories.Guess:
        classifier = _classifier()
        if classifier is None:
            return categories.UNSURE
        started = time.perf_counter()
        vector = model.encode([body])[0]
        calls.log_local("categorise", started, len(body), 1)
        self._last.vector = (body, vector)
        probs = softmax((vector @ classifier.weights.T + classifier.bias)[None, :])[0]
        best = int(probs.argmax())
        confidence = float(probs[best])
        if confidence < classifier.min_confidence:
            return categories.Guess(Category.GENERAL, confidence, True, classifier.id, model.MODEL_REF)
        return categories.Guess(
            classifier.categories[best], confidence, False, classifier.id, model.MODEL_REF
        )

    def record(self, annotation: Annotation, guess: categories.Guess) -> None:
        AnnotationCategorisation.objects.create(
            annotation=annotation,
            category=guess.category,
            confidence=round(guess.confidence, 4),
            fallback=guess.fallback,
            classifier_id=guess.classifier_id,
            model_ref=guess.model_ref,
        )
        body, vector = getattr(self._last, "vector", (None, None))
        self._last.vector = (None, None)
        if body == annotation.body:  # embedded already: the similar-feedback index need not do it again
            embeddings.store(
                SubjectType.ANNOTATION,
                [(annotation.pk, annotation.widget.hub_id, annotation.body)],
                vector[None],
            )
