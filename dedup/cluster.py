"""Clusters: documents linked by matches, directly or through others, are one story."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Cluster", "UnionFind", "build_clusters"]


class UnionFind:
    """Disjoint sets over hashable items, with path halving and union by size.

    >>> uf = UnionFind()
    >>> uf.union("a", "b"); uf.union("c", "b")
    >>> uf.find("c") == uf.find("a")
    True
    """

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}

    def add(self, item: str) -> None:
        """Make ``item`` a set of its own if it is not known yet."""
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1

    def find(self, item: str) -> str:
        """Return the representative of ``item``'s set."""
        self.add(item)
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        """Join the sets of ``a`` and ``b``."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self._size[ra] < self._size[rb]:
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._size[ra] += self._size[rb]

    def groups(self) -> list[list[str]]:
        """Return every set of two or more items."""
        out: dict[str, list[str]] = {}
        for item in self._parent:
            out.setdefault(self.find(item), []).append(item)
        return [members for members in out.values() if len(members) > 1]


@dataclass(frozen=True, slots=True)
class Cluster:
    """Documents of one story; ``canonical`` is the earliest published, else the first seen."""

    members: tuple[str, ...]
    canonical: str

    def to_dict(self) -> dict[str, object]:
        """Return the report form of the cluster."""
        return {"members": list(self.members), "canonical": self.canonical}


def build_clusters(order: dict[str, int], published: dict[str, str | None],
                   links: Iterable[tuple[str, str]]) -> list[Cluster]:
    """Return the clusters formed by ``links`` between documents.

    Args:
        order: Position at which each document was first seen.
        published: Publication date (ISO 8601) of each document, or ``None``.
        links: Pairs of linked document ids.

    Returns:
        Clusters of two or more documents, members in the order seen, clusters in the order
        of their first member.

    >>> build_clusters({"x": 0, "y": 1, "z": 2}, {"y": "2024-01-01"}, [("x", "y")])
    [Cluster(members=('x', 'y'), canonical='y')]
    """
    uf = UnionFind()
    for a, b in links:
        uf.union(a, b)
    clusters = []
    for group in uf.groups():
        members = sorted(group, key=lambda d: order[d])
        dated = [d for d in members if published.get(d)]
        canonical = min(dated, key=lambda d: (str(published[d]), order[d])) if dated else members[0]
        clusters.append(Cluster(tuple(members), canonical))
    clusters.sort(key=lambda c: order[c.members[0]])
    return clusters
