"""How `run` settles the older versions of records its input changed (pipeline.runner).

A record whose text or day changed (the same record key, a new article) replaces the version an
earlier run stored under that key: `older_version` finds it as the batch is planned, and it is marked
with the run (store.save_batch), not deleted, so that a run killed midway loses nothing. When the run
ends, `finish_replacing` decides on every mark: the version goes, stays (the input states it still),
or is handed over to another record that states it. A killed run's marks, and the newer versions it
stored, are settled the same way by the next run.
"""

from __future__ import annotations

from collections import Counter

from pipeline import store
from pipeline.recall import RunRecall


def finish_replacing(engine, recall: RunRecall, run_id: int, counts: Counter) -> None:
    """Decide on the older versions the run's records replaced (and a killed run's, left marked):
    one that a record of the run states as it is stays; one that a record states too is handed over
    to it; the others go. The records whose older version went, or was handed over, are counted as
    "replaced". Where the run states as it is an older version that a killed run had replaced (the
    input went back to it), the killed run's newer versions of that record are decided alike."""
    marked = store.replaced_articles(engine)
    undecided = [row[:4] for row in marked] + _reverted(engine, marked, recall, run_id)
    deleted, kept, handed = [], [], []
    for article_id, day, key, input_sha in undecided:
        if claim := recall.claims.get(article_id):
            handed.append(claim)
        elif (key, day, input_sha) in recall.stated:
            kept.append(article_id)
        else:
            deleted.append(article_id)
    store.finish_replacing(engine, deleted, kept, handed)
    for article_id in [*deleted, *(row["id"] for row in handed)]:
        if outcome := recall.replacers.get(article_id):
            counts[outcome] -= 1
            counts["replaced"] += 1


def _reverted(engine, marked: list, recall: RunRecall, run_id: int) -> list[tuple]:
    """(id, day, key, input hash) of the newest versions that killed runs stored of the records whose
    older version, marked by one of them, this run states as it is: those changes are no longer the
    input's. A chain of killed runs (each marking the version the one before stored) is followed to
    its newest version; the versions between are marked, and decided as every mark is."""
    undone = {key: by for _, day, key, input_sha, by in marked
              if by != run_id and (key, day, input_sha) in recall.stated}
    versions = store.articles_with_keys(engine, sorted(undone))
    reverted = []
    for key, by in undone.items():
        if newest := _newest_change(versions.get(key, []), by, run_id):
            article_id, day, input_sha = newest
            reverted.append((article_id, day, key, input_sha))
    return reverted


def _newest_change(stored: list[tuple], by: int, run_id: int) -> tuple | None:
    """(id, day, input hash) of the unmarked version at the end of the chain of changes that killed
    runs made to one record, starting with run `by`'s; None where a run of the chain stored several
    articles under the key (the key reused: each another record's article, see older_version), or
    where this run has replaced that version already."""
    for _ in stored:  # each step goes to a later run: never more steps than versions
        changes = [row for row in stored if row[2] == by]
        if len(changes) != 1:
            return None
        article_id, day, _, input_sha, by = changes[0]
        if by is None:
            return article_id, day, input_sha
        if by == run_id:
            return None
    return None


def older_version(stored: list[tuple], run_id: int) -> tuple | None:
    """The one article an earlier run stored under this record key, which a new text replaces:
    (id, day, input hash).

    Feeds reuse keys for different stories (one daily page URL for many items): a key seen earlier
    in the same run, or held by several articles, is not a change but another article. Except the
    versions that killed runs marked, which are on their way out: where one version is left beside
    them (a killed run's undecided change, or the newest of a chain of them), it is the one replaced
    now (and the marked ones go as this run decides their marks).
    """
    live = stored if len(stored) == 1 else [row for row in stored if row[4] is None]
    if len(live) != 1 or live[0][2] == run_id or any(row[4] == run_id for row in stored):
        return None
    article_id, day, _, input_sha, _ = live[0]
    return article_id, day, input_sha
