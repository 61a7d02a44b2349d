"""The generator under a watch: Python's audit hooks see every file opened, every write
to the file system, every process started and every socket, while it runs over the
hostile corpus. Nothing may be read outside the spec folder, the output folder, the
cache and Python's own installation (with the generator's source and templates), nothing
written outside the output folder and the cache, no socket created, and no process
started but the meta-schema check, which itself runs under a hook that refuses the
network and foreign files, and the formatter (ruff, which reads and writes only in
the cache). The model workers are forked, not started: they run under the same hooks
and report what they see on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from hostile_corpus import CASES

ROOT = Path(__file__).resolve().parents[2]

WATCH = textwrap.dedent('''
    import json, os, sys

    roots = json.loads(sys.argv[1])
    watcher = os.getpid()
    readable = tuple(os.path.realpath(p) + os.sep for p in roots["read"])
    writable = tuple(os.path.realpath(p) + os.sep for p in roots["write"])
    seen = []

    def inside(path, allowed):
        if isinstance(path, int):
            return True  # an already open descriptor
        real = os.path.realpath(os.fsdecode(path))
        return (real + os.sep).startswith(allowed)

    WRITES = {"os.remove", "os.rename", "os.mkdir", "os.rmdir", "os.chmod", "os.chown",
              "os.symlink", "os.link", "os.truncate", "os.utime", "shutil.rmtree",
              "shutil.copyfile", "shutil.move"}

    def escaped(item):
        seen.append(item)
        if os.getpid() != watcher:  # a forked model worker: its list is never printed
            os.write(2, ("ESCAPE " + json.dumps(item) + "\\n").encode())

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if path is None:
                return
            writing = bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)) or (
                isinstance(mode, str) and any(m in mode for m in "wax+"))
            if not inside(path, writable if writing else readable + writable):
                escaped(["write" if writing else "read", os.fsdecode(path)])
        elif event in ("os.remove", "os.rmdir") and args[1] is not None:
            pass  # relative to a folder that shutil.rmtree opened: its own event was checked
        elif event in WRITES:
            for path in args[:2] if event in ("os.rename", "os.symlink", "os.link",
                                               "shutil.copyfile", "shutil.move") else args[:1]:
                if isinstance(path, (str, bytes)) and not inside(path, writable):
                    escaped([event, os.fsdecode(path)])
        elif event.startswith("socket.") or event == "urllib.Request":
            escaped([event, repr(args)[:200]])
        elif event == "subprocess.Popen":
            argv = [os.fsdecode(a) for a in args[1]]
            # The two children the generator starts: the meta-schema check, and ruff
            # (its own binary, never a shell) formatting inside the cache or via stdin.
            formatting = os.path.basename(argv[0]) == "ruff" and argv[1] in ("check", "format")
            if argv[1:] != ["-m", "generator.validate"] and not formatting:
                escaped([event, " ".join(argv)])
        elif event in ("os.system", "os.exec", "os.spawn", "os.posix_spawn"):
            escaped([event, repr(args)[:200]])

    sys.addaudithook(hook)
    with open(roots["canary"]) as canary:  # the watch must see this one
        canary.read()
    from generator.cli import main

    codes = {}
    for name, spec, out, strict in roots["runs"]:
        codes[name] = main(["--config", os.devnull, "--spec", spec, "--output", out,
                            "--package", "watched_client", "--force", "-q",
                            *(["--strict"] if strict else [])])
    print(json.dumps({"escapes": seen, "codes": codes}))
''')


def _python_installation() -> list[str]:
    import sysconfig

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths |= {p for p in sysconfig.get_paths().values() if p}
    return sorted(paths)


def test_nothing_escapes_the_spec_output_and_cache_folders(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runs, spec_folders, outputs = [], [], []
    for case in CASES:
        if case.id in ("million-value-enum", "100000-nested-arrays"):
            continue  # size limits: the other cases cover every code path of the watch
        folder = tmp_path / case.id / "spec"
        folder.mkdir(parents=True)
        spec = case.write(folder)
        out = tmp_path / case.id / "out"
        runs.append([case.id, str(spec), str(out), case.strict])
        spec_folders.append(str(folder))
        outputs.append(str(out))
    roots = {
        "read": [*spec_folders, *_python_installation(), str(ROOT / "generator"),
                 str(ROOT / "templates")],
        # /dev/null: where the validation child's stderr goes.
        "write": [*outputs, str(cache), os.devnull],
        "runs": runs,
        "canary": str(tmp_path / "canary.txt"),
    }
    (tmp_path / "canary.txt").write_text("outside every allowed folder")
    environment = {**os.environ, "CLIENTGEN_CACHE_DIR": str(cache),
                   "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("CLIENTGEN_NO_CACHE", None)

    result = subprocess.run([sys.executable, "-c", WATCH, json.dumps(roots)], cwd=tmp_path,
                            env=environment, capture_output=True, text=True, timeout=900,
                            check=False)

    assert result.returncode == 0, result.stderr[-3000:]
    verdict = json.loads(result.stdout.splitlines()[-1])
    assert verdict["escapes"] == [["read", roots["canary"]]], json.dumps(verdict["escapes"])
    # The model workers (forked, so under the same hook) report on stderr.
    from_workers = [line for line in result.stderr.splitlines() if line.startswith("ESCAPE ")]
    assert from_workers == [], from_workers[:20]
    expected = {c.id: (1 if c.error else 0) for c in CASES}
    assert verdict["codes"] == {name: expected[name] for name, *_ in runs}


def test_the_validation_child_refuses_the_network_and_foreign_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the validator")
    probe = textwrap.dedent(f'''
        import socket
        from generator.validate import _deny_network_and_foreign_files
        _deny_network_and_foreign_files()
        for attempt in (lambda: open({str(secret)!r}).read(),
                        lambda: socket.getaddrinfo("example.com", 80),
                        lambda: socket.socket()):
            try:
                attempt()
                print("allowed")
            except PermissionError as exc:
                print("refused:", exc)
    ''')
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"refused: clientgen's validator may not open {secret}",
        "refused: clientgen's validator may not do socket.getaddrinfo",
        "refused: clientgen's validator may not do socket.__new__",
    ]
