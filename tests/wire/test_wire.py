"""Every operation of the real-world documents, called through its generated client
against Prism mocking that document, request validation on (`make wire`).

For each document of ../shared/specs: generate the client into a temporary folder, start
Prism on the document (one Prism per document, on a free loopback port), and call every
operation through `client.with_raw_response.<resource>.<method>(...)`
with arguments from the document's own examples and schemas (`wire_arguments`). A call
is proven when Prism answers 2xx with no request violation in `sl-violations` and the
answer parses into the method's return type. A call may be skipped only with a reason
(`SKIPS`); every document prints its counts, and the test fails on any failed call.

A document of 1 MB or more (Stripe, GitHub, OpenAI) is judged on a fixed sample of at
least 60 operations (`sub_document.sample`): its client is generated from the whole
document, as a user would, while Prism mocks the sub-document holding the sampled
operations and everything they reference (Prism takes minutes to start on the whole
Stripe document).
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
from sub_document import operations, sample, sub_document
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
SIZE_LIMIT = 1_000_000  # from this size on, a document is judged on a sample
DOCUMENTS = sorted(
    p for p in CORPUS.glob("*") if p.suffix in (".json", ".yaml", ".yml")
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
    "no-valid-answer": "Prism has no valid answer to give: the document's example "
    "contradicts its own schema, and the answer generated instead fails too "
    "(json-schema-faker; e.g. a schema that is unsatisfiable, `type: null` beside a "
    "`oneOf` of numbers and booleans, or options of a `oneOf` that overlap)",
}
NO_VALID_ANSWER = "no-valid-answer"  # Prism answers 500: it found no answer its own
# check accepts (its generated answers vary between runs, so such a call may also pass)
# The models refuse an answer Prism generated and validated against the document:
DISCRIMINATOR = ("discriminator-outside-mapping: Prism answers a `__type` the discriminator "
                 "mapping does not list; the tagged union refuses it")
BAD_EXAMPLE = ("bad-example: the document's example answer breaks its own schema (a "
               "required field missing), and Prism's generated answer either holds a URL "
               "pydantic refuses (an invalid IPv4 host) or crashes Prism's faker")
REQUIRED_NULLABLE = ("required-nullable: a required `nullable: true` field is typed without "
                     "None by datamodel-code-generator (its strict_nullable would fix it but "
                     "also types null defaults as non-nullable: mypy errors in the corpus), "
                     "so the model refuses GitHub's `null`")
KNOWN: dict[tuple[str, str], str] = {
    **{("github_ghes-3.6", op): REQUIRED_NULLABLE for op in (
        "actions/list-selected-repositories-enabled-github-actions-organization",
        "apps/get-repo-installation", "pulls/remove-requested-reviewers")},
    **{("airflow", op): DISCRIMINATOR for op in (
        "get_dag", "get_dag_details", "get_dags", "get_task", "get_tasks", "patch_dag",
        "patch_dags")},
    **{("slack", op): BAD_EXAMPLE for op in (
        "conversations_history", "conversations_setPurpose", "conversations_setTopic",
        "stars_list")},
    ("apideck_accounting", "companyInfoOne"): "no-valid-answer",
    ("openai", "beta_cancelResponse"): "no-valid-answer",
    ("openai", "cancelResponse"): "no-valid-answer",
    ("spotify", "get-categories"): "no-valid-answer",
    ("apideck_accounting", "profitAndLossOne"): "no-valid-answer",
    ("slack", "chat_scheduleMessage"): "no-valid-answer",
    ("github_ghes-3.6", "repos/create-fork"): "no-valid-answer",
    **{("vercel", op): "no-valid-answer" for op in (
        "cancelDeployment", "createDeployment", "getDeployments", "getEdgeConfigItem",
        "getEdgeConfigItems", "get_v1/integrations/search-repo", "inviteUserToTeam",
        "getAuthUser", "getWebhooks", "uploadFile", "createRecord")},
    ("slack", "chat_scheduledMessages_list"): "no-valid-answer",
}
# Documents that do not generate yet, and why; one that does now fails the test (remove it).
NOT_GENERATING: dict[str, str] = {}
# Large documents whose sub-document Prism cannot mock, and why: every sampled call is
# skipped with this reason (the client is still generated from the whole document).
NOT_MOCKABLE = {
    "stripe_spec3": "Prism does not start on it: each of its operations reaches at least "
    "412 of its schemas (through the shared error response), and Prism 5.14 had not "
    "started after 150 s on a sub-document of 7 sampled operations, nor with every "
    "reference cycle cut (measured on this 2-core machine); the whole document did not "
    "start in 4 minutes either",
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
    sampled_from: int | None = None  # a large document's count of operations

    def line(self) -> str:
        sampled = ("" if self.sampled_from is None
                   else f" (a sample of its {self.sampled_from})")
        return (f"{self.document}: {self.operations} operations{sampled}, {self.proven} proven on "
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


def _only_errors(raw_op: dict[str, Any]) -> set[int]:
    """The statuses of an operation that documents no success (no 2xx, no `default`):
    its documented answer is an error, which the client must raise as one."""
    codes = [str(code) for code in raw_op.get("responses") or {}]
    if any(code.startswith("2") or code == "default" for code in codes):
        return set()
    return {int(code) for code in codes if code.isdigit()}


def _call(client: Any, resource: api_model.Resource, op: api_model.Operation,
          args: list[Any], kwargs: dict[str, Any], expected_errors: set[int]) -> str | None:
    """None when the call is proven; else why not."""
    module = sys.modules[type(client).__module__.rsplit(".", 1)[0]]
    method = getattr(getattr(client.with_raw_response, resource.attribute), op.name)
    try:
        raw = method(*args, **kwargs)
    except module.APIStatusError as exc:
        reasons = violations(exc.response) or _validation(exc.response)
        if exc.response.status_code in expected_errors and not _violation_items(exc.response):
            return None  # the documented (error) answer, raised as the error it is
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


def _report(tally: Tally, startup: float | None) -> None:
    """The document's counts on the terminal (past pytest's capture) and in REPORT."""
    started = "Prism not started" if startup is None else f"Prism started in {startup:.1f} s"
    sys.__stdout__.write(f"\n{tally.line()} ({started})\n")
    for line in tally.skipped[:10]:
        sys.__stdout__.write(f"  skipped {line}\n")
    if len(tally.skipped) > 10:
        sys.__stdout__.write(f"  ... and {len(tally.skipped) - 10} more, for the same reasons\n")
    for line in tally.known:
        sys.__stdout__.write(f"  known answer problem {line}\n")
    sys.__stdout__.flush()
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as sink:
            sink.write(json.dumps({"document": tally.document, "operations": tally.operations,
                                   "sampled_from": tally.sampled_from,
                                   "proven": tally.proven, "skipped": len(tally.skipped),
                                   "known": len(tally.known),
                                   "failed": len(tally.failed)}) + "\n")


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
    mocked, chosen = document, None
    if document.stat().st_size >= SIZE_LIMIT:
        picked = sample(raw_document)
        chosen = set(picked)
        tally.sampled_from = len(operations(raw_document))
        mocked = tmp_path / f"{document.stem}.sample.json"
        mocked.write_text(json.dumps(sub_document(raw_document, picked), default=str),
                          encoding="utf-8")
    unmockable = NOT_MOCKABLE.get(_name(document))
    if unmockable is not None:
        tally.skipped = [f"{op.operation_id}: {unmockable}" for resource in model.resources
                         for op in resource.operations
                         if chosen is None or (op.method.lower(), op.path) in chosen]
        tally.operations = len(tally.skipped)
        _report(tally, startup=None)
        return
    log = tmp_path / "prism.log"
    started = time.monotonic()
    # `--errors` turns any violation, of the request or of Prism's own answer, into an
    # error; the seed makes the answers generated on request (`DYNAMIC`) the same on
    # every run.
    process, base_url = start_prism(log, spec=mocked, timeout=240,
                                    options=("--seed", "wire"))
    startup = time.monotonic() - started
    try:
        client_cls = getattr(module, pascal(_name(document)))
        # Strict: an answer the models refuse must fail here, not be returned as read.
        client = client_cls(base_url=base_url, max_retries=0, timeout=60,
                            strict_response_validation=True, **_credentials(model))
        for resource in model.resources:
            for op in resource.operations:
                if chosen is not None and (op.method.lower(), op.path) not in chosen:
                    continue
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
                    outcome = _call(client, resource, op, args, kwargs,
                                    _only_errors(raw_op))
                    if outcome is None:
                        break
                    if outcome not in outcomes:
                        outcomes.append(outcome)
                label = f"{op.method} {op.path} ({op.operation_id})"
                cause = KNOWN.get((_name(document), op.operation_id))
                if outcome is None and cause in (None, NO_VALID_ANSWER):
                    tally.proven += 1  # Prism's generated answers vary: it may find one
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
    _report(tally, startup)
    assert not tally.failed, f"{tally.line()}:\n" + "\n".join(tally.failed[:80]) + (
        f"\n... and {len(tally.failed) - 80} more" if len(tally.failed) > 80 else ""
        ) + f"\nPrism's log: {log}"
