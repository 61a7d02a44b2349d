"""The wait computation and the Retry-After parser, as pure functions."""

from __future__ import annotations

import email.utils

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from masivo_client._constants import MAX_RETRY_AFTER
from masivo_client._retry import (
    backoff_delay,
    is_retryable_status,
    parse_retry_after,
    retry_delay,
)

NOW = 1_700_000_000.0


def headers(**values: str) -> httpx.Headers:
    return httpx.Headers({k.replace("_", "-"): v for k, v in values.items()})


@pytest.mark.parametrize(
    ("hdrs", "expected"),
    [
        ({}, None),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250.5"}, 0.2505),
        ({"retry-after-ms": " 20 "}, 0.02),
        ({"Retry-After-Ms": "1000"}, 1.0),  # names are case-insensitive
        ({"retry-after": "3"}, 3.0),
        ({"Retry-After": "2.5"}, 2.5),
        ({"retry-after": "0"}, 0.0),
        ({"retry-after": "120"}, 120.0),  # the parser reports it; the cap is applied later
        ({"retry-after": "-1"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "1e400"}, None),
        # retry-after-ms wins over Retry-After
        ({"retry-after-ms": "500", "retry-after": "9"}, 0.5),
        # a bad retry-after-ms falls back to Retry-After
        ({"retry-after-ms": "abc", "retry-after": "4"}, 4.0),
        ({"retry-after-ms": "-5", "retry-after": "4"}, 4.0),
        # HTTP dates, relative to NOW
        ({"retry-after": email.utils.formatdate(NOW + 7, usegmt=True)}, 7.0),
        ({"retry-after": email.utils.formatdate(NOW + 30)}, 30.0),  # "-0000" zone
        ({"retry-after": email.utils.formatdate(NOW - 100, usegmt=True)}, 0.0),  # past
        ({"retry-after": "Wed, 99 Foo 2015 07:28:00 GMT"}, None),
        ({"retry-after": "Wed, 21 Oct 2015"}, None),
    ],
)
def test_parse_retry_after(hdrs: dict[str, str], expected: float | None) -> None:
    result = parse_retry_after(httpx.Headers(hdrs), now=NOW)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@given(st.text(), st.text())
def test_parse_retry_after_never_raises_and_is_never_negative(ms: str, ra: str) -> None:
    try:
        hdrs = httpx.Headers({"retry-after-ms": ms, "retry-after": ra})
    except (UnicodeEncodeError, ValueError):
        return  # not a header value httpx would accept
    result = parse_retry_after(hdrs, now=NOW)
    assert result is None or result >= 0


@pytest.mark.parametrize(
    ("retries_taken", "base"),
    [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (60, 8.0), (10_000, 8.0)],
)
def test_backoff_doubles_up_to_the_cap_and_jitter_scales_to_75_100_percent(
    retries_taken: int, base: float
) -> None:
    assert backoff_delay(retries_taken, 0.0) == base
    assert backoff_delay(retries_taken, 0.5) == pytest.approx(base * 0.875)
    assert backoff_delay(retries_taken, 0.999999) == pytest.approx(base * 0.75, rel=1e-5)


@given(
    st.integers(min_value=0, max_value=10**6), st.floats(min_value=0, max_value=1, exclude_max=True)
)
def test_backoff_stays_within_bounds(retries_taken: int, rand: float) -> None:
    wait = backoff_delay(retries_taken, rand)
    assert 0.375 <= wait <= 8.0


def test_retry_delay_uses_a_server_wait_within_the_cap() -> None:
    assert retry_delay(0, 3.0, 0.0) == 3.0
    assert retry_delay(5, 0.25, 0.0) == 0.25
    assert retry_delay(0, MAX_RETRY_AFTER, 0.0) == MAX_RETRY_AFTER


def test_retry_delay_gives_up_on_a_server_wait_above_the_cap() -> None:
    assert retry_delay(0, MAX_RETRY_AFTER + 0.001, 0.0) is None
    assert retry_delay(0, 3600.0, 0.0) is None


def test_retry_delay_falls_back_to_backoff() -> None:
    assert retry_delay(0, None, 0.0) == 0.5
    assert retry_delay(2, None, 0.0) == 2.0
    assert retry_delay(1, 0.0, 0.0) == 1.0  # "0" means no guidance


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [200, 201, 301, 400, 401, 403, 404, 405, 410, 418, 422])
def test_final_statuses(status: int) -> None:
    assert not is_retryable_status(status)
