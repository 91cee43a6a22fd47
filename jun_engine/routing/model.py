"""The statistical layer: a trained linear router and its fast, pure scorer.

Two linear heads share one TF-IDF feature space: one scores departments, one scores the finer
labels the training data used (Madrid's 72 service types, Jun's categories). A department's score
is its own plus its best label's, and the margin between the two best departments, mapped
through a logistic calibration fitted on held-out folds, is the confidence: the estimated
probability that the department is right. Scoring is a dictionary look-up per feature and two
small dot products, so no scikit-learn call happens per message.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from jun_engine.routing.features import WORD_MARK, features

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Calibration:
    """confidence = 1 / (1 + exp(-(slope * margin + offset)))."""

    slope: float = 4.0
    offset: float = -1.0

    def confidence(self, margin: float) -> float:
        """The calibrated probability that a decision with this margin is right."""
        z = self.slope * margin + self.offset
        return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's answer for one text."""

    department: str
    label: str
    confidence: float
    runner_up: str | None
    evidence: tuple[str, ...]
    """The features that pushed hardest towards `department`, readable."""


@dataclass(frozen=True)
class ModelInfo:
    """What a model file says about itself."""

    format_version: int
    created_at: str
    fingerprint: str
    n_examples: int
    suggested_threshold: float | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RouterModel:
    """A trained router: vocabulary, IDF weights, the two heads and the calibration.

    `dept_coef` is (features, departments) and `label_coef` is (features, labels), so the rows
    of one message's features are contiguous; labels are grouped by department, department
    `d` owning labels `label_start[d]` up to the next start. With no finer labels (labels ==
    departments) `label_coef` is empty and only the department head scores.
    """

    departments: tuple[str, ...]
    labels: tuple[str, ...]
    label_start: npt.NDArray[np.int64]
    feature_names: tuple[str, ...]
    """The vocabulary in index order."""
    vocabulary: Mapping[str, int]
    """Feature -> index; the inverse of `feature_names`."""
    idf: FloatArray
    dept_coef: FloatArray
    dept_intercept: FloatArray
    label_coef: FloatArray
    label_intercept: FloatArray
    calibration: Calibration
    info: ModelInfo

    @property
    def has_label_head(self) -> bool:
        """Whether a finer-label head adds to the department scores."""
        return bool(self.label_coef.shape[1] > 0)

    def vectorise(self, text: str) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """The feature indices and L2-normalised sublinear TF-IDF weights of one text."""
        counts = Counter(i for f in features(text) if (i := self.vocabulary.get(f)) is not None)
        if not counts:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        index = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        weights = (1.0 + np.log(tf)) * self.idf[index]
        return index, (weights / np.linalg.norm(weights)).astype(np.float32)

    def scores(
        self, index: npt.NDArray[np.int64], weights: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """(department scores, label scores) of one vectorised text."""
        dept = weights @ self.dept_coef[index] + self.dept_intercept
        if not self.has_label_head:
            return dept, dept
        label = weights @ self.label_coef[index] + self.label_intercept
        return dept + np.maximum.reduceat(label, self.label_start), label

    def predict(self, text: str) -> Prediction | None:
        """The best department for `text`, or None when none of its features is known."""
        index, weights = self.vectorise(text)
        if index.size == 0:
            return None
        dept_scores, label_scores = self.scores(index, weights)
        order = np.argsort(-dept_scores)
        best = int(order[0])
        margin = float(dept_scores[best] - dept_scores[order[1]]) if order.size > 1 else 1.0
        return Prediction(
            department=self.departments[best],
            label=self._label_of(best, label_scores),
            confidence=self.calibration.confidence(margin),
            runner_up=self.departments[int(order[1])] if order.size > 1 else None,
            evidence=self._evidence(index, weights, best),
        )

    def _label_of(self, dept: int, label_scores: FloatArray) -> str:
        if not self.has_label_head:
            return self.departments[dept]
        start = int(self.label_start[dept])
        stop = int(self.label_start[dept + 1]) if dept + 1 < len(self.label_start) else None
        return self.labels[start + int(np.argmax(label_scores[start:stop]))]

    def _evidence(
        self, index: npt.NDArray[np.int64], weights: FloatArray, dept: int
    ) -> tuple[str, ...]:
        push = weights * self.dept_coef[index, dept]
        top = np.argsort(-push)[:4]
        return tuple(_readable(self.feature_names[int(index[i])]) for i in top if push[i] > 0)


def _readable(feature: str) -> str:
    if feature.startswith(WORD_MARK):
        return f"word {feature[1:]!r}"
    return f"chars {feature!r}"
