"""utils.llm: API keys found where a Colab user keeps them, never printed; max_tokens sent; a bad
key, a rate limit and a network error each give a clear message. Against a local OpenAI-compatible
stub on 127.0.0.1 and a stub google.colab module."""
import json
import socket
import sys
import types

import pytest

from tests.openai_stub import OpenAIStub
from utils import llm

NAME = "OPENAI_API_KEY"


@pytest.fixture()
def place(monkeypatch, tmp_path):
    """Put a key in each place a student might keep it; returns a function that empties one place."""
    colab = types.ModuleType("google.colab")
    userdata = types.ModuleType("google.colab.userdata")

    class SecretNotFoundError(Exception):
        pass

    class NotebookAccessError(Exception):
        pass

    secrets = {NAME: "key-from-colab"}
    denied = []

    def get(key):
        if denied:
            raise NotebookAccessError(key)
        if key not in secrets:
            raise SecretNotFoundError(key)
        return secrets[key]

    userdata.get, userdata.SecretNotFoundError, userdata.NotebookAccessError = get, SecretNotFoundError, NotebookAccessError
    colab.userdata = userdata
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.userdata", userdata)
    monkeypatch.setenv(NAME, "key-from-env")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"# keys\nexport {NAME}='key-from-dotenv'  \nOTHER=1\n")
    typed = ["key-typed"]
    monkeypatch.setattr("getpass.getpass", lambda prompt: typed[0])

    def empty(where):
        if where == "colab":
            secrets.clear()
        elif where == "colab-denied":
            denied.append(True)
        elif where == "env":
            monkeypatch.delenv(NAME)
        elif where == "dotenv":
            (tmp_path / ".env").write_text("OTHER=1\n")
        elif where == "prompt":
            typed[0] = ""
    return empty


def test_key_lookup_order_colab_env_dotenv_prompt_and_the_key_is_never_printed(place, capsys, tmp_path):
    found = []
    for where, expected in [(None, "key-from-colab"), ("colab", "key-from-env"), ("env", "key-from-dotenv"),
                            ("dotenv", "key-typed"), ("prompt", None)]:
        if where:
            place(where)
        found.append(llm.api_key(env_files=[tmp_path / ".env"]))
        assert found[-1] == expected, where
    out = capsys.readouterr().out
    assert [line.split(": ", 1)[1] for line in out.splitlines()] == [
        "found in Colab Secrets", "found in the environment", f"found in .env ({tmp_path})",
        "typed in (kept for this session only)", "not found (Colab Secrets, environment, .env, prompt)"]
    assert "key-" not in out


def test_dotenv_in_the_working_folder_is_found_by_default(place, capsys):
    place("colab")
    place("env")
    assert llm.api_key(ask=False) == "key-from-dotenv"
    assert "key-from" not in capsys.readouterr().out


def test_colab_secret_without_notebook_access_says_how_to_grant_it(place, capsys):
    place("colab-denied")
    assert llm.api_key() == "key-from-env"
    assert "Notebook access" in capsys.readouterr().out


def test_no_prompt_in_a_headless_run(place, monkeypatch, capsys):
    for where in ("colab", "env", "dotenv"):
        place(where)

    def no_stdin(prompt):
        raise RuntimeError("raw_input was called, but this frontend does not support input requests")

    monkeypatch.setattr("getpass.getpass", no_stdin)
    assert llm.api_key() is None
    assert llm.api_key(ask=False) is None


def test_outside_colab_the_lookup_starts_with_the_environment(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "google.colab", None)          # import fails, as outside Colab
    monkeypatch.setenv(NAME, "key-from-env")
    assert llm.api_key(env_files=[]) == "key-from-env"


def test_send_chat_sets_max_tokens_and_answers(monkeypatch):
    with OpenAIStub() as stub:
        client = llm.api_client("good-key", base_url=stub.base_url, max_retries=0)
        sent, reply = llm.send_chat(client, "any-model", llm.messages("Hello"), max_tokens=42)
        llm.send_chat(client, "any-model", llm.messages("Hello"))
    assert reply == "stub reply"
    assert [json.loads(r["body"])["max_tokens"] for r in stub.received] == [42, 300]
    assert stub.received[0]["key"] == "good-key"
    with pytest.raises(ValueError, match="max_tokens"):
        llm.send_chat(client, "any-model", llm.messages("Hello"), max_tokens=0)
    with pytest.raises(ValueError, match="non-empty"):
        llm.api_client("")


@pytest.mark.parametrize("key, match", [("bad-key", r"rejected the key \(401\).*OPENAI_API_KEY"),
                                        ("busy-key", r"rate limit or quota reached .*\(429\): wait a minute")])
def test_bad_key_and_rate_limit_give_a_clear_message_without_the_key(key, match):
    with OpenAIStub() as stub:
        client = llm.api_client(key, base_url=stub.base_url, max_retries=0)
        with pytest.raises(llm.ApiError, match=match) as caught:
            llm.send_chat(client, "any-model", llm.messages("Hello"))
    assert key not in str(caught.value) and caught.value.__cause__ is None
    assert len(stub.received) == 1                                     # it did reach the API


def test_network_error_gives_a_clear_message():
    with socket.socket() as s:                                          # a free port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = llm.api_client("good-key", base_url=f"http://127.0.0.1:{port}/v1", timeout=5, max_retries=0)
    with pytest.raises(llm.ApiError, match=r"no answer from http://127.0.0.1:\d+/v1/ \(network error: APIConnectionError\)"):
        llm.send_chat(client, "any-model", llm.messages("Hello"))
