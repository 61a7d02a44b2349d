"""`make bench`: our generator against its peers, measured in the same run.

Each command runs as a fresh process (`cold process`), several times; we
print the median wall time and the ratio to the faster peer. Two of our
numbers matter:

- cold cache: the very first run on a machine (nothing cached anywhere);
- warm cache: a fresh process after an earlier run, as when `make generate`
  follows an edit of the spec (the cache only returns what the same step
  computed before for the same input);
- no-op: `make generate` when nothing changed.

Then the bulk-migration figures (bench/bulk_bench.py) when present.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "masivo.yaml"
PY = ROOT / ".venv" / "bin" / "python"
BENCH_BIN = ROOT / ".venv-bench" / "bin"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def timed(command: list[str], env: dict[str, str], before: Callable[[], None] | None = None,
          cwd: Path = ROOT) -> float:
    """Median wall time of `command` over RUNS fresh processes."""
    samples = []
    for _ in range(RUNS):
        if before is not None:
            before()
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="clientgen-bench-"))
    # Bytecode as on a user's machine: any value of PYTHONDONTWRITEBYTECODE (even "0")
    # would make every run recompile the generator's modules.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PATH"] = f"{BENCH_BIN}{os.pathsep}{env['PATH']}"
    ours = [str(PY), "-m", "generator", "--quiet", "--output", str(work / "ours")]
    cache = work / "cache"

    def fresh_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    ours_env = {**env, "CLIENTGEN_CACHE_DIR": str(cache)}
    results = {
        "openapi-python-client": timed(
            [str(BENCH_BIN / "openapi-python-client"), "generate", "--path", str(SPEC),
             "--output-path", str(work / "opc"), "--overwrite"], env),
        "datamodel-codegen": timed(
            [str(BENCH_BIN / "datamodel-codegen"), "--input", str(SPEC),
             "--input-file-type", "openapi", "--output-model-type", "pydantic_v2.BaseModel",
             "--output", str(work / "dmcg.py")], env),
        "clientgen, cold cache": timed([*ours, "--force"], ours_env, before=fresh_cache),
    }
    subprocess.run([*ours, "--force"], cwd=ROOT, env=ours_env, check=True)  # warm it
    results["clientgen, warm cache"] = timed([*ours, "--force"], ours_env)
    results["clientgen, no-op"] = timed(ours, ours_env)
    faster_peer = min(results["openapi-python-client"], results["datamodel-codegen"])

    print(f"Generating a client from {SPEC.relative_to(ROOT)}: median of {RUNS} fresh processes")
    print(f"{'command':<28}{'seconds':>9}{'x faster peer':>15}")
    for name, seconds in results.items():
        print(f"{name:<28}{seconds:>9.3f}{seconds / faster_peer:>15.2f}")
    print("targets: clientgen <= 0.60x the faster peer in a cold process; no-op < 0.2 s")
    print("note: the peers emit less: datamodel-codegen writes models only; "
          "openapi-python-client has no retries, auth or async runtime")
    shutil.rmtree(work, ignore_errors=True)

    bulk = ROOT / "bench" / "bulk_bench.py"
    if bulk.exists() and "--generator-only" not in sys.argv:
        print()
        return subprocess.run([str(PY), str(bulk)], cwd=ROOT, env=env).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
