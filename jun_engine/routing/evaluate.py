"""Measuring a router: cross-validation of the trainer, and the figures `classifier eval` prints.

Every figure is at the department level; when the examples carry finer labels (a labels map was
used) the label-level accuracy and macro-F1 are reported too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from jun_engine.routing.dataset import Example
from jun_engine.routing.model import RouterModel
from jun_engine.routing.router import Router
from jun_engine.routing.thresholds import Operating, at_threshold, curve, threshold_for_precision
from jun_engine.routing.training import TrainingOptions, split, train

CURVE_THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True)
class Outcomes:
    """What was predicted for each example, and how sure, side by side with the truth."""

    true_department: list[str]
    predicted_department: list[str]
    true_label: list[str]
    predicted_label: list[str]
    confidence: npt.NDArray[np.float64]
    explicit: npt.NDArray[np.bool_]
    """Decided by an explicit rule: routed automatically whatever the threshold."""
    triage: str | None = None
    """The whole router's triage desk: below the threshold a prediction becomes this one."""

    @property
    def correct(self) -> npt.NDArray[np.bool_]:
        """Whether each best guess (routed automatically or not) names the right department."""
        same = [
            t == p for t, p in zip(self.true_department, self.predicted_department, strict=True)
        ]
        return np.array(same, np.bool_)

    def predicted_at(self, threshold: float) -> list[str]:
        """The departments routed to at `threshold` (the triage desk below it)."""
        if self.triage is None:
            return self.predicted_department
        sure = self.explicit | (self.confidence >= threshold)
        return [
            p if ok else self.triage for p, ok in zip(self.predicted_department, sure, strict=True)
        ]


@dataclass(frozen=True)
class Evaluation:
    """Accuracy, macro-F1, per-department precision and recall, the confusion matrix, and the
    precision and coverage of automatic routing."""

    n: int
    accuracy: float
    macro_f1: float
    departments: list[str]
    per_department: dict[str, dict[str, float]]
    confusion: list[list[int]]
    threshold: float
    auto: Operating
    suggested_threshold: float | None
    """The lowest threshold that is 95% precise on these examples."""
    curve: list[Operating]
    label_accuracy: float | None = None
    label_macro_f1: float | None = None
    threshold_source: str | None = None
    """Why `threshold` is in force (a ThresholdSource value), when a router or model chose it."""
    model_suggested: Operating | None = None
    """Automatic routing at the model's own suggested threshold (from its training)."""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """One JSON object with every figure."""
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "label_accuracy": _round(self.label_accuracy),
            "label_macro_f1": _round(self.label_macro_f1),
            "threshold": round(self.threshold, 4),
            "auto_precision": round(self.auto.precision, 4),
            "auto_coverage": round(self.auto.coverage, 4),
            "suggested_threshold": _round(self.suggested_threshold),
            "threshold_source": self.threshold_source,
            "model_suggested_threshold": _round(
                self.model_suggested.threshold if self.model_suggested else None
            ),
            "model_suggested_precision": _round(
                self.model_suggested.precision if self.model_suggested else None
            ),
            "model_suggested_coverage": _round(
                self.model_suggested.coverage if self.model_suggested else None
            ),
            "per_department": self.per_department,
            "confusion": {"labels": self.departments, "matrix": self.confusion},
            "curve": [
                {
                    "threshold": o.threshold,
                    "precision": round(o.precision, 4),
                    "coverage": round(o.coverage, 4),
                }
                for o in self.curve
            ],
            **self.extra,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


Steps = Callable[[int, int], None]
"""progress(done, total): called now and then over a long loop."""


def _every(progress: Steps | None, total: int) -> Callable[[int], None]:
    """Call `progress` at the start, about every 1% and at the end of `total` items."""
    if progress is None:
        return lambda done: None
    step = max(1, total // 100)
    report = progress

    def tick(done: int) -> None:
        if done % step == 0 or done == total:
            report(done, total)

    return tick


def model_outcomes(
    model: RouterModel, examples: Sequence[Example], progress: Steps | None = None
) -> Outcomes:
    """The model alone (the statistical layer) on `examples`."""
    depts, labels, conf = [], [], []
    tick = _every(progress, len(examples))
    tick(0)
    for done, example in enumerate(examples, 1):
        prediction = model.predict(example.text)
        depts.append(prediction.department if prediction else "")
        labels.append(prediction.label if prediction else "")
        conf.append(prediction.confidence if prediction else 0.0)
        tick(done)
    return _outcomes(examples, depts, labels, conf, [False] * len(examples))


def router_outcomes(
    router: Router, examples: Sequence[Example], progress: Steps | None = None
) -> Outcomes:
    """The whole router (rules, model, triage) on `examples`, its best guess kept for every
    message so that `evaluate` can apply any threshold (below it: the triage desk)."""
    guessing = replace(router, threshold=0.0)
    tick = _every(progress, len(examples))
    tick(0)
    routings = []
    for done, example in enumerate(examples, 1):
        routings.append(guessing.classify_text(example.text))
        tick(done)
    outcomes = _outcomes(
        examples,
        [r.department for r in routings],
        [r.department for r in routings],
        [r.confidence for r in routings],
        [r.layer.value in {"account", "hashtag", "keyword"} for r in routings],
    )
    return replace(outcomes, triage=router.rules.triage)


def cross_validate(
    examples: Sequence[Example],
    folds: int = 5,
    options: TrainingOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcomes:
    """Out-of-fold outcomes: each example predicted by a model trained without it."""
    options = options or TrainingOptions()
    parts: list[tuple[npt.NDArray[np.int64], Outcomes]] = []
    for number, (train_idx, test_idx) in enumerate(split(examples, folds, options.seed), 1):
        model = train([examples[i] for i in train_idx], options)
        parts.append((test_idx, model_outcomes(model, [examples[i] for i in test_idx])))
        if progress:
            progress(number)
    order = np.argsort(np.concatenate([idx for idx, _ in parts]))

    def joined(name: str) -> list[str]:
        flat = [x for _, o in parts for x in getattr(o, name)]
        return [flat[i] for i in order]

    return Outcomes(
        true_department=joined("true_department"),
        predicted_department=joined("predicted_department"),
        true_label=joined("true_label"),
        predicted_label=joined("predicted_label"),
        confidence=np.concatenate([o.confidence for _, o in parts])[order],
        explicit=np.concatenate([o.explicit for _, o in parts])[order],
    )


def _outcomes(
    examples: Sequence[Example],
    depts: list[str],
    labels: list[str],
    conf: list[float],
    explicit: list[bool],
) -> Outcomes:
    return Outcomes(
        [e.department for e in examples],
        depts,
        [e.label for e in examples],
        labels,
        np.array(conf, np.float64),
        np.array(explicit, np.bool_),
    )


def evaluate(
    outcomes: Outcomes,
    threshold: float | None,
    *,
    labels: bool = False,
    source: str | None = None,
    model_suggested: float | None = None,
) -> Evaluation:
    """The figures of `outcomes`, automatic routing at `threshold` (None: the lowest threshold
    that is 95% precise), in force because of `source`, and at the model's `model_suggested`."""
    correct = outcomes.correct
    conf = np.where(outcomes.explicit, 1.0, outcomes.confidence)
    suggested = threshold_for_precision(conf, correct, 0.95)
    chosen = threshold if threshold is not None else (suggested if suggested is not None else 1.0)
    truth, pred = outcomes.true_department, outcomes.predicted_at(chosen)
    departments = sorted(set(truth) | (set(pred) - {""}))
    p, r, f, s = precision_recall_fscore_support(truth, pred, labels=departments, zero_division=0)
    return Evaluation(
        n=len(truth),
        accuracy=float(accuracy_score(truth, pred)),
        macro_f1=float(
            f1_score(truth, pred, labels=sorted(set(truth)), average="macro", zero_division=0)
        ),
        departments=departments,
        per_department={
            d: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, d in enumerate(departments)
        },
        confusion=confusion_matrix(truth, pred, labels=departments).tolist(),
        threshold=chosen,
        auto=at_threshold(conf, correct, chosen),
        suggested_threshold=suggested,
        curve=curve(conf, correct, CURVE_THRESHOLDS),
        label_accuracy=float(accuracy_score(outcomes.true_label, outcomes.predicted_label))
        if labels
        else None,
        label_macro_f1=float(
            f1_score(
                outcomes.true_label,
                outcomes.predicted_label,
                labels=sorted(set(outcomes.true_label)),
                average="macro",
                zero_division=0,
            )
        )
        if labels
        else None,
        threshold_source=source,
        model_suggested=None
        if model_suggested is None
        else at_threshold(conf, correct, model_suggested),
    )
