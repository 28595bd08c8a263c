"""The offline models are reproducible: a build in a fresh process gives the files recorded in
utils/builds.json byte for byte. The record was written by another fresh process (`python -m
utils.hub record`: PYTHONHASHSEED=12345, two OpenMP threads, another working directory), so a match
is two builds that differ in hash seed, thread setting and directory giving the same bytes, and it
also says that the committed notebooks' models are the ones built here. The build into models/ is the
one the notebooks then load: the course builds each model once per run.

If this machine's bytes differ from the record although the builder's sources are the recorded
ones, a second build in another fresh process decides: two processes that disagree fail the test
(a source of variance is back); two that agree mean that this machine's CPU or libraries compute
other last bits than the recording machine, which is reported as an expected failure, with both."""
import json
from pathlib import Path

import pytest
import torch

from utils import hub

ROOT = Path(__file__).resolve().parent.parent
KEYS = sorted({entry.key for entry in hub._STAND_INS.values()})
ENTRIES = {entry.key: entry for entry in hub._STAND_INS.values()}
RERECORD = ("run `python -m utils.hub record` (a fresh-process build of every model, about 5 minutes) and "
            "commit utils/builds.json; if a fingerprint changed, re-execute the notebooks that load it")


@pytest.fixture(scope="module")
def built():
    """Every registered model built into models/ by a fresh process with PYTHONHASHSEED=0 and one
    OpenMP thread, started in the repository (a build already there and up to date is kept)."""
    hub.build_in_fresh_process(hub.MODELS_DIR, ROOT, "0", 1)
    return {key: hub.MODELS_DIR / key for key in KEYS}


@pytest.fixture(scope="module")
def second_build(tmp_path_factory):
    """Only when a build differs from the record: every model again, in a temporary folder, by a
    fresh process with PYTHONHASHSEED=12345 and two OpenMP threads, started elsewhere."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    hub.build_in_fresh_process(elsewhere / "models", elsewhere, "12345", 2)
    return {key: elsewhere / "models" / key for key in KEYS}


@pytest.mark.parametrize("key", KEYS)
def test_a_fresh_build_has_the_recorded_bytes(built, key, request):
    record = hub.recorded().get(key)
    assert record, f"{key} has no entry in utils/builds.json: {RERECORD}"
    assert record["source_stamp"] == ENTRIES[key].source_stamp(), \
        f"the builder of {key} (or a course module it imports) changed since the record: {RERECORD}"
    here = hub.file_hashes(built[key])
    assert {"config.json"} <= set(here)
    assert hub.fingerprint(built[key]) == hub.build_info(built[key])["fingerprint"]
    if here == record["files"]:
        assert hub.fingerprint(built[key]) == record["fingerprint"]
        return
    other = hub.file_hashes(request.getfixturevalue("second_build")[key])
    differ = sorted(name for name in here.keys() | other.keys() if here.get(name) != other.get(name))
    assert differ == [], f"{key}: two fresh-process builds on this machine differ in {differ}"
    pytest.xfail(f"{key}: this machine builds the same bytes in every process, but not the recorded ones "
                 f"(recorded: torch {record['torch']}, CPU {record['cpu_capability']}, fingerprint "
                 f"{record['fingerprint']}; here: torch {torch.__version__.split('+')[0]}, CPU "
                 f"{torch.backends.cpu.get_cpu_capability()}, fingerprint {hub.fingerprint(built[key])}): "
                 f"numbers may differ slightly from the committed notebooks")


def test_the_record_names_every_file_with_a_sha256():
    record = hub.recorded()
    assert sorted(record) == KEYS, f"utils/builds.json covers {sorted(record)}, not {KEYS}: {RERECORD}"
    for key, entry in record.items():
        assert "config.json" in entry["files"] and all(len(sha) == 64 for sha in entry["files"].values()), key
        assert len(entry["fingerprint"]) == 12 and entry["cpu_capability"] and entry["torch"], key


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
