"""A fake Colab: a fresh venv with an older, Colab-like stack, where the bootstrap cell's install
step must bring the course to a working state without touching torch or numpy.

Slow: pip installs two stacks from the package index, then runs notebook 00 (measured: 28 min of
wall time, 3.5 min of CPU, on the course's 2-core machine shared with other jobs; most of it is
downloading). Select it with ``pytest tests/test_fake_colab.py -m slow``. What it builds:

- a venv from this interpreter, with torch and numpy taken from the running environment (a ``.pth``
  file naming a folder of links to exactly those two packages: Colab ships its own builds, and the
  course must never replace them; nothing is downloaded for them);
- an older stack installed into it: transformers 4.x, datasets 2.x, no peft, seqeval or otter-grader;
- a stub ``google.colab`` (with ``userdata``) that an IPython start-up file imports in the kernel,
  as Colab's kernel does, so `utils.setup.in_colab()` is True there and nowhere else;
- Colab's layout: the kernel starts in a folder holding the repository as ``clinical-nlp-course``
  (what the bootstrap cell's ``git clone`` makes), and the Hub is the local one (tools/local_hub.py).
"""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OLD_STACK = ["transformers==4.57.6", "tokenizers<0.23", "huggingface-hub<1", "datasets==2.21.0", "accelerate==1.2.1",
             "pandas", "matplotlib", "seaborn", "scikit-learn", "scipy", "tqdm", "requests", "packaging", "pyyaml",
             "filelock", "jinja2", "sympy", "networkx", "fsspec", "typing-extensions", "ipykernel", "nbclient",
             "nbformat", "safetensors", "regex"]
STATE = textwrap.dedent("""
    import importlib.metadata as m, json, hashlib
    out = {}
    for dist in ["torch", "numpy", "transformers", "datasets", "peft", "seqeval", "otter-grader"]:
        try:
            d = m.distribution(dist)
        except m.PackageNotFoundError:
            out[dist] = None
            continue
        record = d.read_text("RECORD") or ""
        out[dist] = {"version": d.version, "where": str(d.locate_file("")), "record": hashlib.sha256(record.encode()).hexdigest()}
    print(json.dumps(out))
""")
COLAB_STUB = {
    "google/colab/__init__.py": '"""A stub of Colab\'s module for tests: only what the course uses."""\nfrom . import userdata\n',
    "google/colab/userdata.py": textwrap.dedent('''
        """Colab Secrets, stubbed: FAKE_COLAB_SECRETS holds a JSON object of name -> value."""
        import json, os

        class SecretNotFoundError(Exception):
            pass

        class NotebookAccessError(Exception):
            pass

        def get(key):
            secrets = json.loads(os.environ.get("FAKE_COLAB_SECRETS", "{}"))
            if key not in secrets:
                raise SecretNotFoundError(key)
            return secrets[key]
    '''),
}
RUN_NOTEBOOK = textwrap.dedent("""
    import sys, nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(sys.argv[1], as_version=4)
    NotebookClient(nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
    nbformat.write(nb, sys.argv[3])
""")


def _links_to(folder: Path, dists) -> None:
    """`folder` with a link to every top-level file and folder of the installed `dists`."""
    import importlib.metadata as m

    folder.mkdir()
    for dist in dists:
        d = m.distribution(dist)
        tops = {Path(str(f)).parts[0] for f in d.files}
        for top in sorted(tops):
            src = Path(d.locate_file(top))
            if src.exists() and not top.endswith(".pth") and top not in ("..", "bin"):
                (folder / top).symlink_to(src)


def _state(python) -> dict:
    run = subprocess.run([str(python), "-c", STATE], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


@pytest.mark.slow
def test_bootstrap_brings_an_old_colab_stack_to_a_working_course_without_touching_torch_or_numpy(tmp_path):
    from tools import local_hub

    venv, base, content = tmp_path / "colab-venv", tmp_path / "colab-base", tmp_path / "content"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    _links_to(base, ["torch", "numpy"])
    (site / "colab-preinstalled.pth").write_text(f"{base}\n")            # torch and numpy, as Colab ships them
    for path, text in COLAB_STUB.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text)
    keep = tmp_path / "keep.txt"                                         # the old stack must not move them either
    keep.write_text("".join(f"{d}=={v}\n" for d, v in [("torch", _version("torch")), ("numpy", _version("numpy"))]))
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(keep), *OLD_STACK],
                   check=True)
    before = _state(python)
    assert before["transformers"]["version"].startswith("4.") and before["datasets"]["version"].startswith("2.")
    assert before["peft"] is None and before["seqeval"] is None and before["otter-grader"] is None
    assert before["torch"]["where"] == before["numpy"]["where"] == str(base)    # found through the links, nowhere else

    # Colab's layout: /content holds the clone; the kernel imports google.colab at start-up.
    content.mkdir()
    (content / "clinical-nlp-course").symlink_to(ROOT)
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{venv / 'bin'}:{env['PATH']}", IPYTHONDIR=str(tmp_path / "ipython"), OMP_NUM_THREADS="1")
    executed = tmp_path / "00_executed.ipynb"
    repos = local_hub.course_repos(["sentence-transformers/all-MiniLM-L6-v2"])
    with local_hub.serving(repos) as server:
        env.update(HF_ENDPOINT=server.endpoint, HF_HOME=os.environ["HF_HOME"])
        run = subprocess.run([str(python), "-c", RUN_NOTEBOOK, str(ROOT / "notebooks" / "00_getting_started.ipynb"),
                              str(content), str(executed)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]

    after = _state(python)
    for dist in ("torch", "numpy"):                                     # not upgraded, not reinstalled, not moved
        assert after[dist] == before[dist], dist
    assert after["transformers"]["version"].startswith("5.") and after["peft"] and after["seqeval"] and after["otter-grader"]
    nb = json.loads(executed.read_text())
    text = "\n".join(o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
                     for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "Installing for Colab:" in text and "Hugging Face Hub: online" in text
    assert "sentence-transformers/all-MiniLM-L6-v2: the real model from the Hugging Face Hub" in text
    print(f"fake Colab: transformers {before['transformers']['version']} -> {after['transformers']['version']}, "
          f"datasets {before['datasets']['version']} -> {after['datasets']['version']}; torch {after['torch']['version']} "
          f"and numpy {after['numpy']['version']} untouched")


def _version(dist):
    import importlib.metadata as m

    return m.version(dist)
