"""Training a RouterModel: TF-IDF features, two linear SVM heads, and a calibration fitted on
held-out folds so that a confidence is an honest probability of being right."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import LinearSVC

from jun_engine.routing.dataset import Example, fingerprint
from jun_engine.routing.features import features
from jun_engine.routing.model import Calibration, ModelInfo, RouterModel
from jun_engine.routing.thresholds import threshold_for_precision

FORMAT_VERSION = 1
TARGET_PRECISION = 0.95
"""The suggested threshold is the lowest whose held-out automatic routing is this precise."""


@dataclass(frozen=True)
class TrainingOptions:
    """The knobs, with the values the Madrid cross-validation chose (docs/routing.md)."""

    dept_c: float = 0.3
    label_c: float = 0.5
    min_df: int = 2
    calibration_folds: int = 3
    seed: int = 0


class TrainingDataError(ValueError):
    """The examples cannot train a router (too few, or a single department)."""


def train(
    examples: Sequence[Example],
    options: TrainingOptions = TrainingOptions(),
    progress: Callable[[int, int], None] | None = None,
) -> RouterModel:
    """A calibrated router trained on `examples`; `progress(done, total)` after each fit (the
    whole set, then each calibration fold)."""
    _check(examples)
    steps = 1 + options.calibration_folds

    def done(step: int) -> None:
        if progress is not None:
            progress(step, steps)

    done(0)
    model = _fit(examples, options)
    done(1)
    margins, correct = _held_out_margins(examples, options, lambda fold: done(1 + fold))
    done(steps)
    calibration = fit_calibration(margins, correct)
    confidence = np.array([calibration.confidence(m) for m in margins], np.float64)
    info = ModelInfo(
        format_version=FORMAT_VERSION,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        fingerprint=fingerprint(examples),
        n_examples=len(examples),
        suggested_threshold=threshold_for_precision(confidence, correct, TARGET_PRECISION),
        metrics={
            "held_out_accuracy": round(float(correct.mean()), 4) if correct.size else None,
            "calibration_folds": options.calibration_folds,
        },
    )
    return replace(model, calibration=calibration, info=info)


def _check(examples: Sequence[Example]) -> None:
    departments = {e.department for e in examples}
    if len(examples) < 4 or len(departments) < 2:
        raise TrainingDataError(
            f"training needs at least 4 examples of 2 departments; got {len(examples)} "
            f"example(s) of {len(departments)}"
        )


def _fit(examples: Sequence[Example], options: TrainingOptions) -> RouterModel:
    """Vectoriser and both heads on all of `examples` (uncalibrated)."""
    texts = [e.text for e in examples]
    min_df = options.min_df if len(examples) >= 200 else 1
    vectoriser = TfidfVectorizer(
        analyzer=features, sublinear_tf=True, min_df=min_df, dtype=np.float32
    )
    matrix = vectoriser.fit_transform(texts)
    departments = tuple(sorted({e.department for e in examples}))
    dept_coef, dept_b = _head(
        matrix,
        [e.department for e in examples],
        departments,
        options.dept_c,
        balanced=True,
        seed=options.seed,
    )
    dept_of = {e.label: e.department for e in examples}
    labels = tuple(sorted(dept_of, key=lambda label: (dept_of[label], label)))
    if set(labels) == set(departments):  # no finer labels: the department head alone
        labels = departments
        label_coef = np.zeros((matrix.shape[1], 0), np.float32)
        label_b = np.zeros(0, np.float32)
    else:
        y = [e.label for e in examples]
        label_coef, label_b = _head(
            matrix, y, labels, options.label_c, balanced=False, seed=options.seed
        )
    label_depts = [dept_of[label] for label in labels]
    starts = np.array([label_depts.index(d) for d in departments], np.int64)
    names = tuple(vectoriser.get_feature_names_out().tolist())
    return RouterModel(
        departments=departments,
        labels=labels,
        label_start=starts,
        feature_names=names,
        vocabulary=MappingProxyType({name: i for i, name in enumerate(names)}),
        idf=vectoriser.idf_.astype(np.float32),
        dept_coef=dept_coef,
        dept_intercept=dept_b,
        label_coef=label_coef,
        label_intercept=label_b,
        calibration=Calibration(),
        info=ModelInfo(FORMAT_VERSION, "", "", len(examples)),
    )


def _head(
    matrix: object, y: list[str], classes: tuple[str, ...], c: float, *, balanced: bool, seed: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(features x classes) coefficients and intercepts of a one-vs-rest linear SVM."""
    svm = LinearSVC(
        C=c, class_weight="balanced" if balanced else None, max_iter=5000, random_state=seed
    )
    with warnings.catch_warnings():
        # A fold of a tiny seed set may not converge fully; the calibration measures the result.
        warnings.simplefilter("ignore", ConvergenceWarning)
        # A small seed set has nearly one example per label; sklearn guesses "regression".
        warnings.filterwarnings("ignore", "The number of unique classes", UserWarning)
        svm.fit(matrix, y)
    coef = np.asarray(svm.coef_, np.float32)
    intercept = np.asarray(svm.intercept_, np.float32)
    if len(svm.classes_) == 2:  # binary: one row scores the second class against the first
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    full = np.full((len(classes), coef.shape[1]), 0.0, np.float32)
    bias = np.full(len(classes), -1e3, np.float32)
    for row, name in enumerate(svm.classes_):
        full[classes.index(str(name))] = coef[row]
        bias[classes.index(str(name))] = intercept[row]
    return np.ascontiguousarray(full.T), bias


def _held_out_margins(
    examples: Sequence[Example],
    options: TrainingOptions,
    fold_done: Callable[[int], None] = lambda fold: None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Margin and correctness of every example, scored by a model that did not see it."""
    margins, correct = [], []
    folds = split(examples, options.calibration_folds, options.seed)
    for fold, (train_idx, test_idx) in enumerate(folds, 1):
        fold_examples = [examples[i] for i in train_idx]
        if len({e.department for e in fold_examples}) < 2:
            continue
        model = _fit(fold_examples, options)
        for i in test_idx:
            margin, department = raw_margin(model, examples[i].text)
            margins.append(margin)
            correct.append(department == examples[i].department)
        fold_done(fold)
    return np.array(margins, np.float64), np.array(correct, np.bool_)


def split(
    examples: Sequence[Example], folds: int, seed: int
) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Stratified folds by department when every department has enough examples, else plain."""
    y = [e.department for e in examples]
    smallest = min(Counter(y).values())
    folds = max(2, min(folds, len(examples)))
    splitter: KFold | StratifiedKFold
    if smallest >= folds:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(folds, shuffle=True, random_state=seed)
    return [(np.asarray(a), np.asarray(b)) for a, b in splitter.split(np.zeros(len(y)), y)]


def raw_margin(model: RouterModel, text: str) -> tuple[float, str | None]:
    """The uncalibrated margin of the best department over the next, and that department."""
    index, weights = model.vectorise(text)
    if index.size == 0:
        return 0.0, None
    scores, _ = model.scores(index, weights)
    order = np.argsort(-scores)
    return float(scores[order[0]] - scores[order[1]]), model.departments[int(order[0])]


def fit_calibration(
    margins: npt.NDArray[np.float64], correct: npt.NDArray[np.bool_]
) -> Calibration:
    """Platt scaling: the logistic curve of margin -> P(right), by Newton's method."""
    if margins.size < 4 or correct.all() or not correct.any():
        return Calibration()
    y = correct.astype(np.float64)
    x = np.column_stack([margins, np.ones_like(margins)])
    w = np.array([1.0, 0.0])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) + 1e-3 * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-3 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Calibration(slope=max(float(w[0]), 1e-3), offset=float(w[1]))
