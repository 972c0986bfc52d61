"""Nearest neighbours: numpy here (the machine's PostgreSQL has no pgvector), and pgvector's HNSW index in
the embedded PostgreSQL, which bundles it. Both answer the same."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assist import embeddings, neighbours
from assist.models import SubjectType
from tests.factories import CandidateFactory, WidgetFactory

ROOT = Path(__file__).resolve().parents[2]

# Runs in a migrated database: random unit vectors for 300 candidates of one hub and 50 of another, then the
# 5 nearest to 10 queries by both backends (numpy forced), printed as JSON.
BOTH = """
import json, numpy as np
from assist import embeddings, neighbours
from tests.factories import CandidateFactory, HubFactory, WidgetFactory
rng = np.random.default_rng(7)
hubs = [HubFactory(slug="h1"), HubFactory(slug="h2")]
rows = []
for hub, n in zip(hubs, (300, 50)):
    widget = WidgetFactory(hub=hub)
    rows += [(c.pk, hub.pk, c.title) for c in CandidateFactory.create_batch(n, source_widget=widget)]
vectors = rng.normal(size=(len(rows), 384)).astype("float32")
vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
embeddings.store("candidate", rows, vectors)
out = {"pgvector": neighbours.pgvector_available(), "same": []}
for q in vectors[:10] + 0.3 * rng.normal(size=(10, 384)).astype("float32"):
    q = (q / np.linalg.norm(q)).astype("float32")
    a = neighbours.nearest("candidate", q, hub_ids=[str(hubs[0].pk)], k=5, backend="pgvector")
    b = neighbours.nearest("candidate", q, hub_ids=[str(hubs[0].pk)], k=5, backend="numpy")
    out["same"].append([n.subject_id for n in a] == [n.subject_id for n in b])
print("RESULT" + json.dumps(out))
"""


@pytest.mark.django_db
def test_numpy_finds_the_nearest_of_the_hub_and_sees_new_and_changed_vectors(people):
    widget = WidgetFactory(hub=people.hub)
    elsewhere = WidgetFactory(hub=people.other_hub)
    mine = CandidateFactory.create_batch(3, source_widget=widget)
    theirs = CandidateFactory(source_widget=elsewhere)
    eye = np.eye(384, dtype=np.float32)
    embeddings.store(SubjectType.CANDIDATE, [(c.pk, people.hub.pk, c.title) for c in mine], eye[:3])
    embeddings.store(SubjectType.CANDIDATE, [(theirs.pk, people.other_hub.pk, theirs.title)], eye[:1])
    hub = [str(people.hub.pk)]
    found = neighbours.nearest(SubjectType.CANDIDATE, eye[1], hub_ids=hub, k=2, backend="numpy")
    assert found[0].subject_id == str(mine[1].pk) and found[0].similarity == pytest.approx(1.0)
    assert str(theirs.pk) not in {n.subject_id for n in found}
    # A re-embedded subject (its text changed) replaces its old vector in the process's index.
    embeddings.store(SubjectType.CANDIDATE, [(mine[1].pk, people.hub.pk, "changed")], eye[5:6])
    found = neighbours.nearest(SubjectType.CANDIDATE, eye[5], hub_ids=hub, k=1, backend="numpy")
    assert [n.subject_id for n in found] == [str(mine[1].pk)]
    assert (
        neighbours.nearest(SubjectType.CANDIDATE, eye[1], hub_ids=hub, k=3, backend="numpy")[0].similarity
        < 0.5
    )


@pytest.mark.slow
def test_pgvector_and_numpy_agree_in_the_embedded_postgresql(tmp_path):
    tmp_path.chmod(0o755)  # pgserver drops privileges to a system user when run as root
    env = {**os.environ, "IHF_PGDATA": str(tmp_path / "pgdata")}
    embedded = [sys.executable, "-m", "ihf.embedded_db"]
    started = subprocess.run(
        [*embedded, "start"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    url = started.stdout.strip().replace("/ihf", "/ihf_vector_test")
    try:
        subprocess.run([*embedded, "ensure-database", url], cwd=ROOT, env=env, check=True, timeout=60)
        env = {**env, "DATABASE_URL": url, "DEBUG": "1"}
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
        result = subprocess.run(
            [*manage, "shell", "-c", BOTH],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
            capture_output=True,
            text=True,
        )
    finally:
        subprocess.run([*embedded, "stop"], cwd=ROOT, env=env, timeout=120)
    found = json.loads(result.stdout.split("RESULT", 1)[1])
    assert found["pgvector"] is True
    assert found["same"] == [True] * 10
