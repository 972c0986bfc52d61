import pytest


@pytest.fixture(autouse=True)
def _contracts(contracts):
    """Every API test needs the seeded contracts (see tests/conftest.py)."""
