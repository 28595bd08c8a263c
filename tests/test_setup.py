"""utils.setup: the bootstrap cell, badges, seeds, requirement checks, headline figures."""
import json
import random

import pytest

from utils import setup


def test_bootstrap_cell_is_valid_python_and_short():
    cell = setup.bootstrap_cell()
    compile(cell, "<bootstrap>", "exec")
    assert len(cell.splitlines()) <= 12
    assert setup.REPO_URL in cell and "utils.setup.bootstrap()" in cell
    assert "torch" not in cell  # never reinstall torch in Colab


def test_bootstrap_cell_finds_the_repo_from_a_notebook_folder(tmp_path, monkeypatch):
    """Run the cell's path logic from notebooks/ (not in Colab: no clone)."""
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root / "notebooks")
    namespace = {}
    code = setup.bootstrap_cell().replace("import utils.setup\ninfo = utils.setup.bootstrap()", "")
    exec(code, namespace)
    assert namespace["root"] == root


def test_colab_badge():
    badge = setup.colab_badge("notebooks/01_clinical_text.ipynb")
    assert badge.startswith("[![Open In Colab]") and badge.endswith("/blob/main/notebooks/01_clinical_text.ipynb)")
    with pytest.raises(ValueError, match="ipynb"):
        setup.colab_badge("notebooks/01")


def test_colab_requirements_never_touch_torch_or_numpy():
    assert not {"torch", "numpy"} & set(setup.COLAB_REQUIREMENTS)


def test_colab_install_pins_torch_and_numpy_where_they_are(monkeypatch, capsys):
    installed = {"torch": "2.8.0+cu126", "numpy": "2.0.2"}
    monkeypatch.setattr(setup, "_version", installed.get)
    assert setup.keep_constraints() == "torch==2.8.0+cu126\nnumpy==2.0.2\n"
    calls = []
    monkeypatch.setattr(setup.subprocess, "run", lambda cmd, check: calls.append((cmd, open(cmd[cmd.index("-c") + 1]).read())))
    setup.colab_install(["transformers>=5.0,<6", "peft>=0.21,<1"])
    (cmd, constraints), = calls
    assert cmd[1:5] == ["-m", "pip", "install", "-q"] and cmd[-2:] == ["transformers>=5.0,<6", "peft>=0.21,<1"]
    assert constraints == "torch==2.8.0+cu126\nnumpy==2.0.2\n"
    assert "Installing for Colab: transformers>=5.0,<6 peft>=0.21,<1" in capsys.readouterr().out
    setup.colab_install([])                                              # nothing missing: no pip at all
    assert len(calls) == 1


def test_missing_requirements_compares_versions_with_specifiers(monkeypatch):
    installed = {"transformers": "4.57.1", "tokenizers": "0.22.1", "datasets": "4.1.0"}
    monkeypatch.setattr(setup, "_version", installed.get)
    wanted = {"transformers": ">=5.0,<6", "tokenizers": ">=0.22,<1", "datasets": ">=4.0,<6", "accelerate": ">=1.0"}
    assert setup.missing_requirements(wanted) == ["transformers>=5.0,<6", "accelerate>=1.0"]
    installed["transformers"] = "5.23.0"
    assert setup.missing_requirements(wanted) == ["accelerate>=1.0"]
    assert setup.missing_requirements({}) == []


def test_missing_requirements_reads_installed_versions():
    assert setup.missing_requirements({"packaging": ">=1", "no-such-package-xyz": ">=1"}) == ["no-such-package-xyz>=1"]
    assert setup.missing_requirements({"packaging": "<1"}) == ["packaging<1"]


def test_seed_everything_repeats():
    import numpy as np
    import torch

    setup.seed_everything(3)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    setup.seed_everything(3)
    assert first == (random.random(), np.random.rand(), torch.rand(1).item())
    with pytest.raises(TypeError):
        setup.seed_everything("3")


def test_bootstrap_reports_offline(monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    info = setup.bootstrap()
    out = capsys.readouterr().out
    assert info["online"] is False and info["device"] in ("cpu", "cuda")
    assert "offline" in out and "torch" in out


def test_record_writes_figures_for_the_report(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setenv(setup.RESULTS_ENV, str(path))
    assert setup.record("f1", 0.81) == 0.81
    setup.record("note", "ok")
    assert json.loads(path.read_text()) == {"f1": 0.81, "note": "ok"}
    with pytest.raises(TypeError):
        setup.record("bad", [1])
    with pytest.raises(ValueError):
        setup.record("", 1)


def test_record_takes_numpy_numbers_and_refuses_nan_and_bool(tmp_path, monkeypatch):
    import numpy as np

    path = tmp_path / "results.json"
    monkeypatch.setenv(setup.RESULTS_ENV, str(path))
    value = np.float32(0.5)
    assert setup.record("f1", value) is value                 # returned as given
    setup.record("n", np.int64(7))
    assert json.loads(path.read_text()) == {"f1": 0.5, "n": 7}
    for bad in [float("nan"), float("inf"), np.float64("nan")]:
        with pytest.raises(ValueError, match="finite"):
            setup.record("x", bad)
    for bad in [True, np.bool_(True), None]:
        with pytest.raises(TypeError, match="number or str"):
            setup.record("x", bad)


def test_record_without_a_report_is_a_no_op(monkeypatch):
    monkeypatch.delenv(setup.RESULTS_ENV, raising=False)
    assert setup.record("x", 1) == 1
