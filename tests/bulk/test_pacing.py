"""The pacer on a fake clock: minimum interval, sliding cap, server holds, seeding."""

from __future__ import annotations

import itertools

import pytest
from masivo_client._bulk import BulkSpec
from masivo_client._bulk_pacing import Pacer, RateLimit
from masivo_client.resources.contacts import _MIGRATE_BULK


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(pacer: Pacer, clock: Clock, requests: int) -> list[float]:
    """Start ``requests`` requests as early as the pacer allows; their start times."""
    starts = []
    for _ in range(requests):
        clock.now += pacer.delay()
        pacer.started()
        starts.append(clock.now)
    return starts


def test_min_interval_spaces_starts_with_a_one_percent_margin() -> None:
    clock = Clock()
    starts = run(Pacer(RateLimit(min_interval=5.0), clock), clock, 4)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == pytest.approx([5.05, 5.05, 5.05])


def test_the_first_request_starts_at_once() -> None:
    clock = Clock()
    assert Pacer(RateLimit(min_interval=5.0), clock).delay() == 0.0


def test_sliding_window_caps_requests_per_window() -> None:
    clock = Clock()
    limit = RateLimit(min_interval=1.0, max_requests=3, window=10.0)
    starts = run(Pacer(limit, clock), clock, 7)
    for i in range(3, 7):  # any 3 consecutive + 1 span at least a window
        assert starts[i] - starts[i - 3] >= 10.0
    assert starts[1] - starts[0] == pytest.approx(1.01)


def test_hold_delays_the_next_start_beyond_the_interval() -> None:
    clock = Clock()
    pacer = Pacer(RateLimit(min_interval=1.0), clock)
    pacer.started()
    pacer.hold(30.0)
    assert pacer.delay() == pytest.approx(30.0)
    clock.now += 31
    assert pacer.delay() == 0.0


def test_seed_counts_requests_of_an_earlier_run() -> None:
    clock = Clock()
    pacer = Pacer(RateLimit(min_interval=5.0, max_requests=2, window=100.0), clock)
    pacer.seed([50.0, 1.0])  # two requests, 50 s and 1 s ago
    # the cap: the oldest of the last two was 50 s ago -> wait until it is 101 s old
    assert pacer.delay() == pytest.approx(51.0)


def test_early_widens_the_margin_only_for_short_retry_after() -> None:
    clock = Clock()
    pacer = Pacer(RateLimit(min_interval=5.0), clock)
    pacer.early(600.0)  # a quota wait, not a pacing slip
    assert pacer.safety == pytest.approx(1.01)
    pacer.early(0.2)
    assert pacer.safety == pytest.approx(1.03)
    for _ in range(20):
        pacer.early(0.2)
    assert pacer.safety == pytest.approx(1.2)


def test_ceiling() -> None:
    assert RateLimit(min_interval=5.0).ceiling == pytest.approx(0.2)
    assert RateLimit(min_interval=5.0, max_requests=250).ceiling == pytest.approx(250 / 3600)
    assert RateLimit().ceiling == float("inf")


@pytest.mark.parametrize(
    "kwargs",
    [{"min_interval": -1}, {"max_requests": 0}, {"max_requests": True}, {"window": 0}],
)
def test_invalid_limits_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RateLimit(**kwargs)  # type: ignore[arg-type]


def test_spec_pace_comes_from_x_rate_limit() -> None:
    spec: BulkSpec = _MIGRATE_BULK  # type: ignore[type-arg]
    assert spec.max_items == 10_000
    assert spec.rate_limit() == RateLimit(min_interval=5.0)
    assert spec.rate_limit("development") == RateLimit(5.0, 250, 3600.0)
    assert spec.rate_limit("production") == RateLimit(5.0, 1000, 3600.0)
    with pytest.raises(ValueError, match="'development', 'production'"):
        spec.rate_limit("enterprise")
