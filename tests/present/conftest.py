"""Fixtures of the presentation tests: the demo store and a session on it."""

from tests.demo_store import session, store  # noqa: F401
