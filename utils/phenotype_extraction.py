"""From note text to HPO terms (concept recognition), and how to score it.

Four extractors, the first three each adding one idea to the one before:

1. `DictionaryTagger`: the longest HPO name or synonym that matches the words of the text (the
   baseline of ClinPhen and Doc2Hpo). All-capital abbreviations ("VSD") match only in capitals.
2. `assert_context`: each mention's sentence decides whether it is negated (the NegEx rule of
   notebook 01, `utils.baselines.negex`) or about a relative (a family cue before it).
3. `EmbeddingNormalizer`: text chunks the dictionary left untouched go to the nearest HPO label by
   MiniLM sentence embeddings, among a short list that a character n-gram index retrieves first.
4. A learned tagger (`train_mention_tagger`, `find_mentions`): a BERT token classifier fine-tuned on
   the train notes finds where phenotypes are written (BIO tags, one type), whatever their spelling;
   `normalize_mentions` then gives each span a term (the dictionary's when it spells the whole span,
   else MiniLM's nearest label).

Scores: mention level (span and term both right), concept level (the note's set of present
terms), and ontology-aware concept level (a parent or child of the right term counts).
"""
from __future__ import annotations

import re

import numpy as np

from utils import baselines, data
from utils.phenotypes import Ontology

_WORD = re.compile(r"[A-Za-z0-9]+")
FAMILY_CUE = re.compile(r"\b(family history|mother|father|brother|sister|sibling|aunt|uncle|cousin|grandmother|"
                        r"grandfather|maternal|paternal|relative)s?\b", re.I)


def _is_abbreviation(label: str) -> bool:
    return label.isupper() and " " not in label and len(label) <= 6


def _key(words) -> tuple[str, ...]:
    return tuple(w.lower() for w in words)


class DictionaryTagger:
    """Longest-match lookup of HPO names and synonyms (phenotypic abnormalities only).

    When two terms share a label, the term whose name it is wins, then an exact synonym, then the
    smallest id. `tag(text)` returns mentions {start, end, hpo, text}, left to right, not overlapping.
    """

    def __init__(self, hpo: Ontology, scopes=("EXACT", "RELATED", "BROAD", "NARROW")):
        self.hpo = hpo
        rank: dict[tuple, tuple] = {}
        self.entries: dict[tuple, str] = {}
        self.abbreviations: dict[str, str] = {}
        for t in hpo.terms:
            if not hpo.is_phenotype(t) or t == "HP:0000118":
                continue
            labels = [(hpo.names[t], 0)] + [(s, 1 if scope == "EXACT" else 2) for s, scope, kind in hpo.synonyms[t]
                                             if scope in scopes and kind != "obsolete_synonym"]
            for label, priority in labels:
                if _is_abbreviation(label):
                    if label not in self.abbreviations or (priority, t) < rank[("abbr", label)]:
                        self.abbreviations[label], rank[("abbr", label)] = t, (priority, t)
                    continue
                key = _key(_WORD.findall(label))
                if key and (key not in self.entries or (priority, t) < rank[key]):
                    self.entries[key], rank[key] = t, (priority, t)
        self.longest = max(len(k) for k in self.entries)

    def __len__(self) -> int:
        return len(self.entries) + len(self.abbreviations)

    def tag(self, text: str) -> list[dict]:
        if not isinstance(text, str):
            raise TypeError(f"tag() needs a string, got {type(text).__name__}")
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        out, i = [], 0
        while i < len(words):
            hit = None
            if words[i][2] in self.abbreviations:
                hit = (1, self.abbreviations[words[i][2]])
            for n in range(min(self.longest, len(words) - i), 0, -1):
                term = self.entries.get(_key(w for _, _, w in words[i:i + n]))
                if term is not None and (hit is None or n > hit[0]):
                    hit = (n, term)
                    break
            if hit is None:
                i += 1
                continue
            n, term = hit
            start, end = words[i][0], words[i + n - 1][1]
            out.append({"start": start, "end": end, "hpo": term, "text": text[start:end]})
            i += n
        return out


def assert_context(text: str, mentions: list[dict], negation: bool = True, family: bool = True) -> list[dict]:
    """Copies of `mentions` with `negated` and `family` flags read from their sentence
    (flags stay False for a check that is switched off)."""
    out = []
    for m in mentions:
        s, e = data.sentence_span(text, m["start"], m["end"])
        before, after = text[s:m["start"]], text[m["end"]:e]
        out.append({**m, "negated": negation and baselines.negex(before, after),
                    "family": family and bool(FAMILY_CUE.search(before))})
    return out


def present(mentions: list[dict]) -> list[str]:
    """The patient's terms: mentions neither negated nor about a relative (sorted, unique)."""
    return sorted({m["hpo"] for m in mentions if not m.get("negated") and not m.get("family")})


# --------------------------------------------------------------------------- embeddings

# The cosine a chunk needs to become a mention: notebook 10 chooses it on its validation notes (concept F1
# over 0.5, 0.6, 0.7 and 0.8; 0.6 won there, and is the default here).
THRESHOLD = 0.6
_CHUNK_SPLIT = re.compile(r"[.,;:!?()\n]| and | or | with ")
_EDGE_WORDS = frozenset("""a an the no not nor denies negative for without there is are was were has have had he she his her
their they also other features feature include includes including findings examination showed shows revealed reveals
presented presents parents report reports noted since early childhood incidentally family history diagnosed ruled
out imaging of in on at by to from patient seen referred evaluation mild severe""".split())


def chunks(text: str, skip: list[dict] = ()) -> list[tuple[int, int]]:
    """Candidate phrases: pieces of the text between punctuation and 'and'/'or'/'with', with function
    and cue words trimmed from both ends; pieces overlapping a `skip` mention, with digits, or longer
    than eight words are dropped. A crude chunker, enough to find what the dictionary missed."""
    spans, pos = [], 0
    for m in list(_CHUNK_SPLIT.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        words = list(_WORD.finditer(text, pos, end))
        while words and words[0].group().lower() in _EDGE_WORDS:
            words.pop(0)
        while words and words[-1].group().lower() in _EDGE_WORDS:
            words.pop()
        if words and len(words) <= 8 and not any(w.group().isdigit() for w in words):
            s, e = words[0].start(), words[-1].end()
            if not any(s < k["end"] and k["start"] < e for k in skip) and not text[s:e].isupper():
                spans.append((s, e))
        pos = m.end() if m else len(text)
    return spans


class EmbeddingNormalizer:
    """Nearest HPO label by MiniLM cosine similarity, among the `shortlist` labels closest in
    character 3-grams. Embedding 40,000 labels takes minutes on a laptop CPU, so only the short
    lists are embedded, and only for chunks that look like a label at all (3-gram cosine of at
    least `min_lexical`). `encode` maps a list of strings to unit-length vectors, e.g. a
    SentenceTransformer's `encode(..., normalize_embeddings=True)`."""

    def __init__(self, hpo: Ontology, encode, terms=None, shortlist: int = 4, min_lexical: float = 0.4):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.hpo, self.encode, self.shortlist, self.min_lexical = hpo, encode, shortlist, min_lexical
        terms = [t for t in (terms or hpo.terms) if hpo.is_phenotype(t) and t != "HP:0000118"]
        pairs = {(hpo.names[t].lower(), t) for t in terms}
        pairs |= {(s.lower(), t) for t in terms for s, scope, kind in hpo.synonyms[t] if kind != "obsolete_synonym"}
        self.labels, self.label_terms = zip(*sorted(pairs))
        self.index = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True)
        self.matrix = self.index.fit_transform(self.labels)
        self._vectors: dict[str, np.ndarray] = {}

    def _vectors_of(self, texts) -> np.ndarray:
        new = sorted({t for t in texts if t not in self._vectors})
        if new:
            for t, v in zip(new, self.encode(new)):
                self._vectors[t] = v
        return np.stack([self._vectors[t] for t in texts])

    def normalize(self, phrases: list[str]) -> list[tuple[str, float, str] | None]:
        """(hpo id, cosine, label) of the nearest label for each phrase; None when no label is
        lexically close enough to be worth embedding."""
        if not phrases:
            return []
        lexical = (self.index.transform([p.lower() for p in phrases]) @ self.matrix.T).toarray()
        top = np.argsort(-lexical, axis=1, kind="stable")[:, :self.shortlist]
        keep = [i for i in range(len(phrases)) if lexical[i, top[i, 0]] >= self.min_lexical]
        self._vectors_of([phrases[i].lower() for i in keep] + [self.labels[j] for i in keep for j in top[i]])
        out = []
        for i, row in enumerate(top):
            if i not in keep:
                out.append(None)
                continue
            cos = self._vectors_of([self.labels[j] for j in row]) @ self._vectors[phrases[i].lower()]
            best = int(np.argmax(cos))
            out.append((self.label_terms[row[best]], float(cos[best]), self.labels[row[best]]))
        return out

    def tag(self, texts: list[str], known: list[list[dict]], threshold: float = THRESHOLD) -> list[list[dict]]:
        """For each text, mentions for its chunks that no `known` mention covers, kept when cosine >= threshold
        (all texts in one call, so that the encoder sees few large batches)."""
        if isinstance(texts, str) or len(texts) != len(known):
            raise ValueError("tag() takes a list of texts and a list of known mentions for each")
        spans = [chunks(text, k) for text, k in zip(texts, known)]
        flat = self.normalize([text[s:e] for text, sp in zip(texts, spans) for s, e in sp])
        out, i = [], 0
        for text, sp in zip(texts, spans):
            hits = flat[i:i + len(sp)]
            i += len(sp)
            out.append([{"start": s, "end": e, "hpo": hit[0], "text": text[s:e], "cosine": hit[1]}
                        for (s, e), hit in zip(sp, hits) if hit is not None and hit[1] >= threshold])
        return out


# --------------------------------------------------------------------------- a learned mention tagger
MENTION_LABELS = ["O", "B-PHENO", "I-PHENO"]       # utils.spans.bio_label_names(["PHENO"])


def mention_sentences(cases: list[dict]) -> list[tuple[str, int, int, list[dict]]]:
    """(sentence, case index, offset of the sentence in its note, mention spans in sentence coordinates
    labelled "PHENO") for every sentence of every case (`utils.spans.sentences_with_spans`)."""
    from utils import spans

    out = []
    for i, case in enumerate(cases):
        mentions = [{"start": m["start"], "end": m["end"], "label": "PHENO"} for m in case["mentions"]]
        out += [(sent, i, off, inside) for sent, off, inside in spans.sentences_with_spans(case["text"], mentions)]
    return out


def train_mention_tagger(cases: list[dict], model_path: str, epochs: int = 2, lr: float = 1e-3, batch_size: int = 16,
                         max_length: int = 64, seed: int = 0, share: float = 1.0, tokenizer=None, device=None):
    """Fine-tune `AutoModelForTokenClassification` from `model_path` (a BERT checkpoint) to tag phenotype
    mentions (MENTION_LABELS) in the sentences of `cases` (the first `share` of them: less training on a
    CPU runtime), with AdamW and a linear decay, as `utils.evaluate.fine_tune`. `tokenizer`: default the
    checkpoint's own; `device`: move the model there first (None: leave it). Batches go to the model's
    device. Returns (model in eval mode, its tokenizer, CPU seconds of training)."""
    import time

    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, DataCollatorForTokenClassification

    from utils import spans
    from utils.devices import model_device, to_device

    if not cases or not all(isinstance(c, dict) and "mentions" in c for c in cases):
        raise ValueError("cases must be a non-empty list of case dicts with 'mentions' (utils.phenotype_notes)")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(model_path) if tokenizer is None else tokenizer
    l2i = {n: i for i, n in enumerate(MENTION_LABELS)}
    model = AutoModelForTokenClassification.from_pretrained(model_path, num_labels=len(MENTION_LABELS),
                                                            id2label=dict(enumerate(MENTION_LABELS)), label2id=l2i)
    if device is not None:
        model.to(device)
    rows = mention_sentences(cases)
    rows = rows[:max(1, round(share * len(rows)))]
    features = []
    for sent, _, _, inside in rows:
        enc = tokenizer(sent, truncation=True, max_length=max_length, return_offsets_mapping=True)
        labels = spans.bio_labels(enc.pop("offset_mapping"), enc.word_ids(), inside, l2i)
        features.append({**enc, "labels": labels})
    collate = DataCollatorForTokenClassification(tokenizer)
    generator = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(features, batch_size=batch_size, shuffle=True, generator=generator,
                                         collate_fn=collate)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    total = epochs * len(loader)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / total)
    device, start = model_device(model), time.process_time()
    model.train()
    for _ in range(epochs):
        for batch in loader:
            loss = model(**to_device(batch, device)).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
    return model.eval(), tokenizer, time.process_time() - start


def find_mentions(model, tokenizer, texts: list[str], max_length: int = 64) -> list[list[dict]]:
    """Phenotype mention spans {start, end, text} in each text, tagged sentence by sentence."""
    import torch

    from utils import spans

    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string")
    sentences = [(i, off, sent) for i, text in enumerate(texts) for sent, off, _ in spans.sentences_with_spans(text, [])]
    with torch.no_grad():
        tagged = spans.tag_texts(model, tokenizer, [sent for _, _, sent in sentences], max_length=max_length)
    out = [[] for _ in texts]
    for (i, off, _), found in zip(sentences, tagged):
        out[i] += [{"start": off + m["start"], "end": off + m["end"], "text": texts[i][off + m["start"]:off + m["end"]]}
                   for m in found]
    return out


def normalize_mentions(texts: list[str], found: list[list[dict]], tagger: DictionaryTagger,
                       normalizer: EmbeddingNormalizer, threshold: float = THRESHOLD) -> list[list[dict]]:
    """A term for each found span: the dictionary's when one of its keys spells the whole span, else the
    nearest label by MiniLM when the cosine reaches `threshold`; a span that gets neither is dropped.
    Returns mentions {start, end, hpo, text, source}."""
    if isinstance(texts, str) or len(texts) != len(found):
        raise ValueError("normalize_mentions() takes a list of texts and a list of found spans for each")
    out, ask = [], []
    for i, (text, spans_) in enumerate(zip(texts, found)):
        out.append([])
        for m in spans_:
            whole = [d for d in tagger.tag(text[m["start"]:m["end"]]) if d["start"] == 0 and d["end"] == m["end"] - m["start"]]
            if whole:
                out[i].append({"start": m["start"], "end": m["end"], "hpo": whole[0]["hpo"], "text": m["text"], "source": "dictionary"})
            else:
                ask.append((i, m))
    for (i, m), hit in zip(ask, normalizer.normalize([m["text"] for _, m in ask])):
        if hit is not None and hit[1] >= threshold:
            out[i].append({"start": m["start"], "end": m["end"], "hpo": hit[0], "text": m["text"], "source": "MiniLM"})
    return [sorted(ms, key=lambda m: m["start"]) for ms in out]


# --------------------------------------------------------------------------- scores

def _prf(tp: float, n_pred: float, n_gold: float) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def counts(gold_cases: list[dict], predictions: list[list[dict]], hpo: Ontology | None = None) -> dict[str, np.ndarray]:
    """Per-note counts (true positives, predicted, gold) at three levels:
    'mention' (same span and term), 'concept' (the note's present terms), and, given `hpo`,
    'ontology' (a present term within one is_a step of a gold one counts; each side counted on its own)."""
    if len(gold_cases) != len(predictions):
        raise ValueError(f"{len(gold_cases)} gold cases but {len(predictions)} predictions")
    rows = {"mention": [], "concept": [], "ontology": []}
    for case, pred in zip(gold_cases, predictions):
        g_m = {(m["start"], m["end"], m["hpo"]) for m in case["mentions"]}
        p_m = {(m["start"], m["end"], m["hpo"]) for m in pred}
        rows["mention"].append((len(g_m & p_m), len(p_m), len(g_m)))
        gold = set(present(case["mentions"]))
        got = set(present(pred))
        rows["concept"].append((len(gold & got), len(got), len(gold)))
        if hpo is not None:
            near = lambda a, b: a == b or a in hpo.parents[b] or b in hpo.parents[a]
            p_ok = sum(any(near(p, g) for g in gold) for p in got)
            g_ok = sum(any(near(p, g) for p in got) for g in gold)
            rows["ontology"].append((p_ok, len(got), g_ok, len(gold)))
    return {k: np.array(v, dtype=float) for k, v in rows.items() if v}


def prf(rows: np.ndarray) -> tuple[float, float, float]:
    """Micro precision, recall, F1 from per-note count rows (3 columns, or 4 for the ontology level)."""
    s = rows.sum(axis=0)
    if len(s) == 3:
        return _prf(s[0], s[1], s[2])
    p = s[0] / s[1] if s[1] else 0.0
    r = s[2] / s[3] if s[3] else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_table(gold_cases: list[dict], systems: dict[str, list[list[dict]]], hpo: Ontology, n_boot: int = 500,
                seed: int = 0):
    """One row per system and level: precision, recall, F1 and a 95% bootstrap interval of F1 (notes resampled)."""
    import pandas as pd

    from utils.evaluate import bootstrap

    rows = []
    for name, preds in systems.items():
        for level, c in counts(gold_cases, preds, hpo).items():
            p, r, f = prf(c)
            low, high = bootstrap(lambda idx: prf(c[idx])[2], len(c), n=n_boot, seed=seed)
            rows.append({"system": name, "level": level, "precision": p, "recall": r, "f1": f,
                         "f1_low": low, "f1_high": high})
    return pd.DataFrame(rows)
