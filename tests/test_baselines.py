"""utils.baselines: the shared simple baselines (fit on train, tune on validation, score on test)."""
import pandas as pd
import pytest

from utils import baselines, data


@pytest.fixture(scope="module")
def frames():
    return {s: data.load_notes(s) for s in data.SPLITS}


def test_majority_uses_the_given_labels_and_breaks_ties_by_value():
    assert baselines.majority(["b", "a", "b"]) == "b"
    assert baselines.majority(["b", "a"]) == "a"
    with pytest.raises(ValueError, match="at least one"):
        baselines.majority([])


def test_specialty_tfidf_beats_majority_and_matches_the_datasheet(frames):
    out = baselines.specialty_tfidf(frames["train"], frames["validation"], frames["test"])
    assert out["C"] in baselines.C_GRID and len(out["predictions"]) == len(frames["test"])
    assert out["test_macro_f1"] > out["majority_macro_f1"] + 0.5
    assert 0.6 <= out["test_macro_f1"] <= 0.9


def test_abbreviation_bow_beats_the_train_majority(frames):
    tables = [data.abbreviation_table(frames[s]) for s in data.SPLITS]
    table = baselines.abbreviation_bow(*tables)
    assert list(table.index) == sorted(table.index) and len(table) == 8
    assert (table.context_bow_acc > table.majority_acc).all()
    # majority comes from TRAIN labels, scored on test
    tr, te = tables[0], tables[2]
    ms = te[te.abbr == "MS"]
    assert table.loc["MS", "majority_acc"] == (ms.sense == baselines.majority(tr[tr.abbr == "MS"].sense)).mean()


def test_negation_rows_and_baselines(frames):
    rows = {s: baselines.negation_rows(frames[s]) for s in data.SPLITS}
    r = rows["test"].iloc[0]
    assert r.sentence == r.before + r.text + r.after
    out = baselines.negation_bow(rows["train"], rows["validation"], rows["test"])
    assert out["majority_acc"] + 0.1 < out["bow_acc"] < baselines.negex_accuracy(rows["test"])


@pytest.mark.parametrize("sentence, term, negated", [
    ("Denies fever.", "fever", True),
    ("No chest pain, no cough.", "cough", True),
    ("Denies nausea but reports vomiting.", "vomiting", False),
    ("No improvement in cough despite albuterol.", "cough", False),
    ("Fever was denied.", "Fever", True),
    ("Pulmonary embolism was ruled out.", "Pulmonary embolism", True),
    ("She has chest pain.", "chest pain", False),
    ("Without dizziness or syncope.", "syncope", True),
])
def test_negex_on_hand_written_sentences(sentence, term, negated):
    i = sentence.index(term)
    assert baselines.negex(sentence[:i], sentence[i + len(term):]) is negated


def test_clear_errors():
    with pytest.raises(TypeError, match="two strings"):
        baselines.negex(None, "")
    with pytest.raises(ValueError, match="columns"):
        baselines.specialty_tfidf(pd.DataFrame({"x": [1]}), None, None)
    with pytest.raises(ValueError, match="empty"):
        baselines.negex_accuracy(pd.DataFrame({"before": [], "after": [], "negated": []}))


def test_no_import_circle_between_data_and_baselines():
    from utils import hub

    assert "baselines.py" not in {p.name for p in hub._course_sources("utils.data")}   # baselines imports data
    assert set(baselines.datasheet_stats()) >= {"notes", "specialty_tfidf_macro_f1", "negation_negex_acc"}
