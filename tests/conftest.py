"""Shared fixtures. The real labelled data and corpora live in ../shared/data beside the checkout;
tests that need them skip, saying why, where that folder is absent."""

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SEED_ARTICLE = SHARED_DATA / "seed" / "north-korea-us-pay-dearly-2019-12-21.txt"
GOLD_DEV = SHARED_DATA / "gold" / "dev.jsonl"


def shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (CI and sessions have ../shared/data)")
    return path


@pytest.fixture(scope="session")
def resources():
    from pipeline.score import load_resources

    return load_resources()
