"""Prove that every checked output is the same in any process: run each notebook twice, in two
fresh kernels that differ in everything that may legitimately vary, and compare.

    python tools/determinism.py            # every notebook (slow: two runs of each)
    python tools/determinism.py 00 03      # only notebooks whose name contains 00 or 03

Run A: nbclient (`tools/notebooks.py`'s `execute`) with PYTHONHASHSEED=0 and 1 thread
       (OMP_NUM_THREADS, MKL_NUM_THREADS), saved to build/determinism/<path>.
Run B: nbval (`pytest --nbval-lax` with tests/nbval_sanitize.cfg, as `make test` runs it) with
       PYTHONHASHSEED=12345 and 2 threads, on run A's saved notebook: nbval executes it again in
       a fresh kernel and compares each `# NBVAL_CHECK_OUTPUT` cell with what run A printed.

So the two runs differ in hash seed, thread count and runner. Nothing is written into
notebooks/. For each notebook the report names the checked cells whose output differs, and
any cell that fails in run B only (an assert whose margin does not hold under 2 threads, say).
Exit status 1 on any difference or failure. Results also go to build/determinism/report.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks as nbtool  # noqa: E402

WORK = nbtool.BUILD / "determinism"
RUN_A = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
RUN_B = {"PYTHONHASHSEED": "12345", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
QUIET = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
CHECK = re.compile(r"^\s*#\s*NBVAL_CHECK_OUTPUT\b", re.M)


def checked_cells(nb) -> dict[int, str]:
    """{code cell number (nbval's "Cell N"): first line} of the cells marked # NBVAL_CHECK_OUTPUT."""
    return {i: nbtool._first_line(c) for i, c in enumerate(nbtool.code_cells(nb)) if CHECK.search(c.source)}


def _gist(message: str) -> str:
    """nbval's failure message, without colour codes, cut to what differs or what was raised."""
    text = re.sub(r"(#x1B|\x1b)\[\d+m", "", message)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keep = [line for line in lines if line.startswith("mismatch") or "Error" in line
            or (" == " in line and not line.startswith("assert "))]
    return " ".join(keep or lines[-1:])[:200]


def failed_cells(junit_xml: Path) -> dict[int, str]:
    """{code cell number: what nbval said} for the nbval items ("Cell N") that failed or errored."""
    out = {}
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        match = re.fullmatch(r"Cell (\d+)", case.get("name", ""))
        if bad is not None and match:
            out[int(match.group(1))] = _gist(bad.get("message") or bad.text or "")
    return out


def _out_path(path: Path, work: Path) -> Path:
    path = Path(path).resolve()
    return work / (path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name)


def check(path: Path, work: Path = WORK) -> dict:
    """Run A then run B on notebook `path`; return what differs."""
    out = _out_path(path, work)
    row = {"notebook": nbtool._rel(path), "differ": [], "failed_in_b": [], "status": "ok"}
    a = nbtool.execute(path, out, env={**QUIET, **RUN_A})
    row["seconds_a"] = a["seconds"]
    if a["status"] != "ok":
        row["status"] = f"run A (nbclient) failed: {a['status']}"
        return row
    checked = checked_cells(nbformat.read(out, as_version=4))
    junit = out.with_suffix(".junit.xml")
    junit.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "pytest", str(out), "-c", str(ROOT / "pytest.ini"), "--rootdir", str(ROOT),
           "-p", "tests.conftest", f"--junitxml={junit}", "-q", "-p", "no:cacheprovider"]
    env = {**os.environ, **QUIET, **RUN_B, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if not junit.exists() or proc.returncode not in (0, 1):
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        row["status"] = f"run B (nbval) did not run (exit {proc.returncode}): " + " | ".join(tail)
        return row
    failed = failed_cells(junit)
    row["differ"] = [{"cell": i, "source": checked[i], "nbval": failed[i]} for i in sorted(failed) if i in checked]
    row["failed_in_b"] = [{"cell": i, "nbval": failed[i]} for i in sorted(failed) if i not in checked]
    row["checked"] = len(checked)
    if row["differ"] or row["failed_in_b"]:
        row["status"] = "DIFFERS"
    return row


def report(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        lines.append(f"{r['notebook']}: {r['status']}" + (f" ({r['checked']} checked cells)" if "checked" in r else ""))
        lines += [f"  checked cell {d['cell']} differs: {d['source']}  [{d['nbval']}]" for d in r["differ"]]
        lines += [f"  cell {d['cell']} failed in run B only: {d['nbval']}" for d in r["failed_in_b"]]
    bad = sum(r["status"] != "ok" for r in rows)
    lines.append(f"{len(rows)} notebooks; {len(rows) - bad} identical under hash seed 0/12345, 1/2 threads, "
                 f"nbclient/nbval; {bad} not")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("only", nargs="*", help="check only notebooks whose name contains one of these")
    args = parser.parse_args()
    paths = [p for p in nbtool.notebooks() if not args.only or any(o in p.name for o in args.only)]
    if not paths:
        print("no notebooks matched", args.only)
        return 1
    rows = []
    for path in paths:
        print(f"checking {nbtool._rel(path)} (two runs) ...", flush=True)
        rows.append(check(path))
    text = report(rows)
    print("\n" + text)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "report.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
