"""The graded labs are honest and the grader is fit for real grades: the student version scores 0 and
the solution full marks; no solution or hidden test reaches students; the committed student versions
match their masters; every submission runs in a sandbox that keeps secrets, the network, the course
tree and other submissions out of its reach; and forging, escaping and crashing submissions score no
more than their honest content, while honest ones lose nothing to a kernel name, an exit() or a hang.

The expensive part, grading, is done once: one class of lab-2 submissions (honest, broken and hostile)
graded in one `grade` run that every test below reads."""
import csv
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import labs  # noqa: E402

LABS = labs.labs()


def _student_text(lab: str) -> str:
    """Everything a student receives for `lab`: notebook sources and public test files."""
    folder = labs.STUDENT / lab
    parts = [c.source for c in nbformat.read(folder / f"{lab}.ipynb", as_version=4).cells]
    parts += [p.read_text() for p in sorted((folder / "tests").glob("*.py"))]
    return "\n".join(parts)


def test_there_are_seven_labs():
    assert len(LABS) == 7, LABS


def test_readme_links_every_lab_with_a_colab_badge():
    from utils.setup import colab_badge

    readme = (ROOT / "README.md").read_text()
    for lab in LABS:
        assert colab_badge(f"notebooks/labs/{lab}/{lab}.ipynb") in readme, lab


@pytest.mark.parametrize("lab", LABS)
def test_student_version_starts_with_the_course_bootstrap(lab):
    from utils.setup import bootstrap_cell, colab_badge

    nb = nbformat.read(labs.STUDENT / lab / f"{lab}.ipynb", as_version=4)
    assert colab_badge(f"notebooks/labs/{lab}/{lab}.ipynb") in nb.cells[0].source
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[0] == bootstrap_cell() and "otter.Notebook" in code[1]


@pytest.mark.parametrize("lab", LABS)
def test_no_solution_line_reaches_students(lab):
    solutions, _ = labs.master_blocks(lab)
    assert solutions, f"{lab}: found no solution lines in the master (markers not recognised?)"
    text = _student_text(lab)
    leaked = [line for line in solutions if line in text]
    assert not leaked, f"{lab}: solution lines in the student version: {leaked[:5]}"


@pytest.mark.parametrize("lab", LABS)
def test_hidden_tests_are_absent_from_student_files(lab):
    _, hidden = labs.master_blocks(lab)
    assert hidden, f"{lab}: the master has no hidden tests"
    text = _student_text(lab)
    assert not [line for line in hidden if line in text]


@pytest.mark.parametrize("lab", LABS)
def test_every_lab_has_a_manually_graded_reflection(lab):
    nb = nbformat.read(labs.MASTERS / f"{lab}.ipynb", as_version=4)
    assert any(c.cell_type == "raw" and re.search(r"^manual:\s*true", c.source, re.M) for c in nb.cells)


def test_committed_student_versions_match_their_masters():
    assert labs.out_of_date() == {}, "run `make labs` and commit notebooks/labs/"


@pytest.fixture(scope="session")
def sandbox_ok():
    problem = labs.ensure_sandbox()  # installs bubblewrap if it is missing and we are root
    assert problem is None, f"the grader's sandbox does not work here: {problem}"


@pytest.mark.parametrize("lab", [lab for lab in LABS if lab != "lab2_tokenization"])  # lab 2: hostile_class
def test_solution_scores_full_marks_and_student_version_zero(lab, sandbox_ok):
    spec = labs.lab_spec(lab)
    full = sum(q["points"] for q in spec["questions"].values())
    solution = labs.grade_one(labs.solution_notebook(lab), spec, timeout_s=600)
    assert solution["total"] == full and not solution["reasons"] and not solution["cell_errors"], solution
    assert solution["flags"] == "", solution["flags"]   # honest code raises no suspicion
    student = nbformat.read(labs.STUDENT / lab / f"{lab}.ipynb", as_version=4)
    # the stub also redefines the master's helpers (lab 1's scorer): hidden tests use the master's own
    student.cells.append(nbformat.v4.new_code_cell("def span_scores(finder, marked_sentences):\n    return 1.0, 1.0"))
    stub = labs.grade_one(nbformat.writes(student).encode(), spec, timeout_s=600)
    assert stub["total"] <= 0.1 * full, stub   # a notebook with nothing filled in: at most 10%
    assert all(stub["reasons"].count(f"{q}:") == 1 for q in spec["questions"] if stub[q] == 0), stub["reasons"]


def test_every_question_has_hidden_tests_that_carry_its_points():
    for lab in LABS:
        for q, question in labs.lab_spec(lab)["questions"].items():
            hidden = [c for c in question["cases"] if c["hidden"]]
            assert hidden, f"{lab} {q}: no hidden test"
            assert abs(sum(c["points"] for c in hidden) - question["points"]) < 1e-9
            assert all(c["points"] == 0 for c in question["cases"] if not c["hidden"])  # public checks: 0


# --- the sandbox ------------------------------------------------------------------------------

def _probe(tmp_path, cells, unsafe=False):
    """Run code cells in one sandbox; {cell index: its error, or None if it ran}."""
    box = labs.Sandbox(tmp_path, cpu_s=60, memory_gb=labs.MEMORY_GB, unsafe=unsafe)
    box.request_timeout = 60
    try:
        return {i: box.run_cell(source, i) for i, source in enumerate(cells)}
    finally:
        box.close()


def test_sandbox_hides_secrets_network_files_and_other_submissions(tmp_path, monkeypatch, sandbox_ok):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-for-students")
    monkeypatch.setenv("HF_TOKEN", "hf_not_for_students")
    other = tmp_path / "class" / "other_student.ipynb"
    other.parent.mkdir()
    other.write_text("another student's answers")
    targets = [ROOT / "utils" / "planted.py", ROOT / "planted.txt", Path(sys.prefix) / "planted.txt",
               ROOT / "labs" / "masters" / "planted.txt", tmp_path / "planted.txt", Path("/etc/planted")]
    cells = [
        # no inherited secret, in the environment or in any process it can see
        "import os, glob\nassert 'OPENAI_API_KEY' not in os.environ and 'HF_TOKEN' not in os.environ, os.environ\n"
        "for p in glob.glob('/proc/*/environ'):\n    try:\n        assert b'not_for_students' not in open(p, 'rb').read(), p\n"
        "    except PermissionError:\n        pass\n"
        "assert os.getuid() != 0",
        # no network: neither a host name nor an address
        "import socket\nfor where in [('pypi.org', 443), ('1.1.1.1', 53), ('8.8.8.8', 443)]:\n"
        "    try:\n        socket.create_connection(where, timeout=3)\n        raise AssertionError(where)\n"
        "    except OSError:\n        pass",
        # nothing outside its scratch folder can be written ...
        f"for target in {[str(t) for t in targets]!r}:\n    try:\n        open(target, 'w').write('x')\n"
        "        raise AssertionError(target)\n    except OSError:\n        pass\n"
        "open('/tmp/scratch.txt', 'w').write('mine')",
        # ... nor read: another submission, the masters, the grader, the instructor's home
        f"import os\nfor path in [{str(other)!r}, {str(labs.MASTERS)!r}, {str(ROOT / 'tools' / 'labs.py')!r},"
        f" {str(ROOT / 'tests')!r}, '/root/.ssh', '/etc/shadow', '/home']:\n"
        "    assert not os.path.exists(path), path\nassert os.listdir('/root') in ([], ['.pyenv'])",
        # the course code and data it needs are there, read-only
        "import os, sys\nsys.path.insert(0, os.environ['COURSE_ROOT'])\nimport utils.data\nassert len(utils.data.load_notes('train')) > 100",
    ]
    assert _probe(tmp_path, cells) == {i: None for i in range(len(cells))}
    assert not any(t.exists() for t in targets)


def test_hidden_data_comes_from_the_grading_seed_which_submissions_never_see():
    spec = {"sha256": "test-seed", "lab": "t", "setup": []}
    assert labs._trusted_namespace({**spec, "grading_seed": 5})["GRADING_SEED"] == 5
    assert labs._trusted_namespace(spec)["GRADING_SEED"] == labs.DEFAULT_GRADING_SEED
    for lab in ("lab6_finetuning", "lab7_phenotype_ranking"):   # the labs whose hidden tests generate notes
        hidden = "\n".join(c["code"] for q in labs.lab_spec(lab)["questions"].values() for c in q["cases"] if c["hidden"])
        assert "seed=GRADING_SEED" in hidden, lab
    assert "GRADING_SEED" not in labs._sandbox_env().values()


def test_the_scratch_tmp_never_hides_a_course_cloned_under_tmp():
    # bubblewrap mounts in order: a tmpfs on /tmp after the binds hid a course cloned into /tmp/...
    cmd = labs._bwrap_command(12345)
    scratch = next(i for i in range(len(cmd) - 1) if cmd[i:i + 2] == ["--tmpfs", "/tmp"])
    binds = [i for i, arg in enumerate(cmd) if arg == "--ro-bind"]
    assert binds and scratch < min(binds)
    assert ["--dir", "/tmp"] not in [cmd[i:i + 2] for i in range(len(cmd) - 1)]   # it stays 1777


def test_sandbox_limits_memory_processes_and_output(tmp_path, sandbox_ok):
    errors = _probe(tmp_path, [
        "hog = bytearray(64 * 2**30)",                                        # 64 GiB: refused at once
        "import threading, time\nfor _ in range(1000):\n"
        "    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()",   # past the process limit
        "import sys\nfor _ in range(10**6):\n    sys.stdout.write('x' * 10**4)\n    sys.stdout.flush()",  # 10 GB flood
        "print('still here')",
    ])
    assert "MemoryError" in errors[0], errors
    assert "can't start new thread" in errors[1] or "RuntimeError" in errors[1], errors
    assert "File too large" in errors[2] or "OSError" in errors[2], errors
    assert errors[3] is None
    assert sum(f.stat().st_size for f in tmp_path.iterdir()) <= (labs.OUTPUT_MB + 1) << 20


def test_grading_refuses_without_a_sandbox_unless_unsafe(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(labs.shutil, "which", lambda name: None)
    assert "bubblewrap" in labs.sandbox_tool()
    (tmp_path / "subs").mkdir()
    with pytest.raises(SystemExit, match="--unsafe"):
        labs.grade("lab2", tmp_path / "subs", tmp_path / "out", progress=False)
    labs.grade("lab2", tmp_path / "subs", tmp_path / "out", unsafe=True, progress=False)
    assert "WITHOUT a sandbox" in capsys.readouterr().err


# --- library wrappers: a question that asks you to write X is not answered by calling X ----------

# Each is a correct answer that calls the library version of what the question asks students to write;
# the master's `forbid:` list for that question makes that library code raise while hidden tests run.
WRAPPERS = {
    "lab1_clinical_text": {
        "q1": "from utils import deid as _d\ndef find_phones(text):\n"
              "    return [(s['start'], s['end']) for s in _d.find_phi(text) if s['type'] == 'PHONE']",
        "q2": "from utils.deid import find_phi\ndef find_dates(text):\n"
              "    return [(s['start'], s['end']) for s in find_phi(text) if s['type'] == 'DATE']",
        "q3": "import utils.deid\ndef find_contacts(text):\n"
              "    return [(s['start'], s['end']) for s in utils.deid.find_phi(text) if s['type'] in ('EMAIL', 'URL')]",
        "q4": "from utils import deid as _d\ndef deidentify(text):\n    tags = {'EMAIL': 'CONTACT', 'URL': 'CONTACT'}\n"
              "    for s in reversed(_d.find_phi(text, allow_list=False)):\n"
              "        text = text[:s['start']] + f\"[{tags.get(s['type'], s['type'])}]\" + text[s['end']:]\n    return text",
        "q5": "from utils.baselines import negex\ndef is_negated(sentence, term):\n"
              "    i = sentence.lower().find(term.lower())\n    return negex(sentence[:i], sentence[i + len(term):])",
    },
    "lab2_tokenization": {
        "q4": "from utils.tokenization import BPE, _spell\ndef bpe_encode(word, merges):\n"
              "    symbols = set(_spell(word)) | {a + b for a, b in merges}\n"
              "    return BPE({s: i for i, s in enumerate(sorted(symbols))}, [tuple(m) for m in merges]).tokenize_word(word)",
    },
    "lab3_embeddings": {
        "q1": "ppmi_dense = lambda counts, alpha=0.75: emb.ppmi(counts, alpha=alpha).toarray()",
        "q2": "def nearest(vectors, vocab, word, k=5):\n    return emb.nearest(vectors, vocab, word, k)",
        "q4": "def phrase_vectors(texts, vectors, vocab):\n    return emb.phrase_vectors(texts, vectors, vocab)",
    },
    "lab4_recurrent_cells": {
        "q1": "def lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh):\n    return torch.lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh)",
        "q2": "def lstm_forward(xs, lstm):\n    return lstm(xs)",
        "q3": "def cell_state_gradient(lstm, xs):\n    xs = xs.detach().clone().requires_grad_(True)\n"
              "    _, (h, c) = torch.nn.LSTM.forward(lstm, xs)\n    c.sum().backward()\n    return xs.grad[:, 0].norm().item()",
    },
    "lab5_attention": {
        "q1": "from torch.nn.functional import scaled_dot_product_attention as _sdpa\n"
              "def attention(q, k, v, mask=None):\n    s = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5\n"
              "    if mask is not None:\n        s = s.masked_fill(~mask, float('-inf'))\n"
              "    return _sdpa(q, k, v, attn_mask=mask), s.softmax(-1)",
        "q2": "from utils.attention import causal_mask, padding_mask",
        "q3": "def multi_head_attention(x, mha):\n    return mha(x, x, x, need_weights=False)[0]",
    },
    "lab7_phenotype_ranking": {
        "q2": "def resnik(a, b, ic):\n    return hpo.resnik(a, b)",
        "q3": "def rank_genes(patient, diseases, ic):\n    best = {}\n"
              "    for d, s in zip(diseases, hpo.disease_scores(patient, diseases, combine='patient')):\n"
              "        for g in hpo.genes_of(d):\n            best[g] = max(best.get(g, -1.0), s)\n"
              "    return sorted(best, key=lambda g: (-best[g], g))",
    },
}


def test_every_forbidden_name_exists():
    """A misspelt `forbid:` entry would silently disable nothing."""
    sys.path.insert(0, str(labs.HARNESS.parent))
    from labs_harness import _resolve

    for lab in LABS:
        for q, question in labs.lab_spec(lab)["questions"].items():
            for dotted in question["forbid"]:
                obj, owner, _ = _resolve(dotted)
                assert obj is not None and owner is not None, f"{lab} {q}: forbid names {dotted}, which does not exist"
    assert all(labs.lab_spec(lab)["questions"][q]["forbid"] for lab in WRAPPERS for q in WRAPPERS[lab])


def test_the_library_raises_while_hidden_tests_call_the_students_code(tmp_path):
    """The mechanism itself, on the two kinds of function it patches: a compiled one (replaced on its
    module and on the notebook's alias) and a Python method (its body swapped, so subclasses and
    instances made earlier are caught); both work again after the call."""
    box = labs.Sandbox(tmp_path, cpu_s=60, memory_gb=labs.MEMORY_GB, unsafe=True)
    box.request_timeout = 60
    try:
        assert box.run_cell("import torch, torch.nn.functional as F\nfrom torch.nn.functional import "
                            "scaled_dot_product_attention as sdpa\nclass Mine(torch.nn.LSTMCell): pass\n"
                            "cell = Mine(2, 3)\nx = torch.ones(1, 1, 2, 2)\n"
                            "def by_alias(): return sdpa(x, x, x).sum().item()\n"
                            "def by_module(): return F.scaled_dot_product_attention(x, x, x).sum().item()\n"
                            "def by_subclass(): return cell(torch.ones(1, 2))[0].shape[1]\n"
                            "def grab():\n    global late\n    late = F.scaled_dot_product_attention\n    return 1\n"
                            "def by_late(): return late(x, x, x).sum().item()\n"
                            f"import sys\nsys.path.insert(0, {str(labs.ROOT)!r})\n"
                            "import utils.embeddings as emb\ndef mine(counts, alpha=0.75): return 'mine'\n"
                            "emb.ppmi = mine   # the notebook's own function under a library name: never disabled\n"
                            "def by_own(): return emb.ppmi(None)", 0) is None
        names = {n: labs.Remote(box, ("n", n), n) for n in ["by_alias", "by_module", "by_subclass", "grab", "by_late", "by_own"]}
        box.forbid = ("torch.nn.functional.scaled_dot_product_attention", "torch.nn.LSTMCell.forward", "utils.embeddings.ppmi")
        for name in ["by_alias", "by_module", "by_subclass"]:
            with pytest.raises(labs.StudentError, match="disabled while the hidden tests run"):
                names[name]()
        assert names["grab"]() == 1 and names["by_own"]() == "mine"
        box.forbid = ()
        assert names["by_alias"]() == names["by_module"]() == names["by_late"]() == 4.0 and names["by_subclass"]() == 3
    finally:
        box.close()


@pytest.mark.parametrize("lab", list(WRAPPERS))
def test_wrapping_the_library_earns_nothing(lab, sandbox_ok):
    spec = labs.lab_spec(lab)
    nb = nbformat.reads(labs.solution_notebook(lab).decode(), as_version=4)
    nb.cells += [new(source) for source in WRAPPERS[lab].values()]
    row = labs.grade_one(nbformat.writes(nb).encode(), spec, timeout_s=600)
    reasons = dict(r.split(": ", 1) for r in row["reasons"].split("; ") if r)
    for q in WRAPPERS[lab]:
        assert row[q] < spec["questions"][q]["points"], (q, row)
        assert "disabled while the hidden tests run" in reasons.get(q, ""), (q, row["reasons"])
    for q in set(spec["questions"]) - set(WRAPPERS[lab]):    # the questions not wrapped keep their points
        if not (lab == "lab5_attention" and q == "q4"):       # (lab 5's block calls the wrapped attention)
            assert row[q] == spec["questions"][q]["points"], (q, row)


# --- one hostile class, graded once --------------------------------------------------------------

LAB = "lab2_tokenization"
STUB = lambda: nbformat.read(labs.STUDENT / LAB / f"{LAB}.ipynb", as_version=4)  # noqa: E731
SOLVED = lambda: nbformat.reads(labs.solution_notebook(LAB).decode(), as_version=4)  # noqa: E731
new = nbformat.v4.new_code_cell
MARK = "daemon-of-test-labs"

ATTACKS = {
    # otter 7 scored each of these 12/12 on an empty notebook
    "patch_otter": "import otter\notter.Notebook.check = lambda *a, **k: True\n"
                   "import otter.check.notebook as n\nn.Notebook.check_all = lambda *a, **k: True",
    "patch_compile": "import builtins\n_c = builtins.compile\n"
                     "builtins.compile = lambda src, *a, **k: _c('pass', *a[:1], 'exec')\n"
                     "import sys\nsys.modules['builtins'].exec = lambda *a, **k: None",
    "read_master": "import glob, json, os\nfound = glob.glob(os.environ['COURSE_ROOT'] + '/labs/masters/*.ipynb')"
                   f" + glob.glob({str(labs.MASTERS)!r} + '/*.ipynb') + glob.glob('/work/*/labs/masters/*.ipynb')\n"
                   "for path in found:\n    for cell in json.load(open(path))['cells']:\n"
                   "        if cell['cell_type'] == 'code':\n            try: exec(''.join(cell['source']))\n"
                   "            except Exception: pass\nassert not found, found",
    "always_equal": "class Anything:\n    def __eq__(self, other): return True\n    __hash__ = object.__hash__\n"
                    "    def __getitem__(self, key): return self\n    def __len__(self): return 600\n"
                    "def count_pairs(word_freqs): return Anything()\ndef merge_pair(word_freqs, pair): return Anything()\n"
                    "def learn_merges(word_counts, n): return Anything()\ndef bpe_encode(word, merges): return Anything()",
    "forge_messages": "import os, pickle, struct, sys, threading, time\nfd = int(sys.argv[-1])\n"
                      "def forge():\n    while True:\n        data = pickle.dumps(('value', True))\n"
                      "        os.write(fd, struct.pack('<Q', len(data)) + data)\n        time.sleep(0.001)\n"
                      "threading.Thread(target=forge, daemon=True).start()",
}


def _daemon(grades_csv: Path) -> str:
    """A cell that leaves a detached process trying to overwrite the class's grades.csv."""
    code = (f"import os, time, pathlib\nos.setsid()\nfor _ in range(600):\n"
            f"    try:\n        pathlib.Path({str(grades_csv)!r}).write_text('HACKED')\n"
            f"    except OSError:\n        pass\n    time.sleep(0.1)  # {MARK}")
    return f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {code!r}], start_new_session=True)"


def _with(nb, *cells, at=None):
    for k, source in enumerate(cells):
        nb.cells.insert(len(nb.cells) if at is None else at + k, new(source))
    return nb


def _replace_answer(nb, name, source):
    """Replace the cell that defines `name` with `source`."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and f"def {name}(" in c.source)
    cell.source = source
    return nb


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory, sandbox_ok):
    root = tmp_path_factory.mktemp("class")
    subs, out = root / "submissions", root / "grades"
    subs.mkdir()
    out.mkdir()
    victim = root / "a_lab_master_stand_in.txt"
    victim.write_text("instructor's file")
    (out / "grades.csv").symlink_to(victim)          # a planted symlink must not be written through
    attack = lambda *names: _with(STUB(), *[ATTACKS[n] for n in names])  # noqa: E731
    notebooks = {
        "solution.ipynb": SOLVED(),
        "stub.ipynb": STUB(),
        # another kernel name, exit() and sys.exit(), a memory hog and an output flood, mid-notebook
        "kernel_exits_hog_flood.ipynb": _with(SOLVED(), "import sys\nsys.exit('done early')", "exit()",
                                              "hog = bytearray(64 * 2**30)",
                                              "import sys\nfor _ in range(10**6):\n    sys.stdout.write('y' * 10**4)",
                                              at=10),
        "os_exit_and_hang.ipynb": _with(SOLVED(), "import os\nos._exit(0)", "import time\ntime.sleep(10**6)", at=12),
        "q3_hangs.ipynb": _replace_answer(SOLVED(), "learn_merges",
                                          "def learn_merges(word_counts, num_merges):\n    import time\n"
                                          "    time.sleep(10**6)"),
        "attack_environment.ipynb": _with(attack("patch_otter", "patch_compile", "read_master"),
                                          _daemon(out / "grades.csv")),
        "attack_always_equal.ipynb": attack("always_equal"),
        "attack_forge_messages.ipynb": attack("forge_messages"),
    }
    notebooks["kernel_exits_hog_flood.ipynb"].metadata = {
        "kernelspec": {"name": "conda-env-clinical-py", "display_name": "clinical", "language": "python"}}
    for name, nb in notebooks.items():
        (subs / name).parent.mkdir(exist_ok=True)
        nbformat.write(nb, subs / name)
    (subs / "sub").mkdir()
    (subs / "sub" / "not_a_notebook.ipynb").write_text("this is not a notebook")  # in a sub-folder: still listed
    (subs / ".hidden.ipynb").write_text("{}")
    (subs / "notes.txt").write_text("not a submission")
    start = time.perf_counter()
    labs.grade(LAB, subs, out, timeout_s=30, jobs=2, progress=False)
    seconds = time.perf_counter() - start
    time.sleep(1.5)                                   # give a surviving daemon the chance to strike
    rows = {r["file"]: r for r in csv.DictReader((out / "grades.csv").open())}
    return {"rows": rows, "out": out, "subs": subs, "victim": victim, "seconds": seconds}


FULL = 12.0


def _total(hostile_class, name):
    return float(hostile_class["rows"][name]["total"])


def test_lab2_solution_full_marks_and_student_version_zero(hostile_class):
    assert _total(hostile_class, "solution.ipynb") == FULL and _total(hostile_class, "stub.ipynb") == 0


def test_honest_notebooks_lose_nothing_to_kernel_names_exits_hogs_floods_or_hangs(hostile_class):
    rows = hostile_class["rows"]
    row = rows["kernel_exits_hog_flood.ipynb"]
    assert _total(hostile_class, "kernel_exits_hog_flood.ipynb") == FULL, row
    assert "SystemExit: done early" in row["cell_errors"] and "MemoryError" in row["cell_errors"], row
    assert "File too large" in row["cell_errors"], row
    row = rows["os_exit_and_hang.ipynb"]
    assert _total(hostile_class, "os_exit_and_hang.ipynb") == FULL, row
    assert "exit code 0" in row["cell_errors"] and "timed out after 30 s" in row["cell_errors"], row


def test_a_hung_question_costs_only_that_question(hostile_class):
    row = hostile_class["rows"]["q3_hangs.ipynb"]
    assert float(row["q3"]) == 0 and _total(hostile_class, "q3_hangs.ipynb") == FULL - 3, row
    assert re.search(r"q3: hidden test \d: timed out after 30 s", row["reasons"]), row["reasons"]


def test_forging_and_escaping_score_no_more_than_their_honest_content(hostile_class):
    rows = hostile_class["rows"]
    for name in ["attack_environment.ipynb", "attack_always_equal.ipynb", "attack_forge_messages.ipynb"]:
        assert _total(hostile_class, name) == 0, rows[name]
    flags = rows["attack_environment.ipynb"]["flags"].split()
    assert {"otter", "builtins", "tests-or-masters", "subprocess"} <= set(flags), flags
    assert "AssertionError" not in rows["attack_environment.ipynb"]["cell_errors"]   # `assert not found` held
    assert "always-equal" in rows["attack_always_equal.ipynb"]["flags"]
    assert rows["solution.ipynb"]["flags"] == ""


def test_no_process_outlives_its_submission_and_nothing_is_written_through_a_symlink(hostile_class):
    import psutil

    assert not [p for p in psutil.process_iter(["cmdline"]) if MARK in " ".join(p.info["cmdline"] or [])]
    grades = hostile_class["out"] / "grades.csv"
    assert not grades.is_symlink() and "HACKED" not in grades.read_text()
    assert hostile_class["victim"].read_text() == "instructor's file"


def test_every_zero_has_a_reason_and_every_student_a_feedback_file(hostile_class):
    rows, out = hostile_class["rows"], hostile_class["out"]
    questions = list(labs.lab_spec(LAB)["questions"])
    for name, row in rows.items():
        for q in questions:
            if float(row[q]) == 0:
                assert re.search(rf"\b{q}: \S", row["reasons"]), (name, q, row["reasons"])
        feedback = (out / "feedback" / f"{name.replace('/', '__')}.txt").read_text()
        assert f"automatic points: {float(row['total']):g} / 12" in feedback
    assert "not a Jupyter notebook" in rows["sub/not_a_notebook.ipynb"]["error"]
    assert "hidden test" in (out / "feedback" / "stub.ipynb.txt").read_text()
    skipped = (out / "skipped.txt").read_text()
    assert ".hidden.ipynb: hidden file" in skipped and "notes.txt: not a notebook" in skipped
    assert hostile_class["seconds"] < 600
    assert (out / "summary.png").stat().st_size > 1000 and "histogram" in (out / "summary.txt").read_text()
    assert all(row["master"] == labs.lab_spec(LAB)["sha256"][:12] for row in rows.values())


def test_a_rerun_keeps_graded_rows_and_regrades_only_what_changed(hostile_class, capsys):
    out, subs = hostile_class["out"], hostile_class["subs"]
    before = (out / "grades.csv").read_text()
    nbformat.write(STUB(), subs / "solution.ipynb")            # one student hands in again
    for name in list(hostile_class["rows"]):
        if name != "solution.ipynb":
            (subs / name).touch()
    labs.grade(LAB, subs, out, timeout_s=30, jobs=1, progress=False)
    rows = {r["file"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert float(rows["solution.ipynb"]["total"]) == 0
    assert {k: v for k, v in rows.items() if k != "solution.ipynb"} == \
        {k: v for k, v in hostile_class["rows"].items() if k != "solution.ipynb"}
    assert before != (out / "grades.csv").read_text()
    nbformat.write(SOLVED(), subs / "solution.ipynb")


def test_ctrl_c_keeps_the_rows_already_graded(tmp_path, monkeypatch):
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    for name in "abcd":
        (subs / f"{name}.ipynb").write_text(name)
    spec = labs.lab_spec(LAB)
    graded, stop_after = [], [2]

    def fake(task):  # the real grading is tested above; here only the bookkeeping around it
        if len(graded) == stop_after[0]:
            raise KeyboardInterrupt
        graded.append(task[0])
        return dict({q: 1.0 for q in spec["questions"]}, file=task[0], total=4.0, feedback=[],
                    sha256=labs.hashlib.sha256(task[1]).hexdigest(), master=spec["sha256"][:12],
                    seed=task[2]["grading_seed"])

    monkeypatch.setattr(labs, "_grade_task", fake)
    with pytest.raises(KeyboardInterrupt):
        labs.grade(LAB, subs, out, unsafe=True, progress=False)
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["file"] for r in rows] == ["a.ipynb", "b.ipynb"]
    assert "2 submissions" in (out / "summary.txt").read_text()
    graded.clear()
    stop_after[0] = 99
    labs.grade(LAB, subs, out, unsafe=True, progress=False)   # the re-run grades only what is missing
    assert graded == ["c.ipynb", "d.ipynb"]
    assert len(list(csv.DictReader((out / "grades.csv").open()))) == 4


def test_student_release_has_no_solutions_and_points_at_its_own_repository(tmp_path):
    from utils.setup import REPO_URL

    release = tmp_path / "release"
    repo = "https://github.com/some-university/clinical-nlp-2027"
    files = labs.student_release(release, repo)
    assert not (release / "labs").exists() and not (release / "tools" / "labs.py").exists()
    assert (release / "notebooks" / "labs" / LAB / f"{LAB}.ipynb").exists() and "README.md" in files
    text = {p: p.read_text(errors="ignore") for p in release.rglob("*") if p.is_file() and p.suffix in (".ipynb", ".md", ".py")}
    assert not [p for p, t in text.items() if REPO_URL in t]
    assert f"'git', 'clone', '-q', '--depth', '1', '{repo}'" in text[release / "notebooks" / "labs" / LAB / f"{LAB}.ipynb"]
    assert "some-university/clinical-nlp-2027/blob/main/notebooks/labs" in text[release / "README.md"]
    everything = "\n".join(text.values())
    labs_text = "\n".join(t for p, t in text.items() if "notebooks/labs" in str(p))
    for lab in LABS:  # (lecture notebooks and utils may teach the same code: solutions are checked in the labs)
        solutions, hidden = labs.master_blocks(lab)
        assert not [line for line in hidden if len(line) > 25 and line in everything], lab
        assert not [line for line in solutions if len(line) > 25 and line in labs_text], lab
    with pytest.raises(ValueError, match="not empty"):
        labs.student_release(release)


# Plausible wrong answers, each of which must fail at least one hidden test of its question.
NEGATION_PARTS = ('    pre = r"\\b(?:no|not|denies|denied|deny|without|negative for|free of|absence of|ruled out for|never had)\\b"\n'
                  '    low, term = sentence.lower(), term.lower()\n    where = low.find(term)\n')
LSTM_CELL = """def lstm_cell(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
    gates = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
    i, f, g, o = gates.chunk(4, dim=-1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next
"""
LSTM_FORWARD = """def lstm_forward(xs, lstm):
    b, t, _ = xs.shape
    h, c = xs.new_zeros(b, lstm.hidden_size), xs.new_zeros(b, lstm.hidden_size)
    outputs = []
    for step in range(t):
        h, c = lstm_cell(xs[:, step], h, c, lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0)
        outputs.append(h)
    return torch.stack(outputs, dim=1), (h[None], c[None])
"""
GRADIENT = """def cell_state_gradient(lstm, xs):
    xs = xs.detach().clone().requires_grad_(True)
    _, (_, c_last) = lstm_forward(xs, lstm)
    c_last.sum().backward()
    return xs.grad[:, 0].norm().item()
"""

ATTENTION = """def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights
"""
MASKS = """def causal_mask(t):
    return torch.ones(t, t, dtype=torch.bool).tril()
def padding_mask(attention_mask):
    return attention_mask.bool()[:, None, None, :]
"""
MHA = """def multi_head_attention(x, mha):
    b, t, c = x.shape
    h = mha.num_heads
    qkv = x @ mha.in_proj_weight.T + mha.in_proj_bias
    q, k, v = (z.view(b, t, h, c // h).transpose(1, 2) for z in qkv.chunk(3, dim=-1))
    out, _ = attention(q, k, v)
    return mha.out_proj(out.transpose(1, 2).reshape(b, t, c))
"""

PPMI = """def ppmi_dense(counts, alpha=0.75):
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    p_word = counts.sum(1) / total
    context = counts.sum(0) ** alpha
    p_context = context / context.sum()
    out = np.zeros_like(counts)
    rows, cols = np.nonzero(counts)
    pmi = np.log(counts[rows, cols] / total / (p_word[rows] * p_context[cols]))
    out[rows, cols] = np.maximum(pmi, 0)
    return out
"""
NEAREST = """def nearest(vectors, vocab, word, k=5):
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sims = unit @ unit[vocab[word]]
    sims[vocab[word]] = -np.inf
    words = {i: w for w, i in vocab.items()}
    return [(words[i], float(sims[i])) for i in np.argsort(-sims)[:k]]
"""
SGNS = """def sgns_loss(w, c_pos, c_neg):
    pos = (w * c_pos).sum(-1)
    neg = torch.einsum("bkd,bd->bk", c_neg, w)
    return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()
"""
IC = """def information_content(annotations, ancestors):
    counts = {}
    for terms in annotations.values():
        covered = set()
        for t in terms:
            covered |= ancestors(t)
        for t in covered:
            counts[t] = counts.get(t, 0) + 1
    n = len(annotations)
    return {t: math.log(n / c) for t, c in counts.items()}
"""
RESNIK = """def resnik(a, b, ic):
    return max(ic.get(t, 0.0) for t in hpo.ancestors(a) & hpo.ancestors(b))
def patient_score(patient, disease_terms, ic):
    return sum(max(resnik(p, d, ic) for d in disease_terms) for p in patient) / len(patient)
"""

BPE_PARTS = """def count_pairs(word_freqs):
    pairs = Counter()
    for symbols, freq in word_freqs.items():
        for pair in zip(symbols, symbols[1:]):
            pairs[pair] += freq
    return pairs
def merge_pair(word_freqs, pair):
    a, b = pair
    merged = {}
    for symbols, freq in word_freqs.items():
        out, i = [], 0
        while i < len(symbols):
            if i < len(symbols) - 1 and symbols[i] == a and symbols[i + 1] == b:
                out.append(a + b); i += 2
            else:
                out.append(symbols[i]); i += 1
        merged[tuple(out)] = merged.get(tuple(out), 0) + freq
    return merged
"""
LEARN = """def learn_merges(word_counts, num_merges):
    word_freqs = {spell(w): n for w, n in word_counts.items()}
    merges = []
    for _ in range(num_merges):
        pairs = count_pairs(word_freqs)
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        word_freqs = merge_pair(word_freqs, best)
    return merges
"""
ENCODE = """def bpe_encode(word, merges):
    ranks = {pair: i for i, pair in enumerate(merges)}
    symbols = list(spell(word))
    while len(symbols) > 1:
        rank, k = min((ranks.get(p, float("inf")), k) for k, p in enumerate(zip(symbols, symbols[1:])))
        if rank == float("inf"):
            break
        symbols[k:k + 2] = [symbols[k] + symbols[k + 1]]
    return symbols
"""

PHONES = r"""def find_phones(text):
    us = r"(?<![\w+])(?:\+1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)"
    international = r"\+(?!1\b)\d{1,3}(?:[ .-]\d{1,4}){2,4}(?!\d)"
    return [m.span() for m in re.finditer(f"{us}|{international}", text)]
"""
DATES = r"""def find_dates(text):
    months = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
              r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|gennaio|febbraio|marzo"
              r"|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre)")
    numeric = r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"
    iso = r"|\b\d{4}-\d{2}-\d{2}\b"
    spelled = rf"|\b{months}\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?\b|\b\d{{1,2}} {months}\.?(?: \d{{4}})?\b"
    return [m.span() for m in re.finditer(numeric + iso + spelled, text, re.I)]
"""
CONTACTS = r"""def find_contacts(text):
    email = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    url = r"(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:)]?(?:\s|$))"
    return [m.span() for m in re.finditer(f"{email}|{url}", text)]
"""

DEIDENTIFY = """def deidentify(text):
    spans = ([(s, e, "PHONE") for s, e in find_phones(text)] + [(s, e, "DATE") for s, e in find_dates(text)]
             + [(s, e, "CONTACT") for s, e in find_contacts(text)])
    for start, end, tag in sorted(spans, reverse=True):
        text = text[:start] + f"[{tag}]" + text[end:]
    return text
"""
PHRASES = """def phrase_vectors(texts, vectors, vocab):
    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    for i, text in enumerate(texts):
        ids = [vocab[w] for w in emb.words(text) if w in vocab]
        if ids:
            out[i] = vectors[ids].mean(0)
    return out
def synonym_mrr(queries, answers):
    q, a = phrase_vectors(queries, vectors, vocab), phrase_vectors(answers, vectors, vocab)
    q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    sims = q @ a.T
    right = np.diag(sims)[:, None]
    ranks = (sims > right).sum(1) + 1 + ((sims == right).sum(1) - 1) / 2
    return float(np.mean(1 / ranks))
"""
BLOCK = """class PreLNBlock(nn.Module):
    def __init__(self, c, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.ln_1, self.ln_2 = nn.LayerNorm(c), nn.LayerNorm(c)
        self.attn = nn.Module()
        for name in ["q_proj", "k_proj", "v_proj", "out_proj"]:
            setattr(self.attn, name, nn.Linear(c, c))
        self.mlp = nn.Module()
        self.mlp.fc, self.mlp.proj = nn.Linear(c, 4 * c), nn.Linear(4 * c, c)

    def forward(self, x, mask=None):
        b, t, c = x.shape
        heads = lambda z: z.view(b, t, self.n_heads, c // self.n_heads).transpose(1, 2)
        h = self.ln_1(x)
        out, _ = attention(heads(self.attn.q_proj(h)), heads(self.attn.k_proj(h)), heads(self.attn.v_proj(h)), mask)
        x = x + self.attn.out_proj(out.transpose(1, 2).reshape(b, t, c))
        return x + self.mlp.proj(F.gelu(self.mlp.fc(self.ln_2(x)), approximate="tanh"))
"""
RANK = """def rank_genes(patient, diseases, ic):
    best = {}
    for d in diseases:
        score = round(patient_score(patient, hpo.phenotype_profile(d), ic), 9)
        for g in hpo.genes_of(d):
            best[g] = max(best.get(g, score), score)
    return sorted(best, key=lambda g: (-best[g], g))
"""
PAIRS = """def encode(batch):
    enc = tokenizer(batch["abbr"], batch["sentence"], truncation=True, max_length=MAX_LENGTH)
    enc["labels"] = [LABEL2ID[s] for s in batch["sense"]]
    return enc
"""
METRICS = """def compute_metrics(eval_pred):
    logits, labels = eval_pred
    predictions = np.asarray(logits).argmax(-1)
    return {"macro_f1": float(f1_score(labels, predictions, average="macro")),
            "accuracy": float(np.mean(predictions == labels))}
"""

WRONG = {
    ("lab1_clinical_text", "q4"): [
        # replaced from the start: every later offset is off
        PHONES + DATES + CONTACTS + DEIDENTIFY.replace("sorted(spans, reverse=True)", "sorted(spans)"),
        # e-mail addresses tagged [EMAIL], not [CONTACT]
        PHONES + DATES + CONTACTS + DEIDENTIFY.replace('"CONTACT") for', '"EMAIL") for'),
        # one finder forgotten
        PHONES + DATES + CONTACTS + DEIDENTIFY.replace('\n             + [(s, e, "CONTACT") for s, e in find_contacts(text)]', ""),
        # str.replace of the span's text, tag without brackets
        PHONES + DATES + CONTACTS + DEIDENTIFY.replace('text = text[:start] + f"[{tag}]" + text[end:]',
                                                       "text = text.replace(text[start:end], tag)"),
    ],
    ("lab3_embeddings", "q4"): [
        # a sum of the word vectors, not their mean
        PHRASES.replace("vectors[ids].mean(0)", "vectors[ids].sum(0)"),
        # words split on spaces (case and punctuation kept), not with emb.words
        PHRASES.replace("emb.words(text)", "text.split()"),
        # ranked by dot product, not cosine
        PHRASES.replace("    q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)\n"
                        "    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)\n", ""),
        # the reciprocal of the mean rank, not the mean reciprocal rank
        PHRASES.replace("return float(np.mean(1 / ranks))", "return float(1 / np.mean(ranks))"),
        # the least similar answers ranked first
        PHRASES.replace("(sims > right)", "(sims < right)"),
    ],
    ("lab5_attention", "q4"): [
        # post-LN (the original transformer), not pre-LN
        ATTENTION + BLOCK.replace("h = self.ln_1(x)", "h = x").replace(
            "x = x + self.attn.out_proj(out.transpose(1, 2).reshape(b, t, c))",
            "x = self.ln_1(x + self.attn.out_proj(out.transpose(1, 2).reshape(b, t, c)))").replace(
            'return x + self.mlp.proj(F.gelu(self.mlp.fc(self.ln_2(x)), approximate="tanh"))',
            'return self.ln_2(x + self.mlp.proj(F.gelu(self.mlp.fc(x), approximate="tanh")))'),
        # the exact GELU, not GPT-2's tanh approximation
        ATTENTION + BLOCK.replace(', approximate="tanh"', ""),
        # no residual around the MLP
        ATTENTION + BLOCK.replace("return x + self.mlp.proj", "return self.mlp.proj"),
        # the first layer norm used twice
        ATTENTION + BLOCK.replace("self.ln_2(x)", "self.ln_1(x)"),
        # the mask not passed on
        ATTENTION + BLOCK.replace("heads(self.attn.v_proj(h)), mask)", "heads(self.attn.v_proj(h)))"),
    ],
    ("lab6_finetuning", "q1"): [
        # the sentence first, the abbreviation second
        PAIRS.replace('tokenizer(batch["abbr"], batch["sentence"]', 'tokenizer(batch["sentence"], batch["abbr"]'),
        # one string, not a pair
        PAIRS.replace('tokenizer(batch["abbr"], batch["sentence"]',
                      'tokenizer([a + " " + s for a, s in zip(batch["abbr"], batch["sentence"])]'),
        # not truncated
        PAIRS.replace("truncation=True, max_length=MAX_LENGTH", "truncation=False"),
        # padded to MAX_LENGTH here, not by the collator
        PAIRS.replace("max_length=MAX_LENGTH)", 'max_length=MAX_LENGTH, padding="max_length")'),
        # labels as sense names
        PAIRS.replace('[LABEL2ID[s] for s in batch["sense"]]', 'list(batch["sense"])'),
    ],
    ("lab6_finetuning", "q2"): [
        # weighted F1, not macro
        METRICS.replace('average="macro"', 'average="weighted"'),
        # argmax over the batch, not the classes
        METRICS.replace("argmax(-1)", "argmax(0)"),
        # f1_score's default (binary) average
        METRICS.replace(', average="macro"', ""),
        # accuracy as a percentage
        METRICS.replace("float(np.mean(predictions == labels))", "float(100 * np.mean(predictions == labels))"),
    ],
    ("lab7_phenotype_ranking", "q3"): [
        # the worst first
        IC + RESNIK + RANK.replace("(-best[g], g)", "(best[g], g)"),
        # a gene's diseases summed, not its best
        IC + RESNIK + RANK.replace("best[g] = max(best.get(g, score), score)", "best[g] = best.get(g, 0) + score"),
        # a gene scored by its worst disease
        IC + RESNIK + RANK.replace("best[g] = max(best.get(g, score), score)", "best[g] = min(best.get(g, score), score)"),
        # the symmetric best-match average, not the patient side
        IC + RESNIK + RANK.replace("round(patient_score(patient, hpo.phenotype_profile(d), ic), 9)",
                                   "round((patient_score(patient, hpo.phenotype_profile(d), ic)"
                                   " + patient_score(hpo.phenotype_profile(d), patient, ic)) / 2, 9)"),
        # the disease side only
        IC + RESNIK + RANK.replace("patient_score(patient, hpo.phenotype_profile(d), ic)",
                                   "patient_score(hpo.phenotype_profile(d), patient, ic)"),
        # shared terms counted, no ontology
        IC + RESNIK + RANK.replace("round(patient_score(patient, hpo.phenotype_profile(d), ic), 9)",
                                   "len(set(patient) & set(hpo.phenotype_profile(d)))"),
    ],
    ("lab2_tokenization", "q1"): [
        # once per word, not once per occurrence
        "def count_pairs(wf):\n    c = Counter()\n    for s, f in wf.items():\n"
        "        for p in set(zip(s, s[1:])):\n            c[p] += f\n    return c",
        # the word's frequency ignored
        "def count_pairs(wf):\n    c = Counter()\n    for s in wf:\n        c.update(zip(s, s[1:]))\n    return c",
        # pairs across word boundaries
        "def count_pairs(wf):\n    syms = [x for s, f in wf.items() for _ in range(f) for x in s]\n"
        "    return Counter(zip(syms, syms[1:]))",
    ],
    ("lab2_tokenization", "q2"): [
        # string replacement on the joined symbols
        "def merge_pair(wf, pair):\n    a, b = pair\n"
        "    return {tuple(' '.join(s).replace(f'{a} {b}', a + b).split(' ')): f for s, f in wf.items()}",
        # scanned right to left
        "def merge_pair(wf, pair):\n    out = {}\n    for s, f in wf.items():\n        s, i = list(s), len(s) - 2\n"
        "        while i >= 0:\n            if (s[i], s[i + 1]) == pair:\n                s[i:i + 2] = [s[i] + s[i + 1]]\n"
        "            i -= 1\n        out[tuple(s)] = f\n    return out",
        # the input changed in place
        "def merge_pair(wf, pair):\n    for s in list(wf):\n        t, i = [], 0\n        while i < len(s):\n"
        "            if s[i:i + 2] == pair:\n                t.append(s[i] + s[i + 1]); i += 2\n"
        "            else:\n                t.append(s[i]); i += 1\n        wf[tuple(t)] = wf.pop(s)\n    return wf",
    ],
    ("lab4_recurrent_cells", "q1"): [
        # the gates unpacked in the wrong order (i, f, o, g)
        LSTM_CELL.replace("i, f, g, o = gates.chunk", "i, f, o, g = gates.chunk"),
        # one bias of the two
        LSTM_CELL.replace(" + h @ weight_hh.T + bias_hh", " + h @ weight_hh.T"),
        # no tanh on the new cell state
        LSTM_CELL.replace("torch.sigmoid(o) * torch.tanh(c_next)", "torch.sigmoid(o) * c_next"),
    ],
    ("lab4_recurrent_cells", "q2"): [
        # the outputs stacked time-first
        LSTM_CELL + LSTM_FORWARD.replace("torch.stack(outputs, dim=1)", "torch.stack(outputs, dim=0)"),
        # final states without their layer dimension
        LSTM_CELL + LSTM_FORWARD.replace("(h[None], c[None])", "(h, c)"),
        # the states reset at every step
        LSTM_CELL + LSTM_FORWARD.replace("xs[:, step], h, c,", "xs[:, step], h * 0, c * 0,"),
    ],
    ("lab4_recurrent_cells", "q3"): [
        # the last hidden state instead of the last cell state
        LSTM_CELL + LSTM_FORWARD + GRADIENT.replace("_, (_, c_last) = lstm_forward", "_, (c_last, _) = lstm_forward"),
        # the gradient at the last input
        LSTM_CELL + LSTM_FORWARD + GRADIENT.replace("xs.grad[:, 0]", "xs.grad[:, -1]"),
        # the gradient over every input
        LSTM_CELL + LSTM_FORWARD + GRADIENT.replace("xs.grad[:, 0].norm()", "xs.grad.norm()"),
    ],
    ("lab5_attention", "q1"): [
        # scaled by d instead of its square root
        ATTENTION.replace("/ math.sqrt(q.shape[-1])", "/ q.shape[-1]"),
        # the softmax over the queries
        ATTENTION.replace("softmax(dim=-1)", "softmax(dim=-2)"),
        # masked scores set to 0, which still gets weight
        ATTENTION.replace('float("-inf")', "0.0"),
    ],
    ("lab5_attention", "q2"): [
        # the upper triangle: every query sees the future
        ATTENTION + MASKS.replace(".tril()", ".triu()"),
        # the padding mask over queries instead of keys
        ATTENTION + MASKS.replace("[:, None, None, :]", "[:, None, :, None]"),
        # 0/1 integers instead of booleans
        ATTENTION + MASKS.replace("attention_mask.bool()[:, None, None, :]", "attention_mask[:, None, None, :]"),
    ],
    ("lab5_attention", "q3"): [
        # heads cut from the wrong axis (no transpose)
        ATTENTION + MHA.replace("z.view(b, t, h, c // h).transpose(1, 2)", "z.view(b, h, t, c // h)"),
        # no output projection
        ATTENTION + MHA.replace("return mha.out_proj(out.transpose(1, 2).reshape(b, t, c))",
                                "return out.transpose(1, 2).reshape(b, t, c)"),
        # heads merged without moving them back next to their features
        ATTENTION + MHA.replace("out.transpose(1, 2).reshape(b, t, c)", "out.reshape(b, t, c)"),
    ],
    ("lab3_embeddings", "q1"): [
        # the smoothing exponent on the word counts instead of the contexts'
        PPMI.replace("p_word = counts.sum(1) / total", "p_word = counts.sum(1) ** alpha / (counts.sum(1) ** alpha).sum()")
            .replace("context = counts.sum(0) ** alpha", "context = counts.sum(0)"),
        # negative PMI kept
        PPMI.replace("np.maximum(pmi, 0)", "pmi"),
        # log base 2 (the library's natural log is the course's convention)
        PPMI.replace("pmi = np.log(", "pmi = np.log2("),
    ],
    ("lab3_embeddings", "q2"): [
        # dot products instead of cosines
        NEAREST.replace("unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)", "unit = vectors"),
        # the word itself among its neighbours
        NEAREST.replace("    sims[vocab[word]] = -np.inf\n", ""),
        # the k least similar
        NEAREST.replace("np.argsort(-sims)[:k]", "np.argsort(sims)[:k]"),
    ],
    ("lab3_embeddings", "q3"): [
        # the negatives pulled closer instead of pushed away
        SGNS.replace("F.logsigmoid(-neg)", "F.logsigmoid(neg)"),
        # log(sigmoid(x)): -inf for large scores
        SGNS.replace("F.logsigmoid(pos)", "torch.log(torch.sigmoid(pos))").replace("F.logsigmoid(-neg)", "torch.log(torch.sigmoid(-neg))"),
        # summed over the batch instead of averaged
        SGNS.replace(".sum(-1)).mean()", ".sum(-1)).sum()"),
    ],
    ("lab7_phenotype_ranking", "q1"): [
        # the annotated terms only, not their ancestors
        IC.replace("covered |= ancestors(t)", "covered.add(t)"),
        # a term counted once per annotation, not once per disease
        IC.replace("        covered = set()\n        for t in terms:\n            covered |= ancestors(t)\n        for t in covered:",
                   "        for t in [a for x in terms for a in ancestors(x)]:"),
        # the share of all annotations instead of the share of diseases
        IC.replace("n = len(annotations)", "n = sum(counts.values())"),
    ],
    ("lab7_phenotype_ranking", "q2"): [
        # the least informative common ancestor
        RESNIK.replace("return max(ic.get(t, 0.0) for t in hpo.ancestors(a) & hpo.ancestors(b))",
                       "return min(ic.get(t, 0.0) for t in hpo.ancestors(a) & hpo.ancestors(b))"),
        # ancestors of either term, not of both
        RESNIK.replace("hpo.ancestors(a) & hpo.ancestors(b)", "hpo.ancestors(a) | hpo.ancestors(b)"),
        # averaged over the disease's terms instead of the patient's
        RESNIK.replace("sum(max(resnik(p, d, ic) for d in disease_terms) for p in patient) / len(patient)",
                       "sum(max(resnik(p, d, ic) for p in patient) for d in disease_terms) / len(disease_terms)"),
    ],
    ("lab2_tokenization", "q3"): [
        # ties to the largest pair instead of the smallest
        BPE_PARTS + LEARN.replace("min(pairs, key=lambda p: (-pairs[p], p))", "max(pairs, key=lambda p: (pairs[p], p))"),
        # ties in first-seen order (Counter.most_common)
        BPE_PARTS + LEARN.replace("min(pairs, key=lambda p: (-pairs[p], p))", "pairs.most_common(1)[0][0]"),
        # words without their end-of-word marker
        BPE_PARTS + LEARN.replace("{spell(w): n", "{tuple(w): n"),
    ],
    ("lab2_tokenization", "q4"): [
        # the most recent merge first instead of the earliest
        ENCODE.replace("rank, k = min(", "rank, k = max(").replace('ranks.get(p, float("inf"))', 'ranks.get(p, -1)')
              .replace('if rank == float("inf")', "if rank == -1"),
        # no end-of-word marker
        ENCODE.replace("symbols = list(spell(word))", "symbols = list(word)"),
        # one pass over the merges, each applied once at its first occurrence
        ENCODE.replace("""    while len(symbols) > 1:
        rank, k = min((ranks.get(p, float("inf")), k) for k, p in enumerate(zip(symbols, symbols[1:])))
        if rank == float("inf"):
            break
        symbols[k:k + 2] = [symbols[k] + symbols[k + 1]]""", """    for a, b in merges:
        for k in range(len(symbols) - 1):
            if (symbols[k], symbols[k + 1]) == (a, b):
                symbols[k:k + 2] = [a + b]
                break"""),
    ],
    ("lab1_clinical_text", "q1"): [
        # US numbers only
        PHONES.replace('f"{us}|{international}"', 'us'),
        # no leading +1
        PHONES.replace(r"(?:\+1[ .-]?)?", ""),
        # any ten digits, separators optional: record numbers match
        PHONES.replace(r"(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}", r"(?:\(\d{3}\)\s?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}"),
    ],
    ("lab1_clinical_text", "q2"): [
        # no ISO dates
        DATES.replace("numeric + iso + spelled", "numeric + spelled"),
        # four-digit years only
        DATES.replace(r"(?:\d{4}|\d{2})\b", r"\d{4}\b"),
        # any number/number: scores and blood pressures too
        DATES.replace(r'numeric = r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"',
                      r'numeric = r"\b\d{1,3}[/.-]\d{1,3}(?:[/.-](?:\d{4}|\d{2}))?\b"'),
    ],
    ("lab1_clinical_text", "q3"): [
        # the sentence's full stop kept in the URL
        CONTACTS.replace(r"[^\s<>\"]+?(?=[.,;:)]?(?:\s|$))", r"[^\s<>\"]+"),
        # no www. addresses
        CONTACTS.replace(r"(?:https?://|www\.)", r"https?://"),
        # no dots before the @
        CONTACTS.replace(r"[\w.+-]+@", r"[\w+-]+@"),
    ],
    ("lab1_clinical_text", "q5"): [
        # a trigger anywhere before the term
        "def is_negated(sentence, term):\n" + NEGATION_PARTS + "    return bool(re.search(pre, low[:where]))",
        # a trigger anywhere in the sentence
        "def is_negated(sentence, term):\n" + NEGATION_PARTS + "    return bool(re.search(pre, low))",
        # the five-word window, but no terminators
        "def is_negated(sentence, term):\n" + NEGATION_PARTS
        + "    return bool(re.search(pre, ' '.join(low[:where].split()[-5:])))",
    ],
}


# The right answer each lab's wrong variants are written from (one plausible slip each), with the
# questions it answers: it must pass every hidden test, so a variant's failure is its slip's.
RIGHT = {"lab1_clinical_text": (PHONES + DATES + CONTACTS + DEIDENTIFY, ["q1", "q2", "q3", "q4"]),
         "lab2_tokenization": (BPE_PARTS + LEARN + ENCODE, ["q1", "q2", "q3", "q4"]),
         "lab3_embeddings": (PPMI + NEAREST + SGNS + PHRASES, ["q1", "q2", "q3", "q4"]),
         "lab4_recurrent_cells": (LSTM_CELL + LSTM_FORWARD + GRADIENT, ["q1", "q2", "q3"]),
         "lab5_attention": (ATTENTION + MASKS + MHA + BLOCK, ["q1", "q2", "q3", "q4"]),
         "lab6_finetuning": (PAIRS + METRICS, ["q1", "q2"]),
         "lab7_phenotype_ranking": (IC + RESNIK + RANK, ["q1", "q2", "q3"])}
RIGHT_TEMPLATES = {LSTM_CELL, LSTM_FORWARD, GRADIENT, ATTENTION, MASKS, MHA, PPMI, NEAREST, SGNS, IC, RESNIK, PHONES,
                   DATES, CONTACTS, DEIDENTIFY, PHRASES, BLOCK, RANK, PAIRS, METRICS}


def _hidden_verdicts(lab: str, q: str, source: str) -> list[Exception | None]:
    """Run here, without a sandbox: each hidden test of `lab` `q` on the functions `source`
    defines; None where it passes, the exception where it fails."""
    spec = labs.lab_spec(lab)
    ns = dict(labs._trusted_namespace(spec))
    exec(source, ns)
    verdicts = []
    for case in [c for c in spec["questions"][q]["cases"] if c["hidden"]]:
        try:
            exec(case["code"], dict(ns))
            verdicts.append(None)
        except Exception as e:  # a failed hidden test
            verdicts.append(e)
    return verdicts


@pytest.mark.parametrize("lab, q", list(WRONG))
def test_plausible_wrong_answers_lose_points(lab, q):
    assert len(set(WRONG[lab, q])) == len(WRONG[lab, q]) >= 3, "three different wrong answers per question"
    for source in WRONG[lab, q]:
        assert not any(source.endswith(t) for t in RIGHT_TEMPLATES), \
            f"a 'wrong' answer that ends with its right template (a replace that missed):\n{source}"
        assert any(_hidden_verdicts(lab, q, source)), f"{lab} {q}: this wrong answer passes every hidden test:\n{source}"


@pytest.mark.parametrize("lab, q", [(lab, q) for lab, (_, qs) in RIGHT.items() for q in qs])
def test_the_right_template_passes_every_hidden_test(lab, q):
    verdicts = _hidden_verdicts(lab, q, RIGHT[lab][0])
    assert verdicts and not any(verdicts), f"{lab} {q}: {verdicts}"
