"""utils.spans: BIO labels round-trip on corpus notes, QA decoding equals brute force, SQuAD metrics."""
import itertools

import numpy as np
import pytest
import torch

from utils import data, spans

TYPES = list(data.ENTITY_LABELS)
NAMES = spans.bio_label_names(TYPES)
L2I = {n: i for i, n in enumerate(NAMES)}


@pytest.fixture(scope="module")
def tokenizer():
    from utils.tokenization import train_wordpiece

    return train_wordpiece(data.load_notes("train").text.head(300).tolist(), 2000)


def test_label_names():
    assert NAMES[:3] == ["O", "B-disease", "I-disease"] and len(NAMES) == 1 + 2 * len(TYPES)
    with pytest.raises(ValueError):
        spans.bio_label_names([])


def test_bio_round_trip_on_corpus_notes(tokenizer):
    """Gold spans -> token labels -> word tags -> spans gives back every gold span whose edges are
    word edges (all of them in the corpus), and -100 sits exactly on specials and continuations."""
    notes = data.load_notes("validation").head(60)
    n_checked = 0
    for text, ents in zip(notes.text, notes.entities):
        for line, _, gold in spans.lines_with_spans(text, ents):
            enc = tokenizer(line, return_offsets_mapping=True)
            word_ids = enc.word_ids()
            labels = spans.bio_labels(enc["offset_mapping"], word_ids, gold, L2I)
            for k, (w, lab) in enumerate(zip(word_ids, labels)):
                first_subword = w is not None and (k == 0 or word_ids[k - 1] != w)
                assert (lab == spans.IGNORE) == (not first_subword)
            tags = [NAMES[lab] for lab in labels if lab != spans.IGNORE]
            back = spans.bio_to_spans(tags, spans.word_extents(enc["offset_mapping"], word_ids))
            assert [(s["start"], s["end"], s["label"]) for s in back] == \
                   [(g["start"], g["end"], g["label"]) for g in sorted(gold, key=lambda g: g["start"])]
            n_checked += len(gold)
    assert n_checked > 100


def test_bio_labels_by_hand():
    # "aspirin for chest pain": words 0..3, "chest pain" a symptom; "aspirin" split in two sub-words.
    offsets = [(0, 0), (0, 3), (3, 7), (8, 11), (12, 17), (18, 22), (0, 0)]
    word_ids = [None, 0, 0, 1, 2, 3, None]
    gold = [{"start": 0, "end": 7, "label": "drug"}, {"start": 12, "end": 22, "label": "symptom"}]
    got = spans.bio_labels(offsets, word_ids, gold, L2I)
    assert got == [-100, L2I["B-drug"], -100, L2I["O"], L2I["B-symptom"], L2I["I-symptom"], -100]
    with pytest.raises(ValueError, match="one entry per token"):
        spans.bio_labels(offsets[:-1], word_ids, gold, L2I)


def test_bio_to_spans_is_lenient_like_seqeval():
    ext = [(0, 1), (2, 3), (4, 5), (6, 7)]
    assert spans.bio_to_spans(["I-drug", "I-drug", "B-test", "I-drug"], ext) == [
        {"start": 0, "end": 3, "label": "drug"}, {"start": 4, "end": 5, "label": "test"},
        {"start": 6, "end": 7, "label": "drug"}]


def test_dictionary_tagger():
    tagger = spans.DictionaryTagger(["chest pain", "pain", "Aspirin", "aspirin"], ["symptom", "symptom", "drug", "drug"])
    found = tagger.find("Aspirin for chest pain; painful")
    assert [(f["start"], f["end"], f["label"]) for f in found] == [(0, 7, "drug"), (12, 22, "symptom")]


def test_entity_scores_match_seqeval():
    from seqeval.metrics import f1_score

    true = [["B-drug", "O", "B-symptom", "I-symptom"], ["B-test", "O"]]
    pred = [["B-drug", "O", "B-symptom", "O"], ["B-test", "O"]]
    table = spans.entity_scores(true, pred)
    assert table.loc["micro avg", "f1"] == pytest.approx(f1_score(true, pred))
    assert table.loc["symptom", "recall"] == 0 and table.loc["drug", "f1"] == 1


def test_entity_counts_give_seqeval_micro_f1_on_any_subset():
    rng = np.random.default_rng(0)
    tags = ["O", "B-drug", "I-drug", "B-test", "I-test"]
    true = [list(rng.choice(tags, int(rng.integers(1, 9)))) for _ in range(40)]
    pred = [[t if rng.random() < 0.7 else str(rng.choice(tags)) for t in row] for row in true]
    counts = spans.entity_counts(true, pred)
    assert counts.shape == (40, 3) and (counts[:, 0] <= counts[:, 1:].min(axis=1)).all()
    for idx in [np.arange(40), np.arange(0, 40, 3), rng.integers(0, 40, 40)]:
        right, predicted, gold = counts[idx].sum(axis=0)
        sub_true, sub_pred = [true[i] for i in idx], [pred[i] for i in idx]
        assert 2 * right / (predicted + gold) == pytest.approx(spans.entity_scores(sub_true, sub_pred).loc["micro avg", "f1"])
    with pytest.raises(ValueError, match="equally long"):
        spans.entity_counts(true, pred[:-1])


def _brute_force(s, e, mask, max_len):
    best = None
    for i, j in itertools.product(range(len(s)), repeat=2):
        if j >= i and j - i < max_len and mask[i] and mask[j]:
            score = s[i] + e[j]
            if best is None or score > best[2]:
                best = (i, j, score)
    return best


@pytest.mark.parametrize("seed", range(20))
def test_best_span_equals_brute_force(seed):
    g = torch.Generator().manual_seed(seed)
    n = int(torch.randint(3, 25, (1,), generator=g))
    s, e = torch.randn(n, generator=g).tolist(), torch.randn(n, generator=g).tolist()
    mask = (torch.rand(n, generator=g) > 0.3).tolist()
    mask[n // 2] = True
    max_len = int(torch.randint(1, 6, (1,), generator=g))
    i, j, score = spans.best_span(s, e, mask, max_len)
    bi, bj, bscore = _brute_force(s, e, mask, max_len)
    assert (i, j) == (bi, bj) and score == pytest.approx(bscore)


def test_best_span_checks_inputs():
    with pytest.raises(ValueError, match="no token"):
        spans.best_span([1.0, 2.0], [1.0, 2.0], [False, False])
    with pytest.raises(ValueError, match="same length"):
        spans.best_span([1.0], [1.0, 2.0], [True, True])


def test_squad_metrics():
    assert spans.exact_match("The Aspirin.", "aspirin") == 1.0
    assert spans.token_f1("acute chest pain", "chest pain") == pytest.approx(0.8)
    assert spans.token_f1("", "chest pain") == 0.0 and spans.token_f1("fever", "cough") == 0.0


def test_coverage_scores_equal_the_rules_evaluation():
    from utils import deid

    notes = data.load_notes("test").head(150)
    # deid.evaluate counts only the types it knows; compare on those.
    notes["phi"] = [[g for g in gold if g["type"] in deid.PHI_TYPES] for gold in notes.phi]
    ours = spans.coverage_scores(notes.phi, [deid.find_phi(t) for t in notes.text])
    theirs = deid.evaluate(notes)
    for t in ours.index:
        assert ours.loc[t, "recalled"] == theirs.loc[t, "recalled"] and ours.loc[t, "gold"] == theirs.loc[t, "gold"]
    assert ours.loc["ALL", "correct"] == theirs.loc["ALL", "correct"]
    assert ours.loc["ALL", "predicted"] == theirs.loc["ALL", "predicted"]


def test_coverage_scores_on_letters_and_digits_ignore_the_gaps_between_words():
    text = "Lives at 12 Oak St, Leeds now."
    gold = [[{"start": 9, "end": 25, "type": "ADDRESS"}]]
    pieces = [[{"start": 9, "end": 11, "type": "ID"}, {"start": 12, "end": 15, "type": "NAME"},
               {"start": 16, "end": 18, "type": "NAME"}, {"start": 20, "end": 25, "type": "NAME"}]]
    assert spans.coverage_scores(gold, pieces).loc["ADDRESS", "recall"] == 0.0        # strict: the gaps show
    assert spans.coverage_scores(gold, pieces, texts=[text]).loc["ADDRESS", "recall"] == 1.0
    assert spans.coverage_scores(gold, pieces, texts=iter([text])).loc["ADDRESS", "recall"] == 1.0   # any iterable
    missing_a_word = [pieces[0][:3]]                                                    # "Leeds" stays visible
    assert spans.coverage_scores(gold, missing_a_word, texts=[text]).loc["ADDRESS", "recall"] == 0.0
    with pytest.raises(ValueError, match="one entry per document"):
        spans.coverage_scores(gold, pieces, texts=[text, text])



def test_span_coverage_one_score_per_gold_span_in_order():
    text = "Lives at 12 Oak St, Leeds now. Seen by Dr Rossi."
    address = {"start": 9, "end": 25, "type": "ADDRESS"}                 # "12 Oak St, Leeds"
    name = {"start": 42, "end": 47, "type": "NAME"}                      # "Rossi"
    word_by_word = [{"start": 9, "end": 11}, {"start": 12, "end": 15}, {"start": 16, "end": 18}, {"start": 20, "end": 25}]
    two_pieces = [{"start": 9, "end": 17}, {"start": 17, "end": 25}]     # adjacent pieces: every character
    golds = [[address, name], [], [address]]
    preds = [word_by_word, [{"start": 0, "end": 5}], two_pieces]
    strict = spans.span_coverage(golds, preds)
    assert strict.dtype == float and strict.tolist() == [0.0, 0.0, 1.0]  # the gaps between the words show
    assert spans.span_coverage(golds, preds, texts=iter([text] * 3)).tolist() == [1.0, 0.0, 1.0]  # letters and digits only
    leaves_a_word = [word_by_word[:3] + [{"start": 42, "end": 47, "type": "ID"}], [], two_pieces[:1]]   # any type covers
    assert spans.span_coverage(golds, leaves_a_word, texts=[text] * 3).tolist() == [0.0, 1.0, 0.0]
    assert spans.span_coverage([[]], [[]]).shape == (0,)
    # coverage_scores' recall is its mean, per type and overall
    table = spans.coverage_scores(golds, preds, texts=[text] * 3)
    assert table.loc["ALL", "recall"] == spans.span_coverage(golds, preds, texts=[text] * 3).mean() == 2 / 3
    assert table.loc["ADDRESS", "recalled"] == 2 and table.loc["NAME", "recalled"] == 0
    with pytest.raises(ValueError, match="one entry per document"):
        spans.span_coverage(golds, preds[:2])
    with pytest.raises(ValueError, match="one entry per document"):
        spans.span_coverage(golds, preds, texts=[text])


def test_sentences_with_spans_cover_every_corpus_span_and_fit_the_model():
    """Notes cut into sentences: offsets point back into the note, spans keep their text, no corpus
    span is lost at a sentence boundary, and titles/initials ("Dr. Rossi", "J. Juarez") do not end one."""
    notes = data.load_notes("validation").head(80)
    for text, ents, phi in zip(notes.text, notes.entities, notes.phi):
        for items, key in [(ents, "label"), (phi, "type")]:
            cut = spans.sentences_with_spans(text, items, key)
            assert sum(len(inside) for _, _, inside in cut) == len(items)
            for sentence, offset, inside in cut:
                assert text[offset:offset + len(sentence)] == sentence and sentence == sentence.strip()
                for s in inside:
                    assert sentence[s["start"]:s["end"]] == text[offset + s["start"]:offset + s["end"]]
    cut = spans.sentences_with_spans("Seen by Dr. Rossi. Pt J. Juarez stable!\nNext", [{"start": 8, "end": 17, "type": "NAME"}], "type")
    assert [(s, o) for s, o, _ in cut] == [("Seen by Dr. Rossi.", 0), ("Pt J. Juarez stable!", 19), ("Next", 40)]
    assert cut[0][2] == [{"start": 8, "end": 17, "label": "NAME"}]
    assert spans.sentences_with_spans("", []) == [] and spans.sentences_with_spans(" \n ", []) == []


def by_regex_pain(text):
    return spans.DictionaryTagger(["chest pain", "pain"], ["symptom", "symptom"]).find(text)


def test_lexicon_tagger_equals_the_dictionary_tagger_on_the_corpus():
    notes = data.load_notes("train")
    ents = data.entity_table(notes)
    by_regex = spans.DictionaryTagger(ents.text, ents.label)
    fast = spans.LexiconTagger(by_regex.lexicon)
    texts = list(data.load_notes("test").text)
    assert sum(len(fast.find(t)) for t in texts) > 1000            # it finds things ...
    assert all(fast.find(t) == by_regex.find(t) for t in texts)    # ... and exactly what the regex finds
    tagger = spans.LexiconTagger({"chest pain": "symptom", "pain": "symptom"})
    assert tagger.find("Chest pain, then painful pain.") == [{"start": 0, "end": 10, "label": "symptom"},
                                                            {"start": 25, "end": 29, "label": "symptom"}]
    text = "İzmir: chest pain."                                        # "İ".lower() is two characters long
    assert tagger.find(text) == by_regex_pain(text) == [{"start": 7, "end": 17, "label": "symptom"}]
    with pytest.raises(ValueError, match="lower-cased"):
        spans.LexiconTagger({"Pain": "symptom"})
    with pytest.raises(TypeError, match="dict"):
        spans.LexiconTagger(["pain"])
