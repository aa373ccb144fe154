"""Fixtures of the map image tests: a copy of the demo store per module, a session on it."""

from tests.demo_store import session, store  # noqa: F401
