"""Union-find clusters and their canonical member."""

from __future__ import annotations

from dedup.cluster import UnionFind, build_clusters


def test_transitive_links_form_one_cluster_in_seen_order() -> None:
    order = {d: i for i, d in enumerate("abcdef")}
    clusters = build_clusters(order, {}, [("c", "a"), ("e", "c"), ("b", "f")])
    assert [c.members for c in clusters] == [("a", "c", "e"), ("b", "f")]
    assert [c.canonical for c in clusters] == ["a", "b"]


def test_canonical_is_the_earliest_published_then_the_first_seen() -> None:
    order = {"x": 0, "y": 1, "z": 2}
    published = {"y": "2024-05-01", "z": "2024-04-30T23:00:00"}
    [cluster] = build_clusters(order, published, [("x", "y"), ("y", "z")])
    assert cluster.canonical == "z"


def test_union_find_groups() -> None:
    uf = UnionFind()
    for a, b in [(1, 2), (3, 4), (2, 3), (5, 6)]:
        uf.union(str(a), str(b))
    uf.add("7")
    assert sorted(sorted(g) for g in uf.groups()) == [["1", "2", "3", "4"], ["5", "6"]]
