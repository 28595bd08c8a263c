"""Character spans <-> token labels, for token classification (NER, de-identification) and
extractive question answering.

- `bio_labels`: gold character spans -> one BIO label id per token, with -100 on special tokens
  ([CLS], [SEP], padding) and on every sub-word after a word's first, so the loss ignores them.
- `bio_to_spans`: predicted BIO tags of words -> character spans (the inverse).
- `lines_with_spans`: a note cut into lines, each with the spans inside it (short model inputs).
- `sentences_with_spans`: the same, cut into sentences (inputs that fit a 64-position model).
- `DictionaryTagger`: the baseline: every entity string seen in train, found again by lookup.
- `entity_scores`: entity-level precision/recall/F1 per type, with `seqeval`.
- `tag_texts`: a token-classification model run on texts -> character spans.
- `best_span`: the answer of extractive QA from start/end logits, inside the context, at most
  `max_answer_len` tokens long; `answer_questions`: a QA model run on (question, context) pairs,
  decoded with `best_span` to answer strings.
- `normalize_answer`, `exact_match`, `token_f1`: the SQuAD v1.1 answer metrics.
- `span_coverage`, `coverage_scores`: de-identification by character coverage: gold span by gold
  span, or per PHI type with precision.
"""
from __future__ import annotations

import re
import string
from collections import Counter

import numpy as np
import torch

IGNORE = -100   # the label id that torch's cross-entropy (and transformers' heads) skip


def bio_label_names(types) -> list[str]:
    """['O', 'B-T1', 'I-T1', 'B-T2', ...] for the entity types `types` (in the given order)."""
    types = list(types)
    if not types or not all(isinstance(t, str) and t for t in types):
        raise ValueError(f"types must be a non-empty list of type names, got {types!r}")
    return ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]


def bio_labels(offsets, word_ids, spans, label2id: dict[str, int]) -> list[int]:
    """One label id per token: B-/I-<type> on the first sub-word of each word inside a gold span,
    O on first sub-words outside, IGNORE (-100) on special tokens and later sub-words.

    offsets: (start, end) character offsets per token (from ``return_offsets_mapping=True``);
    word_ids: the word index per token, None for special tokens (``encoding.word_ids()``);
    spans: dicts with start, end and label (or type), in the same character coordinates.
    A word belongs to a span when their characters overlap; the first such word is B-, later ones I-.
    """
    if len(offsets) != len(word_ids):
        raise ValueError(f"offsets ({len(offsets)}) and word_ids ({len(word_ids)}) must have one entry per token")
    words = sorted({w for w in word_ids if w is not None})
    word_tag = dict(zip(words, spans_to_word_tags(word_extents(offsets, word_ids), spans)))
    labels, previous = [], None
    for w in word_ids:
        if w is None or w == previous:
            labels.append(IGNORE)
        else:
            tag = word_tag.get(w, "O")
            if tag not in label2id:
                raise ValueError(f"label {tag!r} is not in label2id (known: {sorted(label2id)})")
            labels.append(label2id[tag])
        previous = w
    return labels


def bio_to_spans(tags, extents) -> list[dict]:
    """Character spans from word-level BIO tags (IOB2; an I- that does not continue an entity of
    its type starts one, as seqeval does). extents: (start, end) of each word. Returns dicts with
    start, end, label."""
    if len(tags) != len(extents):
        raise ValueError(f"tags ({len(tags)}) and extents ({len(extents)}) must have the same length")
    spans, current = [], None
    for tag, (s, e) in zip(tags, extents):
        prefix, _, kind = tag.partition("-")
        if prefix == "I" and current is not None and current["label"] == kind:
            current["end"] = e
            continue
        if current is not None:
            spans.append(current)
            current = None
        if prefix in ("B", "I"):
            current = {"start": s, "end": e, "label": kind}
    if current is not None:
        spans.append(current)
    return spans


def word_extents(offsets, word_ids) -> list[tuple[int, int]]:
    """(start, end) characters of each word, in word order (special tokens skipped)."""
    extent: dict[int, list[int]] = {}
    for (s, e), w in zip(offsets, word_ids):
        if w is not None:
            extent.setdefault(w, [s, e])[1] = e
    return [tuple(extent[w]) for w in sorted(extent)]


def lines_with_spans(text: str, spans, key: str = "label"):
    """The non-empty lines of `text` as (line, offset, spans inside it shifted to the line);
    `key` names the field holding each span's type (``"label"`` for entities, ``"type"`` for PHI)."""
    out, pos = [], 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if line.strip():
            inside = [{"start": s["start"] - start, "end": s["end"] - start, "label": s[key]}
                      for s in spans if s["start"] >= start and s["end"] <= end]
            out.append((line, start, inside))
    return out


def sentences_with_spans(text: str, spans, key: str = "label"):
    """The sentences of `text` (as `utils.data.sentence_span` cuts them: at newlines and at . ! ?
    that do not end a title, an abbreviation or an initial) as (sentence, offset, spans inside it
    shifted to the sentence). A span that crosses a sentence boundary belongs to no sentence."""
    from .data import sentence_span

    bounds, pos = [], 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            break
        first, last = sentence_span(text, pos, pos)
        bounds.append((first, last))
        pos = max(last, first + 1)
    return [(text[a:b], a, [{"start": s["start"] - a, "end": s["end"] - a, "label": s[key]}
                            for s in spans if s["start"] >= a and s["end"] <= b])
            for a, b in bounds]


class DictionaryTagger:
    """Baseline tagger: remember every entity string seen in training (lower-cased) with its most
    frequent type, then mark every whole-word occurrence in new text, longest match first."""

    def __init__(self, strings, labels):
        strings, labels = list(strings), list(labels)
        if len(strings) != len(labels) or not strings:
            raise ValueError("strings and labels must be non-empty and of equal length")
        votes: dict[str, Counter] = {}
        for s, lab in zip(strings, labels):
            if s.strip():
                votes.setdefault(s.strip().lower(), Counter())[lab] += 1
        # Ties between types go to the alphabetically first, so the choice never depends on order.
        self.lexicon = {s: min(c, key=lambda lab: (-c[lab], lab)) for s, c in votes.items()}
        alternatives = sorted(self.lexicon, key=lambda s: (-len(s), s))
        self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\w)", re.I)

    def find(self, text: str) -> list[dict]:
        """Non-overlapping spans (leftmost, then longest): dicts with start, end, label."""
        return [{"start": m.start(), "end": m.end(), "label": self.lexicon[m.group().lower()]}
                for m in self._pattern.finditer(text)]


class LexiconTagger:
    """`DictionaryTagger`'s lookup (whole words, any case, leftmost, then longest) over a ready
    {lower-cased string: type} lexicon, indexed by each string's first word. One regular expression
    of 80,000 strings (all of ICD-10-CM) takes seconds to build; this index does not. Matches start at
    a word character, so a string that begins with punctuation is never found (the regex could find
    it); `tests/test_spans.py` checks that the two agree on the corpus."""

    def __init__(self, lexicon: dict):
        if not isinstance(lexicon, dict):
            raise TypeError(f"lexicon must be a dict of lower-cased string -> type, got {type(lexicon).__name__}")
        if not lexicon or any(not isinstance(k, str) or k != k.lower() or not k.strip() for k in lexicon):
            raise ValueError("lexicon must be non-empty, its keys non-blank lower-cased strings")
        self.lexicon, self.by_first = lexicon, {}
        for s in sorted(lexicon, key=lambda s: (-len(s), s)):                 # longest first
            self.by_first.setdefault(re.match(r"\w*", s).group(), []).append(s)

    def find(self, text: str) -> list[dict]:
        """Non-overlapping spans (leftmost, then longest): dicts with start, end, label."""
        out, end = [], 0
        for word in re.finditer(r"\w+", text):                                # each word, left to right
            if word.start() < end:
                continue
            for s in self.by_first.get(word.group().lower(), ()):
                e = word.start() + len(s)                                      # compared in the text's own offsets:
                if text[word.start():e].lower() == s and not re.match(r"\w", text[e:e + 1]):   # lower() can change a length
                    out.append({"start": word.start(), "end": e, "label": self.lexicon[s]})
                    end = e
                    break
        return out


def spans_to_word_tags(extents, spans) -> list[str]:
    """Word-level BIO tags of `spans` over words with character `extents` (for seqeval)."""
    tags = ["O"] * len(extents)
    for span in sorted(spans, key=lambda s: s["start"]):
        first = True
        for i, (s, e) in enumerate(extents):
            if s < span["end"] and e > span["start"] and tags[i] == "O":
                tags[i] = f"{'B' if first else 'I'}-{span.get('label', span.get('type'))}"
                first = False
    return tags


def entity_scores(true_tags, pred_tags):
    """Entity-level precision, recall, F1 and support per type, plus the micro average, from
    lists of word-level BIO tag sequences (seqeval's default, lenient IOB2 mode)."""
    import pandas as pd
    from seqeval.metrics import classification_report

    if len(true_tags) != len(pred_tags) or any(len(a) != len(b) for a, b in zip(true_tags, pred_tags)):
        raise ValueError("true_tags and pred_tags must be lists of equally long tag sequences")
    report = classification_report(true_tags, pred_tags, output_dict=True, zero_division=0)
    rows = {k: v for k, v in report.items() if k not in ("macro avg", "weighted avg")}
    table = pd.DataFrame(rows).T.rename(columns={"f1-score": "f1"})
    table["support"] = table["support"].astype(int)
    return table[["precision", "recall", "f1", "support"]]


def entity_counts(true_tags, pred_tags) -> np.ndarray:
    """Per sequence: (entities right, entities predicted, gold entities), with an entity right when
    its type and both boundaries match, exactly as `entity_scores` (seqeval) counts them. Micro-F1
    over any subset of sequences is 2 * right / (predicted + gold) summed over it, which makes a
    bootstrap over sentences or notes fast. Returns an int array of shape (sequences, 3)."""
    from seqeval.metrics.sequence_labeling import get_entities

    if len(true_tags) != len(pred_tags) or any(len(a) != len(b) for a, b in zip(true_tags, pred_tags)):
        raise ValueError("true_tags and pred_tags must be lists of equally long tag sequences")
    rows = []
    for true, pred in zip(true_tags, pred_tags):
        gold, got = set(get_entities(list(true))), set(get_entities(list(pred)))
        rows.append((len(gold & got), len(got), len(gold)))
    return np.array(rows, dtype=int).reshape(-1, 3)


@torch.no_grad()
def tag_texts(model, tokenizer, texts, max_length: int = 64, batch_size: int = 64) -> list[list[dict]]:
    """Run a token-classification model on `texts`; the first sub-word of each word decides the
    word's tag (as in training). Returns, per text, character spans (start, end, label). Text past
    `max_length` tokens is left untagged."""
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string")
    from .devices import model_device, to_device

    id2label = model.config.id2label
    model.eval()
    device = model_device(model)      # where the model is (Trainer may have moved it to the GPU)
    out = []
    for i in range(0, len(texts), batch_size):
        chunk = list(texts[i:i + batch_size])
        enc = tokenizer(chunk, truncation=True, max_length=max_length, padding=True,
                        return_offsets_mapping=True, return_tensors="pt")
        offsets = enc.pop("offset_mapping").tolist()
        pred = model(**to_device(enc, device)).logits.argmax(-1).tolist()            # (B, T)
        for b in range(len(chunk)):
            word_ids = enc.word_ids(b)
            tags, extents, previous = [], [], None
            for t, w in enumerate(word_ids):
                if w is None:
                    previous = w
                    continue
                if w != previous:
                    tags.append(id2label[pred[b][t]])
                    extents.append(list(offsets[b][t]))
                else:
                    extents[-1][1] = offsets[b][t][1]
                previous = w
            out.append(bio_to_spans(tags, [tuple(e) for e in extents]))
    return out


def best_span(start_logits, end_logits, context_mask, max_answer_len: int = 30) -> tuple[int, int, float]:
    """(start, end, score) of the best answer span for one example: start <= end, both tokens in
    the context (context_mask True), end - start + 1 <= max_answer_len; score = start + end logit.

    Ties go to the earliest start, then the shortest span (torch.argmax returns the first maximum).
    Works where the logits are (CPU or GPU); the mask is moved there."""
    start_logits, end_logits = torch.as_tensor(start_logits).float(), torch.as_tensor(end_logits).float()
    context_mask = torch.as_tensor(context_mask, dtype=torch.bool)
    if end_logits.device != start_logits.device:
        raise ValueError(f"start_logits ({start_logits.device}) and end_logits ({end_logits.device}) are on different devices")
    context_mask = context_mask.to(start_logits.device)
    if not (start_logits.dim() == end_logits.dim() == context_mask.dim() == 1
            and start_logits.shape == end_logits.shape == context_mask.shape):
        raise ValueError("start_logits, end_logits and context_mask must be 1-D and of the same length")
    if max_answer_len < 1:
        raise ValueError(f"max_answer_len must be >= 1, got {max_answer_len}")
    if not context_mask.any():
        raise ValueError("context_mask selects no token: there is no context to answer from")
    n = start_logits.shape[0]
    scores = start_logits[:, None] + end_logits[None, :]            # (T, T): [i, j] = start i, end j
    i, j = torch.arange(n, device=scores.device)[:, None], torch.arange(n, device=scores.device)[None, :]
    valid = (j >= i) & (j - i < max_answer_len) & context_mask[:, None] & context_mask[None, :]
    scores = scores.masked_fill(~valid, float("-inf"))
    flat = int(scores.flatten().argmax())
    return flat // n, flat % n, float(scores.flatten()[flat])


@torch.no_grad()
def answer_questions(model, tokenizer, questions, contexts, max_length: int = 384, max_answer_len: int = 30,
                     batch_size: int = 64) -> list[str]:
    """Run an extractive QA model (AutoModelForQuestionAnswering) on each (question, context) pair
    and return the answer strings, cut from the contexts: the `best_span` of the model's start and
    end logits over the context tokens. A context longer than `max_length` tokens (with its
    question) is truncated, so its tail cannot be the answer. Inputs go to the model's device."""
    from .devices import model_device, to_device

    questions, contexts = list(questions), list(contexts)
    if len(questions) != len(contexts):
        raise ValueError(f"got {len(questions)} questions but {len(contexts)} contexts")
    if not all(isinstance(x, str) for x in questions + contexts):
        raise TypeError("questions and contexts must be lists of strings")
    model.eval()
    device = model_device(model)
    out = []
    for k in range(0, len(questions), batch_size):
        q, c = questions[k:k + batch_size], contexts[k:k + batch_size]
        enc = tokenizer(q, c, truncation="only_second", max_length=max_length, padding=True,
                        return_offsets_mapping=True, return_tensors="pt")
        offsets = enc.pop("offset_mapping")                               # (B, T, 2), stays on the CPU
        logits = model(**to_device(enc, device))
        for i, context in enumerate(c):
            in_context = torch.tensor([s == 1 for s in enc.sequence_ids(i)])
            s, e, _ = best_span(logits.start_logits[i], logits.end_logits[i], in_context, max_answer_len)
            out.append(context[int(offsets[i, s, 0]):int(offsets[i, e, 1])])
    return out


def normalize_answer(text: str) -> str:
    """SQuAD v1.1 normalisation: lower case, no punctuation, no articles (a, an, the), single spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def token_f1(prediction: str, truth: str) -> float:
    """Harmonic mean of token precision and recall between normalised answers (SQuAD v1.1)."""
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    if not pred or not gold:
        return float(pred == gold)
    common = sum((Counter(pred) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def span_coverage(golds, preds, texts=None):
    """One float per gold span, 1.0 when predicted spans cover all its characters (whatever type
    they carry) and 0.0 otherwise: documents in order, each document's gold spans in order.
    golds, preds: one list of span dicts (start, end) per document.

    With `texts` (one per document) only a gold span's letters and digits must be covered: the
    spaces and punctuation between its words may stay visible, so "12 Oak St, Leeds" hidden in
    separate pieces counts as covered, and one that leaves a word visible does not."""
    golds, preds = list(golds), list(preds)
    texts = [None] * len(golds) if texts is None else list(texts)    # a list once: texts may be an iterator
    if len(golds) != len(preds) or len(texts) != len(golds):
        raise ValueError(f"golds ({len(golds)}), preds ({len(preds)}) and texts (if given) must have one entry per document")
    covered_spans = []
    for text, gold, pred in zip(texts, golds, preds):
        covered = {i for p in pred for i in range(p["start"], p["end"])}
        covered_spans += [all(i in covered for i in range(g["start"], g["end"]) if text is None or text[i].isalnum())
                          for g in gold]
    return np.array(covered_spans, dtype=float)


def coverage_scores(golds, preds, key: str = "type", texts=None):
    """De-identification scores, as `utils.deid.evaluate` defines them, for any predictor: a gold
    span is recalled when predicted spans cover all its characters (whatever type they carry); a
    predicted span is correct when it overlaps a gold span. golds, preds: one list of span dicts
    per document. Returns a DataFrame: per gold type (`key`) gold, recalled, recall; and an ALL
    row that adds predicted, correct and precision.

    With `texts` (one per document) a gold span is recalled when its letters and digits are
    covered: the spaces and punctuation between its words may stay visible. That tells a tagger
    that hides every word of "12 Oak St, Leeds" in separate pieces apart from one that misses a word.
    Span by span, recall is `span_coverage`."""
    import pandas as pd

    golds, preds = list(golds), list(preds)
    recalled = iter(span_coverage(golds, preds, texts))             # checks the lengths; one entry per gold span, in order
    rows: dict[str, list[int]] = {}
    predicted = correct = 0
    for gold, pred in zip(golds, preds):
        gold_chars = {i for g in gold for i in range(g["start"], g["end"])}
        for g in gold:
            row = rows.setdefault(g[key], [0, 0])
            row[0] += 1
            row[1] += int(next(recalled))
        predicted += len(pred)
        correct += sum(any(i in gold_chars for i in range(p["start"], p["end"])) for p in pred)
    table = pd.DataFrame([{"type": t, "gold": g, "recalled": r} for t, (g, r) in sorted(rows.items())])
    total = {"type": "ALL", "gold": table["gold"].sum(), "recalled": table["recalled"].sum(),
             "predicted": predicted, "correct": correct}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True).set_index("type")
    table["recall"] = table["recalled"] / table["gold"]
    table["precision"] = table["correct"] / table["predicted"]
    return table
