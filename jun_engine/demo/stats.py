"""Percentiles of latencies, as the summary reports them (linear between the two nearest ranks)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` (0..1) percentile of `values`, interpolated; None when there are none.

    Same convention as numpy's default: rank `share * (n - 1)` in the sorted values, linear
    between its two neighbours, so p50 of [1, 2, 3, 4] is 2.5 and p100 is the maximum.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"a percentile's share is between 0 and 1, not {share}")
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    weight = rank - low
    return ordered[low] + (ordered[high] - ordered[low]) * weight


def rounded(value: float | None, digits: int = 1) -> float | None:
    """`value` rounded for the summary, None kept."""
    return None if value is None else round(value, digits)
