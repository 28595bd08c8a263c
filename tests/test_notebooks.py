"""Static checks of the committed notebooks (nbval, run by pytest on notebooks/, re-executes them)."""
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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_executed_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "not a clean Run All"
    for cell in code:
        assert cell.outputs or cell.source.startswith("def ") or "=" in cell.source.splitlines()[-1], cell.source[:60]
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
    assert 0 < tool.budget(nb) <= 90


def test_lecture_notebooks_have_plots_where_promised():
    nb = nbformat.read(ROOT / "notebooks" / "01_clinical_text.ipynb", as_version=4)
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= 3
