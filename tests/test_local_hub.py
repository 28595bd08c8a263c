"""tools/local_hub.py: a Hugging Face Hub on 127.0.0.1 that `utils.hub` takes for the real one.

huggingface_hub reads HF_ENDPOINT and HF_HUB_OFFLINE when it is imported (and this test process
imports it offline), so loads through the server run in a fresh Python process, as a notebook
kernel would. The fast tests serve a tiny BERT; the slow one (``-m slow``) every course model.
"""
import json
import os
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request

import pytest

from tools import local_hub
from utils import hub

WORDS = ["patient", "takes", "aspirin", "Aspirin", "Patient", "for", "chest", "pain", "."]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    """A tiny BertForMaskedLM with a cased vocabulary, saved as transformers 5 saves it."""
    import torch
    from transformers import BertConfig, BertForMaskedLM, BertTokenizer

    folder = tmp_path_factory.mktemp("tiny-bert")
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = BertTokenizer(vocab={w: i for i, w in enumerate(specials + WORDS)}, do_lower_case=True)
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    BertForMaskedLM(BertConfig(vocab_size=len(tokenizer), hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=16, max_position_embeddings=32)).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_repos(tiny_bert):
    return {"bert-base-uncased": local_hub.Repo("bert-base-uncased", local_hub.folder_files(tiny_bert)),
            "dmis-lab/biobert-base-cased-v1.1": local_hub.Repo("dmis-lab/biobert-base-cased-v1.1",
                                                               local_hub.bert_bin_only(tiny_bert))}


@pytest.fixture()
def server(tiny_repos):
    with local_hub.LocalHub(tiny_repos) as running:
        yield running


def _get(url, method="GET", headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers or {}), timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_resolve_answers_with_the_headers_huggingface_hub_checks(server, tiny_bert):
    repo = server.repos["bert-base-uncased"]
    url = f"{server.endpoint}/bert-base-uncased/resolve/main/config.json"
    status, headers, body = _get(url, "HEAD")
    assert status == 200 and body == b""
    assert headers["X-Repo-Commit"] == repo.sha and headers["Content-Length"] == str((tiny_bert / "config.json").stat().st_size)
    assert headers["ETag"].strip('"') == repo.hashes("config.json")[0]              # a regular file: its git blob sha1
    status, headers, body = _get(url)
    assert status == 200 and body == (tiny_bert / "config.json").read_bytes()
    status, headers, body = _get(url, headers={"Range": "bytes=2-5"})              # resumed downloads ask for ranges
    assert status == 206 and body == (tiny_bert / "config.json").read_bytes()[2:6]
    weights = f"{server.endpoint}/bert-base-uncased/resolve/{repo.sha}/model.safetensors"   # by commit, as the cache asks
    status, headers, _ = _get(weights, "HEAD")
    assert status == 200 and headers["X-Linked-Etag"].strip('"') == repo.hashes("model.safetensors")[1]   # LFS: sha256


@pytest.mark.parametrize("path, status, code", [
    ("/bert-base-uncased/resolve/main/tokenizer.model", 404, "EntryNotFound"),
    ("/bert-base-uncased/resolve/v9/config.json", 404, "RevisionNotFound"),
    ("/no-such/model/resolve/main/config.json", 404, "RepoNotFound"),
    ("/api/models/no-such/model", 404, "RepoNotFound"),
    ("/api/models/bert-base-uncased/tree/main/additional_chat_templates", 404, "EntryNotFound"),
])
def test_missing_things_get_the_error_codes_huggingface_hub_maps_to_its_exceptions(server, path, status, code):
    got, headers, _ = _get(server.endpoint + path)
    assert (got, headers.get("X-Error-Code")) == (status, code)
    assert ("bert-base-uncased" not in path) or headers["X-Repo-Commit"] == server.repos["bert-base-uncased"].sha
    assert (("GET", path, status)) in server.requests


def test_model_info_and_tree_list_the_served_files(server):
    status, _, body = _get(f"{server.endpoint}/api/models/dmis-lab/biobert-base-cased-v1.1/revision/main")
    info = json.loads(body)
    assert status == 200 and info["id"] == "dmis-lab/biobert-base-cased-v1.1"
    assert sorted(s["rfilename"] for s in info["siblings"]) == ["config.json", "pytorch_model.bin", "vocab.txt"]
    status, _, body = _get(f"{server.endpoint}/api/models/dmis-lab/biobert-base-cased-v1.1/tree/main")
    tree = json.loads(body)
    assert [e["path"] for e in tree] == ["config.json", "pytorch_model.bin", "vocab.txt"]
    assert "lfs" in tree[1] and "lfs" not in tree[0]


def test_utils_hub_sees_the_local_server_as_the_hub(server, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", server.endpoint)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert hub.hub_status(refresh=True) == (True, "Hub reachable")
    assert ("HEAD", "/api/models/bert-base-uncased", 200) in server.requests     # its usual probe
    choice = hub.resolve("dmis-lab/biobert-base-cased-v1.1", verbose=False)
    assert (choice.source, choice.path) == ("hub", "dmis-lab/biobert-base-cased-v1.1")
    assert "the real model from the Hugging Face Hub" in choice.banner
    hub._probe_cache.clear()                                                      # later tests probe offline again


def test_repo_refuses_bad_names_and_files(tmp_path):
    with pytest.raises(ValueError, match="owner/name"):
        local_hub.Repo("a/b/c", {"x": b"1"})
    with pytest.raises(FileNotFoundError):
        local_hub.Repo("a/b", {"x": tmp_path / "missing"})
    with pytest.raises(ValueError, match="no local repository"):
        local_hub.course_repos(["google/not-served"])


LOAD_THROUGH_THE_HUB = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, os.getcwd())
    from utils import hub
    from transformers import AutoModel, AutoTokenizer
    out = {}
    for name in sys.argv[1:]:
        choice = hub.resolve(name)                       # prints the banner
        tokenizer = AutoTokenizer.from_pretrained(choice.path)
        model = AutoModel.from_pretrained(choice.path)
        out[name] = {"source": choice.source, "banner": choice.banner, "class": type(model).__name__,
                     "tokens": tokenizer.tokenize("Patient takes Aspirin"),
                     "lower_case": getattr(tokenizer, "do_lower_case", None)}
        if name.startswith("dmis-lab/"):
            out[name]["tokens_cased"] = AutoTokenizer.from_pretrained(choice.path, do_lower_case=False).tokenize("Patient takes Aspirin")
    print("RESULT " + json.dumps(out))
""")


def _load_in_fresh_process(names):
    run = subprocess.run([sys.executable, "-c", LOAD_THROUGH_THE_HUB, *names], capture_output=True, text=True,
                         cwd=local_hub.ROOT, timeout=600, env={**os.environ, "TRANSFORMERS_VERBOSITY": "error"})
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))[7:]), run.stdout


def test_from_pretrained_loads_through_the_server_as_from_the_hub(tiny_repos):
    with local_hub.serving(tiny_repos) as server:
        assert os.environ["HF_ENDPOINT"] == server.endpoint == os.environ["COURSE_LOCAL_HUB"]
        assert "HF_HUB_OFFLINE" not in os.environ
        got, stdout = _load_in_fresh_process(["bert-base-uncased", "dmis-lab/biobert-base-cased-v1.1"])
        home = os.environ["HF_HOME"]
    assert os.environ.get("HF_HUB_OFFLINE") == "1" and not os.path.exists(home)  # restored, cache removed
    assert "COURSE_LOCAL_HUB" not in os.environ
    for name, row in got.items():
        assert row["source"] == "hub" and "real model from the Hugging Face Hub" in row["banner"], row
        assert row["class"] == "BertModel"
    banners = [line for line in stdout.splitlines() if line.startswith("[hub]")]
    assert len(banners) == 2 and all("the real model from the Hugging Face Hub" in b for b in banners)
    biobert = got["dmis-lab/biobert-base-cased-v1.1"]
    # BioBERT's repository has no tokenizer_config.json: BertTokenizer's default lower-cases...
    assert biobert["lower_case"] is True and biobert["tokens"] == ["patient", "takes", "aspirin"]
    assert biobert["tokens_cased"] == ["Patient", "takes", "Aspirin"]              # ...unless told not to
    fetched = {p for m, p, s in server.requests if m == "GET" and s == 200}    # by commit, as huggingface_hub asks
    for repo, weights in [("dmis-lab/biobert-base-cased-v1.1", "pytorch_model.bin"), ("bert-base-uncased", "model.safetensors")]:
        assert f"/{repo}/resolve/{server.repos[repo].sha}/{weights}" in fetched, sorted(server.requests)


@pytest.mark.slow
def test_every_course_model_loads_through_the_server_under_its_real_name():
    """Slow (builds the stand-ins if needed, copies about 0.7 GB into a temporary cache)."""
    names = ["bert-base-uncased", *local_hub.BERT_BIN_ONLY, "microsoft/biogpt", "HuggingFaceTB/SmolLM2-135M-Instruct",
             "HuggingFaceTB/SmolLM2-360M-Instruct", "sentence-transformers/all-MiniLM-L6-v2"]
    with local_hub.serving() as server:
        got, _ = _load_in_fresh_process(names)
    assert sorted(got) == sorted(names)
    assert all(row["source"] == "hub" and "real model from the Hugging Face Hub" in row["banner"] for row in got.values())
    for name in local_hub.BERT_BIN_ONLY:
        assert got[name]["lower_case"] is True, name        # no tokenizer_config.json: lower-cased by default
    unanswered = sorted({p for m, p, s in server.requests if s == 404 and "/resolve/" not in p})
    print("requests answered 404 (optional files and endpoints):", unanswered)


def test_rehearsal_reads_the_banners_of_an_executed_notebook(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("hub.resolve(...)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="[hub] a: the real model from the Hugging Face Hub (x).\nother\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="[hub] STAND-IN for b: ...\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("[hub] not output"), cell]
    nbformat.write(nb, tmp_path / "x.ipynb")
    lines = local_hub.banners(tmp_path / "x.ipynb")
    assert lines == ["[hub] a: the real model from the Hugging Face Hub (x).", "[hub] STAND-IN for b: ..."]
    assert [local_hub.HUB_BANNER in line for line in lines] == [True, False]
