"""Run, refresh and keep in line the course notebooks.

    python tools/notebooks.py run      # execute every notebook into build/, print the report
    python tools/notebooks.py execute  # the same, writing outputs back into the committed notebooks
    python tools/notebooks.py sync     # put the canonical bootstrap cell and Colab badge in each
    python tools/notebooks.py check    # exit 1 if a notebook's bootstrap cell or badge is out of date

Each notebook may set its time budget in its metadata (``"course": {"budget_s": 60}``); `run`
exits non-zero when a notebook fails or goes over its budget. Headline figures that notebooks
pass to `utils.setup.record` are shown in the report.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from utils.setup import RESULTS_ENV, bootstrap_cell, colab_badge  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
DEFAULT_BUDGET_S = 90
BADGE_PREFIX = "[![Open In Colab]"


def notebooks() -> list[Path]:
    """Lecture notebooks in course order, then the labs."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) + sorted((NOTEBOOKS / "labs").glob("*.ipynb"))


def budget(nb) -> float:
    return float(nb.metadata.get("course", {}).get("budget_s", DEFAULT_BUDGET_S))


def execute(path: Path, out: Path) -> dict:
    """Execute notebook `path` in its own folder, save it to `out`; return time, status, figures."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        os.environ[RESULTS_ENV] = str(results)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport chatter
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute()
            status = "ok"
        except CellExecutionError as e:
            status = "FAILED: " + str(e).strip().splitlines()[-1][:120]
        seconds = time.perf_counter() - start
        figures = json.loads(results.read_text()) if results.exists() else {}
        os.environ.pop(RESULTS_ENV, None)
    if status == "ok" and seconds > budget(nb):
        status = f"OVER BUDGET ({budget(nb):.0f} s)"
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return {"notebook": str(path.relative_to(ROOT)), "seconds": round(seconds, 1),
            "budget_s": budget(nb), "status": status, "figures": figures}


def report(rows: list[dict]) -> str:
    width = max(len(r["notebook"]) for r in rows)
    lines = [f"{'notebook':<{width}}  {'seconds':>7}  {'budget':>6}  status  headline figures",
             "-" * (width + 40)]
    for r in rows:
        figures = ", ".join(f"{k}={v}" for k, v in r["figures"].items()) or "-"
        lines.append(f"{r['notebook']:<{width}}  {r['seconds']:>7.1f}  {r['budget_s']:>6.0f}  {r['status']}  {figures}")
    total = sum(r["seconds"] for r in rows)
    failed = sum(r["status"] != "ok" for r in rows)
    lines.append(f"{len(rows)} notebooks in {total:.1f} s; {len(rows) - failed} ok, {failed} not ok")
    return "\n".join(lines)


def run(in_place: bool, only: list[str]) -> int:
    paths = [p for p in notebooks() if not only or any(o in p.name for o in only)]
    if not paths:
        print("no notebooks matched", only or "")
        return 1
    rows = []
    for path in paths:
        out = path if in_place else BUILD / path.relative_to(ROOT)
        print(f"running {path.relative_to(ROOT)} ...", flush=True)
        rows.append(execute(path, out))
    text = report(rows)
    print("\n" + text)
    BUILD.mkdir(exist_ok=True)
    (BUILD / "report.txt").write_text(text + "\n")
    (BUILD / "report.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0 if all(r["status"] == "ok" for r in rows) else 1


def _first_code_cell(nb):
    return next(c for c in nb.cells if c.cell_type == "code")


def out_of_date(path: Path) -> list[str]:
    """What `sync` would change in `path` (empty when it is in line)."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    if not nb.cells or nb.cells[0].cell_type != "markdown" or colab_badge(
            str(path.relative_to(ROOT))) not in nb.cells[0].source:
        problems.append("first cell lacks its Colab badge")
    if _first_code_cell(nb).source != bootstrap_cell():
        problems.append("first code cell is not the canonical bootstrap cell")
    return problems


def sync() -> int:
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        badge = colab_badge(str(path.relative_to(ROOT)))
        first = nb.cells[0]
        lines = [line for line in first.source.splitlines() if not line.startswith(BADGE_PREFIX)]
        first.source = "\n".join([badge] + lines)
        cell = _first_code_cell(nb)
        if cell.source != bootstrap_cell():
            cell.source = bootstrap_cell()
        nbformat.write(nb, path)
        print("synced", path.relative_to(ROOT))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["run", "execute", "sync", "check"])
    parser.add_argument("only", nargs="*", help="run only notebooks whose name contains one of these")
    args = parser.parse_args()
    if args.command == "sync":
        return sync()
    if args.command == "check":
        bad = {str(p.relative_to(ROOT)): out_of_date(p) for p in notebooks()}
        bad = {k: v for k, v in bad.items() if v}
        for name, problems in bad.items():
            print(f"{name}: {'; '.join(problems)} (run `make sync`)")
        return 1 if bad else 0
    return run(in_place=args.command == "execute", only=args.only)


if __name__ == "__main__":
    sys.exit(main())
