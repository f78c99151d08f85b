"""Grouping units: spherical k-means into more groups than asked, then the two most similar groups
merged until ``count`` are left, so a small user type is not swallowed by a large one the way a
direct k-means into ``count`` groups swallows it, then k-means rounds from those groups (a point
a sub-group took by mistake goes to the group it is nearest). Same seed, same groups; the units' order does
not matter (they arrive sorted, and every random draw comes from the seed).

``choose`` runs that several times from different starts for each size from the one asked down
to two, and keeps the largest size whose restarts agree (mean pairwise adjusted Rand index of at
least ``STABLE``, and every group of it found again, ``GROUP_STABLE``), with the restart that
agrees best with the others (a consensus): data with two
clear types asked for five gives two groups, and says so, instead of three groups of noise. When
no size is stable the size asked is kept, flagged as not stable, from the best of many direct
k-means starts (with no types to protect, merging down only piles the unsure into one group).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from math import comb
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def kmeans(points: np.ndarray, k: int, seed: int, tries: int = 6, rounds: int = 60) -> np.ndarray:
    """Labels of a spherical k-means (cosine), best of ``tries`` k-means++ starts."""
    import numpy as np

    n = len(points)
    k = max(1, min(k, n))
    best_labels, best_score = np.zeros(n, dtype=int), -np.inf
    rng = np.random.default_rng(seed)
    for _ in range(tries):
        centres = [points[rng.integers(n)]]
        for _ in range(1, k):
            similarity = np.max(points @ np.array(centres).T, axis=1)
            weights = np.clip(1.0 - similarity, 0, None) ** 2
            total = weights.sum()
            pick = rng.choice(n, p=weights / total) if total > 0 else rng.integers(n)
            centres.append(points[pick])
        centre = np.array(centres)
        labels = np.full(n, -1)
        for _ in range(rounds):
            new = np.argmax(points @ centre.T, axis=1)
            if np.array_equal(new, labels):
                break
            labels = new
            _move_centres(points, labels, centre)
        score = float(np.sum(points * centre[labels]))
        if score > best_score:
            best_labels, best_score = labels.copy(), score
    return _renumber(best_labels)


def _move_centres(points: np.ndarray, labels: np.ndarray, centre: np.ndarray) -> None:
    """Each group's centre, in place, to the unit-length mean direction of its members (a group
    left with no member keeps its centre)."""
    import numpy as np

    for j in range(len(centre)):
        members = points[labels == j]
        if len(members):
            mean = members.sum(axis=0)
            norm = np.linalg.norm(mean)
            centre[j] = mean / norm if norm else mean


def merge_down(points: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Merge the two groups with the most similar centroids until ``count`` groups are left."""
    import numpy as np

    labels = labels.copy()
    while len(set(labels.tolist())) > count:
        groups = sorted(set(labels.tolist()))
        centres = []
        for g in groups:
            mean = points[labels == g].mean(axis=0)
            norm = np.linalg.norm(mean)
            centres.append(mean / norm if norm else mean)
        similarity = np.array(centres) @ np.array(centres).T
        np.fill_diagonal(similarity, -np.inf)
        a, b = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        labels[labels == groups[max(a, b)]] = groups[min(a, b)]
    return _renumber(labels)


def group(points: np.ndarray, count: int, seed: int) -> np.ndarray:
    import numpy as np

    n = len(points)
    if n <= count:
        return np.arange(n)
    over = min(n, max(2 * count, count + 4))
    return refine(points, merge_down(points, kmeans(points, over, seed), count))


def refine(points: np.ndarray, labels: np.ndarray, rounds: int = 60) -> np.ndarray:
    """Lloyd's rounds of spherical k-means started from ``labels``: the merged groups are a good
    start (a small type kept apart), and each point then goes to the group it is nearest, which
    the merging of whole sub-groups cannot do for the points a sub-group took by mistake."""
    import numpy as np

    centre = np.zeros((int(labels.max()) + 1, points.shape[1]))
    for _ in range(rounds):
        _move_centres(points, labels, centre)
        new = np.argmax(points @ centre.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
    return _renumber(labels)


RESTARTS = 6
# Hennig (2007) reads a cluster whose bootstrap Jaccard similarity stays above 0.85 as stable; a mean
# pairwise ARI between restarts of 0.85 asks as much of a whole partition.
STABLE = 0.85
# ... and each group must hold too (Hennig's clusterwise stability: 0.75 and above is a valid,
# stable cluster), so that a handful of outliers split off the same way every time is no type.
GROUP_STABLE = 0.75


@dataclass(frozen=True)
class Grouping:
    labels: np.ndarray  #: the group of each point, numbered by size
    asked: int  #: the number of groups asked for
    stability: float  #: mean pairwise ARI between restarts at the size kept
    stable: bool  #: whether that size met ``STABLE``


def choose(points: np.ndarray, count: int, seed: int, restarts: int = RESTARTS) -> Grouping:
    """At most ``count`` groups: the largest number the restarts agree on (module docstring)."""
    import numpy as np

    n = len(points)
    if n <= count or count < 2:
        return Grouping(group(points, count, seed), count, 1.0, True)
    fallback: Grouping | None = None
    for size in range(count, 1, -1):
        runs = [group(points, size, seed * 1009 + r) for r in range(restarts)]
        agree = np.eye(restarts)
        for a in range(restarts):
            for b in range(a + 1, restarts):
                agree[a, b] = agree[b, a] = adjusted_rand(runs[a], runs[b])
        each = (agree.sum(axis=1) - 1) / (restarts - 1)
        chosen = int(np.argmax(each))
        best = runs[chosen]  # the consensus: the restart closest to all others
        stability = float(each.mean())
        others = [run for r, run in enumerate(runs) if r != chosen]
        if stability >= STABLE and weakest_group(best, others) >= GROUP_STABLE:
            return Grouping(best, count, stability, True)
        if fallback is None:
            fallback = Grouping(best, count, stability, False)
    assert fallback is not None
    # No size holds: there are no types for the merging to protect, so the best objective of many
    # direct starts into the size asked (an affinity map of what people said, in even parts).
    labels = kmeans(points, count, seed, tries=4 * restarts)
    return Grouping(labels, count, fallback.stability, False)


def weakest_group(labels: np.ndarray, others: list[np.ndarray]) -> float:
    """The least stable group of ``labels``: for each group, the mean over the other restarts of its
    best Jaccard similarity with any of their groups; the minimum over groups."""
    import numpy as np

    weakest = 1.0
    for g in set(labels.tolist()):
        members = labels == g
        best = []
        for run in others:
            scores = [
                float(np.sum(members & (run == h)) / np.sum(members | (run == h)))
                for h in set(run[members].tolist())
            ]
            best.append(max(scores))
        weakest = min(weakest, float(np.mean(best)))
    return weakest


def adjusted_rand(a: np.ndarray, b: np.ndarray) -> float:
    """Adjusted Rand index of two labelings (1: the same partition, about 0: chance)."""
    pairs = Counter(zip(a.tolist(), b.tolist(), strict=True))
    index = sum(comb(v, 2) for v in pairs.values())
    rows = sum(comb(v, 2) for v in Counter(a.tolist()).values())
    columns = sum(comb(v, 2) for v in Counter(b.tolist()).values())
    expected = rows * columns / comb(len(a), 2) if len(a) > 1 else 0.0
    maximum = (rows + columns) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Groups numbered by size, largest first (ties by first member): a stable order."""
    import numpy as np

    groups = sorted(
        set(labels.tolist()), key=lambda g: (-int(np.sum(labels == g)), int(np.argmax(labels == g)))
    )
    mapping = {g: i for i, g in enumerate(groups)}
    return np.array([mapping[g] for g in labels.tolist()])
