"""Rule-based de-identification: measured against the corpus's gold PHI and a hand-written set,
with floors; the scrubadub comparison; the hand-written sets themselves are checked for validity."""
import json
from pathlib import Path

import pytest

from utils import data, deid

HERE = Path(__file__).resolve().parent / "data"
# The frozen test part of the hand-written set was written and committed before any rule was tuned
# for the families it covers; its hash pins it, so that no one edits it to make a floor pass.
FROZEN_SHA256 = "67948d8d3c08594099cf9a49da8df8466756952a7df78a309eb7de46e2ad7376"


@pytest.fixture(scope="module")
def scores():
    return {"test": deid.evaluate(data.load_notes("test")), "handwritten": deid.evaluate(deid.load_handwritten())}


@pytest.mark.parametrize("name, floor", [("test", 0.95), ("handwritten", 0.90)])
def test_recall_and_precision_floors(scores, name, floor):
    table = scores[name]
    assert table.loc["ALL", "recall"] >= floor, table
    assert table.loc["ALL", "precision"] >= floor, table


def test_handwritten_set_is_valid():
    rows = [json.loads(line) for line in (HERE / "deid_handwritten.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in rows}) == len(rows)
    with_phi = [r for r in rows if r["phi"]]
    assert len(with_phi) >= 80 and len(rows) - len(with_phi) >= 20
    for r in rows:
        spans = sorted(r["phi"], key=lambda s: s["start"])
        for s in spans:
            assert set(s) == {"start", "end", "type"}, r["id"]
            assert s["type"] in data.PHI_TYPES, (r["id"], s["type"])
            assert 0 <= s["start"] < s["end"] <= len(r["text"]), r["id"]
            piece = r["text"][s["start"]:s["end"]]
            assert piece == piece.strip() and piece.strip(".,;:") == piece, (r["id"], piece)
        assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:])), r["id"]
    assert {s["type"] for r in rows for s in r["phi"]} == set(data.PHI_TYPES)   # every type is covered


def test_frozen_set_is_unchanged():
    import hashlib

    assert hashlib.sha256((HERE / "deid_handwritten_frozen.jsonl").read_bytes()).hexdigest() == FROZEN_SHA256


def test_negation_set_is_valid():
    rows = [json.loads(line) for line in (HERE / "negation_handwritten.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 40 and 0.3 < sum(r["negated"] for r in rows) / len(rows) < 0.7
    for r in rows:
        assert r["text"][r["start"]:r["end"]] == r["term"], r["id"]
        assert isinstance(r["negated"], bool)


def test_redact_masks_each_kind():
    text = ("Patient: Maria Rossi, 12 Via Roma, Pavia. Tel (555) 201-3344\nMRN: 00482910   Admitted: 03/14/2024\n"
            "Maria Rossi is a 93-year-old woman seen at St. Mary's Hospital. Daughter Giulia at bedside.\n"
            "Fax 617.555.0198 ext. 12, mail m.rossi@example.org, portal https://mychart.example.org/x, "
            "from 10.0.12.7, SSN 078-05-1120, discharged 3/19/22; 91 y/o; 95 anni.")
    out = deid.redact(text)
    for secret in ("Maria", "Rossi", "Via Roma", "555", "00482910", "03/14/2024", "93", "St. Mary", "Giulia",
                   "617.555", "ext. 12", "m.rossi", "mychart", "10.0.12.7", "078-05", "3/19/22", "91", "95"):
        assert secret not in out, secret
    assert out.count("[NAME]") == 3 and "[AGE]-year-old" in out


def test_each_rule_fires_somewhere():
    # A rule that matches nothing in either set is dead code, or a typo in its pattern.
    texts = list(data.load_notes("test").text) + list(deid.load_handwritten().text)
    fired = {name for name, _, pattern in deid._RULES for t in texts if pattern.search(t)}
    assert fired == set(deid.RULE_NAMES), set(deid.RULE_NAMES) - fired


@pytest.mark.parametrize("text", [
    "A 76-year-old man, HR 100, BP 120/80.",
    "Pain 7/10 after morphine 2 mg IV; MMSE 24/30; carbidopa-levodopa 25/100.",
    "Glasgow Coma Scale 14; Parkinson disease since 2019; SpO2 94% on 2 L.",
    "Relapsing MS with new lesions. Altered MS noted.",
])
def test_clinical_numbers_and_terms_are_not_phi(text):
    assert deid.find_phi(text) == []


def test_known_limit_names_without_a_cue_are_missed():
    # Documented in notebook 01: a name needs a title, a relation or an introduction before it.
    assert "Maria" in deid.redact("Pt's daughter called; Maria will pick him up at 5.")


def test_spans_do_not_overlap_and_index_the_text():
    for text in list(data.load_notes("test").text) + list(deid.load_handwritten().text):
        spans = deid.find_phi(text)
        assert all(text[s["start"]:s["end"]] == s["text"] for s in spans)
        assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:]))


def test_scrubadub_spans_find_phones_and_emails_with_our_types():
    text = "Call (612) 555-0143 or write to j.w@example.org about Mr. Smith."
    spans = deid.scrubadub_spans(text)
    assert [(s["type"], s["text"]) for s in spans] == [("PHONE", "(612) 555-0143"), ("EMAIL", "j.w@example.org")]
    assert set(deid.SCRUBADUB_TYPES.values()) <= set(data.PHI_TYPES)
    table = deid.evaluate(deid.load_handwritten(), deid.scrubadub_spans)
    assert table.loc["NAME", "recalled"] == 0 and table.loc["PHONE", "recalled"] > 0


def test_bad_input():
    with pytest.raises(TypeError, match="text"):
        deid.find_phi(None)
    with pytest.raises(TypeError, match="text"):
        deid.scrubadub_spans(3)
    with pytest.raises(ValueError, match="load_notes"):
        deid.evaluate([{"text": "x"}])
