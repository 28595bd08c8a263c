"""The offline models are reproducible: two builds in fresh processes that differ in hash seed, thread
setting and working directory give the same files, byte for byte, so a student whose fingerprints
match has the committed notebooks' models. One of the two builds is the one the notebooks load."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from utils import hub

ROOT = Path(__file__).resolve().parent.parent
KEYS = sorted({entry.key: name for name, entry in hub._STAND_INS.items()}.items())


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """Every registered model built in two fresh processes at once, each on one core: one into
    models/ (where the notebooks load it; a build already there and up to date is kept), with
    PYTHONHASHSEED=0 and OMP_NUM_THREADS=1 in the repository; the other into a temporary folder with
    PYTHONHASHSEED=12345 and OMP_NUM_THREADS=2 (the builder pins its own thread count) elsewhere.
    `make test` runs this file first, on its own, so that the notebooks find the first build."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    code = "import sys; from pathlib import Path; from utils import hub; hub.build(models_dir=Path(sys.argv[1]))"
    runs = [(hub.MODELS_DIR, ROOT, {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}),
            (elsewhere / "models", elsewhere, {"PYTHONHASHSEED": "12345", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"})]
    procs = [subprocess.Popen([sys.executable, "-c", code, str(folder)], cwd=cwd,
                              env={**os.environ, **env, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)})
             for folder, cwd, env in runs]
    assert [p.wait(timeout=1800) for p in procs] == [0, 0], "a build failed (its log is above)"
    keys = sorted({entry.key for entry in hub._STAND_INS.values()})
    return ({key: hub.MODELS_DIR / key for key in keys}, {key: elsewhere / "models" / key for key in keys})


@pytest.mark.parametrize("key", [k for k, _ in KEYS])
def test_a_second_build_in_another_process_is_byte_identical(rebuilt, key):
    first, second = rebuilt
    a, b = hub.file_hashes(first[key]), hub.file_hashes(second[key])
    assert {"config.json"} <= set(a) and sorted(a) == sorted(b), f"{key}: different files"
    differ = [name for name in a if a[name] != b[name]]
    assert differ == [], f"{key}: these files differ between two builds: {differ}"
    assert hub.fingerprint(first[key]) == hub.fingerprint(second[key]) == hub.build_info(first[key])["fingerprint"]


def test_the_fingerprint_sees_every_byte_but_not_the_bookkeeping(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"a": 1}))
    (folder / "weights.bin").write_bytes(b"\x00\x01")
    before = hub.fingerprint(folder)
    (folder / ".build-info.json").write_text("{}")              # the hub's own notes do not count
    assert hub.fingerprint(folder) == before and len(before) == 12
    (folder / "weights.bin").write_bytes(b"\x00\x02")
    assert hub.fingerprint(folder) != before
    with pytest.raises(FileNotFoundError, match="config.json"):
        hub.fingerprint(tmp_path)


def test_the_source_stamp_follows_the_builders_imports():
    sources = {p.name for p in hub._course_sources("utils.pretrain")}
    assert {"pretrain.py", "tokenization.py", "models.py", "train.py", "attention.py", "data.py"} <= sources
    assert "devices.py" in sources                                        # through train.py
    assert "hub.py" not in sources and "setup.py" not in sources          # the set-up does not build models
