"""Two versions of the generator, or one and the peer, timed in alternation.

A shared 2-core machine drifts by up to 15% from one minute to the next, more than
most changes gain: `make bench` numbers taken at different times do not say which
version is faster. This runs the versions one after the other, run by run (ABAB...,
then BABA...), and prints each one's median wall time and CPU (the process and its
children) and the median of the paired differences.

    git worktree add --detach ../before HEAD~1
    python bench/ab.py --doc slack ../before .            # first runs
    python bench/ab.py --doc github --edit ../before .    # one schema edited
    python bench/ab.py --doc slack --peer .               # against datamodel-codegen

Each version is a checkout (its `generator` package is imported from there) run
with this checkout's interpreter, each with its own cache. What `make env` builds
beside a checkout's modules (its templates compiled, its dataclasses' methods) is
built first, with that interpreter: a worktree has none, and would be timed slower
than it is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from run import BENCH_BIN, DOCUMENTS, PY, edited_copy  # bench/run.py, beside this file


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (with every child) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


# The generator's modules that build what `make env` builds beside them, where a checkout
# has them.
_BUILT_BY = ("template_code", "dataclass_code")


class Arm:
    """One version: a checkout of the generator, or the peer."""

    def __init__(self, name: str, checkout: Path | None, work: Path) -> None:
        self.name, self.checkout = name, checkout
        self.cache, self.out = work / f"{name}-cache", work / f"{name}-out"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONDONTWRITEBYTECODE", "CLIENTGEN_NO_CACHE")}
        self.env["CLIENTGEN_CACHE_DIR"] = str(self.cache)
        if checkout is not None:
            self.env["PYTHONPATH"] = str(checkout)

    def command(self, spec: Path, *flags: str) -> list[str]:
        if self.checkout is None:
            return [str(BENCH_BIN / "datamodel-codegen"), "--input", str(spec),
                    "--input-file-type", "openapi", "--output-model-type",
                    "pydantic_v2.BaseModel", "--output", str(self.out.with_suffix(".py"))]
        return [str(PY), "-m", "generator", "--config", "/dev/null", "--spec", str(spec),
                "--output", str(self.out), "--package", "bench_client", "--quiet", *flags]

    def build(self) -> None:
        """What `make env` builds for the checkout, made as it would (none for the peer)."""
        if self.checkout is None:
            return
        for module in _BUILT_BY:
            if (self.checkout / "generator" / f"{module}.py").is_file():
                subprocess.run([str(PY), "-m", f"generator.{module}"], cwd=self.checkout,
                               env=self.env, check=True, capture_output=True)

    def first_run(self, spec: Path) -> tuple[float, float]:
        shutil.rmtree(self.cache, ignore_errors=True)
        return timed(self.command(spec, "--force"), self.checkout or Path.cwd(), self.env)

    def edit(self, spec: Path, edited: Path) -> tuple[float, float]:
        cwd = self.checkout or Path.cwd()
        timed(self.command(spec), cwd, self.env)  # the original, then the edit
        return timed(self.command(edited), cwd, self.env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="+", type=Path, help="one or two checkouts")
    parser.add_argument("--doc", default="slack", choices=sorted(DOCUMENTS))
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--edit", action="store_true", help="time one schema edited")
    parser.add_argument("--peer", action="store_true", help="datamodel-codegen as well")
    args = parser.parse_args()
    spec = DOCUMENTS[args.doc]
    work = Path(tempfile.mkdtemp(prefix="clientgen-ab-"))
    try:
        arms = [Arm(f"{i}:{c}", c.resolve(), work) for i, c in enumerate(args.checkouts)]
        if args.peer and not args.edit:
            arms.append(Arm("datamodel-codegen", None, work))
        results: list[list[tuple[float, float]]] = [[] for _ in arms]
        for arm in arms:  # built, bytecode written and disk caches warmed, not timed
            arm.build()
            arm.first_run(spec)
        stamp = time.time_ns()
        for run in range(args.runs):
            edited = edited_copy(spec, work, stamp + run) if args.edit else None
            if args.edit and edited is None:
                parser.error(f"{args.doc} is not a JSON document: no edit to time")
            order = range(len(arms)) if run % 2 == 0 else reversed(range(len(arms)))
            for index in order:
                arm = arms[index]
                results[index].append(arm.edit(spec, edited) if edited is not None
                                      else arm.first_run(spec))
        what = "one schema edited" if args.edit else "first run"
        print(f"{args.doc}, {what}, {args.runs} runs each, in alternation")
        for arm, samples in zip(arms, results, strict=True):
            walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
            print(f"  {arm.name:40s} wall {statistics.median(walls):.3f} s "
                  f"(min {min(walls):.3f})  cpu {statistics.median(cpus):.3f} s")
        if len(results) >= 2:
            paired = [b[0] - a[0] for a, b in zip(results[0], results[1], strict=True)]
            print(f"  second - first, paired: {statistics.median(paired):+.3f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
