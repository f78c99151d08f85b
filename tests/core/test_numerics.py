"""The numerical parts of the grouping, each on its own: sparse TF-IDF, the randomized SVD,
spherical k-means, merging down, and ranking a group's sentences."""

from __future__ import annotations

import numpy as np
import pytest
from persona.grouping.clustering import group, kmeans, merge_down, refine
from persona.grouping.draft import Sentence, _rank
from persona.grouping.features import TermSpace, normalise_rows, tokens, truncated_svd
from persona.records import Provenance, Record
from scipy.sparse import csr_array

DOCS = [
    tokens("the train was late again and the train was cold"),
    tokens("cheap fares for students and railcards"),
    tokens("late trains make me late for work"),
    tokens("nothing here matches"),
    tokens("students want cheap advance fares"),
]


def dense_tfidf(space: TermSpace, documents):
    """The textbook computation, dense, to hold the sparse one against."""
    matrix = np.zeros((len(documents), len(space.terms)))
    for row, words in enumerate(documents):
        for word in set(words):
            if word in space.index:
                matrix[row, space.index[word]] = (1 + np.log(words.count(word))) * space.idf[
                    space.index[word]
                ]
    return normalise_rows(matrix)


def test_tfidf_is_sparse_and_equals_the_dense_computation():
    space = TermSpace(DOCS)
    vectors = space.vectors([*DOCS, ["unseen", "words"]])
    assert isinstance(vectors, csr_array)
    assert vectors.nnz == sum(len({w for w in words if w in space.index}) for words in DOCS)
    np.testing.assert_allclose(vectors.toarray(), dense_tfidf(space, [*DOCS, ["unseen", "words"]]))
    norms = np.linalg.norm(vectors.toarray(), axis=1)
    np.testing.assert_allclose(norms[:3], 1.0)
    assert norms[-1] == 0.0  # no known word: a zero row, not a division by zero


def test_tfidf_memory_follows_the_non_zeros():
    words = [f"term{n}" for n in range(3000)]
    documents = [[words[(7 * row + k) % 3000] for k in range(12)] for row in range(10_000)]
    vectors = TermSpace(documents).vectors(documents)
    stored = vectors.data.nbytes + vectors.indices.nbytes + vectors.indptr.nbytes
    assert stored < 3 * 1024 * 1024  # 120,000 non-zeros; a dense matrix would be 240 MB


def test_truncated_svd_matches_the_exact_svd_on_a_low_rank_matrix():
    rng = np.random.default_rng(0)
    low_rank = rng.random((200, 5)) @ rng.random((5, 300))
    projected = truncated_svd(csr_array(low_rank), 5, seed=1)
    exact = np.linalg.svd(low_rank, compute_uv=False)[:5]
    np.testing.assert_allclose(np.linalg.norm(projected, axis=0), exact, rtol=1e-6)
    # the projection keeps every inner product between rows (the matrix has rank 5)
    np.testing.assert_allclose(projected @ projected.T, low_rank @ low_rank.T, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(np.abs(truncated_svd(low_rank, 5, seed=1)), np.abs(projected), rtol=1e-6)


def blobs(sizes, seed=0, spread=0.05):
    rng = np.random.default_rng(seed)
    centres = np.eye(len(sizes), 8)
    points = np.vstack([centres[i] + spread * rng.standard_normal((n, 8)) for i, n in enumerate(sizes)])
    truth = np.repeat(np.arange(len(sizes)), sizes)
    return normalise_rows(points), truth


def same_partition(a, b) -> bool:
    return len(set(zip(a.tolist(), b.tolist(), strict=True))) == len(set(a.tolist())) == len(set(b.tolist()))


def test_kmeans_finds_separated_groups_numbered_by_size_whatever_the_order():
    points, truth = blobs([30, 20, 10])
    labels = kmeans(points, 3, seed=4)
    assert same_partition(labels, truth)
    assert [int(np.sum(labels == g)) for g in range(3)] == [30, 20, 10]
    order = np.random.default_rng(9).permutation(len(points))
    assert same_partition(kmeans(points[order], 3, seed=4), truth[order])
    assert np.array_equal(kmeans(points, 3, seed=4), labels)


def test_merge_down_joins_the_two_most_similar_groups_first():
    points, truth = blobs([10, 10, 10])
    points[10:20] = normalise_rows(points[:10] * 0.2 + points[10:20])  # group 1 leans towards group 0
    merged = merge_down(points, truth, 2)
    assert same_partition(merged, np.where(truth == 2, 1, 0))


def test_a_small_type_is_not_swallowed_by_over_clustering_and_merging():
    points, truth = blobs([60, 8], spread=0.2)
    assert same_partition(group(points, 2, seed=0), truth)
    assert group(points[:2], 3, seed=0).tolist() == [0, 1]  # fewer points than groups


def test_the_sentence_nearest_the_centroid_and_said_most_ranks_first():
    texts = [
        "The train is late every single morning",
        "The late train makes the morning commute worse",
        "My cat likes the garden in summer",
    ]
    ranked = _ranked(texts, ["late train morning", "late train commute"], central=2)
    assert ranked[-1] == texts[2]
    assert set(ranked[:2]) == set(texts[:2])


def _ranked(texts: list[str], more: list[str], central: int) -> list[str]:
    """The texts as ``_rank`` orders them, each said by its own unit, with the centroid of the first
    ``central`` and a term space that also holds ``more``."""
    words = [tokens(text) for text in texts]
    space = TermSpace([*words, *(tokens(text) for text in more)])
    record = Record("r", Provenance("f"), text="")
    own = [
        Sentence(text, record, unit, None, w) for unit, (text, w) in enumerate(zip(texts, words, strict=True))
    ]
    centroid = np.asarray(space.vectors(words[:central]).mean(axis=0)).ravel()
    return [
        sentence.text for sentence, _ in _rank(own, centroid, space, {i: set(w) for i, w in enumerate(words)})
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_group_is_repeatable_for_a_seed(seed):
    points, _ = blobs([15, 15, 15, 5], seed=seed, spread=0.3)
    assert np.array_equal(group(points, 3, seed), group(points, 3, seed))


def test_refining_moves_a_point_a_merged_group_took_by_mistake_to_its_nearest_group():
    rng = np.random.default_rng(3)
    a = normalise_rows(np.array([1.0, 0.0, 0.0]) + rng.normal(scale=0.05, size=(20, 3)))
    b = normalise_rows(np.array([0.0, 1.0, 0.0]) + rng.normal(scale=0.05, size=(20, 3)))
    points = np.vstack([a, b])
    merged = np.array([0] * 20 + [1] * 20)
    merged[3] = 1  # a point of the first group, put in the second by a merge
    refined = refine(points, merged)
    assert len(set(refined[:20].tolist())) == 1 and len(set(refined[20:].tolist())) == 1
    assert refined[0] != refined[20]


def test_a_placeholder_is_no_word_of_the_text():
    words = tokens("I asked [PERSON_3] about the refund; mail EMAIL_ADDRESS_1a2b3c4d or [UK_POSTCODE_2]")
    assert words == ["asked", "refund", "mail"]
    assert tokens("the person at the desk emailed") == ["person", "desk", "emailed"]  # the words stay


def test_a_sentence_with_a_removed_value_in_passing_ranks_after_those_without_one():
    texts = [
        "The late train from [LOCATION_1] makes the morning commute worse",
        "The train is late every single morning",
        "My cat likes the garden in summer",
    ]
    ranked = _ranked(texts, ["late train morning commute", "late train commute worse"], central=1)
    assert ranked[-1] == texts[0]  # the most central, with a removed value
    assert ranked[0] == texts[1]
