#!/usr/bin/env python3
"""Set everything up, then start the bot or run the tests. Needs only Python 3.11+ and git.

    python3 dev.py start     create .venv, install mlprep, run it (the console without tokens)
    python3 dev.py test      create .venv, install mlprep with dev tools, run ruff and all tests

The virtual environment is (re)installed only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".mlprep-installed"


def _say(message: str) -> None:
    print(f"[dev] {message}", file=sys.stderr, flush=True)


def ensure_env() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"mlprep needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PY.exists() and STAMP.exists() and STAMP.read_text().strip() == want:
        return
    if not PY.exists():
        _say(f"creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    _say("installing mlprep and its dependencies (first run takes a minute)")
    # Quiet unless asked: errors still print. MLPREP_VERBOSE_SETUP=1 shows pip's progress.
    quiet = [] if os.environ.get("MLPREP_VERBOSE_SETUP") else ["--quiet"]
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", *quiet]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "--editable", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(want)


def main() -> int:
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    extra = sys.argv[2:]
    if action not in {"start", "test"}:
        print(__doc__)
        return 2
    try:
        ensure_env()
    except subprocess.CalledProcessError as exc:
        _say(f"setup failed: {exc}")
        return 1
    os.chdir(ROOT)
    if action == "start":
        command = [str(BIN / "mlprep"), "run", *extra]
        if os.name == "posix":
            os.execv(command[0], command)  # the bot gets this process: signals go straight to it
        try:
            return subprocess.call(command)
        except KeyboardInterrupt:
            return 130
    lint = subprocess.call([str(PY), "-m", "ruff", "check", "."])
    if lint != 0:
        _say("ruff found problems (above)")
        return lint
    return subprocess.call([str(PY), "-m", "pytest", *extra])


if __name__ == "__main__":
    sys.exit(main())
