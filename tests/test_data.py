"""The course corpus: deterministic, exact spans, clear errors, and not a toy."""
import filecmp
import json

import pytest

from utils import corpus_lexicon as lex
from utils import data


@pytest.fixture(scope="module")
def notes():
    return data.generate()  # in memory, span texts as written


@pytest.fixture(scope="module")
def stats():
    return data.corpus_stats()


def test_rebuild_is_byte_identical_to_committed_files(tmp_path):
    data.build(tmp_path)
    for split in data.SPLITS:
        assert filecmp.cmp(tmp_path / f"{split}.jsonl", data.DATA_DIR / f"{split}.jsonl", shallow=False), split


def test_committed_files_are_a_few_mb():
    total = sum((data.DATA_DIR / f"{s}.jsonl").stat().st_size for s in data.SPLITS)
    assert 1e6 < total < 8e6


def test_entity_and_phi_spans_index_exactly_their_text(notes):
    n_spans = 0
    for note in notes:
        for span in note["entities"] + note["phi"]:
            assert note["text"][span["start"]:span["end"]] == span["text"], (note["id"], span)
            n_spans += 1
        for a in note["abbreviations"]:
            assert note["text"][a["start"]:a["end"]] == a["abbr"], (note["id"], a)
        for q in note["qa"]:
            assert note["text"][q["answer_start"]:q["answer_start"] + len(q["answer"])] == q["answer"]
    assert n_spans > 20000


def test_loaders_restore_span_text_from_offsets():
    frame = data.load_notes("validation")
    table = data.entity_table(frame)
    texts = dict(zip(frame.id, frame.text))
    assert all(texts[n][s:e] == t for n, s, e, t in zip(table.note_id, table.start, table.end, table.text))
    assert set(table.label) == set(data.ENTITY_LABELS)
    assert set(data.phi_table(frame).type) == set(data.PHI_TYPES)


def test_labels_and_flags_are_present(notes):
    entities = [e for n in notes for e in n["entities"]]
    assert any(e["negated"] for e in entities) and any(e["history"] for e in entities)
    assert not any(e["negated"] and e["history"] for e in entities)
    assert all(n["summary"] and n["qa"] for n in notes)
    assert {n["register"] for n in notes} == set(data.REGISTERS)
    assert {n["specialty"] for n in notes} == set(data.SPECIALTIES)
    # Summaries are de-identified: no PHI string from the note appears in its summary.
    for n in notes:
        for p in n["phi"]:
            assert p["text"] not in n["summary"], (n["id"], p)


def test_at_least_six_ambiguous_abbreviations_with_two_or_more_senses(notes):
    seen = {}
    for n in notes:
        for a in n["abbreviations"]:
            seen.setdefault(a["abbr"], set()).add(a["sense"])
    assert sum(len(s) >= 2 for s in seen.values()) >= 6
    assert seen == {k: set(v) for k, v in lex.ABBREVIATIONS.items()}


def test_splits_are_fixed_stratified_and_disjoint():
    frames = {s: data.load_notes(s) for s in data.SPLITS}
    assert [len(frames[s]) for s in data.SPLITS] == [2100, 451, 449]
    ids = [set(f.id) for f in frames.values()]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    for split, frame in frames.items():
        share = frame.specialty.value_counts(normalize=True)
        assert share.max() - share.min() < 0.06, split


def test_not_a_toy(stats):
    assert stats["duplicate_texts"] == 0
    assert stats["word_types"] >= 2000
    assert stats["distinct_icd10_codes"] >= 1000
    for register, lengths in stats["words_per_note"].items():
        assert 20 <= lengths["min"] and lengths["median"] <= 150, register
    assert stats["words_per_note"]["report"]["median"] > 1.5 * stats["words_per_note"]["ehr"]["median"]
    # many sentence patterns per register
    for spec in (lex.REPORT, lex.EHR, lex.LITERATURE, lex.FORUM):
        assert sum(len(v) for v in spec.values()) >= 20


def test_specialty_baseline_is_good_but_short_of_perfect(stats):
    assert 0.6 <= stats["specialty_tfidf_macro_f1"] <= 0.9


def test_context_decides_abbreviation_senses(stats):
    senses = stats["abbreviations"]
    for abbr, s in senses.items():
        assert s["majority_acc"] < 0.75, abbr            # the abbreviation alone does not give it away
        assert s["context_bow_acc"] > s["majority_acc"], abbr
    gap = sum(s["context_bow_acc"] - s["majority_acc"] for s in senses.values()) / len(senses)
    assert gap > 0.3


def test_bag_of_words_gets_negation_partly_wrong(stats):
    assert stats["negation_majority_acc"] + 0.1 < stats["negation_sentence_bow_acc"] < 0.97


def test_generation_is_reproducible_and_seed_dependent():
    assert data.generate(50, seed=7) == data.generate(50, seed=7)
    assert data.generate(50, seed=7) != data.generate(50, seed=8)


@pytest.mark.parametrize("bad, error", [("dev", ValueError), ("TRAIN", ValueError), (3, TypeError)])
def test_bad_split_gets_a_clear_error(bad, error):
    with pytest.raises(error, match="split"):
        data.load_notes(bad)


def test_missing_file_elsewhere_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="build"):
        data.load_notes("train", data_dir=tmp_path)


def test_missing_default_file_is_rebuilt(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    frame = data.load_notes("test", data_dir=tmp_path)
    assert len(frame) == 449 and "rebuilding" in capsys.readouterr().out


def test_generate_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_notes"):
        data.generate(3)


def test_tables_reject_wrong_input():
    with pytest.raises(ValueError, match="load_notes"):
        data.entity_table([{"text": "x"}])


def test_hugging_face_datasets():
    ds = data.load_dataset("validation")
    assert len(ds) == 451 and ds[0]["text"] == data.load_notes("validation").text[0]
    assert ds[0]["entities"][0]["text"]
    assert set(data.load_dataset(None)) == set(data.SPLITS)


def test_icd10_from_the_installed_package():
    icd = data.load_icd10()
    assert len(icd) > 70000 and icd.code.is_unique
    row = icd.set_index("code").loc["I21.4"]
    assert "myocardial infarction" in row.description
    assert "Acute subendocardial myocardial infarction" in row.inclusion_terms
    assert row.block == "I20-I25"


def test_jsonl_is_one_note_per_line():
    line = (data.DATA_DIR / "test.jsonl").read_text().splitlines()[0]
    assert json.loads(line)["split"] == "test"


def test_sentence_of():
    text = "Denies fever. Reports cough and chills.\nNext line."
    assert data.sentence_of(text, text.index("cough"), text.index("cough") + 5) == "Reports cough and chills."


def test_abbreviation_table_gives_each_mention_its_sentence_and_exact_offset():
    table = data.abbreviation_table(data.load_notes("test"))
    assert all(s[o:o + len(a)] == a for s, o, a in zip(table.sentence, table.offset, table.abbr))
    assert all(s == s.strip() and "\n" not in s for s in table.sentence)
    text = data.load_notes("test").set_index("id").text
    row = table.iloc[0]
    assert row.sentence == data.sentence_of(text[row.note_id], row.start, row.end)
