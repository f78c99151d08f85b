"""Grouping units: spherical k-means into more groups than asked, then the two most similar groups
merged until ``count`` are left, so a small user type is not swallowed by a large one the way a
direct k-means into ``count`` groups swallows it. Same seed, same groups; the units' order does
not matter (they arrive sorted, and every random draw comes from the seed)."""

from __future__ import annotations

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
            for j in range(k):
                members = points[labels == j]
                if len(members):
                    mean = members.sum(axis=0)
                    norm = np.linalg.norm(mean)
                    centre[j] = mean / norm if norm else mean
        score = float(np.sum(points * centre[labels]))
        if score > best_score:
            best_labels, best_score = labels.copy(), score
    return _renumber(best_labels)


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
    return merge_down(points, kmeans(points, over, seed), count)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Groups numbered by size, largest first (ties by first member): a stable order."""
    import numpy as np

    groups = sorted(
        set(labels.tolist()), key=lambda g: (-int(np.sum(labels == g)), int(np.argmax(labels == g)))
    )
    mapping = {g: i for i, g in enumerate(groups)}
    return np.array([mapping[g] for g in labels.tolist()])
