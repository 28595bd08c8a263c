"""utils.hub: decides quickly offline, uses the Hub when it answers, packaged copies and
course stand-ins otherwise, and says which."""
import http.server
import socket
import threading
import time

import pytest

from utils import hub

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(autouse=True)
def fresh_probe(monkeypatch):
    hub._probe_cache.clear()
    yield
    hub._probe_cache.clear()


def _serve(handler_cls):
    server = http.server.HTTPServer(("127.0.0.1", 0), handler_cls)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_offline_flag_decides_without_asking_the_network(monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "_probe", lambda url: pytest.fail("probed the Hub despite HF_HUB_OFFLINE=1"))
    choice = hub.resolve(MINILM)
    assert choice.source == "package" and "HF_HUB_OFFLINE=1" in choice.reason
    assert "offline copy" in capsys.readouterr().out


def test_dead_local_port_is_offline_within_the_limit(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(hub, "PROBE_SECONDS", 30.0)
    start = time.perf_counter()
    online, why = hub.hub_status()
    # "unreachable", not "no answer": the refusal ended the probe, not the 30 s deadline
    assert not online and "unreachable" in why
    assert time.perf_counter() - start < hub.PROBE_SECONDS / 3   # generous on a loaded machine


def test_silent_server_is_offline_after_the_deadline(monkeypatch):
    """A host that accepts connections but never answers (a firewall's black hole)."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)                  # the kernel completes handshakes; nobody ever replies
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.setattr(hub, "PROBE_SECONDS", 1.0)
    try:
        start = time.perf_counter()
        online, why = hub.hub_status()
        elapsed = time.perf_counter() - start
    finally:
        listener.close()
    assert not online and "no answer" in why
    # it waited for the deadline and not much longer (the libraries' own wait is 20-45 s); the slack
    # covers a loaded 2-core machine
    assert hub.PROBE_SECONDS * 0.9 <= elapsed < hub.PROBE_SECONDS + 8
    assert hub.resolve(MINILM, verbose=False).source == "package"


def test_answering_hub_is_used(monkeypatch, capsys):
    class Ok(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = _serve(Ok)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    try:
        choice = hub.resolve("dmis-lab/biobert-base-cased-v1.1")
    finally:
        server.shutdown()
    assert (choice.source, choice.path) == ("hub", "dmis-lab/biobert-base-cased-v1.1")
    assert "real model from the Hugging Face Hub" in capsys.readouterr().out


def test_probe_result_is_cached(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    calls = []
    monkeypatch.setattr(hub, "_probe", lambda url: calls.append(url))
    assert hub.hub_status()[0] and hub.hub_status()[0]
    assert len(calls) == 1


def test_unknown_model_offline_lists_what_is_available(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ValueError) as info:
        hub.resolve("nobody/unknown-model")
    assert "HF_HUB_OFFLINE=1" in str(info.value) and MINILM in str(info.value)


def test_packaged_minilm_loads_and_embeds(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = hub.resolve(MINILM, verbose=False).path
    tok, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path)
    with torch.no_grad():
        out = model(**tok(["chest pain"], return_tensors="pt")).last_hidden_state
    assert out.shape[-1] == 384 and torch.isfinite(out).all()


def test_stand_in_is_built_once_and_cached(monkeypatch, tmp_path, capsys):
    from transformers import AutoConfig, BertConfig

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    builds = []

    def build(folder):
        builds.append(folder)
        BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                   intermediate_size=16).save_pretrained(folder)

    monkeypatch.setitem(hub._STAND_INS, "org/tiny-bert", None)  # restored after the test
    hub.register_stand_in("org/tiny-bert", "tiny test BERT", build)
    first = hub.resolve("org/tiny-bert", models_dir=tmp_path)
    second = hub.resolve("org/tiny-bert", models_dir=tmp_path)
    assert len(builds) == 1 and first.path == second.path and first.source == "stand-in"
    assert AutoConfig.from_pretrained(first.path).hidden_size == 8
    assert "STAND-IN" in capsys.readouterr().out
    assert "org/tiny-bert" in hub.available()


@pytest.mark.parametrize("bad, error", [("", TypeError), (None, TypeError)])
def test_bad_names(bad, error):
    with pytest.raises(error):
        hub.resolve(bad)


def test_register_checks_its_arguments():
    with pytest.raises(ValueError, match="owner/model"):
        hub.register_stand_in(" ", "x", lambda p: None)
    with pytest.raises(TypeError, match="callable"):
        hub.register_stand_in("a/b", "x", "not callable")
