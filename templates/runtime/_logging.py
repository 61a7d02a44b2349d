"""Logging switched on by an environment variable, with credentials redacted.

``{ENV_PREFIX}_LOG=debug`` logs every request and response (method, URL, status,
headers with credentials replaced by ``[REDACTED]``, body sizes, never bodies);
``{ENV_PREFIX}_LOG=info`` logs retries and token refreshes only. The logger is
``logging.getLogger(<package name>)``, so an application can also configure it itself.
"""

from __future__ import annotations

import logging
import os
import threading
import urllib.parse
import weakref
from collections.abc import Iterable, Mapping

__all__ = ["REDACTED", "SENSITIVE_HEADERS", "Redactor", "configure_logging"]

REDACTED = "[REDACTED]"

SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
    }
)
"""Headers never logged, whatever the API; the client adds its own API-key headers."""

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words
_configure_lock = threading.Lock()


def configure_logging(logger: logging.Logger, env_var: str) -> None:
    """Set ``logger``'s level from ``env_var`` (``debug`` or ``info``), once per logger.

    Adds a stderr handler only when neither the logger nor the root logger has one, so
    an application's own logging configuration is left alone.
    """
    level = _LEVELS.get(os.environ.get(env_var, "").strip().lower())
    if level is None:
        return
    with _configure_lock:
        logger.setLevel(level)
        if not logger.handlers and not logging.getLogger().handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(
                logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s")
            )
            logger.addHandler(handler)


class _ScrubFilter(logging.Filter):
    """Removes clients' secrets from the records of httpx's own loggers.

    httpx logs every request URL at INFO level; with an API key sent as a query
    parameter, that URL holds the key. One filter serves every such client; it holds
    their redactors weakly, so a discarded client is forgotten.
    """

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()
        self.installed = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = message
        for redactor in list(self.redactors):
            scrubbed = redactor.scrub(scrubbed)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


_HTTPX_FILTER = _ScrubFilter()


class Redactor:
    """Knows a client's secrets and removes them from headers, URLs and text."""

    def __init__(self, sensitive_headers: Iterable[str] = ()) -> None:
        self._sensitive = SENSITIVE_HEADERS | {h.lower() for h in sensitive_headers}
        self._secrets: set[str] = set()
        self._ordered: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add_secret(self, secret: str | None) -> None:
        """Remember ``secret`` (and its URL-encoded form) so it is scrubbed from now on."""
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            self._secrets.add(secret)
            self._secrets.add(urllib.parse.quote(secret, safe=""))
            self._secrets.add(urllib.parse.quote_plus(secret))
            # longest first, so a secret containing another is replaced whole
            self._ordered = tuple(sorted(self._secrets, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """``text`` with every known secret replaced by ``[REDACTED]``."""
        for secret in self._ordered:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def protect_httpx_logs(self) -> None:
        """Scrub this redactor's secrets from the ``httpx`` logger's records too."""
        with _configure_lock:
            _HTTPX_FILTER.redactors.add(self)
            if not _HTTPX_FILTER.installed:
                logging.getLogger("httpx").addFilter(_HTTPX_FILTER)
                _HTTPX_FILTER.installed = True

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """A copy of ``headers`` fit for a log: sensitive ones and secrets redacted."""
        out: dict[str, str] = {}
        for name, value in headers.items():
            if name.lower() in self._sensitive:
                out[name] = REDACTED
            else:
                out[name] = self.scrub(value)
        return out
