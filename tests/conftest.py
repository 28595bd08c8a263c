"""Shared test set-up: quiet libraries, the Hub declared offline, and a check that nbval
collected every notebook (a notebook that silently drops out of the run is a test that cannot fail)."""
import os
from pathlib import Path


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: minutes, not seconds (a fresh venv, every course model through the "
                                       "local Hub); skipped unless selected with -m slow")


def pytest_runtest_setup(item):
    """A test marked slow runs only when chosen with ``-m slow`` (make test stays fast)."""
    if "slow" in item.keywords and "slow" not in (item.config.option.markexpr or ""):
        import pytest

        pytest.skip("slow: select it with -m slow")


os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_finish(session):
    """On a full run (`make test`: no paths, no -k/-m), every notebook must have been collected."""
    import pytest

    config = session.config
    if (config.args_source != pytest.Config.ArgsSource.TESTPATHS or config.option.keyword
            or config.option.markexpr or config.pluginmanager.hasplugin("dsession")):
        return                        # a chosen subset, or pytest-xdist's controller (workers collect)
    wanted = {p.resolve() for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    collected = {Path(str(item.fspath)).resolve() for item in session.items}
    missing = sorted(str(p.relative_to(ROOT)) for p in wanted - collected)
    if missing or not wanted:
        raise RuntimeError(f"nbval collected no cells from: {missing or 'notebooks/ (none found)'}")


# Seconds of CPU a test file costs, measured on the course's 2-core machine (one thread per worker);
# files not named here take a few seconds. Notebooks cost what their committed run took.
SLOW_FILES = {"test_labs.py": 420, "test_rehearsal.py": 450, "test_site.py": 40, "test_deid.py": 40,
              "test_local_hub.py": 30}
# The build of the offline models (tests/test_builds_identical.py) runs first, on one worker, for about
# BUILD_SECONDS; these files load a built model, so they are scheduled after enough other work to fill
# the other workers meanwhile (they would wait for the build's file lock otherwise, idle).
BUILD_FILE, BUILD_SECONDS = "test_builds_identical.py", 300
NEEDS_MODELS = {"07_pretraining_finetuning.ipynb", "08_huggingface_biomedical_llms.ipynb", "10_notes_to_genes.ipynb",
                "09_llms_in_practice.ipynb", "test_llm.py", "test_pretrain.py", "test_local_hub.py",
                "test_rehearsal.py"}


def _cost(path: Path) -> float:
    if path.suffix == ".ipynb":
        import nbformat

        return _notebook_tool().notebook_seconds(nbformat.read(path, as_version=4)) or 60.0
    return SLOW_FILES.get(path.name, 1.0)


def _notebook_tool():
    """tools/notebooks.py (the committed timings), put on the path once."""
    import sys

    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    import notebooks

    return notebooks


def schedule(costs: dict, workers: int) -> list:
    """The order to hand files to pytest-xdist (`--dist loadfile --no-loadscope-reorder`: each worker
    takes the next file when it is nearly done). The model build first; then the costliest files
    first, so that no long file starts last while the other workers idle; but a file that needs the
    models only once the other workers have had about BUILD_SECONDS of work each."""
    files = sorted(costs, key=lambda f: (-costs[f], str(f)))
    first = [f for f in files if Path(str(f)).name == BUILD_FILE]
    free = [f for f in files if f not in first and Path(str(f)).name not in NEEDS_MODELS]
    needing = [f for f in files if Path(str(f)).name in NEEDS_MODELS]
    order, free_done = list(first), 0.0
    while free or needing:
        ready = needing and (not first or free_done >= BUILD_SECONDS * max(workers - 1, 1) or not free)
        if ready and (not free or costs[needing[0]] >= costs[free[0]]):
            order.append(needing.pop(0))
        else:
            free_done += costs[free[0]]
            order.append(free.pop(0))
    return order


def pytest_collection_modifyitems(items):
    """Files in the order of `schedule`; the order within a file stays.

    nbval waits only 5 s (hard-coded) for each output message after a cell finishes; a long
    training cell with progress-bar updates can exceed it on a busy machine (nbval issues #136,
    #231). Give each notebook cell 60 s instead; the cell's own timeout is --nbval-cell-timeout."""
    import os

    costs = {}
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = 60
        path = Path(str(item.fspath))
        if path not in costs:
            costs[path] = _cost(path)
    rank = {path: i for i, path in enumerate(schedule(costs, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))))}
    items.sort(key=lambda item: rank[Path(str(item.fspath))])
