"""`make bench`: our generator against its peers, measured in the same run.

For Masivo and the real-world documents in `../shared/specs`, each command runs
as a fresh process, and we print its wall time, its peak memory and the ratio
to the faster peer that made output from the same document:

- openapi-python-client: a whole client (the generator peer);
- datamodel-codegen: models only (the peer where openapi-python-client fails);
- clientgen, first run: an empty cache, as on a new machine or in CI;
- clientgen, warm: a fresh process after an earlier run (the cache only returns
  what the same step computed before for the same input);
- clientgen, one schema edited: the document with one schema's description
  changed, after a run on the original (what `make generate` does after an edit);
- clientgen, no-op: `make generate` when nothing changed.

The first run also reports where its time went, stage by stage (the generator
writes the breakdown to `$CLIENTGEN_TIMINGS` when that is set).

Flags: `--docs masivo,asana` picks documents; `--generator-only` skips the
bulk-migration figures (bench/bulk_bench.py); `--markdown` also prints the
README table. `BENCH_RUNS` (default 3) is the number of runs of each command on
documents under 1 MB (the median is shown); larger ones run once, but for the edit,
which is cheap enough to run `BENCH_RUNS` times on every document.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_SPECS = ROOT.parent / "shared" / "specs"
PY = ROOT / ".venv" / "bin" / "python"
BENCH_BIN = ROOT / ".venv-bench" / "bin"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
LARGE = 1_000_000  # bytes: a document this big is generated once per command
PEER_TIMEOUT = 600.0

DOCUMENTS: dict[str, Path] = {
    "masivo": ROOT / "spec" / "masivo.yaml",
    "asana": SHARED_SPECS / "asana.json",
    "slack": SHARED_SPECS / "slack.json",
    "docker_engine": SHARED_SPECS / "docker_engine.json",
    "stripe": SHARED_SPECS / "stripe_spec3.json",
    "github": SHARED_SPECS / "github_ghes-3.6.json",
    "openai": SHARED_SPECS / "openai.yaml",
}
STAGES = ("load", "validate", "parse", "models", "render", "format", "write")


@dataclass
class Sample:
    seconds: float
    peak_mib: float
    ok: bool
    stages: dict[str, float] = field(default_factory=dict)


def run_once(command: list[str], env: dict[str, str], timings: Path | None = None) -> Sample:
    """One fresh process: wall time, peak RSS of it and its children, success."""
    if timings is not None:
        timings.unlink(missing_ok=True)
        env = {**env, "CLIENTGEN_TIMINGS": str(timings)}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        _, status, usage = os.wait4(process.pid, 0)
    except KeyboardInterrupt:
        process.kill()
        raise
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    stages: dict[str, float] = {}
    if timings is not None and timings.is_file():
        stages = {k: float(v) for k, v in json.loads(timings.read_text()).items()}
    return Sample(seconds, usage.ru_maxrss / 1024, process.returncode == 0, stages)


def median_of(samples: list[Sample]) -> Sample:
    ordered = sorted(samples, key=lambda s: s.seconds)
    middle = ordered[len(ordered) // 2]
    return Sample(statistics.median(s.seconds for s in samples),
                  max(s.peak_mib for s in samples), all(s.ok for s in samples), middle.stages)


def edited_copy(document: Path, folder: Path, edit: int = 0) -> Path | None:
    """`document` with one schema edited: a new optional property on the middle one of
    the object schemas (JSON documents only), which every model generator must honour.
    Each `edit` number is a different property, so no run finds another's in the cache."""
    if document.suffix != ".json":
        return None
    data = json.loads(document.read_bytes())
    schemas = data.get("components", {}).get("schemas", {})
    objects = sorted(name for name, schema in schemas.items()
                     if isinstance(schema, dict) and isinstance(schema.get("properties"), dict))
    if not objects:
        return None
    name = objects[len(objects) // 2]
    schemas[name]["properties"][f"bench_edited_{edit}"] = {"type": "string"}
    copy = folder / document.name
    copy.write_text(json.dumps(data, indent=2))
    return copy


def bench_document(name: str, document: Path, work: Path, env: dict[str, str]) -> dict[str, Sample]:
    runs = RUNS if document.stat().st_size < LARGE else 1
    out = work / name
    cache = out / "cache"
    timings = out / "timings.json"
    ours_env = {**env, "CLIENTGEN_CACHE_DIR": str(cache)}

    def ours(spec: Path, *flags: str) -> list[str]:
        return [str(PY), "-m", "generator", "--config", "/dev/null", "--spec", str(spec),
                "--output", str(out / "ours"), "--package", f"{name}_client", "--quiet", *flags]

    def repeat(command: list[str], command_env: dict[str, str], fresh_cache: bool = False,
               with_timings: bool = False) -> Sample:
        samples = []
        for _ in range(runs):
            if fresh_cache:
                shutil.rmtree(cache, ignore_errors=True)
            samples.append(run_once(command, command_env, timings if with_timings else None))
        return median_of(samples)

    results: dict[str, Sample] = {
        "openapi-python-client": repeat(
            [str(BENCH_BIN / "openapi-python-client"), "generate", "--path", str(document),
             "--output-path", str(out / "opc"), "--overwrite"], env),
        "datamodel-codegen": repeat(
            [str(BENCH_BIN / "datamodel-codegen"), "--input", str(document),
             "--input-file-type", "openapi", "--output-model-type", "pydantic_v2.BaseModel",
             "--output", str(out / "dmcg.py")], env),
        "clientgen, first run": repeat(ours(document, "--force"), ours_env, fresh_cache=True,
                                       with_timings=True),
    }
    if not results["clientgen, first run"].ok:
        return results
    run_once(ours(document, "--force"), ours_env)  # leaves the cache warm
    results["clientgen, warm"] = repeat(ours(document, "--force"), ours_env)
    samples = []
    for edit in range(RUNS):  # an edit costs a fraction of a first run: always the median
        edited = edited_copy(document, out, edit)
        if edited is None:
            break
        run_once(ours(document), ours_env)  # the original, then an edit never seen before
        samples.append(run_once(ours(edited), ours_env))
    if samples:
        results["clientgen, one schema edited"] = median_of(samples)
    run_once(ours(document), ours_env)
    results["clientgen, no-op"] = repeat(ours(document), ours_env)
    return results


def faster_peer(results: dict[str, Sample]) -> tuple[str, Sample] | None:
    """The faster of the peers that made output (datamodel-codegen alone where
    openapi-python-client fails on the document)."""
    made = [(p, results[p]) for p in ("openapi-python-client", "datamodel-codegen")
            if results[p].ok]
    return min(made, key=lambda c: c[1].seconds) if made else None


def report(name: str, document: Path, results: dict[str, Sample]) -> list[str]:
    peer = faster_peer(results)
    shown = document.relative_to(ROOT.parent) if document.is_relative_to(ROOT.parent) else document
    print(f"\n{name} ({shown}, {document.stat().st_size / 1e6:.1f} MB)")
    print(f"  {'command':<32}{'seconds':>9}{'x peer':>8}{'peak MiB':>10}")
    for command, sample in results.items():
        ratio = f"{sample.seconds / peer[1].seconds:.2f}" if peer and sample.ok else "-"
        status = "" if sample.ok else "  (failed)"
        first_run = results["clientgen, first run"]
        if command.endswith("edited") and sample.ok:
            status = f"  ({sample.seconds / first_run.seconds:.2f}x our first run)"
        print(f"  {command:<32}{sample.seconds:>9.2f}{ratio:>8}{sample.peak_mib:>10.0f}{status}")
    first = results["clientgen, first run"]
    if first.stages:
        parts = ", ".join(f"{s} {first.stages[s]:.2f}" for s in STAGES if s in first.stages)
        other = first.seconds - sum(first.stages.values())
        print(f"  first run by stage (s): {parts}, start-up and rest {other:.2f}")
    peer_text = f"{peer[0]} {peer[1].seconds:.2f} s" if peer else "no peer made output"
    cells = [name, peer_text]
    for command in ("clientgen, first run", "clientgen, warm", "clientgen, one schema edited"):
        measured = results.get(command)
        # An edit is judged against our own first run; the rest against the peer.
        base = first if command.endswith("edited") else (peer[1] if peer else None)
        if measured is None:
            cells.append("-")
        elif not measured.ok:
            cells.append(f"failed after {measured.seconds:.1f} s")
        else:
            ratio = f" ({measured.seconds / base.seconds:.2f}x)" if base else ""
            cells.append(f"{measured.seconds:.2f} s{ratio}")
    peak = f"{first.peak_mib:.0f} / {peer[1].peak_mib:.0f}" if peer else f"{first.peak_mib:.0f}"
    cells.append(peak)
    return cells


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", default=",".join(DOCUMENTS),
                        help=f"comma-separated, from: {', '.join(DOCUMENTS)}")
    parser.add_argument("--generator-only", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    chosen = [d.strip() for d in args.docs.split(",") if d.strip()]
    unknown = [d for d in chosen if d not in DOCUMENTS]
    if unknown:
        parser.error(f"unknown documents: {', '.join(unknown)}")

    work = Path(tempfile.mkdtemp(prefix="clientgen-bench-"))
    # Bytecode as on a user's machine: any value of PYTHONDONTWRITEBYTECODE (even "0")
    # would make every run recompile the generator's modules.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "CLIENTGEN_NO_CACHE", "CLIENTGEN_TIMINGS")}
    env["PATH"] = f"{BENCH_BIN}{os.pathsep}{env['PATH']}"
    print(f"Generating clients: median of {RUNS} fresh processes under 1 MB, one run above "
          f"(an edit: median of {RUNS} on every document); "
          "ratios against the faster peer that made output, measured in this run")
    rows = []
    try:
        for name in chosen:
            document = DOCUMENTS[name]
            if not document.is_file():
                print(f"\n{name}: {document} not found, skipped")
                continue
            (work / name).mkdir()
            rows.append(report(name, document, bench_document(name, document, work, env)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\ntargets: first run <= 1.0x the faster peer; one schema edited <= 0.2x our first "
          "run; peak memory <= the peer's")
    print("note: the peers emit less: datamodel-codegen writes models only; "
          "openapi-python-client has no retries, auth or async runtime")
    if args.markdown:
        print("\n| document | faster peer | clientgen first run (x peer) | warm (x peer) "
              "| one schema edited (x our first run) | peak MiB (ours / peer) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for cells in rows:
            print("| " + " | ".join(cells) + " |")

    bulk = ROOT / "bench" / "bulk_bench.py"
    if bulk.exists() and not args.generator_only:
        print()
        return subprocess.run([str(PY), str(bulk)], cwd=ROOT, env=env).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
