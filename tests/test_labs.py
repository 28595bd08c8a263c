"""The graded labs are honest: the student version scores 0, the solution full marks, no solution or
hidden test reaches students, the committed student versions match their masters, and the grader
survives broken, looping and malicious submissions without letting one change another's result."""
import csv
import time
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import labs  # noqa: E402

LABS = labs.labs()


def _student_text(lab: str) -> str:
    """Everything a student receives for `lab`: notebook sources and public test files."""
    folder = labs.STUDENT / lab
    parts = [c.source for c in nbformat.read(folder / f"{lab}.ipynb", as_version=4).cells]
    parts += [p.read_text() for p in sorted((folder / "tests").glob("*.py"))]
    return "\n".join(parts)


def test_there_are_seven_labs():
    assert len(LABS) == 7, LABS


def test_readme_links_every_lab_with_a_colab_badge():
    from utils.setup import colab_badge

    readme = (ROOT / "README.md").read_text()
    for lab in LABS:
        assert colab_badge(f"notebooks/labs/{lab}/{lab}.ipynb") in readme, lab


@pytest.mark.parametrize("lab", LABS)
def test_student_version_starts_with_the_course_bootstrap(lab):
    from utils.setup import bootstrap_cell, colab_badge

    nb = nbformat.read(labs.STUDENT / lab / f"{lab}.ipynb", as_version=4)
    assert colab_badge(f"notebooks/labs/{lab}/{lab}.ipynb") in nb.cells[0].source
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[0] == bootstrap_cell() and "otter.Notebook" in code[1]


@pytest.mark.parametrize("lab", LABS)
def test_no_solution_line_reaches_students(lab):
    solutions, _ = labs.master_blocks(lab)
    assert solutions, f"{lab}: found no solution lines in the master (markers not recognised?)"
    text = _student_text(lab)
    leaked = [line for line in solutions if line in text]
    assert not leaked, f"{lab}: solution lines in the student version: {leaked[:5]}"


@pytest.mark.parametrize("lab", LABS)
def test_hidden_tests_are_absent_from_student_files(lab):
    _, hidden = labs.master_blocks(lab)
    assert hidden, f"{lab}: the master has no hidden tests"
    text = _student_text(lab)
    assert not [line for line in hidden if line in text]


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_has_a_manually_graded_reflection(lab):
    nb = nbformat.read(labs.MASTERS / f"{lab}.ipynb", as_version=4)
    assert any(c.cell_type == "raw" and re.search(r"^manual:\s*true", c.source, re.M) for c in nb.cells)


def test_committed_student_versions_match_their_masters():
    assert labs.out_of_date() == {}, "run `make labs` and commit notebooks/labs/"


@pytest.fixture(scope="module")
def autograders():
    return {lab: labs.autograder_zip(lab) for lab in LABS}


@pytest.mark.parametrize("lab", LABS)
def test_solution_scores_full_marks_and_student_version_zero(lab, autograders):
    zip_path = autograders[lab]
    questions = labs._questions(zip_path)
    autograder = zip_path.read_bytes()
    solution = (zip_path.parent / f"{lab}.ipynb").read_bytes()
    student = (labs.STUDENT / lab / f"{lab}.ipynb").read_bytes()
    full = labs.grade_one(solution, autograder, questions, timeout_s=600)
    assert full["error"] == "" and full["total"] == sum(questions.values()), full
    empty = labs.grade_one(student, autograder, questions, timeout_s=600)
    assert empty["error"] == "" and all(empty[q] == 0 for q in questions), empty


MALICIOUS = r'''
import glob, os, pathlib, subprocess, sys
stolen = {p: open(p).read() for p in glob.glob("tests/*.py") + glob.glob("../**/tests/*.py", recursive=True)}
print("read", len(stolen), "test files")
for results in glob.glob("../**/results*.json", recursive=True) + ["../results/results.json", "results.json"]:
    try:
        pathlib.Path(results).write_text('{"tests": [{"name": "q1", "score": 99, "max_score": 3}]}')
    except OSError:
        pass
grades = os.environ.get("GRADES_TARGET", "")
daemon = f"""
import os, time, pathlib
os.setsid()
for _ in range(600):
    p = pathlib.Path({grades!r})
    if p.exists():
        p.write_text("HACKED")
    time.sleep(0.1)
"""
subprocess.Popen([sys.executable, "-c", daemon], start_new_session=True)
'''


def _variant(source: Path, target: Path, change) -> None:
    nb = nbformat.read(source, as_version=4)
    change(nb)
    nbformat.write(nb, target)


def test_grader_survives_bad_submissions(tmp_path, autograders, monkeypatch):
    lab = "lab1_clinical_text"
    zip_path = autograders[lab]
    solution, student = zip_path.parent / f"{lab}.ipynb", labs.STUDENT / lab / f"{lab}.ipynb"
    subs = tmp_path / "submissions"
    subs.mkdir()
    out = tmp_path / "grades"
    monkeypatch.setenv("GRADES_TARGET", str(out / "grades.csv"))  # tell the attack where to aim
    new = nbformat.v4.new_code_cell
    _variant(solution, subs / "a_solution.ipynb", lambda nb: None)
    _variant(solution, subs / "b_no_test_cells.ipynb",
             lambda nb: setattr(nb, "cells", [c for c in nb.cells if "grader.check" not in c.source]))
    _variant(solution, subs / "c_broken.ipynb", lambda nb: nb.cells.extend([  # q1 broken after it was solved
        new("def find_phones(text):\n    raise RuntimeError('oops')"), new("import a_package_nobody_installed")]))
    _variant(solution, subs / "d_loops.ipynb", lambda nb: nb.cells.insert(5, new("while True:\n    pass")))
    _variant(student, subs / "e_malicious.ipynb", lambda nb: nb.cells.insert(3, new(MALICIOUS)))
    (subs / "f_not_a_notebook.ipynb").write_text("this is not a notebook")
    _variant(solution, subs / "g_solution_again.ipynb", lambda nb: None)

    labs.grade(lab, subs, out, timeout_s=45)
    time.sleep(1)  # give a surviving daemon the chance to strike
    rows = {r["file"]: r for r in csv.DictReader((out / "grades.csv").open())}
    full = sum(labs._questions(zip_path).values())
    total = lambda name: float(rows[name]["total"])  # noqa: E731
    assert total("a_solution.ipynb") == full and total("g_solution_again.ipynb") == full
    assert total("b_no_test_cells.ipynb") == full           # hidden tests run without the check cells
    assert float(rows["c_broken.ipynb"]["q1"]) == 0 and 0 < total("c_broken.ipynb") < full
    assert total("d_loops.ipynb") == 0 and "timed out" in rows["d_loops.ipynb"]["error"]
    assert total("e_malicious.ipynb") == 0                  # its fake results and stolen tests changed nothing
    assert total("f_not_a_notebook.ipynb") == 0 and "not a Jupyter notebook" in rows["f_not_a_notebook.ipynb"]["error"]
    assert "HACKED" not in (out / "grades.csv").read_text()
    assert "histogram" in (out / "summary.txt").read_text()
