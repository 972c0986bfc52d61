import json
from pathlib import Path

import pytest

from tests.factories import CandidateFactory, WidgetFactory

DATA = Path(__file__).resolve().parents[2] / "assist" / "data"


def paraphrase_clusters() -> dict[str, list[str]]:
    clusters: dict[str, list[str]] = {}
    for line in (DATA / "paraphrases.jsonl").read_text().splitlines():
        record = json.loads(line)
        clusters.setdefault(record["cluster"], []).append(record["text"])
    return clusters


@pytest.fixture
def clusters():
    return paraphrase_clusters()


@pytest.fixture
def save_widget(people):
    return WidgetFactory(hub=people.hub, name="Save button", widget_type="button")


def candidate(widget, text: str, **kwargs):
    title, _, rest = text.partition(". ")
    return CandidateFactory(source_widget=widget, title=title[:200], description=rest or title, **kwargs)
