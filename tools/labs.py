"""Build the graded labs from their masters, check the student versions, and grade submissions.

    python tools/labs.py build [LAB ...]        # otter assign: student notebooks into notebooks/labs/,
                                                # autograder zips into build/labs/ (`make labs`)
    python tools/labs.py check                  # exit 1 if a committed student version is out of date
    python tools/labs.py student-release DIR [--repo URL]  # the tree students get (`make student-release`)
    python tools/labs.py sandbox-check          # install bubblewrap if missing (as root); can we sandbox?
    python tools/labs.py grade LAB SUBMISSIONS [--jobs N] [--out DIR] [--regrade] [--timeout S] [--unsafe]
                                                # grade every notebook under SUBMISSIONS (`make grade`)

Masters (with solutions and hidden tests) live in labs/masters/, outside notebooks/, in otter-grader's
assign format. Students get notebooks/labs/<lab>/<lab>.ipynb and its public tests/ and check their work
with otter; instructors keep labs/masters/ private (see INSTRUCTORS.md).

Grading does not use otter or a Jupyter kernel. Each submission's code cells run, one by one, in a
bubblewrap sandbox (tools/labs_harness.py); the hidden tests, read from the master, run here in the
grader and call the student's functions through a pipe, getting back plain data only; the score is
computed here. See "grading" below and INSTRUCTORS.md for what the sandbox guarantees.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import pickle
import signal
import struct
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MASTERS = ROOT / "labs" / "masters"
STUDENT = ROOT / "notebooks" / "labs"
BUILD = ROOT / "build" / "labs"


def labs() -> list[str]:
    return sorted(p.stem for p in MASTERS.glob("lab*.ipynb"))


def _check_lab(lab: str) -> str:
    """The full name of `lab`, which may be given short (`lab3` for `lab3_embeddings`)."""
    matches = [name for name in labs() if name == lab or name.split("_")[0] == lab]
    if len(matches) != 1:
        raise ValueError(f"unknown lab {lab!r}; the labs are: {', '.join(labs())}")
    return matches[0]


def _env(extra: dict | None = None) -> dict:
    env = dict(os.environ, COURSE_ROOT=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_VERBOSITY="error",
               HF_HUB_DISABLE_PROGRESS_BARS="1", PYTHONWARNINGS="ignore")
    env.update(extra or {})
    return env


def _otter() -> str:
    return str(Path(sys.executable).parent / "otter")


def assign(lab: str, out: Path) -> Path:
    """Run otter assign on the master of `lab` into `out` (student/ and autograder/ subfolders)."""
    lab = _check_lab(lab)
    shutil.rmtree(out, ignore_errors=True)
    proc = subprocess.run([_otter(), "assign", "--no-run-tests", str(MASTERS / f"{lab}.ipynb"), str(out)],
                          capture_output=True, text=True, env=_env(), cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"otter assign failed for {lab}:\n{proc.stdout}\n{proc.stderr}")
    return out


def autograder_zip(lab: str) -> Path:
    """The autograder zip of `lab`, building it first if it is missing or older than the master."""
    folder = BUILD / lab / "autograder"
    zips = sorted(folder.glob("*.zip"))
    master = MASTERS / f"{lab}.ipynb"
    if not zips or zips[-1].stat().st_mtime < master.stat().st_mtime:
        build([lab])
        zips = sorted(folder.glob("*.zip"))
    return zips[-1]


def master_blocks(lab: str) -> tuple[list[str], list[str]]:
    """(solution lines, hidden-test lines not also in a public test) of a master notebook, as otter
    assign reads them: what must never reach students (tests/test_labs.py, tests/test_site.py)."""
    nb = nbformat.read(MASTERS / f"{lab}.ipynb", as_version=4)
    solutions, hidden, public, in_solution, in_tests = [], [], [], False, False
    for cell in nb.cells:
        first = cell.source.strip().splitlines()[0].strip().lower() if cell.source.strip() else ""
        if cell.cell_type == "raw":
            in_solution = {"# begin solution": True, "# end solution": False}.get(first, in_solution)
            in_tests = {"# begin tests": True, "# end tests": False}.get(first, in_tests)
            continue
        if in_solution and cell.cell_type == "markdown":
            solutions += cell.source.splitlines()
        if in_solution and cell.cell_type == "code":
            inside = False
            for line in cell.source.splitlines():
                marker = line.strip().upper()
                if marker == "# BEGIN SOLUTION":
                    inside = True
                elif marker == "# END SOLUTION":
                    inside = False
                elif inside or line.rstrip().endswith("# SOLUTION"):
                    solutions.append(line)
        if in_tests and cell.cell_type == "code":
            if first == "# hidden":
                hidden += cell.source.splitlines()[1:]
            else:
                public += cell.source.splitlines()
    meaningful = lambda lines: sorted({l.strip() for l in lines if len(l.strip()) > 12})  # noqa: E731
    return meaningful(solutions), sorted(set(meaningful(hidden)) - set(meaningful(public)))


def _student_files(folder: Path) -> dict[str, str]:
    """Relative path -> comparable text of a student build (notebook: cell types and sources only;
    hidden files such as otter's .OTTER_LOG, written when a student runs grader.check, are ignored)."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        rel = str(path.relative_to(folder))
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            out[rel] = json.dumps([(c.cell_type, c.source) for c in nb.cells])
        else:
            out[rel] = path.read_text()
    return out


def build(only: list[str] | None = None) -> int:
    for lab in [_check_lab(name) for name in only] if only else labs():
        start = time.perf_counter()
        out = assign(lab, BUILD / lab)
        target = STUDENT / lab
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(out / "student", target)
        student = target / f"{lab}.ipynb"
        nb = nbformat.read(student, as_version=4)
        for i, cell in enumerate(nb.cells):   # otter draws random cell ids: stable ids, no churn in git
            cell.id = f"cell-{i}"
        nbformat.write(nb, student)
        print(f"{lab}: student version in {target.relative_to(ROOT)}, autograder in "
              f"{next((out / 'autograder').glob('*.zip')).relative_to(ROOT)} ({time.perf_counter() - start:.0f} s)")
    return 0


def out_of_date() -> dict[str, list[str]]:
    """For each lab, the student files that differ from a fresh build of its master."""
    problems = {}
    with tempfile.TemporaryDirectory() as tmp:
        for lab in labs():
            fresh = _student_files(assign(lab, Path(tmp) / lab) / "student")
            committed = _student_files(STUDENT / lab) if (STUDENT / lab).exists() else {}
            diff = sorted(k for k in fresh.keys() | committed.keys() if fresh.get(k) != committed.get(k))
            if diff:
                problems[lab] = diff
    return problems


# --- student release ---------------------------------------------------------------------------

RELEASE_LEAVES_OUT = ("labs/masters/", "tests/test_labs.py", "tools/labs.py", "tools/labs_harness.py", "build/")


def student_release(target: Path, repo_url: str | None = None) -> list[str]:
    """Write the tree students should get into `target` (new or empty): every file git tracks except
    the masters (solutions, hidden tests) and the grader; with `repo_url`, the badges, the bootstrap's
    clone and utils.setup.REPO_URL point at that repository instead. Returns the files written."""
    from utils.setup import REPO_URL

    if target.exists() and any(target.iterdir()):
        raise ValueError(f"{target} is not empty: choose a new folder for the release")
    if repo_url is not None and not repo_url.startswith("https://github.com/"):
        raise ValueError(f"the release repository must be a https://github.com/OWNER/NAME URL, got {repo_url!r}")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    files = [f for f in tracked.decode().split("\0") if f and not f.startswith(RELEASE_LEAVES_OUT)]
    old_slug = REPO_URL.split("github.com/", 1)[1].rstrip("/")
    new_slug = repo_url.split("github.com/", 1)[1].rstrip("/") if repo_url else old_slug
    for rel in files:
        src, dst = ROOT / rel, target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if repo_url and src.suffix in (".ipynb", ".md", ".py", ".yml", ".txt", ".cfg"):
            dst.write_text(src.read_text().replace(REPO_URL, repo_url.rstrip("/")).replace(old_slug, new_slug))
        else:
            shutil.copy2(src, dst)
    return files


# --- grading ----------------------------------------------------------------------------------
#
# Each submission runs in a sandbox (bubblewrap): a fresh Python interpreter (tools/labs_harness.py,
# no Jupyter kernel, so kernel names and notebook metadata do not matter) that executes the
# notebook's code cells one by one, as an unprivileged user, with no network, a clean environment, a
# read-only view of the course code, data and venv only, a private scratch /tmp, and limits on memory,
# processes, CPU time and output. The hidden tests never run in that process: they run here, in the
# grader, on the plain data (numbers, strings, containers, arrays, tensors) that the student's
# functions return through a pipe, and the score is computed here. A cell that hangs or kills its
# process is skipped and the sandbox restarted without it, so it costs only the questions that need it.

HARNESS = Path(__file__).resolve().parent / "labs_harness.py"
SENTINEL = "\x00labs"
CELL_TIMEOUT_S = 120         # default limit for one cell or one hidden test (`--timeout`) ...
LAB_TIMEOUT_S = {"lab6_finetuning": 300}   # ... except where a cell trains a model (lab 6: about 90 CPU-s)
MEMORY_GB = 6                # address-space limit of a sandbox (`--memory`)
OUTPUT_MB = 32               # largest file (and printed output) a submission may write
SCRATCH_MB = 512             # size of its private /tmp
MAX_PROCESSES = 256          # processes and threads of the sandbox's own user
MAX_RESTARTS = 4             # sandboxes restarted after a hang or crash, per submission
MAX_MESSAGE = 512 << 20      # largest answer the grader reads from a sandbox
BOOTSTRAP_MARK = "utils.setup.bootstrap()"
OTTER_MARK = "otter.Notebook("


class SandboxError(Exception):
    """The sandbox stopped answering: it timed out, died, or broke the protocol."""


class StudentError(Exception):
    """The student's code raised while a hidden test called it."""


def _parse_config(text: str) -> dict:
    config = {}
    for line in text.splitlines()[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            config[key.strip()] = value.strip()
    return config


def _defined_names(code: str) -> set[str]:
    import ast

    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _used_names(code: str) -> set[str]:
    import ast

    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}


def lab_spec(lab: str) -> dict:
    """What grading needs from a master, as plain data: the hidden tests and their points per question,
    the names the solutions define (the student's versions are called through the sandbox), the setup
    code the tests run on (the master's cells outside solutions and tests that use no solution name),
    and the master's sha256. A public test is worth 0 points when its question has hidden tests.
    A question's `forbid:` (dotted names, space-separated) lists library code that raises while its
    tests call the student's code (see labs_harness._Disabled)."""

    lab = _check_lab(lab)
    raw = (MASTERS / f"{lab}.ipynb").read_bytes()
    nb = nbformat.reads(raw.decode(), as_version=4)
    questions, setup, names, maybe_setup = {}, [], set(), []
    question, in_solution, in_tests = None, False, False
    for cell in nb.cells:
        source = cell.source.strip()
        first = source.splitlines()[0].strip().lower() if source else ""
        if cell.cell_type == "raw":
            if first == "# begin question":
                config = _parse_config(source)
                question = config["name"]
                if config.get("manual", "false").lower() != "true":
                    questions[question] = {"points": float(config.get("points") or 0), "cases": [],
                                           "forbid": config.get("forbid", "").replace(",", " ").split()}
            elif first == "# end question":
                question = None
            in_solution = {"# begin solution": True, "# end solution": False}.get(first, in_solution)
            in_tests = {"# begin tests": True, "# end tests": False}.get(first, in_tests)
            continue
        if cell.cell_type != "code":
            continue
        if in_solution:
            names |= _defined_names(cell.source)
        elif in_tests:
            if question in questions:
                hidden = first == "# hidden"
                questions[question]["cases"].append({"code": cell.source, "hidden": hidden})
        elif BOOTSTRAP_MARK not in cell.source and OTTER_MARK not in cell.source:
            maybe_setup.append(cell.source)
    setup = [code for code in maybe_setup if not (_used_names(code) & names)]
    for q in questions.values():
        hidden = [c for c in q["cases"] if c["hidden"]]
        counted = hidden or q["cases"]
        for case in q["cases"]:
            case["points"] = q["points"] / len(counted) if case in counted else 0.0
    return {"lab": lab, "sha256": hashlib.sha256(raw).hexdigest(), "questions": questions,
            "names": sorted(names), "setup": setup}


# Suspicious code, flagged for the instructor to read (it changes no score).
FLAGS = {
    "otter": r"\botter\b",
    "frames": r"\binspect\b|_getframe|\bf_back\b|\bf_locals\b|\bf_globals\b|gc\.get_(?:referrers|objects)|settrace|setprofile",
    "builtins": r"\bbuiltins\b|__builtins__|__import__",
    "tests-or-masters": r"tests/|\bmasters\b|autograder|\.OTTER|labs_harness",
    "subprocess": r"\bsubprocess\b|os\.system|os\.fork|os\.exec|os\.spawn|\bPopen\b|\bpty\b|multiprocessing|\bctypes\b",
    "network": r"\bsocket\b|urllib|\brequests\b|http\.client|httpx",
    "exit": r"os\._exit|sys\.exit|(?<![\w.])(?:exit|quit)\(",
    "always-equal": r"def __eq__|__eq__\s*=",
    "library-internals": r"\breload\(|__code__|torch\.ops\b|_VariableFunctions|\b_VF\b|quantizable|import __main__|"
                         r"modules\[.__main__.\]|_Disabled|_RAISING|_RESOLVED",
}


def suspicion_flags(cells: list[str]) -> list[str]:
    """Names of FLAGS whose pattern occurs in the code cells, leaving out the course's own set-up cells."""
    import re

    code = "\n".join(c for c in cells if BOOTSTRAP_MARK not in c and OTTER_MARK not in c)
    return [name for name, pattern in FLAGS.items() if re.search(pattern, code)]


# -- the sandbox --

def sandbox_tool() -> str | None:
    """Why submissions cannot be sandboxed on this machine, or None if they can."""
    if sys.platform != "linux":
        return "the sandbox needs Linux (bubblewrap)"
    if not shutil.which("bwrap"):
        how = ("run `apt-get install bubblewrap`" if os.geteuid() == 0
               else "ask an administrator to install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`)")
        return f"bubblewrap (`bwrap`) is not installed: {how}"
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid",
                            *([] if os.geteuid() == 0 else ["--unshare-user"]), "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()[:200]}"
    return None


def ensure_sandbox(install: bool = True) -> str | None:
    """Like `sandbox_tool`, but first installs bubblewrap with apt-get when it is missing and we are root."""
    if install and sys.platform == "linux" and not shutil.which("bwrap") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bubblewrap is missing: installing it with apt-get (the grader's sandbox)", file=sys.stderr)
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "bubblewrap"]):
            subprocess.run(cmd, stdout=subprocess.DEVNULL, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return sandbox_tool()


def solution_notebook(lab: str) -> bytes:
    """The master as a student would hand it in with every answer right: no raw cells, no test cells."""
    nb = nbformat.read(MASTERS / f"{_check_lab(lab)}.ipynb", as_version=4)
    cells, in_tests = [], False
    for cell in nb.cells:
        first = cell.source.strip().splitlines()[0].strip().lower() if cell.source.strip() else ""
        if cell.cell_type == "raw":
            in_tests = {"# begin tests": True, "# end tests": False}.get(first, in_tests)
        elif not in_tests:
            cells.append(cell)
    nb.cells = cells
    return nbformat.writes(nb).encode()


def _sandbox_env() -> dict:
    return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "USER": "student",
            "COURSE_ROOT": str(ROOT), "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HOME": "/tmp/hf",
            "TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TOKENIZERS_PARALLELISM": "false",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp", "PYTHONWARNINGS": "ignore"}


def _readable_paths() -> list[Path]:
    """What a sandbox sees, read-only: the system's /usr, Python and the venv, and the course's code
    (utils/), data and models; not labs/ (masters), tests/, build/ (grades), tools/ or .git."""
    paths = [Path("/usr"), Path(os.path.realpath(sys.base_prefix)), Path(os.path.realpath(sys.prefix)),
             ROOT / "utils", ROOT / "data", HARNESS]
    if (ROOT / "models").exists():
        paths.append(ROOT / "models")
    out = []
    for p in sorted({Path(os.path.realpath(p)) if p != HARNESS else p for p in paths}, key=lambda p: len(p.parts)):
        if not any(p == q or q in p.parents for q in out):
            out.append(p)
    return out


def _bwrap_command(uid: int) -> list[str]:
    cmd = ["bwrap", "--die-with-parent", "--new-session", "--clearenv", "--unshare-net", "--unshare-pid",
           "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
    if os.geteuid() != 0:
        cmd.append("--unshare-user")
    # The private scratch /tmp first: mounted after the course it would hide a course (or venv) that
    # lives under /tmp, as a clone in /tmp does; mounted first, the read-only binds go on top of it.
    cmd += ["--perms", "1777", "--size", str(SCRATCH_MB << 20), "--tmpfs", "/tmp"]
    binds = _readable_paths()
    parents = sorted({str(a) for p in binds for a in p.parents if str(a) not in ("/", "/tmp")
                      and not any(a == b or b in a.parents for b in binds)}, key=len)
    for d in parents:  # bubblewrap would make them mode 0700, closed to the sandbox's user
        cmd += ["--perms", "0755", "--dir", d]
    for p in binds:
        cmd += ["--ro-bind", str(p), str(p)]
    for link in ["lib", "lib64", "bin", "sbin"]:
        if os.path.islink(f"/{link}"):
            cmd += ["--symlink", os.readlink(f"/{link}"), f"/{link}"]
    cmd += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind-try", "/etc/localtime", "/etc/localtime",
            "--dev", "/dev", "--perms", "1777", "--size", str(64 << 20), "--tmpfs", "/dev/shm", "--proc", "/proc",
            "--chdir", "/tmp"]
    for key, value in _sandbox_env().items():
        cmd += ["--setenv", key, value]
    if os.geteuid() == 0:  # become an unprivileged user of our own inside: no root, no capabilities
        cmd += ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return cmd


def _limits(cpu_s: float, memory_gb: float):
    processes = MAX_PROCESSES
    if os.geteuid() != 0:  # the sandbox keeps our uid, and RLIMIT_NPROC counts all of that uid's threads
        import psutil

        mine = [p for p in psutil.process_iter(["uids", "num_threads"]) if p.info["uids"] and p.info["uids"].real == os.getuid()]
        processes += sum(p.info["num_threads"] or 1 for p in mine)

    def apply():
        import resource

        os.nice(5)
        for limit, value in [(resource.RLIMIT_AS, int(memory_gb * (1 << 30))),
                             (resource.RLIMIT_CPU, int(cpu_s) + 1),
                             (resource.RLIMIT_FSIZE, OUTPUT_MB << 20),
                             (resource.RLIMIT_NPROC, processes),
                             (resource.RLIMIT_NOFILE, 1024),
                             (resource.RLIMIT_CORE, 0)]:
            resource.setrlimit(limit, (value, value))
    return apply


class _Refuse(pickle.Unpickler):
    """Reads a sandbox's answer: builtin containers and scalars only, no class of any kind."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"the answer contained a {module}.{name}, which is not plain data")

    def persistent_load(self, pid):
        raise pickle.UnpicklingError("unexpected reference in an answer")


_TORCH_DTYPES = {"float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"}


class Remote:
    """A student's object that is not plain data (a model, a function): it can be called, and its
    attributes read, in the sandbox; it cannot be compared, tested for truth or iterated here."""

    __slots__ = ("_box", "_ref", "_what")

    def __init__(self, box, ref, what):
        object.__setattr__(self, "_box", box)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_what", what)

    def __call__(self, *args, **kwargs):
        torch = sys.modules.get("torch")
        return self._box.request(("call", self._ref, args, kwargs, bool(torch and torch.is_grad_enabled()),
                                  self._box.forbid))

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return self._box.request(("getattr", self._ref, attr, self._box.forbid))

    def _refuse(self, *args):
        raise TypeError(f"got a {self._what} where plain data (numbers, strings, lists, arrays, tensors) was expected")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __len__ = __iter__ = __contains__ = _refuse
    __hash__ = object.__hash__

    def __setattr__(self, name, value):
        self._refuse()

    def __repr__(self):
        return f"<student's {self._what}>"


class Sandbox:
    """One run of tools/labs_harness.py on a submission, in bubblewrap (or, unsafe, without it)."""

    def __init__(self, scratch: Path, cpu_s: float, memory_gb: float, unsafe: bool):
        self.log_path = scratch / f"output-{time.monotonic_ns()}.txt"
        log = open(self.log_path, "wb")
        to_child, self._w = os.pipe()
        self._r, from_child = os.pipe()
        python = str(Path(os.path.realpath(sys.prefix)) / "bin" / "python")
        harness = [python, "-I", str(HARNESS), str(to_child), str(from_child)]
        if unsafe:
            cmd, env, cwd = harness, dict(_sandbox_env(), TMPDIR=str(scratch), HOME=str(scratch)), scratch
        else:
            cmd, env, cwd = _bwrap_command(200000 + os.getpid() % 100000) + harness, {"PATH": "/usr/bin:/bin"}, "/"
        self.proc = subprocess.Popen(cmd, pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True,
                                     preexec_fn=_limits(cpu_s, memory_gb))
        log.close()
        os.close(to_child)
        os.close(from_child)
        os.set_blocking(self._w, False)  # a sandbox that stops reading must not block the grader
        self.dead = None
        self.forbid = ()   # dotted names of library code disabled while the student's code is called
        self._sent = set()
        self.request_timeout = 60.0
        reply = self._receive(60.0)
        if reply[0] != "ready":
            self._fail("did not start")

    def _fail(self, why: str):
        self.cpu_seconds()
        self.dead = why
        self.close()
        raise SandboxError(why)

    def _died(self) -> str:
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            hint = {"SIGKILL": " (memory, CPU time or process limit?)", "SIGXCPU": " (CPU time limit)",
                    "SIGXFSZ": " (output limit)", "SIGSEGV": " (crashed)"}.get(name, "")
            return f"its process was killed by {name}{hint}"
        tail = self.log_path.read_bytes()[-2000:].decode(errors="replace").strip().splitlines()
        return f"its process ended (exit code {code})" + (f": {tail[-1][:150]}" if tail else "")

    def _receive(self, timeout: float):
        import select

        deadline = time.monotonic() + timeout
        data, need, header = b"", 8, True
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail(f"timed out after {timeout:.0f} s")
            ready, _, _ = select.select([self._r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._r, min(need - len(data), 1 << 20))
            if not chunk:
                self._fail(self._died())
            data += chunk
            if len(data) < need:
                continue
            if header:
                need = struct.unpack("<Q", data)[0]
                if need > MAX_MESSAGE:
                    self._fail("sent an answer larger than the grader accepts")
                data, header = b"", False
                if need == 0:
                    self._fail("broke the grader's protocol")
                continue
            try:
                return self._decode(_Refuse(io.BytesIO(data)).load())
            except Exception as e:  # anything malformed: the sandbox is not trusted to talk any further
                self._fail(f"sent an answer the grader refuses ({str(e)[:100]})")

    def _decode(self, x, depth=0):
        if depth > 100:
            raise ValueError("nested too deep")
        t = type(x)
        if t is tuple and len(x) >= 2 and x[0] == SENTINEL:
            kind = x[1]
            if kind == "h":
                return Remote(self, ("h", int(x[2])), str(x[3])[:100])
            if kind == "complex":
                return complex(float(x[2]), float(x[3]))
            if kind == "Counter":
                from collections import Counter

                return Counter({self._decode(k, depth + 1): self._decode(v, depth + 1) for k, v in x[2]})
            if kind in ("nd", "np"):
                import numpy as np

                dtype = np.dtype(str(x[2]))
                if dtype.kind not in "biufc":
                    raise ValueError(f"refused array dtype {dtype}")
                if kind == "np":
                    return np.frombuffer(bytes(x[3]), dtype=dtype)[0]
                shape = tuple(int(n) for n in x[3])
                return np.frombuffer(bytes(x[4]), dtype=dtype).reshape(shape).copy()
            if kind == "pt":
                import torch

                if x[2] not in _TORCH_DTYPES:
                    raise ValueError(f"refused tensor dtype {x[2]}")
                dtype, shape = getattr(torch, x[2]), tuple(int(n) for n in x[3])
                if not x[4]:
                    return torch.empty(shape, dtype=dtype)
                return torch.frombuffer(bytearray(x[4]), dtype=dtype).reshape(shape).clone()
            raise ValueError(f"unknown tag {kind!r}")
        if t in (list, tuple, set, frozenset):
            return t(self._decode(v, depth + 1) for v in x)
        if t is dict:
            return {self._decode(k, depth + 1): self._decode(v, depth + 1) for k, v in x.items()}
        if t in (bool, int, float, str, bytes, type(None)):
            return x
        raise ValueError(f"refused {t.__name__}")

    def _send(self, message):
        """Send a request. A large argument (a merge table, a matrix) is sent once per sandbox and then
        referred to by the hash of its pickle: tests call a student's function hundreds of times."""
        import select

        sent, blobs = self._sent, {}

        class Pickler(pickle.Pickler):
            def persistent_id(self, obj):
                if isinstance(obj, Remote):
                    return obj._ref
                size = getattr(obj, "nbytes", None) if type(obj).__name__ in ("ndarray", "Tensor") else (
                    len(obj) if type(obj) in (list, tuple, dict) else None)
                if not size or size < 64:
                    return None
                try:
                    blob = pickle.dumps(obj, protocol=5)
                except Exception:  # holds a Remote (or is not picklable alone): sent inline
                    return None
                key = hashlib.blake2b(blob, digest_size=16).hexdigest()
                if key not in sent:
                    blobs[key] = blob
                return ("c", key)

        buf = io.BytesIO()
        Pickler(buf, protocol=5).dump(message)
        payload = pickle.dumps((blobs, buf.getvalue()), protocol=5)
        sent.update(blobs.keys())
        data = memoryview(struct.pack("<Q", len(payload)) + payload)
        deadline = time.monotonic() + self.request_timeout
        while data:
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail(f"timed out after {self.request_timeout:.0f} s")
            _, ready, _ = select.select([], [self._w], [], left)
            if ready:
                try:
                    data = data[os.write(self._w, data[: 1 << 16]):]
                except BlockingIOError:
                    continue
                except BrokenPipeError:
                    self._fail(self._died())

    def request(self, message):
        """Send a request; return the decoded answer (raising StudentError if the student's code raised)."""
        if self.dead:
            raise SandboxError(self.dead)
        for value in message[2:4] if message[0] == "call" else []:
            for v in (value if isinstance(value, tuple) else value.values()):
                if isinstance(v, Remote) and v._box is not self:
                    raise SandboxError("an object from an earlier run of the notebook was used")
        self._send(message)
        reply = self._receive(self.request_timeout)
        if reply[0] == "value":
            return reply[1]
        if reply[0] == "raise":
            raise StudentError(str(reply[2]))
        self._fail("broke the grader's protocol")

    def run_cell(self, source: str, index: int):
        """Run one code cell; return None if it ran, else its error in one line."""
        if self.dead:
            raise SandboxError(self.dead)
        self._send(("cell", source, index))
        reply = self._receive(self.request_timeout)
        if reply[0] == "ok":
            return None
        if reply[0] == "error":
            return str(reply[1])
        self._fail("broke the grader's protocol")

    def output(self) -> str:
        try:
            return self.log_path.read_bytes()[-20000:].decode(errors="replace")
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """CPU time used so far by the sandbox's processes (and the children they waited for)."""
        import psutil

        total = 0.0
        try:
            root = psutil.Process(self.proc.pid)
            for p in [root, *root.children(recursive=True)]:
                try:
                    t = p.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        self.cpu_used = max(getattr(self, "cpu_used", 0.0), total)
        return self.cpu_used

    def close(self):
        self.cpu_seconds()
        if not self.dead and self._w >= 0:  # a clean exit lets the CPU time of its processes be counted
            try:
                self.request_timeout = 5.0
                self._send(("bye",))
                self.proc.wait(timeout=5)
            except Exception:  # it did not leave: it is killed below
                pass
        for fd in (self._w, self._r):
            try:
                os.close(fd)
            except OSError:
                pass
        self._w = self._r = -1
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait()


# -- grading one submission --

_TRUSTED = {}  # (master sha256, grading seed) -> the namespace its setup code built, shared by every submission
# Hidden tests that generate data ("notes nobody has seen") draw it with GRADING_SEED, a name only the
# grader's namespace defines (submissions never see it). `grade` sets it per class (--seed, or drawn
# once and kept in OUT/grading-seed.txt), so a leaked master does not reveal the graded cases; CI and a
# direct `grade_one` use DEFAULT_GRADING_SEED.
DEFAULT_GRADING_SEED = 20261124


def _trusted_namespace(spec: dict) -> dict:
    """The master's setup code, run here (it is the instructor's), once per process."""
    import contextlib

    key = (spec["sha256"], spec.get("grading_seed", DEFAULT_GRADING_SEED))
    if key not in _TRUSTED:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        cache = {}

        def once(key, make):
            """For hidden tests: the instructor's expensive reference (a trained tokenizer), built once
            per grading process and shared by every submission."""
            if key not in cache:
                cache[key] = make()
            return cache[key]

        ns = {"__name__": "__lab_tests__", "root": ROOT, "once": once, "GRADING_SEED": key[1]}
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            import utils.setup

            utils.setup.quiet()
            utils.setup.seed_everything()
            for code in spec["setup"]:
                exec(compile(code, f"<{spec['lab']} setup>", "exec"), ns)
        _TRUSTED[key] = ns
    return _TRUSTED[key]


def _notebook_cells(data: bytes):
    """The code cells of a submission (any kernel, any metadata), or why it cannot be read."""
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as e:  # any parse failure means "not a notebook"
        return None, f"not a Jupyter notebook ({type(e).__name__})"
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    return [("grader = _NoGrader()" if OTTER_MARK in c else c) for c in cells], None


def _why(e: BaseException) -> str:
    if isinstance(e, SandboxError):
        return str(e)
    if isinstance(e, StudentError):
        return f"your code raised {e}"
    if isinstance(e, AssertionError):
        return "wrong answer" + (f" ({str(e)[:200]})" if str(e) else "")
    text = f"{type(e).__name__}: {e}".strip().rstrip(":")
    return text[:300]


def grade_one(submission: bytes, spec: dict, timeout_s: float = CELL_TIMEOUT_S, unsafe: bool = False,
              memory_gb: float = MEMORY_GB) -> dict:
    """Grade one submission (the notebook file's bytes) against `lab_spec(lab)`; never raises.

    Returns {question: points, ..., 'total', 'reasons', 'flags', 'cell_errors', 'feedback',
    'cpu_s', 'error'}. `timeout_s` limits each cell and each hidden test; the whole submission gets
    at most four times that (and that much CPU time)."""
    import contextlib

    questions = spec["questions"]
    row = {q: 0.0 for q in questions}
    row.update(total=0.0, reasons="", flags="", cell_errors="", feedback=[], cpu_s=0.0, error="")
    cells, why = _notebook_cells(submission)
    if cells is None:
        row["error"] = why
        row["reasons"] = "; ".join(f"{q}: {why}" for q in questions)
        return row
    row["flags"] = " ".join(suspicion_flags(cells))
    budget = 4 * timeout_s
    deadline = time.monotonic() + budget
    skipped, cell_errors, restarts, cpu = {}, {}, [0], [0.0]
    base = _trusted_namespace(spec)

    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        scratch = Path(tmp)
        box = [None]

        def sandbox():
            """A sandbox with the notebook loaded, restarted without any cell that hung or killed it."""
            while box[0] is None or box[0].dead:
                if restarts[0] > MAX_RESTARTS:
                    raise SandboxError(f"gave up after {MAX_RESTARTS} restarts of the notebook")
                left = deadline - time.monotonic()
                if left <= 1:
                    raise SandboxError(f"the submission used its whole time budget ({budget:.0f} s)")
                restarts[0] += 1
                if box[0] is not None:
                    cpu[0] += box[0].cpu_seconds()
                b = Sandbox(scratch, cpu_s=budget, memory_gb=memory_gb, unsafe=unsafe)
                box[0] = b
                for i, source in enumerate(cells):
                    if i in skipped:
                        continue
                    b.request_timeout = max(1.0, min(timeout_s, deadline - time.monotonic()))
                    try:
                        err = b.run_cell(source, i)
                    except SandboxError as e:
                        skipped[i] = str(e)
                        break
                    if err:
                        cell_errors[i] = err
            return box[0]

        for q, question in questions.items():
            earned, first_reason, hung = 0.0, None, False
            for k, case in enumerate(question["cases"]):
                if not case["points"] and any(c["points"] for c in question["cases"]):
                    continue  # a public check worth nothing: the student ran it already
                label = f"{'hidden' if case['hidden'] else 'public'} test {k + 1}"
                if hung:  # the same code would most likely hang again: do not spend the budget on it
                    row["feedback"].append(f"{q} {label}: not run, an earlier test of {q} timed out")
                    continue
                try:
                    b = sandbox()
                    b.request_timeout = max(1.0, min(timeout_s, deadline - time.monotonic()))
                    b.forbid = tuple(question.get("forbid", ()))
                    ns = dict(base)
                    ns.update({name: Remote(b, ("n", name), name) for name in spec["names"]})
                    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
                        exec(compile(case["code"], f"<{q} {label}>", "exec"), ns)
                    earned += case["points"]
                except Exception as e:  # a failed test: the reason goes in the report
                    hung = isinstance(e, SandboxError) and "timed out" in str(e)
                    reason = f"{label}: {_why(e)}"
                    row["feedback"].append(f"{q} {reason}")
                    first_reason = first_reason or reason
            row[q] = round(min(earned, question["points"]), 3)
            if first_reason and row[q] < question["points"]:
                row["reasons"] += ("; " if row["reasons"] else "") + f"{q}: {first_reason}"
        output = ""
        if box[0] is not None:
            output = box[0].output()
            box[0].close()
            cpu[0] += box[0].cpu_seconds()
    row["cpu_s"] = round(cpu[0], 1)
    problems = {**cell_errors, **{i: f"{why}; the cell was skipped" for i, why in skipped.items()}}
    row["cell_errors"] = "; ".join(f"cell {i + 1}: {problems[i]}" for i in sorted(problems))
    row["total"] = round(sum(row[q] for q in questions), 3)
    row["output_tail"] = output[-3000:]
    return row


# -- grading a class --

def _write_atomic(path: Path, text: str) -> None:
    """Write a file by renaming a fresh temporary file over it: a symlink at `path` is replaced, never
    followed, and a reader never sees half a file."""
    parent = path.parent
    if parent.is_symlink():
        raise ValueError(f"refusing to write into {parent}: it is a symlink")
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def _submissions(folder: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """(relative name -> bytes of every notebook under `folder`, relative name -> why it was skipped)."""
    files, skipped = {}, {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            if path.is_file() and ".ipynb_checkpoints" not in rel:
                skipped[rel] = "hidden file (name starts with a dot)"
            continue
        if path.is_symlink():
            skipped[rel] = "a symbolic link, not a submitted file"
        elif path.is_dir():
            continue
        elif path.suffix != ".ipynb":
            skipped[rel] = f"not a notebook (.ipynb) file"
        else:
            files[rel] = path.read_bytes()
    return files, skipped


def _columns(questions) -> list[str]:
    return ["file", *questions, "total", "max", "reasons", "flags", "cell_errors", "seconds", "cpu_s",
            "error", "sha256", "master", "seed"]


def _csv_text(rows: dict[str, dict], questions) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=_columns(questions), extrasaction="ignore")
    writer.writeheader()
    for name in sorted(rows):
        writer.writerow(rows[name])
    return buf.getvalue()


def _feedback_text(spec: dict, name: str, row: dict) -> str:
    full = sum(q["points"] for q in spec["questions"].values())
    lines = [f"{spec['lab']}: {name}", f"automatic points: {float(row['total']):g} / {full:g} "
             "(written questions are graded by hand)", ""]
    for q, question in spec["questions"].items():
        lines.append(f"{q}: {float(row[q]):g} / {question['points']:g}")
    if row.get("error"):
        lines += ["", f"not graded: {row['error']}"]
    if row.get("feedback"):
        lines += ["", "failed tests:"] + [f"  {line}" for line in row["feedback"]]
    if row.get("cell_errors"):
        lines += ["", "cells that failed when your notebook ran (each cell runs on its own):"]
        lines += [f"  {part}" for part in str(row["cell_errors"]).split("; cell ") if part]
    return "\n".join(lines) + "\n"


def _grade_task(args):
    name, data, spec, timeout_s, unsafe, memory_gb = args

    start = time.perf_counter()
    try:
        row = grade_one(data, spec, timeout_s, unsafe, memory_gb)
    except Exception as e:  # a grader bug must not lose the class: the row says what happened
        row = {q: 0.0 for q in spec["questions"]}
        row.update(total=0.0, error=f"grader error: {type(e).__name__}: {e}", feedback=[])
    row.update(file=name, seconds=round(time.perf_counter() - start, 1),
               sha256=hashlib.sha256(data).hexdigest(), master=spec["sha256"][:12],
               seed=spec.get("grading_seed", DEFAULT_GRADING_SEED),
               max=sum(q["points"] for q in spec["questions"].values()))
    return row


def _worker_init():
    """One CPU thread per grading process (torch reads OMP_NUM_THREADS when it is first imported)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def grade(lab: str, submissions: Path, out_dir: Path, timeout_s: float | None = None, jobs: int = 1,
          regrade: bool = False, unsafe: bool = False, memory_gb: float = MEMORY_GB, progress: bool = True,
          seed: int | None = None) -> Path:
    """Grade every notebook under `submissions` into `out_dir`: grades.csv (rewritten after each
    submission), feedback/<file>.txt, skipped.txt, summary.txt and summary.png. Rows of files already
    graded with the same bytes, master and seed are kept unless `regrade`. `seed` draws the hidden
    tests' generated data (GRADING_SEED); without it, the seed in OUT/grading-seed.txt (a re-run), or
    a new random one written there: every student of a class is graded on the same cases."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    lab = _check_lab(lab)
    timeout_s = timeout_s or LAB_TIMEOUT_S.get(lab, CELL_TIMEOUT_S)
    if not submissions.is_dir():
        raise ValueError(f"SUBMISSIONS must be a folder of submitted notebooks, got {submissions}")
    if not unsafe and (problem := ensure_sandbox()):
        raise SystemExit(f"cannot grade safely: {problem}.\nSubmissions are untrusted code; the grader runs "
                         "each in a bubblewrap sandbox. Install it, or pass --unsafe to grade without one.")
    if unsafe:
        print("WARNING: --unsafe: submissions run WITHOUT a sandbox, as you, with access to your files "
              "and the network. Grade only code you trust.", file=sys.stderr, flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    seed_file = out_dir / "grading-seed.txt"
    if seed is None:
        import secrets

        seed = int(seed_file.read_text()) if seed_file.exists() and not seed_file.is_symlink() else secrets.randbelow(2**31)
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    _write_atomic(seed_file, f"{seed}\n")
    print(f"hidden test data drawn with seed {seed} (kept in {seed_file.name}; a re-run reuses it)", file=sys.stderr)
    spec = {**lab_spec(lab), "grading_seed": seed}
    questions = list(spec["questions"])
    files, skipped = _submissions(submissions)
    (out_dir / "feedback").mkdir(exist_ok=True)
    grades = out_dir / "grades.csv"
    rows = {}
    if grades.exists() and not grades.is_symlink():
        rows = {r["file"]: r for r in csv.DictReader(grades.open(newline=""))}
    todo = {name: data for name, data in files.items()
            if regrade or name not in rows or rows[name].get("sha256") != hashlib.sha256(data).hexdigest()
            or rows[name].get("master") != spec["sha256"][:12] or rows[name].get("seed") != str(seed)
            or set(questions) - set(rows[name])}
    kept = len(files) - len(todo)
    _write_atomic(out_dir / "skipped.txt", "".join(f"{n}: {why}\n" for n, why in skipped.items()))
    for name, why in skipped.items():
        print(f"skipped {name}: {why}", file=sys.stderr)
    if kept:
        print(f"{kept} already graded (same file, same master): kept; --regrade grades them again", file=sys.stderr)

    def record(row):
        rows[row["file"]] = row
        _write_atomic(grades, _csv_text(rows, questions))
        safe = row["file"].replace("/", "__")
        _write_atomic(out_dir / "feedback" / f"{safe}.txt", _feedback_text(spec, row["file"], row))

    tasks = [(name, data, spec, timeout_s, unsafe, memory_gb) for name, data in todo.items()]
    bar = None
    if progress and tasks:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc=f"grading {lab}", unit="notebook")
    try:
        if jobs <= 1:
            _worker_init()
            for task in tasks:
                record(_grade_task(task))
                bar and bar.update()
        else:
            with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init) as pool:
                futures = [pool.submit(_grade_task, task) for task in tasks]
                try:
                    for future in as_completed(futures):
                        record(future.result())
                        bar and bar.update()
                except KeyboardInterrupt:
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
    except KeyboardInterrupt:
        print(f"\ninterrupted: {len(rows)} rows kept in {grades}; run again to grade the rest", file=sys.stderr)
        raise
    finally:
        if bar:
            bar.close()
        _write_atomic(out_dir / "summary.txt", summary(lab, list(rows.values()), spec, skipped))
        _plot(lab, list(rows.values()), spec, out_dir / "summary.png")
    print("\n" + (out_dir / "summary.txt").read_text())
    return grades


def summary(lab: str, rows: list[dict], spec: dict, skipped: dict | None = None) -> str:
    """A short text summary: mean per question, errors, flags, skipped files and a histogram of totals."""
    questions = spec["questions"]
    full = sum(q["points"] for q in questions.values())
    lines = [f"{lab}: {len(rows)} submissions, auto-graded out of {full:g} points "
             f"(written questions are graded by hand); master sha256 {spec['sha256'][:12]}"]
    if rows:
        for q, question in questions.items():
            lines.append(f"  {q}: mean {sum(float(r[q]) for r in rows) / len(rows):.2f} / {question['points']:g}")
        lines.append(f"  not gradable: {sum(bool(r.get('error')) for r in rows)}")
        flagged = [r["file"] for r in rows if r.get("flags")]
        lines.append(f"  flagged for review (see the flags column): {len(flagged)}"
                     + (f" ({', '.join(flagged[:10])}{' ...' if len(flagged) > 10 else ''})" if flagged else ""))
        lines.append("  histogram of totals:")
        bins = 5
        for b in range(bins):
            lo, hi = full * b / bins, full * (b + 1) / bins
            n = sum(lo <= float(r["total"]) < hi or (b == bins - 1 and float(r["total"]) == full) for r in rows)
            lines.append(f"    {lo:5.1f}-{hi:5.1f} | {'#' * n} {n}")
    if skipped:
        lines.append(f"  skipped files ({len(skipped)}, see skipped.txt): " + ", ".join(list(skipped)[:10]))
    return "\n".join(lines) + "\n"


def _plot(lab: str, rows: list[dict], spec: dict, path: Path) -> None:
    """The distribution of totals as a histogram (summary.png)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    full = sum(q["points"] for q in spec["questions"].values())
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist([float(r["total"]) for r in rows], bins=[full * i / 20 for i in range(21)], color="#4c72b0")
    ax.set(xlabel=f"automatic points (out of {full:g})", ylabel="submissions", title=f"{lab}: {len(rows)} graded")
    fig.tight_layout()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".summary.", suffix=".png")
    os.close(fd)
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("labs", nargs="*")
    sub.add_parser("check")
    r = sub.add_parser("student-release", help="write the tree students get: no masters, no grader")
    r.add_argument("dir", type=Path)
    r.add_argument("--repo", default=None, help="https://github.com/OWNER/NAME the release is published at")
    sub.add_parser("sandbox-check", help="install bubblewrap if missing and we are root; exit 1 (and say why) "
                   "if submissions cannot be sandboxed here")
    g = sub.add_parser("grade")
    g.add_argument("lab")
    g.add_argument("submissions", type=Path)
    g.add_argument("--out", type=Path, default=None, help="results folder (default: build/grades/LAB)")
    g.add_argument("--timeout", type=float, default=None,
                   help=f"seconds for each cell and each hidden test (default {CELL_TIMEOUT_S:g}, lab 6 "
                        f"{LAB_TIMEOUT_S['lab6_finetuning']:g}); a submission gets 4x in all")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    g.add_argument("--regrade", action="store_true", help="grade again files already in grades.csv")
    g.add_argument("--memory", type=float, default=MEMORY_GB, help="GiB of address space per submission")
    g.add_argument("--unsafe", action="store_true", help="grade without a sandbox (trusted code only)")
    g.add_argument("--seed", type=int, default=None,
                   help="seed of the hidden tests' generated data (default: OUT/grading-seed.txt, else a new random one)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.command == "build":
        return build(args.labs)
    if args.command == "check":
        bad = out_of_date()
        for lab, files in bad.items():
            print(f"{lab}: out of date with its master: {', '.join(files)} (run `make labs`)")
        return 1 if bad else 0
    if args.command == "student-release":
        files = student_release(args.dir, args.repo)
        print(f"{len(files)} files in {args.dir}: no masters, no hidden tests, no grader"
              + (f"; badges and clone point at {args.repo}" if args.repo else ""))
        return 0
    if args.command == "sandbox-check":
        problem = ensure_sandbox()
        print(problem or "bubblewrap works: submissions will be sandboxed")
        return 1 if problem else 0
    out = args.out or ROOT / "build" / "grades" / _check_lab(args.lab)
    try:
        grade(args.lab, args.submissions.resolve(), out.resolve(), args.timeout, jobs=args.jobs,
              regrade=args.regrade, unsafe=args.unsafe, memory_gb=args.memory, seed=args.seed)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
