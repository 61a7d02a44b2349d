"""JWT expiry reading and refresh timing, as pure functions."""

from __future__ import annotations

import pytest
from masivo_client._auth import jwt_expiry, refresh_time
from runtime_helpers import NOW, b64, jwt


def test_jwt_expiry_reads_exp() -> None:
    assert jwt_expiry(jwt(NOW + 3600)) == NOW + 3600
    assert jwt_expiry(jwt(1.5)) == 1.5


@pytest.mark.parametrize(
    "token",
    [
        "opaque-token",
        "a.b",
        "a.b.c.d",
        f"{b64({})}.!!!notbase64!!!.sig",
        f"{b64({})}.{b64({'sub': 'x'})}.sig",  # no exp
        f"{b64({})}.{b64({'exp': 'tomorrow'})}.sig",
        f"{b64({})}.{b64({'exp': True})}.sig",
        f"{b64({})}.{b64({'exp': None})}.sig",
        f"{b64({})}.WzEsMl0.sig",  # a JSON list, not an object
        "",
    ],
)
def test_jwt_expiry_is_none_for_anything_else(token: str) -> None:
    assert jwt_expiry(token) is None


def test_refresh_time_is_leeway_before_exp() -> None:
    assert refresh_time(jwt(NOW + 3600), now=NOW, leeway=300) == NOW + 3300


def test_refresh_time_without_exp_assumes_one_hour() -> None:
    assert refresh_time("opaque", now=NOW, leeway=300) == NOW + 3300


def test_refresh_time_of_a_short_lived_token_is_halfway() -> None:
    # a 100 s token with a 300 s leeway is still used for 50 s
    assert refresh_time(jwt(NOW + 100), now=NOW, leeway=300) == NOW + 50


def test_refresh_time_of_a_token_already_expired_on_our_clock_assumes_one_hour() -> None:
    # our clock is ahead of the server's: do not fetch a new token for every request
    assert refresh_time(jwt(NOW - 10), now=NOW, leeway=300) == NOW + 3300


def test_refresh_time_uses_the_lifetime_when_iat_is_known() -> None:
    # the server's clock is two hours behind ours: exp - iat is still one hour
    server_now = NOW - 7200
    token = jwt(server_now + 3600, iat=server_now)
    assert refresh_time(token, now=NOW, leeway=300) == NOW + 3300
    # and two hours ahead
    server_now = NOW + 7200
    token = jwt(server_now + 3600, iat=server_now)
    assert refresh_time(token, now=NOW, leeway=300) == NOW + 3300


def test_refresh_time_ignores_an_iat_after_exp() -> None:
    assert refresh_time(jwt(NOW + 600, iat=NOW + 900), now=NOW, leeway=300) == NOW + 300
