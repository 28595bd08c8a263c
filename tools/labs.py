"""Build the graded labs from their masters, check the student versions, and grade submissions.

    python tools/labs.py build [LAB ...]        # otter assign: student notebooks into notebooks/labs/,
                                                # autograder zips into build/labs/ (`make labs`)
    python tools/labs.py check                  # exit 1 if a committed student version is out of date
    python tools/labs.py grade LAB SUBMISSIONS  # grade every file in SUBMISSIONS (`make grade`)

Masters (with solutions and hidden tests) live in labs/masters/, outside notebooks/, in otter-grader's
assign format. Students get notebooks/labs/<lab>/<lab>.ipynb and its public tests/. Instructors keep
labs/masters/ private (see notebooks/labs/INSTRUCTORS.md).

Grading runs `otter run` (no Docker) on each submission in its own process and private folder, with
a time limit. The autograder and all submissions are read into memory before the first one runs, every
process a submission starts is killed when its time is up, and the CSV is written only at the end,
so one submission cannot change another's result or the grader's output. One bad submission never
stops the run: it gets 0 for what could not be graded, with the reason in the CSV. (otter runs the
tests inside the submission's own kernel; see INSTRUCTORS.md for what that does and does not protect.)
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MASTERS = ROOT / "labs" / "masters"
STUDENT = ROOT / "notebooks" / "labs"
BUILD = ROOT / "build" / "labs"
DEFAULT_TIMEOUT_S = 300


def labs() -> list[str]:
    return sorted(p.stem for p in MASTERS.glob("lab*.ipynb"))


def _check_lab(lab: str) -> str:
    """The full name of `lab`, which may be given short (`lab3` for `lab3_embeddings`)."""
    matches = [name for name in labs() if name == lab or name.split("_")[0] == lab]
    if len(matches) != 1:
        raise ValueError(f"unknown lab {lab!r}; the labs are: {', '.join(labs())}")
    return matches[0]


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ, COURSE_ROOT=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_VERBOSITY="error",
               HF_HUB_DISABLE_PROGRESS_BARS="1", PYTHONWARNINGS="ignore")
    env.update(extra or {})
    return env


def _otter() -> str:
    return str(Path(sys.executable).parent / "otter")


def assign(lab: str, out: Path) -> Path:
    """Run otter assign on the master of `lab` into `out` (student/ and autograder/ subfolders)."""
    lab = _check_lab(lab)
    shutil.rmtree(out, ignore_errors=True)
    proc = subprocess.run([_otter(), "assign", "--no-run-tests", str(MASTERS / f"{lab}.ipynb"), str(out)],
                          capture_output=True, text=True, env=_env(), cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"otter assign failed for {lab}:\n{proc.stdout}\n{proc.stderr}")
    return out


def autograder_zip(lab: str) -> Path:
    """The autograder zip of `lab`, building it first if it is missing or older than the master."""
    folder = BUILD / lab / "autograder"
    zips = sorted(folder.glob("*.zip"))
    master = MASTERS / f"{lab}.ipynb"
    if not zips or zips[-1].stat().st_mtime < master.stat().st_mtime:
        build([lab])
        zips = sorted(folder.glob("*.zip"))
    return zips[-1]


def master_blocks(lab: str) -> tuple[list[str], list[str]]:
    """(solution lines, hidden-test lines not also in a public test) of a master notebook, as otter
    assign reads them: what must never reach students (tests/test_labs.py, tests/test_site.py)."""
    nb = nbformat.read(MASTERS / f"{lab}.ipynb", as_version=4)
    solutions, hidden, public, in_solution, in_tests = [], [], [], False, False
    for cell in nb.cells:
        first = cell.source.strip().splitlines()[0].strip().lower() if cell.source.strip() else ""
        if cell.cell_type == "raw":
            in_solution = {"# begin solution": True, "# end solution": False}.get(first, in_solution)
            in_tests = {"# begin tests": True, "# end tests": False}.get(first, in_tests)
            continue
        if in_solution and cell.cell_type == "markdown":
            solutions += cell.source.splitlines()
        if in_solution and cell.cell_type == "code":
            inside = False
            for line in cell.source.splitlines():
                marker = line.strip().upper()
                if marker == "# BEGIN SOLUTION":
                    inside = True
                elif marker == "# END SOLUTION":
                    inside = False
                elif inside or line.rstrip().endswith("# SOLUTION"):
                    solutions.append(line)
        if in_tests and cell.cell_type == "code":
            if first == "# hidden":
                hidden += cell.source.splitlines()[1:]
            else:
                public += cell.source.splitlines()
    meaningful = lambda lines: sorted({l.strip() for l in lines if len(l.strip()) > 12})  # noqa: E731
    return meaningful(solutions), sorted(set(meaningful(hidden)) - set(meaningful(public)))


def _student_files(folder: Path) -> dict[str, str]:
    """Relative path -> comparable text of a student build (notebook: cell types and sources only;
    hidden files such as otter's .OTTER_LOG, written when a student runs grader.check, are ignored)."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = str(path.relative_to(folder))
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            out[rel] = json.dumps([(c.cell_type, c.source) for c in nb.cells])
        else:
            out[rel] = path.read_text()
    return out


def build(only: list[str] | None = None) -> int:
    for lab in only or labs():
        start = time.perf_counter()
        out = assign(lab, BUILD / lab)
        target = STUDENT / lab
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(out / "student", target)
        student = target / f"{lab}.ipynb"
        nb = nbformat.read(student, as_version=4)
        for i, cell in enumerate(nb.cells):   # otter draws random cell ids: stable ids, no churn in git
            cell.id = f"cell-{i}"
        nbformat.write(nb, student)
        print(f"{lab}: student version in {target.relative_to(ROOT)}, autograder in "
              f"{next((out / 'autograder').glob('*.zip')).relative_to(ROOT)} ({time.perf_counter() - start:.0f} s)")
    return 0


def out_of_date() -> dict[str, list[str]]:
    """For each lab, the student files that differ from a fresh build of its master."""
    problems = {}
    with tempfile.TemporaryDirectory() as tmp:
        for lab in labs():
            fresh = _student_files(assign(lab, Path(tmp) / lab) / "student")
            committed = _student_files(STUDENT / lab) if (STUDENT / lab).exists() else {}
            diff = sorted(k for k in fresh.keys() | committed.keys() if fresh.get(k) != committed.get(k))
            if diff:
                problems[lab] = diff
    return problems


# --- grading ----------------------------------------------------------------------------------

def _questions(zip_path: Path) -> dict[str, float]:
    """{question: points} of the auto-graded questions in an autograder zip."""
    import zipfile

    points = {}
    with zipfile.ZipFile(zip_path) as z:
        for name in sorted(n for n in z.namelist() if n.startswith("tests/") and n.endswith(".py")):
            scope: dict = {}
            exec(z.read(name).decode(), scope)  # the instructor's own test file, not a submission
            test = scope["test"]
            points[test["name"]] = float(test.get("points") or 0)
    return points


def _is_notebook(path: Path) -> str | None:
    """None if `path` reads as a Jupyter notebook, else why not."""
    try:
        nbformat.read(path, as_version=4)
        return None
    except Exception as e:  # any parse failure means "not a notebook"
        return f"not a Jupyter notebook ({type(e).__name__})"


def _become_subreaper() -> None:
    """Linux: orphans of a submission (daemons that detach with setsid) become our children, so
    that `_kill_descendants` finds them. Elsewhere a no-op."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:
        pass


def _kill_descendants() -> None:
    """Kill every process started under the grader: nothing a submission started may outlive it."""
    import psutil

    for _ in range(3):  # a dying process may still spawn one more
        children = psutil.Process().children(recursive=True)
        if not children:
            return
        for child in children:
            try:
                child.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(children, timeout=5)


def grade_one(submission: bytes, autograder: bytes, questions: dict[str, float],
              timeout_s: float = DEFAULT_TIMEOUT_S) -> dict:
    """Grade one submission (the file's bytes) with an autograder zip (bytes) whose auto-graded
    questions are `questions`; never raises. Returns {question: points, ..., 'total', 'error'}."""
    row = {q: 0.0 for q in questions}
    row["error"] = ""
    row["total"] = 0.0
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        box = Path(tmp)
        for sub in ["out", "tmp", "home"]:
            (box / sub).mkdir()
        (box / "autograder.zip").write_bytes(autograder)
        (box / "submission.ipynb").write_bytes(submission)
        why = _is_notebook(box / "submission.ipynb")
        if why:
            row["error"] = why
            return row
        cmd = [_otter(), "run", "--no-logo", "-a", "autograder.zip", "-o", "out", "submission.ipynb"]
        env = _env({"TMPDIR": str(box / "tmp"), "HOME": str(box / "home"),
                    "MPLCONFIGDIR": str(box / "tmp"), "HF_HOME": str(box / "tmp" / "hf")})
        _become_subreaper()
        proc = subprocess.Popen(cmd, cwd=box, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
        try:
            log, _ = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill_descendants()
            proc.communicate()
            row["error"] = f"timed out after {timeout_s:.0f} s"
            return row
        finally:
            _kill_descendants()  # nothing the submission started may outlive its grading
        results = box / "out" / "results.json"
        try:
            tests = json.loads(results.read_text())["tests"]
        except Exception:
            tail = " ".join((log or "").strip().splitlines()[-3:])[-300:]
            row["error"] = f"otter could not grade it: {tail or 'no results'}"
            return row
    for t in tests:
        name = t.get("name")
        if name in questions:  # anything else in the file is ignored; scores are clipped to the points
            row[name] = min(max(float(t.get("score") or 0.0), 0.0), questions[name])
    row["total"] = round(sum(row[q] for q in questions), 3)
    return row


def grade(lab: str, submissions: Path, out_dir: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> Path:
    """Grade every file in `submissions`; write grades.csv and summary.txt into `out_dir`."""
    lab = _check_lab(lab)
    if not submissions.is_dir():
        raise ValueError(f"SUBMISSIONS must be a folder of submitted files, got {submissions}")
    zip_path = autograder_zip(lab)
    questions = _questions(zip_path)
    # Everything a submission could tamper with is read into memory first: the autograder and every
    # other submission. Each runs in its own folder, from these bytes.
    autograder = zip_path.read_bytes()
    files = {p.name: p.read_bytes() for p in sorted(submissions.iterdir())
             if p.is_file() and not p.name.startswith(".")}
    rows = []
    for name, data in files.items():
        start = time.perf_counter()
        row = grade_one(data, autograder, questions, timeout_s)
        row.update(file=name, seconds=round(time.perf_counter() - start, 1))
        rows.append(row)
        print(f"{name}: {row['total']:g} / {sum(questions.values()):g}"
              + (f"  ({row['error']})" if row["error"] else ""), flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    grades = out_dir / "grades.csv"
    with grades.open("w", newline="") as f:  # written only now, by the grader, after every submission ran
        writer = csv.DictWriter(f, fieldnames=["file", *questions, "total", "seconds", "error"])
        writer.writeheader()
        writer.writerows(rows)
    (out_dir / "summary.txt").write_text(summary(lab, rows, questions))
    print("\n" + (out_dir / "summary.txt").read_text())
    return grades


def summary(lab: str, rows: list[dict], questions: dict[str, float]) -> str:
    """A short text summary: mean per question, errors, and a histogram of totals."""
    full = sum(questions.values())
    lines = [f"{lab}: {len(rows)} submissions, auto-graded out of {full:g} points "
             f"(written questions are graded by hand)"]
    if rows:
        for q, pts in questions.items():
            lines.append(f"  {q}: mean {sum(r[q] for r in rows) / len(rows):.2f} / {pts:g}")
        lines.append(f"  with an error: {sum(bool(r['error']) for r in rows)}")
        lines.append("  histogram of totals:")
        bins = 5
        for b in range(bins):
            lo, hi = full * b / bins, full * (b + 1) / bins
            n = sum(lo <= r["total"] < hi or (b == bins - 1 and r["total"] == full) for r in rows)
            lines.append(f"    {lo:5.1f}-{hi:5.1f} | {'#' * n} {n}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("labs", nargs="*")
    sub.add_parser("check")
    g = sub.add_parser("grade")
    g.add_argument("lab")
    g.add_argument("submissions", type=Path)
    g.add_argument("--out", type=Path, default=None, help="default: build/grades/LAB")
    g.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per submission")
    args = parser.parse_args()
    if args.command == "build":
        return build(args.labs)
    if args.command == "check":
        bad = out_of_date()
        for lab, files in bad.items():
            print(f"{lab}: out of date with its master: {', '.join(files)} (run `make labs`)")
        return 1 if bad else 0
    out = args.out or ROOT / "build" / "grades" / _check_lab(args.lab)
    grade(args.lab, args.submissions.resolve(), out.resolve(), args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
