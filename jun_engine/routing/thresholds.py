"""Choosing the auto-routing threshold: the precision and coverage of routing above a confidence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Operating:
    """What automatic routing does at one threshold."""

    threshold: float
    precision: float
    """Of the messages routed automatically, the share routed right."""
    coverage: float
    """The share of messages routed automatically (the rest go to triage)."""


def at_threshold(
    confidence: npt.NDArray[np.float64], correct: npt.NDArray[np.bool_], threshold: float
) -> Operating:
    """Precision and coverage of routing every message with `confidence >= threshold`."""
    routed = confidence >= threshold
    precision = float(correct[routed].mean()) if routed.any() else 1.0
    return Operating(threshold, precision, float(routed.mean()) if routed.size else 0.0)


def threshold_for_precision(
    confidence: npt.NDArray[np.float64], correct: npt.NDArray[np.bool_], precision: float = 0.95
) -> float | None:
    """The lowest threshold whose automatic routing is at least `precision` right (None if no
    threshold is)."""
    if confidence.size == 0:
        return None
    order = np.argsort(-confidence, kind="stable")
    running = np.cumsum(correct[order]) / np.arange(1, order.size + 1)
    ok = np.nonzero(running >= precision)[0]
    if ok.size == 0:
        return None
    return float(confidence[order][ok[-1]])


def curve(
    confidence: npt.NDArray[np.float64],
    correct: npt.NDArray[np.bool_],
    thresholds: tuple[float, ...],
) -> list[Operating]:
    """Precision and coverage at each of `thresholds`."""
    return [at_threshold(confidence, correct, t) for t in thresholds]
