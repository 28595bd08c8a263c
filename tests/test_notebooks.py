"""Static checks of the committed notebooks (nbval, run by pytest on notebooks/, re-executes them)."""
import ast
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as tool  # noqa: E402

NOTEBOOKS = tool.notebooks()
IDS = [p.name for p in NOTEBOOKS]


def test_the_course_has_its_first_notebooks():
    assert {"00_getting_started.ipynb", "01_clinical_text.ipynb"} <= set(IDS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_bootstrap_cell_and_badge_are_canonical(path):
    assert tool.out_of_date(path) == []


def _shows_a_value(source: str) -> bool:
    """True when Jupyter would display something for this cell: its last statement is a bare
    expression that is not a call (a call may return None: `plt.show()`, `seed_everything(0)`)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    body = ast.parse("\n".join(lines)).body
    return bool(body) and isinstance(body[-1], ast.Expr) and not isinstance(body[-1].value, ast.Call)


def test_shows_a_value_tells_displays_from_statements():
    assert _shows_a_value("x = 1\nx")
    assert _shows_a_value("df.head")
    assert not _shows_a_value("x = 1")
    assert not _shows_a_value("assert x > 0  # a claim")
    assert not _shows_a_value("import os\nseed_everything(0)")
    assert not _shows_a_value("def f():\n    return 1")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_executed_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "not a clean Run All"
    for cell in code:
        assert cell.outputs or not _shows_a_value(cell.source), f"a cell that should show a value shows nothing: {cell.source[:60]}"
        for out in cell.outputs:
            assert out.output_type != "error", cell.source[:60]
            assert out.get("name") != "stderr", f"stderr output (warnings?) in: {cell.source[:60]}"
            text = json.dumps(out.get("text", "")) + json.dumps(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"/(tmp|root|work|home|Users)/", text), "local path in output"
            assert not re.search(r" at 0x[0-9a-f]{6,}", text), "memory address in output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_story_shape(path):
    nb = nbformat.read(path, as_version=4)
    first, last = nb.cells[0].source, nb.cells[-1].source
    assert "You will learn" in first or "you will learn" in first.lower()
    assert "## Summary" in last and "## Exercises" in last
    assert any("# NBVAL_CHECK_OUTPUT" in c.source for c in nb.cells if c.cell_type == "code")
    assert 0 < tool.budget(nb) <= 120


def test_lecture_notebooks_have_plots_where_promised():
    nb = nbformat.read(ROOT / "notebooks" / "01_clinical_text.ipynb", as_version=4)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= 3


LECTURES = tool.lecture_notebooks()


@pytest.mark.parametrize("path", LECTURES, ids=[p.name for p in LECTURES])
def test_committed_timestamps_keep_the_budget(path):
    """The committed run (nbclient's timestamps) is within the notebook's budget, every cell within 30 s."""
    assert tool.timing_problems(path) == []


def _timed_notebook(cell_seconds, budget=None):
    from datetime import datetime, timedelta, timezone
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    cells = []
    for s in cell_seconds:
        cell = nbformat.v4.new_code_cell("x = 1")
        if s is not None:
            cell.metadata.execution = {"iopub.status.busy": t.isoformat(),
                                       "shell.execute_reply": (t + timedelta(seconds=s)).isoformat()}
        t += timedelta(seconds=s or 0)
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("m")] + cells)
    if budget:
        nb.metadata.course = {"budget_s": budget}
    return nb


@pytest.mark.parametrize("seconds, budget, found", [
    ([10, 20, 25], None, []),
    ([10, 20, 35], None, ["over its budget of 60 s", "cell 2 took 35.0 s"]),        # default budget 60
    ([10, 40], 90, ["cell 1 took 40.0 s, over the 30 s cell limit"]),
    ([25, 25, 25], 70, ["took 75.0 s, over its budget of 70 s"]),
    ([10, None], None, ["cells [1] have no nbclient timestamps"]),
])
def test_timing_problems_finds_slow_notebooks_and_cells(tmp_path, seconds, budget, found):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_timed_notebook(seconds, budget), path)
    problems = tool.timing_problems(path)
    assert len(problems) == len(found)
    for problem, text in zip(problems, found):
        assert text in problem


def test_run_warns_on_budgets_and_fails_only_on_failures(monkeypatch, tmp_path, capsys):
    rows = {"00_a.ipynb": dict(status="ok", warnings=["over budget: 75 s > 60 s"]),
            "01_b.ipynb": dict(status="ok", warnings=[])}

    def fake_execute(path, out):
        return {"notebook": path.name, "seconds": 1.0, "budget_s": 60, "figures": {}, "written_to": str(out),
                "cells": [{"cell": 0, "seconds": 0.5, "source": "x = 1"}], **rows[path.name]}

    monkeypatch.setattr(tool, "notebooks", lambda: [tmp_path / name for name in rows])
    monkeypatch.setattr(tool, "execute", fake_execute)
    monkeypatch.setattr(tool, "BUILD", tmp_path / "build")
    assert tool.run(in_place=False, only=[]) == 0
    assert "WARNING: 00_a.ipynb: over budget" in capsys.readouterr().out
    report = json.loads((tmp_path / "build" / "report.json").read_text())
    assert report[0]["cells"][0]["seconds"] == 0.5
    rows["01_b.ipynb"]["status"] = "FAILED: ValueError"
    assert tool.run(in_place=False, only=[]) == 1


def _notebook(tmp_path, *sources):
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


@pytest.mark.parametrize("sources, timeout, status", [
    (["x = 1", "raise ValueError('boom')"], 60, "FAILED: ValueError: boom"),
    (["import time; time.sleep(30)"], 2, "FAILED: a cell ran longer than the 2 s timeout"),
    (["import os; os._exit(1)"], 60, "FAILED: the kernel died"),
])
def test_execute_reports_failures_and_never_overwrites_the_notebook(tmp_path, monkeypatch, sources, timeout, status):
    monkeypatch.setattr(tool, "BUILD", tmp_path / "build")
    path = _notebook(tmp_path, *sources)
    before = path.read_text()
    row = tool.execute(path, path, timeout=timeout)            # as `execute` in place would
    assert row["status"].startswith(status)
    assert path.read_text() == before                           # the committed notebook is untouched
    assert (tmp_path / "build" / "failed" / "nb.ipynb").exists()


def test_execute_records_per_cell_seconds(tmp_path):
    path = _notebook(tmp_path, "import time; time.sleep(0.3)", "print('ok')")
    row = tool.execute(path, tmp_path / "out.ipynb")
    assert row["status"] == "ok" and [c["cell"] for c in row["cells"]] == [0, 1]
    assert row["cells"][0]["seconds"] >= 0.3 and row["warnings"] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_progress_bars_show_their_last_frame(path):
    # A bar's stored text is what GitHub, the website and text viewers show: not the "0%" of its first frame.
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if tool.WIDGET_VIEW in out.get("data", {}):
                assert not re.search(r"(^|\s)0%\|", out["data"].get("text/plain", "")), (path.name, out["data"]["text/plain"])


def test_finished_bars_rewrites_a_bar_from_its_widget_state():
    nb = nbformat.v4.new_notebook()
    view = {tool.WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
            "text/plain": "fine-tuning:   0%|          | 0/4 [00:00<?, ?it/s]"}
    nb.cells = [nbformat.v4.new_code_cell("...", outputs=[nbformat.v4.new_output("display_data", data=view)])]
    state = {"box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_l", "IPY_MODEL_p", "IPY_MODEL_r"]}},
             "l": {"model_name": "HTMLModel", "state": {"value": "fine-tuning:\u2007\u200775%"}},
             "p": {"model_name": "FloatProgressModel", "state": {"value": 3.0, "max": 4.0}},
             "r": {"model_name": "HTMLModel", "state": {"value": " 3/4 [00:07&lt;00:02,  1.81s/it]"}}}
    nb.metadata["widgets"] = {tool.WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    assert tool.finished_bars(nb) == 1
    assert nb.cells[0].outputs[0]["data"]["text/plain"] == "fine-tuning:  75%|███████   | 3/4 [00:07<00:02,  1.81s/it]"
    assert tool.finished_bars(nbformat.v4.new_notebook()) == 0           # no widgets, nothing to do


def test_drop_orphan_widgets_keeps_what_an_output_shows():
    nb = nbformat.v4.new_notebook()
    view = {tool.WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0}, "text/plain": "bar"}
    nb.cells = [nbformat.v4.new_code_cell("...", outputs=[nbformat.v4.new_output("display_data", data=view)])]
    state = {"box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_ab", "IPY_MODEL_cd"]}},
             "ab": {"model_name": "HTMLModel", "state": {"value": "shown", "style": "IPY_MODEL_ef"}},
             "cd": {"model_name": "FloatProgressModel", "state": {"value": 1}}, "ef": {"model_name": "StyleModel"},
             "99": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_98"]}}, "98": {"model_name": "HTMLModel"}}
    nb.metadata["widgets"] = {tool.WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}}
    assert tool.drop_orphan_widgets(nb) == 2
    assert set(nb.metadata["widgets"][tool.WIDGET_STATE]["state"]) == {"box", "ab", "cd", "ef"}
    assert tool.drop_orphan_widgets(nbformat.v4.new_notebook()) == 0
