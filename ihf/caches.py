"""Every piece of state a process keeps between requests, registered in one place.

Modules that cache (known origins, the active contract, confirmed widgets, kept cursors, API key counts)
register a function that empties their cache. Tests call `reset_all()` before each test, so no test sees
what an earlier one left behind; code that changes what a cache holds calls the module's own reset.
"""

from collections.abc import Callable

_registry: dict[str, Callable[[], None]] = {}


def register(name: str, reset: Callable[[], None]) -> None:
    """Register `reset`, which empties the cache called `name` (a dotted name: module and what it holds)."""
    _registry[name] = reset


def names() -> list[str]:
    return sorted(_registry)


def reset_all() -> None:
    for reset in _registry.values():
        reset()
