"""Every operation of the real-world documents, called through its generated client
against Prism mocking that document, request validation on (`make wire`).

For each document of ../shared/specs under 1 MB: generate the client into a temporary
folder, start Prism on the document (one Prism per document, on a free loopback port),
and call every operation through `client.with_raw_response.<resource>.<method>(...)`
with arguments from the document's own examples and schemas (`wire_arguments`). A call
is proven when Prism answers 2xx with no request violation in `sl-violations` and the
answer parses into the method's return type. A call may be skipped only with a reason
(`SKIPS`); every document prints its counts, and the test fails on any failed call.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from prism_server import missing_prism, start_prism, stop_prism, violations
from wire_arguments import Sampler, example_of

from generator import api as api_model
from generator.config import Config
from generator.errors import GeneratorError
from generator.loader import load_spec, resolve_pointer
from generator.naming import pascal, snake
from generator.parse import parse
from generator.pipeline import build_files

pytestmark = pytest.mark.prism

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("CLIENTGEN_CORPUS", ROOT.parent / "shared" / "specs"))
SIZE_LIMIT = 1_000_000
DOCUMENTS = sorted(
    p for p in CORPUS.glob("*") if p.suffix in (".json", ".yaml", ".yml")
    and p.stat().st_size < SIZE_LIMIT
) if CORPUS.is_dir() else []
# Our fixture specs for every security scheme and body type, judged the same way.
DOCUMENTS += [ROOT / "tests" / "fixtures" / name / "openapi.yaml" for name in ("security",
                                                                            "bodies")]


def _name(document: Path) -> str:
    """`asana` for a corpus document, `fixture_security` for a fixture spec."""
    return f"fixture_{document.parent.name}" if document.stem == "openapi" else document.stem

# (document stem, operationId) -> why the call is not made. Keep it empty where possible.
SKIPS: dict[tuple[str, str], str] = {
    ("docker_engine", "Session"): "answers 101 Switching Protocols and hijacks the "
    "connection for a stream of its own; no request/response client can take that answer",
    ("docker_engine", "ImageBuild"): "the document contradicts itself: the body is "
    "application/octet-stream, while a Content-type header parameter (which OpenAPI says "
    "to ignore) allows only application/x-tar; Prism refuses either",
    ("docker_engine", "NetworkConnect"): "a JSON object body declared as "
    "application/octet-stream: the client sends JSON, which Prism reads as JSON only under "
    "a JSON media type",
    ("fixture_bodies", "matrixStyle"): "Prism 5.14 crashes deserialising a matrix-style "
    "path parameter (TypeError in validator/deserializers/style/matrix.js), which stops "
    "the mock; the unit tests check the style against the specification's table",
    **{("twilio_messaging_v1", op): "Prism reads a repeated key of a url-encoded body as "
       "one value, not an array (stoplightio/prism#2473); the client sends arrays as "
       "OpenAPI's default form/explode says, one key per item"
       for op in ("CreateTollfreeVerification", "CreateUsAppToPerson", "UpdateUsAppToPerson")},
}

# Answers the generated client cannot take yet, by cause. Each entry is checked both
# ways: a listed call that now succeeds fails the test (remove it), and only an answer
# may be the problem: a listed call whose request Prism refuses fails the test too.
CAUSES = {
    "model": "the generated model refuses an answer that Prism validated against the "
    "document's own schema (a models issue: e.g. `items` without `type: array` read as an "
    "array, a `nullable` field refused as null)",
    "discriminator": "the answers carry a discriminator (`__type`) value outside the "
    "mapping, which Prism accepts (it ignores `discriminator`) and the model refuses",
    "no-valid-answer": "Prism has no valid answer to give: the document's example "
    "contradicts its own schema, and the answer generated instead fails too "
    "(json-schema-faker)",
}
KNOWN: dict[tuple[str, str], str] = {
    **{("airflow", op): "discriminator" for op in (
        "get_dag", "get_dag_details", "get_dags", "get_task", "get_tasks", "patch_dag",
        "patch_dags")},
    ("apideck_accounting", "companyInfoOne"): "model",
    ("apideck_accounting", "profitAndLossOne"): "no-valid-answer",
    ("spotify", "get-categories"): "model",
    **{("slack", op): "model" for op in (
        "conversations_create", "conversations_history", "conversations_info",
        "conversations_invite", "conversations_join", "conversations_list",
        "conversations_open", "conversations_rename", "conversations_replies",
        "conversations_setPurpose", "conversations_setTopic", "reactions_list", "stars_list",
        "users_conversations", "users_info", "users_list", "users_lookupByEmail",
        "users_profile_get")},
    ("slack", "chat_scheduleMessage"): "no-valid-answer",
    ("slack", "chat_scheduledMessages_list"): "no-valid-answer",
}
# Documents that do not generate yet, and why; one that does now fails the test (remove it).
NOT_GENERATING = {
    "vercel": "its models import typing_extensions (the models issue of the corpus work)",
}
_REQUEST_SIDE = ("422", "400", "401", "nothing sent", "request violations", "APIConnection",
                 "APITimeout")

REPORT = os.environ.get("CLIENTGEN_WIRE_REPORT")  # a JSON lines file for the README figure

# Prism answers with the document's example; when that example contradicts the
# document's own schema (Prism then reports its own answer as invalid), the call is made
# again asking for an answer generated from the schema instead.
DYNAMIC = {"Prefer": "dynamic=true"}
# (arguments from examples first, else from schemas alone) x (example answer, generated).
CANDIDATES: tuple[tuple[bool, dict[str, str] | None], ...] = (
    (True, None), (True, DYNAMIC), (False, None), (False, DYNAMIC))


@dataclass
class Tally:
    document: str
    operations: int = 0
    proven: int = 0
    skipped: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.document}: {self.operations} operations, {self.proven} proven on "
                f"the wire, {len(self.skipped)} skipped, {len(self.known)} known answer "
                f"problems, {len(self.failed)} failed")


def _generate(document: Path, out: Path) -> tuple[ModuleType, api_model.Api, dict[str, Any]]:
    stem = snake(_name(document), "doc")
    package = f"wire_{stem}_client"
    config = Config(spec=document, output=out, package=package,
                    client_name=pascal(_name(document)), env_prefix=f"WIRE_{stem.upper()}",
                    templates=None)
    files, _spec_files, _warnings = build_files(config)
    for path, content in files.items():
        target = out / package / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    spec = load_spec(document, meta_schema=False)
    model = parse(spec, config.options()).api
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(package)
    finally:
        sys.path.remove(str(out))
    return module, model, spec.data


class _Resolver:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def __call__(self, value: Any) -> Any:
        seen = 0
        while isinstance(value, dict) and isinstance(value.get("$ref"), str) and seen < 50:
            ref = value["$ref"]
            if not ref.startswith("#"):
                return {}
            value = resolve_pointer(self.document, ref[1:])
            seen += 1
        return value


def _credentials(model: api_model.Api) -> dict[str, str]:
    """A value for every credential but the OAuth client id and secret: with a token
    given, the client does not try the token endpoint, which a mock cannot serve."""
    flows = {name for s in model.schemes if s.client_credentials is not None
             for name in (s.client_credentials.client_id, s.client_credentials.client_secret)}
    return {c.name: f"wire-{c.name}-value" for c in model.credentials if c.name not in flows}


def _arguments(op: api_model.Operation, raw_op: dict[str, Any], shared: list[Any],
               resolve: _Resolver, use_examples: bool) -> tuple[list[Any], dict[str, Any]]:
    sampler = Sampler(resolve, use_examples=use_examples)
    raw_params: dict[tuple[str, str], Any] = {}
    for raw in [*shared, *(raw_op.get("parameters") or [])]:
        param = resolve(raw)
        if isinstance(param, dict):
            raw_params[(str(param.get("in")), str(param.get("name")))] = param
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for p in op.parameters:
        raw = raw_params.get((p.location, p.wire_name), {})
        if not p.required and not use_examples:
            continue
        found, value = example_of(raw, resolve) if use_examples else (False, None)
        if not found:
            schema = raw.get("schema")
            if schema is None and isinstance(raw.get("content"), dict) and raw["content"]:
                schema = next(iter(raw["content"].values())).get("schema")
            value = sampler.value(schema or {})
        if value is None and not p.required:
            continue
        if p.location == "path":
            positional.append(value)
        else:
            keywords[p.name] = value
    if op.body is not None:
        keywords.update(_body_arguments(op.body, raw_op, resolve, sampler, use_examples))
    return positional, keywords


def _body_arguments(body: api_model.RequestBody, raw_op: dict[str, Any], resolve: _Resolver,
                    sampler: Sampler, use_examples: bool) -> dict[str, Any]:
    raw_body = resolve(raw_op.get("requestBody")) or {}
    media = resolve((raw_body.get("content") or {}).get(body.content_type)) or {}
    if body.kind == "binary":
        schema = resolve(media.get("schema")) or {}
        if isinstance(schema, dict) and (schema.get("format") == "byte" or "pattern" in schema):
            return {"body": str(sampler.value(schema)).encode()}  # text the schema admits
        return {"body": b"wire-test-bytes"}
    if body.kind == "text":
        found, value = example_of(media, resolve) if use_examples else (False, None)
        return {"body": value if found and isinstance(value, str) else "wire test"}
    found, value = example_of(media, resolve) if use_examples else (False, None)
    if not found:
        value = sampler.value(media.get("schema") or {})
    if not body.fields:
        if not body.required and value in (None, {}):
            return {}
        return {"body": value}
    if not isinstance(value, dict):
        value = {}
    out: dict[str, Any] = {}
    for f in body.fields:
        if f.wire_name in value:
            item = value[f.wire_name]
        elif f.required:
            schema = resolve(media.get("schema") or {})
            props = schema.get("properties", {}) if isinstance(schema, dict) else {}
            item = sampler.value(props.get(f.wire_name, {}))
        else:
            continue
        if "FileInput" in f.type_hint:
            item = [b"wire-file"] if f.type_hint.startswith("Sequence") else b"wire-file"
        out[f.name] = item
    return out


def _call(client: Any, resource: api_model.Resource, op: api_model.Operation,
          args: list[Any], kwargs: dict[str, Any]) -> str | None:
    """None when the call is proven; else why not."""
    module = sys.modules[type(client).__module__.rsplit(".", 1)[0]]
    method = getattr(getattr(client.with_raw_response, resource.attribute), op.name)
    try:
        raw = method(*args, **kwargs)
    except module.APIStatusError as exc:
        reasons = violations(exc.response) or _validation(exc.response)
        return f"{exc.response.status_code}: {'; '.join(reasons)[:600]}"
    except module.APIError as exc:
        return f"{type(exc).__name__}: {str(exc)[:600]}"
    except (module.RequestValidationError, module.ConfigurationError) as exc:
        return f"{type(exc).__name__} (nothing sent): {str(exc)[:600]}"
    request_errors = [v for v in _violation_items(raw.http_response)
                      if v.get("severity") == "Error"
                      and str((v.get("location") or [""])[0]) == "request"]
    if request_errors:
        return f"{raw.status_code} with request violations: {request_errors}"[:600]
    try:
        raw.parse()
    except module.APIError as exc:
        return f"the answer does not parse: {str(exc)[:600]}"
    return None


def _validation(response: Any) -> list[str]:
    """Prism's reasons in an error body of its own (no `sl-violations` header)."""
    try:
        body = response.json()
    except ValueError:
        return [response.text[:300]]
    items = body.get("validation") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return [response.text[:300]]
    return [f"{'.'.join(map(str, i.get('location', [])))}: {i.get('message')}"
            for i in items if isinstance(i, dict)]


def _violation_items(response: Any) -> list[dict[str, Any]]:
    header = response.headers.get("sl-violations")
    if not header:
        return []
    try:
        items = json.loads(header)
    except ValueError:
        return [{"severity": "Error", "location": ["request"], "message": header}]
    return [i for i in items if isinstance(i, dict)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=_name)
def test_every_operation_on_the_wire(document: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    problem = missing_prism()
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    tally = Tally(_name(document))
    try:
        module, model, raw_document = _generate(document, tmp_path / "out")
    except GeneratorError as exc:
        reason = NOT_GENERATING.get(_name(document))
        if reason is None:
            pytest.fail(f"{document.name} does not generate: {exc}", pytrace=False)
        with capsys.disabled():
            print(f"\n{_name(document)}: not generated, so no call made: {reason} ({exc})")
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as sink:
                sink.write(json.dumps({"document": _name(document), "generates": False}) + "\n")
        return
    if _name(document) in NOT_GENERATING:
        pytest.fail(f"{document.name} generates now: remove it from NOT_GENERATING",
                    pytrace=False)
    resolve = _Resolver(raw_document)
    log = tmp_path / "prism.log"
    started = time.monotonic()
    # `--errors` turns any violation, of the request or of Prism's own answer, into an
    # error; the seed makes the answers generated on request (`DYNAMIC`) the same on
    # every run.
    process, base_url = start_prism(log, spec=document, timeout=240,
                                    options=("--seed", "wire"))
    startup = time.monotonic() - started
    try:
        client_cls = getattr(module, pascal(_name(document)))
        # Strict: an answer the models refuse must fail here, not be returned as read.
        client = client_cls(base_url=base_url, max_retries=0, timeout=60,
                            strict_response_validation=True, **_credentials(model))
        for resource in model.resources:
            for op in resource.operations:
                tally.operations += 1
                reason = SKIPS.get((_name(document), op.operation_id))
                if reason is not None:
                    tally.skipped.append(f"{op.operation_id}: {reason}")
                    continue
                item = resolve((raw_document.get("paths") or {}).get(op.path)) or {}
                raw_op = item.get(op.method.lower()) or {}
                shared = item.get("parameters") or []
                outcomes: list[str] = []
                for use_examples, prefer in CANDIDATES:
                    args, kwargs = _arguments(op, raw_op, shared, resolve, use_examples)
                    if prefer:
                        kwargs["extra_headers"] = prefer
                    outcome = _call(client, resource, op, args, kwargs)
                    if outcome is None:
                        break
                    if outcome not in outcomes:
                        outcomes.append(outcome)
                label = f"{op.method} {op.path} ({op.operation_id})"
                cause = KNOWN.get((_name(document), op.operation_id))
                if outcome is None and cause is None:
                    tally.proven += 1
                elif outcome is None:
                    tally.failed.append(f"{label}: now proven; remove it from KNOWN")
                elif cause is not None and not any(
                        marker in o for o in outcomes for marker in _REQUEST_SIDE):
                    tally.known.append(f"{op.operation_id}: {cause}")
                else:
                    tally.failed.append(f"{label}: " + "\n    then: ".join(outcomes))
        client.close()
    finally:
        stop_prism(process)
    with capsys.disabled():
        print(f"\n{tally.line()} (Prism started in {startup:.1f} s)")
        for line in tally.skipped:
            print(f"  skipped {line}")
        for line in tally.known:
            print(f"  known answer problem {line}")
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as sink:
            sink.write(json.dumps({"document": tally.document, "operations": tally.operations,
                                   "proven": tally.proven, "skipped": len(tally.skipped),
                                   "known": len(tally.known),
                                   "failed": len(tally.failed)}) + "\n")
    assert not tally.failed, f"{tally.line()}:\n" + "\n".join(tally.failed[:80]) + (
        f"\n... and {len(tally.failed) - 80} more" if len(tally.failed) > 80 else ""
        ) + f"\nPrism's log: {log}"
