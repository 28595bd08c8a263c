"""tools/determinism.py catches what varies between processes, and passes what does not."""
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import determinism  # noqa: E402


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _run(tmp_path, *sources):
    source = _notebook(tmp_path / "source.ipynb", *sources)
    out = tmp_path / "a" / "executed.ipynb"
    assert determinism.execute_a(source, out) is None
    return determinism.check_b(out)


def test_deterministic_checked_cells_pass(tmp_path):
    same, report = _run(tmp_path, "# NBVAL_CHECK_OUTPUT\nprint(sorted({'mi', 'pe', 'ra'}), round(0.1 + 0.2, 6))",
                        "import os\nprint(os.environ['PYTHONHASHSEED'])  # unchecked: may differ")
    assert same, report


def test_a_hash_seed_dependent_checked_cell_is_caught(tmp_path):
    same, report = _run(tmp_path, "# NBVAL_CHECK_OUTPUT\nprint(hash('myocardial infarction'))")
    assert not same and "FAILED" in report


def test_a_thread_count_dependent_checked_cell_is_caught(tmp_path):
    same, _ = _run(tmp_path, "# NBVAL_CHECK_OUTPUT\nimport os\nprint(os.environ['OMP_NUM_THREADS'])")
    assert not same
