from procrastinate.contrib.django import app

from assist import categorise, embeddings, runner
from assist.models import SubjectType


@app.task(queue="assist")
def propose(proposal_type: str, subject_id: str) -> int:
    return runner.run_one(proposal_type, subject_id)


@app.task(queue="assist", queueing_lock="assist-embed-annotations")
def embed_annotations() -> int:
    """New annotations' vectors, for similar-feedback-as-you-type (one job queued at a time)."""
    return sum(embeddings.embed_stale(SubjectType.ANNOTATION))


@app.periodic(cron="*/10 * * * *")
@app.task(queue="assist", queueing_lock="assist-propose-new")
def propose_new(timestamp: int) -> int:
    """Whatever the per-item jobs missed (a worker that was down, a proposer added later)."""
    return runner.run()


@app.periodic(cron="17 3 * * *")
@app.task(queue="assist", queueing_lock="assist-train-categoriser")
def train_categoriser(timestamp: int) -> int:
    return categorise.train().pk
