"""Prove that the checked outputs of the notebooks are the same in every process.

    python tools/determinism.py [NAME ...]     # `make determinism`; all lecture notebooks by default

For each notebook, two fresh kernels that differ in everything that may legitimately vary:

    run A: nbclient, PYTHONHASHSEED=0,     OMP_NUM_THREADS=1  -> build/determinism/<notebook>
    run B: nbval,    PYTHONHASHSEED=12345, OMP_NUM_THREADS=2  -> compares itself with run A

Run B is `pytest --nbval-lax` on run A's executed notebook, with the course's sanitize file: it
re-executes every cell and fails on any `# NBVAL_CHECK_OUTPUT` cell whose output differs from run
A's. The string hash seed (set and dict order of strings), the thread count (float summation
order, BLAS paths) and the runner all differ between the two. Exits 1 if any notebook differs or
fails. It takes about twice as long as running the course, so it is not part of `make test`.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "determinism"
RUNS = {
    "A": {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    "B": {"PYTHONHASHSEED": "12345", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"},
}


def _env(run: str) -> dict:
    return dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_VERBOSITY="error",
                HF_HUB_DISABLE_PROGRESS_BARS="1", **RUNS[run])


def execute_a(notebook: Path, out: Path, timeout_s: int = 900) -> str | None:
    """Run A: execute `notebook` with nbclient into `out`; None if it ran, else the error."""
    code = ("import sys, nbformat; from nbclient import NotebookClient\n"
            "nb = nbformat.read(sys.argv[1], as_version=4)\n"
            "NotebookClient(nb, timeout=600, kernel_name='python3', extra_arguments=['--IPKernelApp.log_level=ERROR'],"
            " resources={'metadata': {'path': sys.argv[3]}}).execute()\n"
            "nbformat.write(nb, sys.argv[2])\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([sys.executable, "-c", code, str(notebook), str(out), str(out.parent)],
                          env=_env("A"), capture_output=True, text=True, timeout=timeout_s, cwd=ROOT)
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or ["failed"])[-1][:300]
    return None


def check_b(executed: Path, timeout_s: int = 900) -> tuple[bool, str]:
    """Run B: nbval re-executes `executed` and compares its checked cells; (same, report)."""
    proc = subprocess.run([sys.executable, "-m", "pytest", str(executed), "-q", "-p", "no:cacheprovider",
                           "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=600",
                           "--sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "-o", "addopts=",
                           "-o", "testpaths="],
                          env=_env("B"), capture_output=True, text=True, timeout=timeout_s, cwd=ROOT)
    lines = proc.stdout.strip().splitlines()
    failed = [l for l in lines if l.startswith("FAILED")]
    return proc.returncode == 0, "\n".join(failed or lines[-1:])


def check(notebook: Path) -> tuple[bool, str]:
    out = OUT / notebook.relative_to(ROOT / "notebooks")
    error = execute_a(notebook, out)
    if error:
        return False, f"run A failed: {error}"
    return check_b(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("only", nargs="*", help="check only notebooks whose name contains one of these")
    args = parser.parse_args(argv)
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    notebooks = [p for p in notebooks if not args.only or any(o in p.name for o in args.only)]
    if not notebooks:
        print("no notebooks matched", args.only)
        return 1
    bad = 0
    for nb in notebooks:
        start = time.perf_counter()
        same, report = check(nb)
        bad += not same
        print(f"{nb.name}: {'same' if same else 'DIFFERENT'} ({time.perf_counter() - start:.0f} s)"
              + ("" if same else "\n  " + report.replace("\n", "\n  ")), flush=True)
    print(f"\n{len(notebooks) - bad} of {len(notebooks)} notebooks give the same checked outputs "
          f"under hash seeds 0/12345, 1/2 threads, nbclient/nbval")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
