"""Units as vectors: sparse TF-IDF over their free text reduced by a (randomized) truncated SVD,
plus one-hot structured answers. The TF-IDF matrices are scipy CSR arrays, so their memory follows
the non-zeros (a sentence holds a dozen terms of a vocabulary of thousands)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from persona.grouping.units import Columns, Unit
from persona.text import REMOVED, age_band

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_array

WORD = re.compile(r"[a-z][a-z'\-]{2,}")
_STOPWORDS = (
    "about above after again against all also and any are aren't because been before being below "
    "between both but can can't cannot could did didn't does doesn't doing don't down during each few "
    "for from further had hadn't has hasn't have haven't having her here hers herself him himself his "
    "how i'd i'll i'm i've into isn't it's its itself just let's more most mustn't myself nor not now "
    "off once only other ought our ours ourselves out over own same she she'd she'll she's should "
    "shouldn't some such than that that's the their theirs them themselves then there there's these "
    "they they'd they'll they're they've this those through too under until very was wasn't we'd "
    "we'll we're we've were weren't what what's when when's where where's which while who who's whom "
    "why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself "
    "yourselves yeah okay really thing things get got like just one two lot bit kind sort much many "
    "well even still yes way know think said say says interviewer participant respondent "
)
STOPWORDS = frozenset(_STOPWORDS.split())
VOCABULARY = 4000


def tokens(text: str) -> list[str]:
    """The content words of ``text``; a removed value's placeholder ("[PERSON_3]", "EMAIL_1a2b3c4d")
    is no word of it: "person" or "email" would otherwise group people by what was removed and
    be named as what sets a group apart."""
    if "_" in text:
        text = REMOVED.sub(" ", text)
    words = [word.rstrip("'-") for word in WORD.findall(text.lower())]  # WORD starts with a letter
    return [word for word in words if word not in STOPWORDS]


class TermSpace:
    """The TF-IDF vocabulary of a study, shared by units and sentences."""

    def __init__(self, documents: Sequence[list[str]]) -> None:
        import numpy as np

        df: Counter[str] = Counter()
        for words in documents:
            df.update(set(words))
        floor = 2 if len(documents) >= 10 else 1
        ceiling = max(2, int(0.9 * len(documents))) if len(documents) >= 10 else len(documents) + 1
        kept = sorted((w for w, n in df.items() if floor <= n <= ceiling), key=lambda w: (-df[w], w))[
            :VOCABULARY
        ]
        self.terms = sorted(kept)
        self.index = {term: i for i, term in enumerate(self.terms)}
        n = len(documents)
        self.idf = np.array([np.log((1 + n) / (1 + df[t])) + 1.0 for t in self.terms], dtype=np.float64)

    def vectors(self, documents: Sequence[list[str]]) -> csr_array:
        """One L2-normalised row of sublinear TF-IDF per document, as a sparse CSR array."""
        import numpy as np
        from scipy.sparse import csr_array

        indptr = [0]
        columns: list[int] = []
        weights: list[float] = []
        for words in documents:
            counted = sorted((self.index[w], n) for w, n in Counter(words).items() if w in self.index)
            columns.extend(column for column, _ in counted)
            weights.extend(1.0 + math.log(n) for _, n in counted)  # math.log: numpy's is slow on scalars
            indptr.append(len(columns))
        data = np.asarray(weights, dtype=np.float64) * self.idf[np.asarray(columns, dtype=np.int64)]
        shape = (len(documents), len(self.terms))
        matrix = csr_array((data, np.asarray(columns, dtype=np.int64), np.asarray(indptr)), shape=shape)
        norms = np.sqrt(np.asarray(matrix.power(2).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr))  # rows of unit length
        return matrix


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: np.ndarray = matrix / norms
    return normalised


def truncated_svd(matrix: np.ndarray | csr_array, rank: int, seed: int) -> np.ndarray:
    """The rows projected on the top ``rank`` singular directions (Halko et al.'s randomized SVD
    with two power iterations: exact enough for clustering, and linear in the data's size)."""
    basis, u, s, _ = _randomized_svd(matrix, rank, seed)
    projected: np.ndarray = (basis @ u[:, :rank]) * s[:rank]
    return projected


def svd_directions(matrix: np.ndarray | csr_array, rank: int, seed: int) -> np.ndarray:
    """The top ``rank`` right singular directions of ``matrix``, one per column (terms x rank):
    ``rows @ directions`` projects any rows, those it was fitted on and new ones alike."""
    _, _, _, vt = _randomized_svd(matrix, rank, seed)
    directions: np.ndarray = vt[: _rank(matrix, rank)].T
    return directions


def _rank(matrix: np.ndarray | csr_array, rank: int) -> int:
    rows, columns = matrix.shape
    return max(1, min(rank, rows - 1, columns - 1)) if min(rows, columns) > 1 else 1


def _randomized_svd(
    matrix: np.ndarray | csr_array, rank: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np

    columns = matrix.shape[1]
    rank = _rank(matrix, rank)
    rng = np.random.default_rng(seed)
    probe = matrix @ rng.standard_normal((columns, rank + 10))
    for _ in range(2):
        probe, _ = np.linalg.qr(probe)
        probe = matrix @ (matrix.T @ probe)
    basis, _ = np.linalg.qr(probe)
    small = (matrix.T @ basis).T  # sparse-times-dense: never a dense copy of the matrix
    u, s, vt = np.linalg.svd(small, full_matrices=False)
    return basis, u, s, vt


def unit_features(
    units: Sequence[Unit], columns: Columns, space: TermSpace, texts: Sequence[list[str]], seed: int
) -> np.ndarray:
    """One row per unit: the reduced text vector, and each structured answer one-hot, weighted by
    how much of the spread of what people wrote its answers account for (``agreement``). An answer
    that goes with what people say (a segment question) helps group them; one that does not (an
    occupation every type shares) weighs next to nothing, instead of splitting people by it."""
    import numpy as np

    text = None
    if space.terms and any(texts):
        text = normalise_rows(truncated_svd(space.vectors(texts), 50, seed))
    parts = [text] if text is not None else []
    for name in sorted(columns.categorical | columns.ages):
        answers = [_answer(unit, name, columns) for unit in units]
        levels = sorted({a for a in answers if a is not None})
        if len(levels) < 2:
            continue
        position = {level: i for i, level in enumerate(levels)}
        onehot = np.zeros((len(units), len(levels)))
        for row, answer in enumerate(answers):
            if answer is not None:
                onehot[row, position[answer]] = 1.0
        parts.append(onehot * (agreement(text, answers) if text is not None else 1.0))
    if not parts:
        return np.ones((len(units), 1))
    return normalise_rows(np.hstack(parts))


class FeatureModel:
    """``unit_features`` fitted on some units and applied to any: the path of a study too large to
    group whole (grouping.analysis.FIT_UNITS), where a sample is grouped and every unit is then
    placed by the same features, a batch at a time."""

    def __init__(
        self, units: Sequence[Unit], columns: Columns, space: TermSpace, texts: Sequence[list[str]], seed: int
    ) -> None:
        self.space = space
        self.columns = columns
        self.directions: np.ndarray | None = None
        text = None
        if space.terms and any(texts):
            matrix = space.vectors(texts)
            self.directions = svd_directions(matrix, 50, seed)
            text = normalise_rows(matrix @ self.directions)
        #: each structured question kept: its name, its answers' positions, and its weight
        self.questions: list[tuple[str, dict[str, int], float]] = []
        for name in sorted(columns.categorical | columns.ages):
            answers = [_answer(unit, name, columns) for unit in units]
            levels = sorted({a for a in answers if a is not None})
            if len(levels) >= 2:
                weight = agreement(text, answers) if text is not None else 1.0
                self.questions.append((name, {level: i for i, level in enumerate(levels)}, weight))

    def transform(self, units: Sequence[Unit], texts: Sequence[list[str]]) -> np.ndarray:
        """One row per unit, as for the units it was fitted on (an answer it never saw: zeros)."""
        import numpy as np

        parts = []
        if self.directions is not None:
            parts.append(normalise_rows(self.space.vectors(texts) @ self.directions))
        for name, position, weight in self.questions:
            onehot = np.zeros((len(units), len(position)))
            for row, unit in enumerate(units):
                answer = _answer(unit, name, self.columns)
                if answer in position:
                    onehot[row, position[answer]] = weight
            parts.append(onehot)
        if not parts:
            return np.ones((len(units), 1))
        return normalise_rows(np.hstack(parts))


def _answer(unit: Unit, name: str, columns: Columns) -> str | None:
    """A unit's answer to a structured question (its first record's that has one)."""
    for record in unit.records:
        value = record.fields.get(name)
        if value:
            return (age_band(value) or value) if name in columns.ages else value
    return None


def agreement(points: np.ndarray, answers: Sequence[str | None]) -> float:
    """The correlation ratio of the answers with the points: the square root of the share of the
    points' spread that lies between the answers' groups (1: the answer says where a point is;
    near 0: it says nothing). Units with no answer count as one more group."""
    import numpy as np

    centre = points.mean(axis=0)
    total = float(((points - centre) ** 2).sum())
    if total == 0:
        return 0.0
    between = 0.0
    labels = np.array([a if a is not None else "\0" for a in answers])
    for level in set(labels.tolist()):
        members = points[labels == level]
        between += len(members) * float(((members.mean(axis=0) - centre) ** 2).sum())
    return float(np.sqrt(between / total))
