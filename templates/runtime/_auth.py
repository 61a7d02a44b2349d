"""The bearer token cache: one token per set of credentials, refreshed before it expires.

A client given an API key exchanges it for a token (a JWT) the first time a request
needs one, keeps it, and fetches a new one ``refresh_leeway`` seconds before the
token's ``exp`` claim, or after one hour when the token has no readable ``exp``. Copies
made with ``with_options`` share the cache while their credentials are unchanged.
Concurrent requests that find the token missing or stale wait for one fetch instead
of each starting their own: a ``threading.Lock`` for the sync client, an
``asyncio.Lock`` for the async one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import math
import threading
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from ._constants import DEFAULT_TOKEN_LIFETIME

__all__ = [
    "AsyncTokenCache",
    "Fetched",
    "SyncTokenCache",
    "jwt_expiry",
    "refresh_time",
]

Fetched: TypeAlias = str | tuple[str, float | None]
"""What a fetch returns: the token, or the token and its lifetime in seconds (an
OAuth 2 ``expires_in``), which then wins over the JWT's own claims."""


def _jwt_claims(token: str) -> dict[str, object] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _number_claim(claims: dict[str, object], name: str) -> float | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (seconds since the epoch), or ``None``.

    The signature is not checked: the API does that; we only need to know when to
    fetch a new token. Anything that is not a JWT with a numeric ``exp`` gives ``None``.
    """
    claims = _jwt_claims(token)
    return None if claims is None else _number_claim(claims, "exp")


def refresh_time(
    token: str, *, now: float, leeway: float, lifetime: float | None = None
) -> float:
    """When a token fetched at ``now`` (our clock) should be replaced.

    The token's expiry on our clock is ``now + (exp - iat)`` when it has both claims,
    so a server clock that differs from ours does not matter; ``exp`` itself when it
    has no ``iat``; one hour from ``now`` when it has no ``exp``, or an ``exp`` that
    is already past on our clock (a clock skew: the server just issued it, and a 401
    fetches a new one anyway). The token is replaced ``leeway`` seconds before that
    expiry, but never less than halfway through its remaining life, so a token
    shorter-lived than the leeway is still used for a while.
    """
    claims = _jwt_claims(token) or {}
    exp = _number_claim(claims, "exp")
    iat = _number_claim(claims, "iat")
    if lifetime is not None and math.isfinite(lifetime) and lifetime > 0:
        expires = now + lifetime
    elif exp is not None and iat is not None and exp > iat:
        expires = now + (exp - iat)
    elif exp is not None and exp > now:
        expires = exp
    else:
        expires = now + DEFAULT_TOKEN_LIFETIME
    return expires - min(leeway, (expires - now) / 2)


class _TokenCache:
    def __init__(self) -> None:
        self._token: str | None = None
        self._refresh_at = -math.inf

    def seed(self, token: str, refresh_at: float) -> None:
        """Start with ``token`` (given by the user), used until ``refresh_at``."""
        self._token = token
        self._refresh_at = refresh_at

    def peek(self) -> str | None:
        return self._token

    def _usable(self, now: float, stale: str | None) -> str | None:
        token = self._token
        if token is None or token == stale or now >= self._refresh_at:
            return None
        return token

    def _store(self, fetched: Fetched, now: float, leeway: float) -> str:
        token, lifetime = fetched if isinstance(fetched, tuple) else (fetched, None)
        self._token = token
        self._refresh_at = refresh_time(
            token, now=now, leeway=leeway, lifetime=lifetime
        )
        return token


class SyncTokenCache(_TokenCache):
    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def get(
        self,
        clock: Callable[[], float],
        fetch: Callable[[], Fetched],
        *,
        leeway: float,
        stale: str | None = None,
    ) -> str:
        """The cached token, or a new one from ``fetch`` when missing, expiring or equal
        to ``stale`` (the token a request was just refused with)."""
        token = self._usable(clock(), stale)
        if token is not None:
            return token
        with self._lock:
            token = self._usable(clock(), stale)
            if token is not None:  # another thread fetched it meanwhile
                return token
            return self._store(fetch(), clock(), leeway)


class AsyncTokenCache(_TokenCache):
    def __init__(self) -> None:
        super().__init__()
        self._lock = asyncio.Lock()

    async def get(
        self,
        clock: Callable[[], float],
        fetch: Callable[[], Awaitable[Fetched]],
        *,
        leeway: float,
        stale: str | None = None,
    ) -> str:
        """As ``SyncTokenCache.get``; concurrent tasks share one fetch."""
        token = self._usable(clock(), stale)
        if token is not None:
            return token
        async with self._lock:
            token = self._usable(clock(), stale)
            if token is not None:  # another task fetched it meanwhile
                return token
            return self._store(await fetch(), clock(), leeway)
