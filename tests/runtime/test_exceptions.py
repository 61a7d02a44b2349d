"""The exception tree and how an error response becomes an exception."""

from __future__ import annotations

import email.utils
import json

import httpx
import pytest
from masivo_client import _exceptions as exc
from masivo_client._exceptions import make_status_error

NOW = 1_700_000_000.0
REQUEST = httpx.Request("POST", "https://api.example/v1/contacts/migrate")


def response(
    status: int, body: object = None, *, text: str | None = None, **headers: str
) -> httpx.Response:
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    if text is not None:
        return httpx.Response(status, text=text, headers=hdrs, request=REQUEST)
    if body is None:
        return httpx.Response(status, headers=hdrs, request=REQUEST)
    return httpx.Response(status, json=body, headers=hdrs, request=REQUEST)


def error_for(resp: httpx.Response) -> exc.APIStatusError:
    return make_status_error(resp, label="POST /contacts/migrate", now=NOW)


def test_the_tree() -> None:
    for cls in (
        exc.BadRequestError,
        exc.AuthenticationError,
        exc.PermissionDeniedError,
        exc.NotFoundError,
        exc.ConflictError,
        exc.UnprocessableEntityError,
        exc.RateLimitError,
        exc.InternalServerError,
    ):
        assert issubclass(cls, exc.APIStatusError)
    assert issubclass(exc.APIStatusError, exc.APIError)
    assert issubclass(exc.APITimeoutError, exc.APIConnectionError)
    assert issubclass(exc.APIConnectionError, exc.APIError)
    assert issubclass(exc.APIResponseValidationError, exc.APIError)
    assert issubclass(exc.APIError, Exception)
    assert not issubclass(exc.APIError, ValueError)
    assert issubclass(exc.RequestValidationError, ValueError)
    assert issubclass(exc.ConfigurationError, ValueError)
    # the module docstring draws every class of the tree
    doc = exc.__doc__ or ""
    for name in exc.__all__:
        if name[0].isupper():
            assert name in doc


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, exc.BadRequestError),
        (401, exc.AuthenticationError),
        (403, exc.PermissionDeniedError),
        (404, exc.NotFoundError),
        (409, exc.ConflictError),
        (422, exc.UnprocessableEntityError),
        (429, exc.RateLimitError),
        (500, exc.InternalServerError),
        (502, exc.InternalServerError),
        (503, exc.InternalServerError),
        (402, exc.APIStatusError),
        (418, exc.APIStatusError),
        (302, exc.APIStatusError),
    ],
)
def test_status_to_class(status: int, cls: type[exc.APIStatusError]) -> None:
    err = error_for(response(status, {"error": "x"}))
    assert type(err) is cls
    assert err.status_code == status
    assert err.request is REQUEST


def test_message_from_an_error_body() -> None:
    err = error_for(response(422, {"error": "Invalid customer entry"}, x_request_id="req_42"))
    assert str(err) == "POST /contacts/migrate -> 422 Unprocessable Entity: Invalid customer entry"
    assert err.message == str(err)
    assert err.error == "Invalid customer entry"
    assert err.details is None
    assert err.body == {"error": "Invalid customer entry"}
    assert err.request_id == "req_42"
    assert err.response.status_code == 422


def test_message_with_details() -> None:
    body = {"error": "Invalid customer entry", "details": "contacts[0].email must be a valid email"}
    err = error_for(response(422, body))
    assert str(err) == (
        "POST /contacts/migrate -> 422 Unprocessable Entity: Invalid customer entry "
        "(contacts[0].email must be a valid email)"
    )
    assert err.details == "contacts[0].email must be a valid email"


@pytest.mark.parametrize(
    ("body", "error", "details", "tail"),
    [
        ({"details": "only details"}, None, "only details", ": only details"),
        ({"message": "Not found"}, "Not found", None, ": Not found"),
        ({"error": {"message": "nested"}}, "nested", None, ": nested"),
        ({"error": 42, "details": ["a", "b"]}, "42", '["a","b"]', ': 42 (["a","b"])'),
        ([1, 2], None, None, ""),
        ("just a string", None, None, ": just a string"),
        ({}, None, None, ""),
    ],
)
def test_lenient_error_fields(
    body: object, error: str | None, details: str | None, tail: str
) -> None:
    err = error_for(response(400, body))
    assert (err.error, err.details) == (error, details)
    assert str(err) == "POST /contacts/migrate -> 400 Bad Request" + tail


def test_non_json_body() -> None:
    html = "<html>\n<body>502 Bad Gateway</body>\n</html>"
    err = error_for(response(502, text=html))
    assert err.body == html
    assert err.error is None
    assert (
        str(err)
        == "POST /contacts/migrate -> 502 Bad Gateway: <html> <body>502 Bad Gateway</body> </html>"
    )
    assert "\n" not in str(err)


def test_long_body_is_cut() -> None:
    err = error_for(response(500, text="x" * 5000))
    assert len(str(err)) < 400
    assert str(err).endswith("...")


def test_empty_body() -> None:
    err = error_for(response(500))
    assert err.body is None
    assert str(err) == "POST /contacts/migrate -> 500 Internal Server Error"


def test_rate_limit_attributes() -> None:
    err = error_for(
        response(
            429,
            {"error": "Too many requests"},
            retry_after="120",
            x_ratelimit_limit="250",
            x_ratelimit_remaining="0",
            x_ratelimit_reset="3600",
        )
    )
    assert isinstance(err, exc.RateLimitError)
    assert err.retry_after == 120.0
    assert (err.rate_limit_limit, err.rate_limit_remaining, err.rate_limit_reset) == (250, 0, 3600)
    assert (
        str(err)
        == "POST /contacts/migrate -> 429 Too Many Requests: Too many requests [retry after 120 s]"
    )


def test_rate_limit_attributes_absent_or_garbage() -> None:
    err = error_for(response(429, None, x_ratelimit_limit="lots", x_ratelimit_reset="12.7"))
    assert isinstance(err, exc.RateLimitError)
    assert err.retry_after is None
    assert err.rate_limit_limit is None
    assert err.rate_limit_remaining is None
    assert err.rate_limit_reset == 12
    assert str(err) == "POST /contacts/migrate -> 429 Too Many Requests"


def test_rate_limit_http_date_and_ms() -> None:
    date = email.utils.formatdate(NOW + 45, usegmt=True)
    err = error_for(response(429, None, retry_after=date))
    assert isinstance(err, exc.RateLimitError)
    assert err.retry_after == 45.0
    err = error_for(response(429, None, retry_after_ms="1500"))
    assert isinstance(err, exc.RateLimitError)
    assert err.retry_after == 1.5


def test_scrub_and_note() -> None:
    resp = response(401, {"error": "token sk-secret-value rejected"})
    err = make_status_error(
        resp,
        label="GET /x",
        now=NOW,
        scrub=lambda t: t.replace("sk-secret-value", "[REDACTED]"),
        note=" (after refresh)",
    )
    assert str(err) == "GET /x -> 401 Unauthorized: token [REDACTED] rejected (after refresh)"


def test_request_validation_error_lines() -> None:
    one = exc.RequestValidationError([("contacts[3].email", "value is not a valid email address")])
    assert str(one) == "contacts[3].email: value is not a valid email address"
    two = exc.RequestValidationError([("a", "bad"), ("b[0]", "worse")])
    assert str(two).splitlines() == ["2 invalid values:", "  a: bad", "  b[0]: worse"]
    many = exc.RequestValidationError([(f"contacts[{i}].email", "bad") for i in range(25)])
    lines = str(many).splitlines()
    assert lines[0] == "25 invalid values:"
    assert len(lines) == 22
    assert lines[-1] == "  ... and 5 more"
    assert len(many.errors) == 25


def test_render_location() -> None:
    assert exc.render_location(("contacts", 3, "email")) == "contacts[3].email"
    assert exc.render_location(("contacts",)) == "contacts"
    assert exc.render_location((0, "a")) == "[0].a"
    assert exc.render_location(()) == ""


def test_body_parse_roundtrip() -> None:
    resp = response(400, {"error": "x"})
    assert exc.parse_body(resp) == json.loads(resp.content)
