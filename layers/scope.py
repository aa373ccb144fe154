"""The Scope: which regions a user may see. Every read of the store takes one.

A scope is a set of region codes at any level (a province ``35``, a kabupaten
``35.10``, a kecamatan, single villages). ``Scope.everything()`` is for the
command line and the embedded single-office demo; the server builds a user's scope
from the user record, never from anything the browser sends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from layers import codes


@dataclass(frozen=True)
class Scope:
    """Regions a user may see. ``regions=None`` means everything."""

    regions: frozenset[str] | None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def of(cls, regions: Iterable[str]) -> Scope:
        normalized = frozenset(codes.normalize(r) for r in regions)
        if not normalized:
            raise ValueError("a scope needs at least one region (use Scope.everything())")
        return cls(normalized)

    @property
    def is_everything(self) -> bool:
        return self.regions is None

    def allows(self, code: str) -> bool:
        """True when the region ``code`` lies inside this scope."""
        code = codes.normalize(code)  # a malformed code fails the same way in every scope
        if self.regions is None:
            return True
        return any(codes.within(code, r) for r in self.regions)

    def narrow(self, region: str) -> Scope:
        """The part of this scope inside ``region`` (e.g. a kecamatan filter).

        A region outside the scope gives an empty scope, never a wider one.
        """
        region = codes.normalize(region)
        if self.allows(region):
            return Scope(frozenset({region}))
        if self.regions is None:
            return Scope(frozenset({region}))
        inner = frozenset(r for r in self.regions if codes.within(r, region))
        return Scope(inner)

    @property
    def is_empty(self) -> bool:
        return self.regions is not None and not self.regions

    @property
    def key(self) -> str:
        """A short stable key for caches and cacheable URLs."""
        if self.regions is None:
            return "all"
        text = ",".join(sorted(self.regions))
        return hashlib.sha1(text.encode()).hexdigest()[:12]
