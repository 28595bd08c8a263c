"""Run, refresh and keep in line the course notebooks.

    python tools/notebooks.py run      # execute every notebook into build/, print the report
    python tools/notebooks.py execute  # the same, writing outputs back into the committed notebooks
    python tools/notebooks.py budgets  # exit 1 if a committed lecture notebook's timestamps break a budget
    python tools/notebooks.py sync     # put the canonical bootstrap cell and Colab badge in each
    python tools/notebooks.py check    # exit 1 if a notebook's bootstrap cell or badge is out of date
    python tools/notebooks.py bars     # progress bars' stored text: their last frame, not "0%" (no execution)

Each notebook may set its time budget in its metadata (``"course": {"budget_s": 60}``, default
60 s); no cell should take more than 30 s. `run` and `execute` exit non-zero only when a notebook
fails (an error, a cell timeout, a dead kernel); a notebook over its budget, or a slow cell, is a
WARNING, because a student's slower laptop is not a failure of the course. They write
build/report.txt and build/report.json (per-notebook and per-cell seconds, from nbclient's cell
timestamps). `execute` never writes a failed run into the committed notebook: the failed copy
goes to build/failed/. The budgets are enforced for developers by `budgets` (and a test), on the
timestamps that nbclient stores in the committed notebooks. Headline figures that notebooks pass
to `utils.setup.record` are shown in the report.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from utils.setup import RESULTS_ENV, bootstrap_cell, colab_badge  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
DEFAULT_BUDGET_S = 60
CELL_LIMIT_S = 30
CELL_TIMEOUT_S = 600
BADGE_PREFIX = "[![Open In Colab]"


def lecture_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def notebooks() -> list[Path]:
    """Lecture notebooks in course order, then the labs."""
    return lecture_notebooks() + sorted((NOTEBOOKS / "labs").glob("*.ipynb"))


def _rel(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def code_cells(nb) -> list:
    """The code cells; "cell N" in our reports is the N-th of them, counted from 0 as nbval does."""
    return [c for c in nb.cells if c.cell_type == "code"]


def cell_seconds(nb) -> list[tuple[int, float | None]]:
    """(code cell number, seconds) of each code cell, from nbclient's timestamps (None where missing)."""
    out = []
    for i, cell in enumerate(code_cells(nb)):
        ex = cell.get("metadata", {}).get("execution", {})
        start, end = ex.get("iopub.status.busy") or ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
        out.append((i, (_stamp(end) - _stamp(start)).total_seconds() if start and end else None))
    return out


def notebook_seconds(nb) -> float | None:
    """Seconds from the first code cell's start to the last one's reply (kernel start-up excluded)."""
    code = [c.get("metadata", {}).get("execution", {}) for c in code_cells(nb)]
    if not code or any("shell.execute_reply" not in ex for ex in code):
        return None
    start = code[0].get("iopub.status.busy") or code[0].get("iopub.execute_input")
    return (_stamp(code[-1]["shell.execute_reply"]) - _stamp(start)).total_seconds() if start else None


def _first_line(cell) -> str:
    lines = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("# NBVAL")]
    return lines[0][:70] if lines else ""


def timing_problems(path: Path) -> list[str]:
    """What the committed timestamps of `path` break: its budget, the 30 s cell limit (empty = fine)."""
    nb = nbformat.read(path, as_version=4)
    seconds = cell_seconds(nb)
    missing = [i for i, s in seconds if s is None]
    if missing:
        return [f"cells {missing} have no nbclient timestamps (store outputs with `tools/notebooks.py execute`)"]
    problems = []
    total = notebook_seconds(nb)
    if total > budget(nb):
        problems.append(f"took {total:.1f} s, over its budget of {budget(nb):.0f} s")
    problems += [f"cell {i} took {s:.1f} s, over the {CELL_LIMIT_S} s cell limit: {_first_line(code_cells(nb)[i])}"
                 for i, s in seconds if s > CELL_LIMIT_S]
    return problems


def budgets(paths: list[Path]) -> int:
    """Check committed lecture notebooks' own timestamps against their budgets (labs are exempt)."""
    bad = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        total = notebook_seconds(nb)
        problems = timing_problems(path)
        bad += bool(problems)
        shown = "   n/a" if total is None else f"{total:6.1f}"
        print(f"{_rel(path):<40} {shown} s / {budget(nb):3.0f} s  {'; '.join(problems) or 'ok'}")
    print(f"{len(paths)} notebooks checked; {bad} over a budget" if paths else "no notebooks matched")
    return 1 if bad or not paths else 0


def budget(nb) -> float:
    return float(nb.metadata.get("course", {}).get("budget_s", DEFAULT_BUDGET_S))


WIDGET_VIEW, WIDGET_STATE = "application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json"


def finished_bars(nb) -> int:
    """Give every tqdm progress bar its final text. A bar is a widget; the text/plain that a notebook stores
    beside it (what GitHub, the website and a plain-text viewer show) is its first frame, "0%|  | 0/4".
    The widget state nbclient stores at the end of the run holds the last frame: the left label, the
    bar's value and maximum and the right label. Rewrite each bar's text/plain from it, as tqdm would
    print it. Returns how many bars were rewritten."""
    import html

    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    done = 0
    for cell in code_cells(nb):
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get(WIDGET_VIEW)
            box = state.get(view["model_id"]) if view else None
            if not box or box.get("model_name") != "HBoxModel":
                continue
            parts = [state.get(c.removeprefix("IPY_MODEL_"), {}) for c in box["state"].get("children", [])]
            if len(parts) != 3 or parts[1].get("model_name") not in ("FloatProgressModel", "IntProgressModel"):
                continue
            left, right = (html.unescape(p["state"].get("value", "")).replace("\u2007", " ").replace("\xa0", " ")
                           for p in (parts[0], parts[2]))
            value, most = parts[1]["state"].get("value", 0), parts[1]["state"].get("max", 0)
            filled = int(10 * value / most) if most else 0
            out["data"]["text/plain"] = f"{left}|{'█' * filled}{' ' * (10 - filled)}|{right}"
            done += 1
    return done


def drop_orphan_widgets(nb) -> int:
    """Remove the stored widget state that no output shows: a progress bar a library opened and closed
    without the cell displaying it (e.g. transformers converting a file) would otherwise stay in the
    notebook's metadata. Keeps every model reachable from an output's widget view through its
    IPY_MODEL_ references. Returns how many models were dropped."""
    widgets = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    state = widgets.get("state", {})
    todo = [out["data"][WIDGET_VIEW]["model_id"] for cell in code_cells(nb) for out in cell.get("outputs", [])
            if WIDGET_VIEW in out.get("data", {})]
    keep = set()
    while todo:
        model = todo.pop()
        if model in keep or model not in state:
            continue
        keep.add(model)
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[model]))
    dropped = [m for m in state if m not in keep]
    for m in dropped:
        del state[m]
    return len(dropped)


def execute(path: Path, out: Path, timeout: float = CELL_TIMEOUT_S, env: dict | None = None) -> dict:
    """Execute notebook `path` in its own folder and save it to `out`; return a report row.

    A cell error, a cell over `timeout` seconds or a dead kernel makes the status "FAILED: ...";
    nothing is raised, so the caller goes on with the next notebook. A failed run is never
    written over the notebook it came from (out == path): it goes to build/failed/ instead.
    `env` adds to the kernel's environment (e.g. PYTHONHASHSEED, OMP_NUM_THREADS).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path, out = Path(path).resolve(), Path(out).resolve()
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport chatter
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute(env={**os.environ, RESULTS_ENV: str(results), **(env or {})})
            status = "ok"
        except CellTimeoutError:
            status = f"FAILED: a cell ran longer than the {timeout:g} s timeout"
        except DeadKernelError:
            status = "FAILED: the kernel died (out of memory, or a crash in compiled code?)"
        except CellExecutionError as e:   # its last line names the exception, in terminal colours
            status = "FAILED: " + re.sub(r"\x1b\[[0-9;]*m", "", str(e).strip().splitlines()[-1])[:120]
        except Exception as e:  # the kernel did not start, a broken notebook file...
            status = f"FAILED: {type(e).__name__}: {str(e).strip()[:120]}"
        seconds = time.perf_counter() - start
        figures = json.loads(results.read_text()) if results.exists() else {}
    cells = [{"cell": i, "seconds": None if s is None else round(s, 2), "source": _first_line(code_cells(nb)[i])}
             for i, s in cell_seconds(nb)]
    warnings = []
    if status == "ok" and seconds > budget(nb):
        warnings.append(f"over budget: {seconds:.0f} s > {budget(nb):.0f} s")
    warnings += [f"cell {c['cell']} took {c['seconds']:.0f} s > {CELL_LIMIT_S} s" for c in cells
                 if c["seconds"] is not None and c["seconds"] > CELL_LIMIT_S]
    if status != "ok" and out == path:
        out = BUILD / "failed" / path.name   # keep the committed notebook as it was
    finished_bars(nb)
    drop_orphan_widgets(nb)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return {"notebook": _rel(path), "seconds": round(seconds, 1), "budget_s": budget(nb), "status": status,
            "warnings": warnings, "figures": figures, "written_to": _rel(out), "cells": cells}


def report(rows: list[dict]) -> str:
    width = max(len(r["notebook"]) for r in rows)
    lines = [f"{'notebook':<{width}}  {'seconds':>7}  {'budget':>6}  status  headline figures",
             "-" * (width + 40)]
    for r in rows:
        figures = ", ".join(f"{k}={v}" for k, v in r["figures"].items()) or "-"
        lines.append(f"{r['notebook']:<{width}}  {r['seconds']:>7.1f}  {r['budget_s']:>6.0f}  {r['status']}  {figures}")
    total = sum(r["seconds"] for r in rows)
    failed = sum(r["status"] != "ok" for r in rows)
    lines.append(f"{len(rows)} notebooks in {total:.1f} s; {len(rows) - failed} ok, {failed} failed")
    for r in rows:
        timed = [c for c in r.get("cells", []) if c["seconds"] is not None]
        if timed:
            slow = max(timed, key=lambda c: c["seconds"])
            lines.append(f"  slowest cell of {r['notebook']}: cell {slow['cell']}, {slow['seconds']:.1f} s  {slow['source']}")
    lines += [f"WARNING: {r['notebook']}: {w}" for r in rows for w in r.get("warnings", [])]
    if any(r.get("warnings") for r in rows):
        lines.append("(warnings do not fail the run: a slower machine is not an error; per-cell seconds "
                     "are in build/report.json)")
    return "\n".join(lines)


def run(in_place: bool, only: list[str]) -> int:
    paths = [p for p in notebooks() if not only or any(o in p.name for o in only)]
    if not paths:
        print("no notebooks matched", only or "")
        return 1
    rows = []
    for path in paths:
        out = path if in_place else BUILD / _rel(path).lstrip("/")
        print(f"running {_rel(path)} ...", flush=True)
        rows.append(execute(path, out))
        if rows[-1]["status"] != "ok":
            print(f"  {rows[-1]['status']} (output in {rows[-1]['written_to']}); going on", flush=True)
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
    parser.add_argument("command", choices=["run", "execute", "budgets", "sync", "check", "bars"])
    parser.add_argument("only", nargs="*", help="run only notebooks whose name contains one of these")
    args = parser.parse_args()
    if args.command == "sync":
        return sync()
    if args.command == "budgets":
        return budgets([p for p in lecture_notebooks() if not args.only or any(o in p.name for o in args.only)])
    if args.command == "bars":      # the committed notebooks' bars, from their stored widget state (no execution)
        for path in notebooks():
            if not args.only or any(o in path.name for o in args.only):
                nb = nbformat.read(path, as_version=4)
                if finished_bars(nb) + drop_orphan_widgets(nb):
                    nbformat.write(nb, path)
                    print("bars finished in", _rel(path))
        return 0
    if args.command == "check":
        bad = {str(p.relative_to(ROOT)): out_of_date(p) for p in notebooks()}
        bad = {k: v for k, v in bad.items() if v}
        for name, problems in bad.items():
            print(f"{name}: {'; '.join(problems)} (run `make sync`)")
        return 1 if bad else 0
    return run(in_place=args.command == "execute", only=args.only)


if __name__ == "__main__":
    sys.exit(main())
