"""Percentiles as the summary reports latencies: linear between the two nearest ranks."""

from __future__ import annotations

import pytest

from jun_engine.demo.stats import percentile, rounded


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([7.0], 0.5, 7.0),
        ([7.0], 0.95, 7.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 0.5, 2.5),  # order of arrival does not matter
        ([1.0, 2.0, 3.0, 4.0], 0.0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 1.0, 4.0),
        ([float(n) for n in range(1, 101)], 0.95, 95.05),
        ([10.0, 20.0], 0.95, 19.5),
    ],
)
def test_a_percentile_interpolates_between_the_nearest_ranks(
    values: list[float], share: float, expected: float
) -> None:
    assert percentile(values, share) == pytest.approx(expected)


def test_no_values_have_no_percentile() -> None:
    assert percentile([], 0.5) is None
    assert rounded(None) is None


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0], share)
