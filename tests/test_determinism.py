"""tools/determinism.py: a checked cell that prints the same in both runs passes; one that depends
on the hash seed (or anything else that differs between the runs) is reported."""
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import determinism  # noqa: E402


def test_checked_cells_that_depend_on_the_process_are_reported(tmp_path):
    cell = nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("A tiny notebook."),
        cell("# NBVAL_CHECK_OUTPUT\nprint(sorted({'beta', 'alpha'}), 2 + 2)"),             # code cell 0: same
        cell("# NBVAL_CHECK_OUTPUT\nimport os\nprint(os.environ.get('PYTHONHASHSEED'))"),  # 1: differs
        cell("# NBVAL_CHECK_OUTPUT\nprint(hash('x'))"),                                     # 2: differs
        cell("print(hash('x'))"),                                                           # 3: not compared
        cell("import os\nassert os.environ['OMP_NUM_THREADS'] == '1'"),                     # 4: fails in run B
    ])
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    row = determinism.check(path, tmp_path / "out")
    assert row["status"] == "DIFFERS" and row["checked"] == 3
    assert [d["cell"] for d in row["differ"]] == [1, 2]                 # cell 0, deterministic, passes
    assert "'0\\n' == '12345\\n'" in row["differ"][0]["nbval"]
    assert [d["cell"] for d in row["failed_in_b"]] == [4]
    assert nbformat.read(path, as_version=4).cells[1].outputs == []     # the notebook itself is untouched
    text = determinism.report([row])
    assert "checked cell 2 differs: print(hash('x'))" in text and "0 identical" in text

