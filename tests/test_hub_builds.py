"""utils.hub builds: names share one build, builds are atomic and cached, stale builds are redone,
and every registered builder points at a function that exists."""
import importlib
from pathlib import Path

import pytest

from utils import hub


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub._probe_cache.clear()
    saved = dict(hub._STAND_INS)
    yield hub._STAND_INS
    hub._STAND_INS.clear()
    hub._STAND_INS.update(saved)


def _counting_builder(calls):
    def build(folder: Path) -> None:
        calls.append(folder)
        (folder / "config.json").write_text("{}")
    return build


def test_names_with_one_key_share_one_build(registry, tmp_path, capsys):
    calls = []
    build = _counting_builder(calls)
    hub.register_stand_in("course/a", "a toy", build, key="toy")
    hub.register_stand_in("course/b", "a toy", build, key="toy")
    first = hub.resolve("course/a", models_dir=tmp_path)
    second = hub.resolve("course/b", models_dir=tmp_path)
    assert first.path == second.path == str(tmp_path / "toy")
    assert len(calls) == 1 and first.source == "stand-in"
    assert "STAND-IN for course/a" in capsys.readouterr().out
    assert hub.build(["course/a", "course/b"], models_dir=tmp_path) == {"toy": tmp_path / "toy"}
    assert len(calls) == 1


def test_a_failed_build_leaves_nothing_behind(registry, tmp_path):
    def broken(folder):
        (folder / "half.bin").write_text("x")
        raise RuntimeError("boom")

    hub.register_stand_in("course/broken", "broken", broken, key="broken")
    with pytest.raises(RuntimeError, match="boom"):
        hub.resolve("course/broken", models_dir=tmp_path)
    assert not (tmp_path / "broken").exists()


def test_a_builder_that_writes_no_config_is_an_error(registry, tmp_path):
    hub.register_stand_in("course/empty", "empty", lambda folder: None, key="empty")
    with pytest.raises(RuntimeError, match="config.json"):
        hub.resolve("course/empty", models_dir=tmp_path)


def test_a_stale_build_is_rebuilt(registry, tmp_path):
    calls = []
    hub.register_stand_in("course/a", "a toy", _counting_builder(calls), key="toy")
    hub.resolve("course/a", models_dir=tmp_path, verbose=False)
    (tmp_path / "toy" / ".course-build").write_text("an older builder")
    hub.resolve("course/a", models_dir=tmp_path, verbose=False)
    assert len(calls) == 2


def test_registration_checks_its_arguments(registry):
    with pytest.raises(ValueError, match="name"):
        hub.register_stand_in("", "x", lambda f: None)
    with pytest.raises(TypeError, match="module:function"):
        hub.register_stand_in("course/x", "x", "not a builder")


def test_unknown_names_are_refused_by_build(registry, tmp_path):
    with pytest.raises(ValueError, match="no course build is registered"):
        hub.build(["nobody/nothing"], models_dir=tmp_path)


@pytest.mark.parametrize("name", sorted(hub._STAND_INS))
def test_every_registered_builder_exists(name):
    entry = hub._STAND_INS[name]
    module, _, function = entry.build.partition(":")
    assert callable(getattr(importlib.import_module(module), function)), entry.build
    assert "NOT" in entry.description or entry.source in {"package, converted", "smaller sibling"}


def test_the_biomedical_names_share_the_mini_bert():
    keys = {hub._STAND_INS[n].key for n in ["bert-base-uncased", "dmis-lab/biobert-base-cased-v1.1",
                                             "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract-fulltext"]}
    assert keys == {"mini-bert"}
