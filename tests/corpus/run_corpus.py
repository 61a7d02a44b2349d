"""`make corpus`: every real-world document in ../shared/specs makes a working client.

For each document: generation exits 0; then, over all the clients at once, every module
imports in a Python that can see only httpx, pydantic and what they depend on (checked:
the generator, its libraries and the test tools are not importable there);
`ruff check --select F,E9,I` and `mypy --strict` report nothing. Prints a Markdown
table per document (operations and schemas in the document, operations generated,
warnings by kind, seconds) and writes it to build/corpus/report.md.

Usage: run_corpus.py [--specs DIR] [--only NAME ...]. Exit code 1 when any check fails.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "corpus"
VENV_BIN = Path(sys.executable).parent
# What the generated clients may see: these distributions and their dependencies.
CLIENT_DEPENDENCIES = ("httpx", "pydantic")
# What they must not: the generator, its libraries, the test tools.
MUST_NOT_IMPORT = ("generator", "jinja2", "yaml", "black", "isort", "datamodel_code_generator",
                   "openapi_spec_validator", "pytest", "respx", "hypothesis", "mypy")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# `--verbose` lists each warning, ending in its kind: `... [duplicate-required]`.
_WARNING_KIND = re.compile(r"^clientgen: warning: .*\[([\w-]+)\]$", re.M)


@dataclass
class Result:
    name: str
    package: str
    operations: int = 0
    schemas: int = 0
    generated: int = 0
    seconds: float = 0.0
    returncode: int = 0
    warnings: Counter[str] = field(default_factory=Counter)
    error: str = ""


def document_counts(spec: Path) -> tuple[int, int]:
    """Operations and component schemas the document declares."""
    text = spec.read_text(encoding="utf-8")
    if spec.suffix == ".json":
        data = json.loads(text)
    else:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    paths = data.get("paths") or {}
    operations = sum(1 for item in paths.values() if isinstance(item, dict)
                     for method in _METHODS if method in item)
    schemas = len((data.get("components") or {}).get("schemas") or {})
    return operations, schemas


def generated_operations(package: Path) -> int:
    """Module-level `Operation(...)` constants of the resources: one per method."""
    pattern = re.compile(r"^_\w+ = Operation\(", re.M)
    return sum(len(pattern.findall(p.read_text(encoding="utf-8")))
               for p in (package / "resources").glob("*.py"))


def generate(spec: Path, out: Path) -> Result:
    name = re.sub(r"\W", "_", spec.stem).lower()
    result = Result(name=spec.name, package=f"{name}_client")
    result.operations, result.schemas = document_counts(spec)
    command = [sys.executable, "-m", "generator", "--config", "/dev/null", "--spec", str(spec),
               "--output", str(out), "--package", result.package, "--force", "--verbose"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False,
                          timeout=1800)
    result.seconds = time.perf_counter() - started
    result.returncode = done.returncode
    result.warnings = Counter(_WARNING_KIND.findall(done.stderr))
    if done.returncode != 0:
        result.error = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "?"
    else:
        result.generated = generated_operations(out / result.package)
    return result


def distribution_closure(names: tuple[str, ...]) -> set[str]:
    """The distributions `names` need at run time (extras left out), installed here."""
    seen: set[str] = set()
    pending = list(names)
    while pending:
        requirement = re.split(r"[\s;<>=!~\[(]", pending.pop(), maxsplit=1)[0]
        name = re.sub(r"[-_.]+", "-", requirement).lower()  # PEP 503 normalised
        if name in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a dependency for another platform or Python
        seen.add(name)
        pending += [r for r in dist.requires or [] if "extra ==" not in r]
    return seen


def client_site(folder: Path) -> Path:
    """A folder holding links to exactly the client's dependencies' top-level modules."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in sorted(distribution_closure(CLIENT_DEPENDENCIES)):
        dist = importlib.metadata.distribution(name)
        tops = {Path(str(f)).parts[0] for f in dist.files or []
                if not str(f).startswith("..") and ".dist-info" not in str(f)
                and "__pycache__" not in str(f)}
        for top in sorted(tops):
            source = Path(str(dist.locate_file(top)))
            if (source.exists() and not (folder / top).exists()
                    and (source.is_dir() or source.suffix in (".py", ".so"))):
                (folder / top).symlink_to(source)
    return folder


_IMPORT_CHECK = r"""
import importlib, importlib.util, sys
site, out, forbidden, packages = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4:]
sys.path[:0] = [site, out]
leaks = [m for m in forbidden if importlib.util.find_spec(m) is not None]
if leaks:
    sys.exit(f"importable beside the client, but must not be: {', '.join(leaks)}")
from pathlib import Path
count = 0
for package in packages:
    root = Path(out) / package
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(out).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        importlib.import_module(module)
        count += 1
print(count)
"""


def check_imports(out: Path, packages: list[str]) -> tuple[bool, str]:
    """Every module of every client, in an isolated Python (-I -S: no site-packages, no
    PYTHONPATH, no user site) that sees the standard library and the client's deps only."""
    site = client_site(BUILD / "client-site")
    command = [sys.executable, "-I", "-S", "-c", _IMPORT_CHECK, str(site), str(out),
               ",".join(MUST_NOT_IMPORT), *packages]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800,
                          cwd=BUILD)
    if done.returncode != 0:
        return False, (done.stderr or done.stdout).strip()[-3000:]
    return True, f"{done.stdout.strip()} modules imported"


def check_ruff(out: Path) -> tuple[bool, str]:
    command = [str(VENV_BIN / "ruff"), "check", "--isolated", "--no-cache", "--select",
               "F,E9,I", "--target-version", "py311", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800)
    return done.returncode == 0, (done.stdout + done.stderr).strip()[-3000:]


def check_mypy(out: Path, packages: list[str], jobs: int) -> tuple[bool, str]:
    """mypy --strict, the packages shared out over `jobs` processes (largest first), each
    with its own cache folder in the build: a rerun only checks what changed."""
    sizes = {p: sum(f.stat().st_size for f in (out / p).rglob("*.py")) for p in packages}
    groups: list[list[str]] = [[] for _ in range(max(1, jobs))]
    loads = [0] * len(groups)
    for package in sorted(packages, key=lambda p: -sizes[p]):
        i = loads.index(min(loads))
        groups[i].append(package)
        loads[i] += sizes[package]

    def run(index: int, group: list[str]) -> tuple[bool, str]:
        command = [sys.executable, "-m", "mypy", "--strict", "--config-file=",
                   "--cache-dir", str(BUILD / f"mypy-cache-{index}"), "--no-error-summary"]
        for package in group:
            command += ["-p", package]
        done = subprocess.run(command, cwd=out, capture_output=True, text=True, check=False,
                              timeout=3600)
        return done.returncode == 0, (done.stdout + done.stderr).strip()[-3000:]

    with ThreadPoolExecutor(len(groups)) as pool:
        results = list(pool.map(lambda pair: run(*pair), enumerate(g for g in groups if g)))
    return all(ok for ok, _ in results), "\n".join(text for _, text in results if text)


def report(results: list[Result], checks: dict[str, tuple[bool, str]]) -> str:
    lines = ["| document | operations | schemas | operations generated | warnings by kind "
             "| seconds |", "| --- | ---: | ---: | ---: | --- | ---: |"]
    for r in results:
        kinds = "; ".join(f"{n}x {k}" for k, n in sorted(r.warnings.items(),
                                                          key=lambda kv: (-kv[1], kv[0])))
        generated = str(r.generated) if r.returncode == 0 else f"failed: {r.error}"
        lines.append(f"| {r.name} | {r.operations} | {r.schemas} | {generated} "
                     f"| {kinds or 'none'} | {r.seconds:.1f} |")
    lines.append("")
    for check, (ok, detail) in checks.items():
        first = detail.splitlines()[0] if ok and detail else ""
        note = f" ({first})" if first else ""
        lines.append(f"- {check}: {'clean' if ok else 'FAILED'}{note}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--specs", type=Path, default=ROOT.parent / "shared" / "specs")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    specs = sorted(p for p in args.specs.iterdir()
                   if p.suffix in (".json", ".yaml", ".yml") and p.is_file()
                   and (args.only is None or p.stem in args.only))
    if not specs:
        print(f"no documents in {args.specs}", file=sys.stderr)
        return 1
    out = BUILD / "clients"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    results = []
    for spec in specs:  # one at a time: the generator itself uses both cores
        result = generate(spec, out)
        print(f"{spec.name}: exit {result.returncode}, {result.seconds:.1f} s"
              f"{', ' + result.error if result.error else ''}", flush=True)
        results.append(result)
    packages = [r.package for r in results if r.returncode == 0]
    checks: dict[str, tuple[bool, str]] = {}
    started = time.perf_counter()
    checks["imports with httpx and pydantic only"] = check_imports(out, packages)
    checks["ruff check --select F,E9,I"] = check_ruff(out)
    checks["mypy --strict"] = check_mypy(out, packages, args.jobs)
    print(f"checks: {time.perf_counter() - started:.1f} s", flush=True)
    text = report(results, checks)
    (BUILD / "report.md").write_text(text, encoding="utf-8")
    print(text)
    failed = [name for name, (ok, _) in checks.items() if not ok]
    for name in failed:
        print(f"\n{name} failed:\n{checks[name][1]}", file=sys.stderr)
    generation_failed = [r.name for r in results if r.returncode != 0]
    if generation_failed:
        print(f"generation failed: {', '.join(generation_failed)}", file=sys.stderr)
    return 1 if failed or generation_failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
