"""The HPO module: parsing the release pyhpo ships, input checks, and the hand-written information
content, Resnik and best-match average equal to pyhpo's own on a sub-ontology (pyhpo's loader is
too slow for the whole release in a unit test, so both read the same small release folder)."""
import math
import random
import warnings

import numpy as np
import pytest

from utils import phenotypes as P


@pytest.fixture(scope="module")
def hpo():
    return P.load(verbose=False)


def test_release_counts_and_names(hpo):
    assert hpo.release == "2025-01-16"
    assert len(hpo.terms) > 18_000 and len(hpo.disease_names) == 8359   # the hpoa header says 8359 OMIM
    assert hpo.name("HP:0001250") == "Seizure"
    assert ("Epilepsy", "RELATED", "layperson") in hpo.synonyms["HP:0001250"]
    assert "HP:0000118" in hpo.ancestors("HP:0001250") and P.ROOT in hpo.ancestors("HP:0001250")
    assert hpo.genes_of("OMIM:154700") == ("FBN1",)                    # Marfan syndrome
    assert "OMIM:154700" in hpo.diseases_of("FBN1")


def test_frequencies():
    assert P.parse_frequency("3/4") == 0.75 and P.parse_frequency("45%") == 0.45
    assert P.parse_frequency("HP:0040281") == pytest.approx(0.895) and P.parse_frequency("") is None
    with pytest.raises(ValueError):
        P.parse_frequency("often")


def test_input_checks(hpo):
    with pytest.raises(ValueError, match="not an HPO id"):
        hpo.term("HP:12")
    with pytest.raises(ValueError, match="not a term"):
        hpo.term("HP:9999999")
    with pytest.raises(TypeError):
        hpo.term(1250)
    with pytest.raises(ValueError, match="empty"):
        hpo.disease_scores([])
    with pytest.raises(TypeError):
        hpo.term_set("HP:0001250")
    with pytest.raises(ValueError, match="gene 'fbn1'"):
        hpo.diseases_of("fbn1")
    with pytest.raises(ValueError, match="not an OMIM disease"):
        hpo.genes_of("OMIM:000000")
    with pytest.raises(ValueError, match="combine"):
        hpo.disease_scores(["HP:0001250"], combine="max")


def test_obsolete_and_alt_ids(hpo):
    replaced = sorted(t for t, new in hpo.obsolete.items() if new in hpo.index and t not in hpo.alt_ids)
    assert replaced, "the release has obsolete terms with a replacement"
    with pytest.warns(UserWarning, match="obsolete"):
        assert hpo.term(replaced[0]) == hpo.obsolete[replaced[0]]
    none = sorted(t for t, new in hpo.obsolete.items() if new is None and t not in hpo.alt_ids)
    if none:
        with pytest.raises(ValueError, match="no replacement"):
            hpo.term(none[0])
    alt, current = sorted(hpo.alt_ids.items())[0]
    with pytest.warns(UserWarning, match="old id"):
        assert hpo.term(alt) == current
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hpo.term("HP:0001250") == "HP:0001250"


def test_information_content(hpo):
    assert hpo.ic[P.ROOT] == 0.0
    for t in ("HP:0001250", "HP:0001166"):                  # a child is at least as informative as its parents
        assert all(hpo.ic[t] >= hpo.ic[p] for p in hpo.parents[t])
    assert max(hpo.ic.values()) == pytest.approx(math.log(len(hpo.disease_names)))


def test_vectorised_scores_equal_the_hand_written_bma(hpo):
    rng = random.Random(0)
    diseases = rng.sample(hpo.rankable_diseases(), 5)
    patient = rng.sample(hpo.phenotype_profile(diseases[0]), 3) + ["HP:0001250"]
    fast = hpo.disease_scores(patient, diseases)
    slow = [hpo.bma(patient, hpo.phenotype_profile(d)) for d in diseases]
    np.testing.assert_allclose(fast, slow, rtol=1e-12)
    t = "HP:0001166"
    sims = hpo.resnik_to_all(t)
    for other in rng.sample(hpo.terms, 20):
        assert sims[hpo.index[other]] == pytest.approx(hpo.resnik(t, other))
    one_sided = hpo.disease_scores(patient, diseases, combine="patient")
    by_hand = [np.mean([max(hpo.resnik(p, a) for a in hpo.phenotype_profile(d)) for p in patient]) for d in diseases]
    np.testing.assert_allclose(one_sided, by_hand, rtol=1e-12)


def test_marfan_profile_ranks_fbn1_first(hpo):
    marfan = ["HP:0001166", "HP:0001519", "HP:0001083", "HP:0002616", "HP:0000098", "HP:0000545"]
    patient_side = hpo.rank_genes(marfan, combine="patient")
    top = patient_side.score.iloc[0]
    tied = int((patient_side.score == top).sum())
    assert patient_side.gene.iloc[0] == "FBN1" and tied >= 2                  # FBN1 leads, tied (FBN2 shares the features)
    assert hpo.gene_rank(marfan, "FBN1", combine="patient") == tied           # a tie counts as its last place
    assert (hpo.gene_rank(marfan, ["TGFBR1", "FBN1"], combine="patient") == tied
            < hpo.gene_rank(marfan, "TGFBR1", combine="patient"))              # a disease's genes: the best of them
    # the symmetric BMA puts the smaller profiles of familial aortic aneurysms (LOX, MFAP5, ACTA2) ahead of
    # Marfan syndrome's 70 annotations, which the six features match only in part
    assert 1 < hpo.gene_rank(marfan, "FBN1") <= 5
    with pytest.raises(ValueError):
        hpo.gene_rank(marfan, [])
    ranked = hpo.rank_diseases(marfan)
    assert list(ranked["rank"][:3]) == [1, 2, 3] and (np.diff(ranked.score) <= 0).all()


def _sub_release(hpo, folder, n_diseases=25, seed=1):
    """A small but real release folder: the rows of some OMIM diseases (and one ORPHA and one DECIPHER
    disease, which pyhpo needs to compute its other ICs), every ancestor of their terms, their genes."""
    src = P.data_dir()
    rows = [line for line in (src / "phenotype.hpoa").read_text(encoding="utf-8").splitlines(keepends=True)]
    header = [r for r in rows if r.startswith("#") or r.startswith("database_id")]
    body = [r for r in rows if r not in header]
    omim = sorted({r.split("\t")[0] for r in body if r.startswith("OMIM:")})
    chosen = set(random.Random(seed).sample(omim, n_diseases))
    chosen |= {next(r.split("\t")[0] for r in body if r.startswith(p)) for p in ("ORPHA:", "DECIPHER:")}
    # rows seen in no patient are exclusions for the course (P._parse_hpoa) but annotations for pyhpo:
    # leave them out, so that both read the same annotations
    keep = [r for r in body if r.split("\t")[0] in chosen and P.parse_frequency(r.split("\t")[7]) != 0]
    terms = set()
    for r in keep:
        terms |= hpo.ancestors(r.split("\t")[3])
    (folder / "phenotype.hpoa").write_text("".join(header + keep), encoding="utf-8")
    stanzas = (src / "hp.obo").read_text(encoding="utf-8").split("\n\n")
    obo = [stanzas[0]] + [s for s in stanzas[1:] if s.startswith("[Term]\nid: ") and s.split("\n")[1][4:] in terms]
    (folder / "hp.obo").write_text("\n\n".join(obo) + "\n", encoding="utf-8")
    genes = (src / "genes_to_phenotype.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "genes_to_phenotype.txt").write_text(
        "".join([genes[0]] + [g for g in genes[1:] if g.rstrip("\n").split("\t")[5] in chosen
                              and g.split("\t")[2] in terms]), encoding="utf-8")
    return sorted(d for d in chosen if d.startswith("OMIM:"))


def test_hand_written_similarity_equals_pyhpo(hpo, tmp_path):
    pyhpo = pytest.importorskip("pyhpo")
    omim = _sub_release(hpo, tmp_path)
    ours = P.load(tmp_path, cache_dir=None, verbose=False)
    theirs = pyhpo.Ontology(data_folder=str(tmp_path))
    assert len(ours.terms) == len(theirs) and len(ours.disease_names) == len(theirs.omim_diseases) == 25
    for t in ours.terms:                                          # information content, every term
        assert ours.ic[t] == pytest.approx(theirs.get_hpo_object(t).information_content.omim, abs=1e-12)
    rng = random.Random(2)
    for _ in range(200):                                          # Resnik on random pairs
        a, b = rng.sample(ours.terms, 2)
        expected = theirs.get_hpo_object(a).similarity_score(theirs.get_hpo_object(b), kind="omim", method="resnik")
        assert ours.resnik(a, b) == pytest.approx(expected, abs=1e-12)
    for d1, d2 in zip(omim[:10], omim[10:20]):                    # best-match average of two diseases' profiles
        s1, s2 = ours.phenotype_profile(d1), ours.phenotype_profile(d2)
        if not s1 or not s2:
            continue
        h1 = pyhpo.HPOSet.from_queries(s1)
        h2 = pyhpo.HPOSet.from_queries(s2)
        expected = h1.similarity(h2, kind="omim", method="resnik", combine="BMA")
        assert ours.bma(s1, s2) == pytest.approx(expected, abs=1e-12)


def test_cache_round_trip(hpo, tmp_path):
    (tmp_path / "release").mkdir()
    _sub_release(hpo, tmp_path / "release")
    first = P.load(tmp_path / "release", cache_dir=tmp_path / "cache", verbose=False)
    assert len(list((tmp_path / "cache").glob("hpo-*.pkl"))) == 1
    P._LOADED.clear()
    second = P.load(tmp_path / "release", cache_dir=tmp_path / "cache", verbose=False)
    assert second is not first and second.ic == first.ic and second.terms == first.terms


# --------------------------------------------------------------------------- case notes and extraction

from utils import phenotype_extraction as X  # noqa: E402
from utils import phenotype_notes as N  # noqa: E402


@pytest.fixture(scope="module")
def cases(hpo):
    return N.generate(hpo, sizes={"train": 20, "validation": 10, "test": 15})


def test_cases_are_deterministic_with_gold_spans(hpo, cases):
    again = N.generate(hpo, sizes={"train": 20, "validation": 10, "test": 15})
    assert again == cases
    assert N.generate(hpo, sizes={"train": 20, "validation": 10, "test": 15}, seed=1) != cases
    diseases = {s: {c["disease"] for c in cases[s]} for s in cases}
    assert not (diseases["train"] & diseases["test"]) and not (diseases["validation"] & diseases["test"])
    for case in cases["test"]:
        assert case["genes"] == list(hpo.genes_of(case["disease"])) and case["genes"]
        for m in case["mentions"]:
            assert case["text"][m["start"]:m["end"]].strip() == case["text"][m["start"]:m["end"]]
            assert m["hpo"] in hpo.index and m["form"] in N.FORMS
            assert not (m["negated"] and m["family"])
        for p in case["phi"]:
            assert p["type"] in ("NAME", "DATE", "ID", "HOSPITAL")
        profile = set(hpo.phenotype_profile(case["disease"]))
        flagged = [m for m in case["mentions"] if m["negated"] or m["family"] or m["unrelated"]]
        assert all(m["hpo"] not in profile for m in flagged)
        assert len(N.present_terms(case)) >= 3
    with pytest.raises(ValueError):
        N.generate(hpo, sizes={"dev": 3})


def test_dictionary_tagger_longest_match_and_abbreviations(hpo):
    tagger = X.DictionaryTagger(hpo)
    text = "She has short stature and a VSD. No seizures. Her brother has intellectual disability. vsd"
    found = X.assert_context(text, tagger.tag(text))
    by_text = {m["text"]: m for m in found}
    assert by_text["short stature"]["hpo"] == "HP:0004322"             # not "stature" alone
    assert by_text["VSD"]["hpo"] == "HP:0001629" and "vsd" not in by_text   # abbreviations only in capitals
    assert by_text["seizures"]["negated"] and not by_text["seizures"]["family"]
    assert by_text["intellectual disability"]["family"]
    assert X.present(found) == ["HP:0001629", "HP:0004322"]
    with pytest.raises(TypeError):
        tagger.tag(None)


def test_scores_count_spans_concepts_and_neighbours(hpo):
    case = {"mentions": [{"start": 0, "end": 5, "hpo": "HP:0001250", "negated": False, "family": False},
                         {"start": 10, "end": 15, "hpo": "HP:0004322", "negated": True, "family": False}]}
    parent = hpo.parents["HP:0001250"][0]
    pred = [{"start": 0, "end": 5, "hpo": parent}, {"start": 10, "end": 15, "hpo": "HP:0004322"}]
    c = X.counts([case], [pred], hpo)
    assert X.prf(c["mention"]) == (0.5, 0.5, 0.5)
    assert X.prf(c["concept"])[:2] == (0.0, 0.0)                       # the parent is not the term; the negated one is no finding
    assert X.prf(c["ontology"])[:2] == (0.5, 1.0)                      # ... but it is one step away
    with pytest.raises(ValueError):
        X.counts([case], [], hpo)


def test_embedding_normalizer_finds_the_nearest_label(hpo):
    def encode(texts):                                                # a stand-in for MiniLM: letter counts
        v = np.array([[t.count(ch) for ch in "abcdefghijklmnopqrstuvwxyz"] for t in texts], dtype=float) + 1e-9
        return v / np.linalg.norm(v, axis=1, keepdims=True)
    norm = X.EmbeddingNormalizer(hpo, encode, terms=["HP:0001250", "HP:0004322", "HP:0001263"])
    term, cos, label = norm.normalize(["short staure"])[0]
    assert term == "HP:0004322" and cos > 0.9
    text = "Findings: short staure, and global developmental delay."
    known = X.DictionaryTagger(hpo).tag(text)
    assert [m["hpo"] for m in norm.tag([text], [known], threshold=0.9)[0]] == ["HP:0004322"]
    with pytest.raises(ValueError):
        norm.tag(text, known)


def test_imprecise_cases_write_a_vaguer_parent_of_an_annotated_term(hpo, cases):
    assert all(c["imprecise"] == {} for split in cases.values() for c in split)      # 0 by default: as before
    vague = N.generate(hpo, sizes={"train": 0, "validation": 0, "test": 15}, imprecision=0.5)["test"]
    assert vague == N.generate(hpo, sizes={"train": 0, "validation": 0, "test": 15}, imprecision=0.5)["test"]
    replaced = [(c, written, original) for c in vague for written, original in c["imprecise"].items()]
    assert len(replaced) >= 15                                   # about half of 4-9 findings in 15 notes
    for case, written, original in replaced:
        profile = set(hpo.phenotype_profile(case["disease"]))
        assert original in profile and written in N.vaguer_terms(hpo, original) and written in hpo.parents[original]
        assert hpo.ic[written] >= N.MIN_VAGUE_IC and written in N.present_terms(case)
    for case in vague:
        present = N.present_terms(case)
        assert len(present) >= 3 and len(present) == len([m for m in case["mentions"] if not (m["negated"] or m["family"])])
    for bad in (-0.1, 1.5, "0.3", True):
        with pytest.raises(ValueError, match="imprecision"):
            N.generate(hpo, sizes={"test": 1}, imprecision=bad)


def test_overlap_and_jaccard_count_exactly_shared_terms(hpo):
    patient = ["HP:0001166", "HP:0001519", "HP:0000098", "HP:0001250"]
    diseases = ["OMIM:154700"] + list(hpo.rankable_diseases()[:5])
    overlap = hpo.disease_scores(patient, diseases, combine="overlap")
    jaccard = hpo.disease_scores(patient, diseases, combine="jaccard")
    for d, o, j in zip(diseases, overlap, jaccard):
        profile = set(hpo.phenotype_profile(d))
        assert o == len(profile & set(patient)) and j == pytest.approx(o / len(profile | set(patient)))
    assert overlap[0] >= 3                                              # Marfan: three of the four
    vaguer = [hpo.parents[t][0] for t in patient]                      # one step up: no exact match left for it
    assert hpo.disease_scores(vaguer, ["OMIM:154700"], combine="overlap")[0] < overlap[0]
    assert hpo.disease_scores(vaguer, ["OMIM:154700"], combine="patient")[0] > 0
    with pytest.raises(ValueError, match="combine"):
        hpo.disease_scores(patient, combine="dice")


def test_rows_seen_in_no_patient_are_exclusions(hpo):
    rows = [line.rstrip("\n").split("\t") for line in (P.data_dir() / "phenotype.hpoa").read_text(encoding="utf-8").splitlines()
            if line.startswith("OMIM:")]
    zero = [(r[0], r[3]) for r in rows if r[2] != "NOT" and P.parse_frequency(r[7]) == 0]
    assert len(zero) > 1000                                                   # 0/n, 0% and "Excluded" rows
    positive = {(r[0], r[3]) for r in rows if r[2] != "NOT" and P.parse_frequency(r[7]) != 0}
    for disease, term in zero:
        assert (term in hpo.annotations[disease]) == ((disease, term) in positive)   # kept only when another row says so
    assert all(f is None or f > 0 for ann in hpo.annotations.values() for f in ann.values())


def _tiny_bert(folder, words):
    """A randomly initialised two-layer BERT and a WordPiece tokenizer over `words`, saved in `folder`."""
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(words))]) + "\n")
    BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(folder)
    __import__("torch").manual_seed(0)
    BertForMaskedLM(BertConfig(vocab_size=5 + len(set(words)), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                               intermediate_size=32, max_position_embeddings=64)).save_pretrained(folder)
    return str(folder)


def test_learned_tagger_trains_tags_and_normalises(hpo, cases, tmp_path):
    import re

    few = cases["train"][:4]
    words = {w.lower() for c in few + cases["test"][:2] for w in re.findall(r"[A-Za-z]+|[^\sA-Za-z]", c["text"])}
    path = _tiny_bert(tmp_path, words)
    rows = X.mention_sentences(few)
    assert sum(len(r[3]) for r in rows) == sum(len(c["mentions"]) for c in few)           # every mention in a sentence
    for sent, i, off, inside in rows:
        assert sent == few[i]["text"][off:off + len(sent)]
        assert all(few[i]["text"][off + m["start"]:off + m["end"]] == sent[m["start"]:m["end"]] for m in inside)
    model, tokenizer, seconds = X.train_mention_tagger(few, path, epochs=1, batch_size=8)
    assert seconds > 0 and not model.training and model.config.id2label == dict(enumerate(X.MENTION_LABELS))
    texts = [c["text"] for c in cases["test"][:2]]
    found = X.find_mentions(model, tokenizer, texts)
    assert len(found) == 2 and all(t[m["start"]:m["end"]] == m["text"] for t, f in zip(texts, found) for m in f)
    for bad, kwargs in [([], {}), (few, {"share": 0}), (few, {"epochs": 0})]:
        with pytest.raises(ValueError):
            X.train_mention_tagger(bad, path, **kwargs)
    with pytest.raises(TypeError):
        X.find_mentions(model, tokenizer, texts[0])


def test_normalize_mentions_prefers_the_dictionary_then_the_embedding_threshold(hpo):
    class Stub:                                            # stands in for EmbeddingNormalizer: a fixed answer
        def normalize(self, phrases):
            return [("HP:0001250", 0.9, "seizure") if "fits" in p else ("HP:0000252", 0.3, "microcephaly") for p in phrases]

    text = "She has short stature, recurrent fits and a smallish head."
    spans_ = [{"start": text.index(p), "end": text.index(p) + len(p), "text": p} for p in ("short stature", "recurrent fits", "smallish head")]
    out = X.normalize_mentions([text], [spans_], X.DictionaryTagger(hpo), Stub(), threshold=0.6)[0]
    assert [(m["text"], m["hpo"], m["source"]) for m in out] == [("short stature", "HP:0004322", "dictionary"),
                                                                 ("recurrent fits", "HP:0001250", "MiniLM")]   # 0.3 < 0.6: dropped
    with pytest.raises(ValueError):
        X.normalize_mentions([text], [], X.DictionaryTagger(hpo), Stub())


def test_gene_rank_bounds_span_the_tie(hpo):
    marfan = ["HP:0001166", "HP:0001519", "HP:0001083", "HP:0002616", "HP:0000098", "HP:0000545"]
    first, last = hpo.gene_rank_bounds(marfan, "FBN1", combine="patient")
    assert (first, last) == (1, hpo.gene_rank(marfan, "FBN1", combine="patient")) and last >= 2   # tied with FBN2
    first, last = hpo.gene_rank_bounds(marfan, "LOX")
    assert first == last == hpo.gene_rank(marfan, "LOX") == 1                      # alone at the top by BMA


def test_ic_overlap_sums_the_information_of_exactly_shared_terms(hpo):
    patient = ["HP:0001166", "HP:0001519", "HP:0000098", "HP:0001250"]
    diseases = ["OMIM:154700"] + list(hpo.rankable_diseases()[:5])
    scores = hpo.disease_scores(patient, diseases, combine="ic_overlap")
    for d, s in zip(diseases, scores):
        assert s == pytest.approx(sum(hpo.ic[t] for t in set(hpo.phenotype_profile(d)) & set(patient)))
