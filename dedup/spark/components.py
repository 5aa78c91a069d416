"""Connected components of the match graph, in DataFrame operations.

The alternating large-star and small-star rounds of Kiveris et al., "Connected Components
in MapReduce and Beyond" (SoCC 2014): each round is a few joins and aggregations over the
edges, the edges never outnumber the input's, and O(log² n) rounds turn every component
into a star around its smallest vertex. Nothing is collected to the driver; GraphFrames
would do the same but is not on PyPI.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

__all__ = ["components"]

#: Rounds after which a graph still not in stars is an error (each round at least halves
#: the longest path, in practice; 2**60 vertices would need fewer).
_MAX_ROUNDS = 200


def _oriented(edges: DataFrame) -> DataFrame:
    """Return the edges as distinct (u, v) with u > v, self-loops dropped."""
    return (edges.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v"))
            .where(F.col("u") != F.col("v")).distinct())


def _large_star(edges: DataFrame) -> DataFrame:
    """Link each vertex's larger neighbours to the smallest of its neighbourhood."""
    both = edges.unionByName(edges.select(F.col("v").alias("u"), F.col("u").alias("v")))
    smallest = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
    return _oriented(both.join(smallest, "u").where(F.col("v") > F.col("u"))
                     .select(F.col("v").alias("u"), F.col("m").alias("v")))


def _small_star(edges: DataFrame) -> DataFrame:
    """Link each vertex and its smaller neighbours to the smallest of them."""
    smallest = edges.groupBy("u").agg(F.min("v").alias("m"))
    moved = edges.join(smallest, "u").select(F.col("v").alias("u"), F.col("m").alias("v"))
    return _oriented(moved.unionByName(smallest.select("u", F.col("m").alias("v"))))


def _is_stars(edges: DataFrame) -> bool:
    """Say whether every edge links a leaf to a centre that is no leaf (the fixed point)."""
    leaves = edges.groupBy("u").agg(F.count("*").alias("n"))
    if leaves.where(F.col("n") > 1).limit(1).count():
        return False
    centres = edges.select(F.col("v").alias("u")).distinct()
    return not centres.join(leaves, "u").limit(1).count()


def components(edges: DataFrame) -> DataFrame:
    """Return (vertex, root) for every vertex of an edge: ``root`` is its component's least.

    Args:
        edges: Columns ``u`` and ``v`` (longs), one row an undirected edge.

    Raises:
        RuntimeError: if the rounds do not converge (a bug: they always do).
    """
    current = _oriented(edges).localCheckpoint()
    for _ in range(_MAX_ROUNDS):
        if _is_stars(current):
            leaves = current.select(F.col("u").alias("vertex"), F.col("v").alias("root"))
            roots = current.select(F.col("v").alias("vertex"), F.col("v").alias("root"))
            return leaves.unionByName(roots).distinct()
        current = _small_star(_large_star(current)).localCheckpoint()
    raise RuntimeError(f"connected components did not converge in {_MAX_ROUNDS} rounds")
