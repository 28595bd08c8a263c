"""Simple baselines on the course corpus, shared by the datasheet (`datasheet_stats`) and the notebooks.

Every learned baseline follows one protocol: fit on train, choose its one hyper-parameter (the
inverse regularisation `C` of a logistic regression) on validation, score once on test. Majority
baselines take the majority from the TRAIN labels.

    from utils import baselines, data
    tr, va, te = (data.load_notes(s) for s in data.SPLITS)
    baselines.specialty_tfidf(tr, va, te)["test_macro_f1"]
    baselines.abbreviation_bow(*(data.abbreviation_table(x) for x in (tr, va, te)))
    baselines.negation_bow(*(baselines.negation_rows(x) for x in (tr, va, te)))
"""
from __future__ import annotations

import re

from . import data

C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)


def _need(frame, columns: set[str], what: str) -> None:
    if not hasattr(frame, "columns") or not columns <= set(frame.columns):
        raise ValueError(f"{what} needs a DataFrame with columns {sorted(columns)}")
    if len(frame) == 0:
        raise ValueError(f"{what} got an empty DataFrame")


def majority(labels):
    """The most frequent label (ties: the smallest label), e.g. majority(train.specialty)."""
    import pandas as pd

    counts = pd.Series(list(labels)).value_counts()
    if len(counts) == 0:
        raise ValueError("majority() needs at least one label")
    return min(counts.index[counts == counts.max()])


def _tuned_logreg(x_train, y_train, x_val, y_val, score, Cs=C_GRID):
    """Logistic regressions for each C; returns (best model, best C) by `score` on validation (ties: smaller C)."""
    from sklearn.linear_model import LogisticRegression

    best = None
    for C in Cs:
        model = LogisticRegression(max_iter=2000, C=C).fit(x_train, y_train)
        s = score(y_val, model.predict(x_val))
        if best is None or s > best[0]:
            best = (s, C, model)
    return best[2], best[1]


def specialty_tfidf(train, validation, test, Cs=C_GRID) -> dict:
    """Specialty from the whole note: TF-IDF of words and word pairs + logistic regression.

    Returns {"C", "validation_macro_f1", "test_macro_f1", "majority_macro_f1", "predictions"}.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score

    for frame, name in ((train, "train"), (validation, "validation"), (test, "test")):
        _need(frame, {"text", "specialty"}, f"specialty_tfidf({name})")
    macro = lambda y, p: f1_score(y, p, average="macro")
    vec = TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2))
    x_tr = vec.fit_transform(train["text"])
    model, C = _tuned_logreg(x_tr, train["specialty"], vec.transform(validation["text"]), validation["specialty"], macro, Cs)
    pred = model.predict(vec.transform(test["text"]))
    return {"C": C, "validation_macro_f1": float(macro(validation["specialty"], model.predict(vec.transform(validation["text"])))),
            "test_macro_f1": float(macro(test["specialty"], pred)),
            "majority_macro_f1": float(macro(test["specialty"], [majority(train["specialty"])] * len(test))),
            "predictions": pred}


def abbreviation_bow(train_table, validation_table, test_table, Cs=C_GRID):
    """Sense of each ambiguous abbreviation from the words around it (`left` + `right` of
    `data.abbreviation_table`), one logistic regression per abbreviation.

    Returns a DataFrame indexed by abbreviation: senses, test mentions, majority_acc (majority sense
    of train), context_bow_acc, C.
    """
    import pandas as pd
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.metrics import accuracy_score

    for frame, name in ((train_table, "train"), (validation_table, "validation"), (test_table, "test")):
        _need(frame, {"abbr", "sense", "left", "right"}, f"abbreviation_bow({name})")
    rows = []
    for abbr in sorted(set(train_table["abbr"])):
        tr, va, te = (t[t["abbr"] == abbr] for t in (train_table, validation_table, test_table))
        if len(te) == 0 or len(va) == 0:
            continue
        ctx = lambda t: t["left"] + " " + t["right"]
        row = {"abbr": abbr, "senses": int(tr["sense"].nunique()), "mentions": int(len(te)),
               "majority_acc": float((te["sense"] == majority(tr["sense"])).mean())}
        if tr["sense"].nunique() < 2:
            row.update(context_bow_acc=row["majority_acc"], C=None)
        else:
            cv = CountVectorizer()
            model, C = _tuned_logreg(cv.fit_transform(ctx(tr)), tr["sense"], cv.transform(ctx(va)), va["sense"], accuracy_score, Cs)
            row.update(context_bow_acc=float(accuracy_score(te["sense"], model.predict(cv.transform(ctx(te))))), C=C)
        rows.append(row)
    return pd.DataFrame(rows).set_index("abbr")


def negation_rows(notes, label: str = "symptom"):
    """One row per entity of `label`: note_id, start, end, text, sentence, before (the sentence up to
    the entity), after (the sentence after it) and the gold `negated`."""
    import pandas as pd

    _need(notes, {"id", "text", "entities"}, "negation_rows")
    ents = data.entity_table(notes)
    ents = ents[ents["label"] == label] if len(ents) else ents
    texts = dict(zip(notes["id"], notes["text"]))
    rows = []
    for n, s, e, t, neg in zip(ents["note_id"], ents["start"], ents["end"], ents["text"], ents["negated"]):
        a, b = data.sentence_span(texts[n], s, e)
        rows.append({"note_id": n, "start": s, "end": e, "text": t, "sentence": texts[n][a:b],
                     "before": texts[n][a:s], "after": texts[n][e:b], "negated": bool(neg)})
    return pd.DataFrame(rows)


def negation_bow(train_rows, validation_rows, test_rows, Cs=C_GRID) -> dict:
    """Negated or not from a bag of the words (and word pairs) of the entity's sentence.

    It cannot tell WHICH entity a cue belongs to ("denies fever but reports cough"), so it stays short
    of perfect. Returns {"C", "majority_acc", "bow_acc", "predictions"} on test.
    """
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.metrics import accuracy_score

    for frame, name in ((train_rows, "train"), (validation_rows, "validation"), (test_rows, "test")):
        _need(frame, {"sentence", "negated"}, f"negation_bow({name})")
    cv = CountVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b")
    model, C = _tuned_logreg(cv.fit_transform(train_rows["sentence"]), train_rows["negated"],
                             cv.transform(validation_rows["sentence"]), validation_rows["negated"], accuracy_score, Cs)
    pred = model.predict(cv.transform(test_rows["sentence"]))
    y = test_rows["negated"]
    return {"C": C, "majority_acc": float((y == majority(train_rows["negated"])).mean()),
            "bow_acc": float(accuracy_score(y, pred)), "predictions": pred}


# The NegEx idea (Chapman et al., 2001): cue words, a scope that terminators end, pseudo-cues.
NEG_PRE = re.compile(r"\b(no|denies|denied|negative for|neg for|without|nega|never had|never|don't have|not)\b")
NEG_PSEUDO = re.compile(r"\bno (improvement|change)\b|\bnot new\b")
NEG_TERMINATORS = re.compile(r"\b(but|still|however|reports|also)\b|[;,]")
NEG_POST = re.compile(r"^\s*(denied|was denied|was ruled out|was not observed|was absent|is absent)\b")


def negex(before: str, after: str) -> bool:
    """NegEx-like rule: is the entity negated, given the sentence text `before` and `after` it?

    A pre-cue (no, denies, without, ...) negates when no terminator (but, still, ';', ...) stands
    between it and the entity; a post-cue ("denied", "was ruled out") negates from behind.
    It encodes phrasings like the generator's: score it on hand-written sentences too.
    """
    if not isinstance(before, str) or not isinstance(after, str):
        raise TypeError("negex(before, after) needs two strings")
    scope = NEG_TERMINATORS.split(before.lower())[-1]
    scope = NEG_PSEUDO.sub(" ", scope)
    return bool(NEG_PRE.search(scope)) or bool(NEG_POST.match(after.lower()))


def negex_accuracy(rows) -> float:
    """Accuracy of `negex` on rows from `negation_rows`."""
    _need(rows, {"before", "after", "negated"}, "negex_accuracy")
    pred = [negex(b, a) for b, a in zip(rows["before"], rows["after"])]
    return float((rows["negated"].to_numpy() == pred).mean())


# --------------------------------------------------------------------------- datasheet figures

def baseline_stats(data_dir=None) -> dict:
    """The baselines' figures the datasheet reports: fit on train, C tuned on validation, scored on
    test (`data_dir`: the corpus folder, default data/)."""
    frames = {s: data.load_notes(s, data_dir or data.DATA_DIR) for s in data.SPLITS}
    train, validation, test = (frames[s] for s in data.SPLITS)
    stats = {}
    spec = specialty_tfidf(train, validation, test)
    stats["specialty_tfidf_macro_f1"] = round(spec["test_macro_f1"], 3)
    stats["specialty_majority_macro_f1"] = round(spec["majority_macro_f1"], 3)
    abbr = abbreviation_bow(*(data.abbreviation_table(frames[s]) for s in data.SPLITS))
    stats["abbreviations"] = {a: {"senses": int(r.senses), "test_mentions": int(r.mentions),
                                  "majority_acc": round(r.majority_acc, 3), "context_bow_acc": round(r.context_bow_acc, 3)}
                              for a, r in abbr.iterrows()}
    rows = {s: negation_rows(frames[s]) for s in data.SPLITS}
    neg = negation_bow(rows["train"], rows["validation"], rows["test"])
    stats["negation_symptoms_test"] = int(len(rows["test"]))
    stats["negation_majority_acc"] = round(neg["majority_acc"], 3)
    stats["negation_sentence_bow_acc"] = round(neg["bow_acc"], 3)
    stats["negation_negex_acc"] = round(negex_accuracy(rows["test"]), 3)
    return stats


def datasheet_stats(data_dir=None) -> dict:
    """Every figure of data/README.md: `data.corpus_stats` and `baseline_stats`."""
    return {**data.corpus_stats(data_dir or data.DATA_DIR), **baseline_stats(data_dir)}


if __name__ == "__main__":
    import json

    print(json.dumps(datasheet_stats(), indent=2))
