"""De-identification: measured against the corpus's gold PHI and the hand-written sets, with floors
(the issue-20 floors on the frozen test set); the v1 baseline, the leak count, the scrubadub
comparison; the hand-written sets themselves are checked for validity."""
import json
from collections import Counter
from pathlib import Path

import pytest

from utils import data, deid, deid_v1

HERE = Path(__file__).resolve().parent / "data"
# The frozen test part of the hand-written set was written and committed before any rule was tuned
# for the families it covers; its hash pins it, so that no one edits it to make a floor pass.
FROZEN_SHA256 = "67948d8d3c08594099cf9a49da8df8466756952a7df78a309eb7de46e2ad7376"


@pytest.fixture(scope="module")
def scores():
    return {"test": deid.evaluate(data.load_notes("test")), "handwritten": deid.evaluate(deid.load_handwritten()),
            "dev": deid.evaluate(deid.load_handwritten(deid.HANDWRITTEN_DEV)),
            "frozen": deid.evaluate(deid.load_handwritten(deid.HANDWRITTEN_FROZEN))}


@pytest.mark.parametrize("name, floor", [("test", 0.95), ("handwritten", 0.90), ("dev", 0.95)])
def test_recall_and_precision_floors(scores, name, floor):
    table = scores[name]
    assert table.loc["ALL", "recall"] >= floor, table
    assert table.loc["ALL", "precision"] >= floor, table


def test_frozen_floors_overall(scores):
    # Issue 20's floors, on text no rule was written from: recall >= 0.95 and precision >= 0.90.
    table = scores["frozen"]
    assert table.loc["ALL", "recall"] >= 0.95 and table.loc["ALL", "precision"] >= 0.90, table


# When first measured (commit a4360f1), ADDRESS was 11/13 = 0.846, one span under the floor, and this
# test was a strict xfail. Address rules written later from the first hand-written set (never from the
# frozen set's misses) lifted it to 12/13 = 0.923 (data/README.md says how).
FROZEN_COUNTS = Counter(s["type"] for line in (HERE / "deid_handwritten_frozen.jsonl").read_text(encoding="utf-8").splitlines()
                        for s in json.loads(line)["phi"])


@pytest.mark.parametrize("phi_type", [t for t in data.PHI_TYPES if FROZEN_COUNTS[t] >= 10])
def test_frozen_floor_per_type(scores, phi_type):
    # Every type with at least 10 gold spans on the frozen set keeps recall >= 0.85.
    assert scores["frozen"].loc[phi_type, "recall"] >= 0.85, scores["frozen"]


def test_new_default_beats_v1_where_v1_was_not_written(scores):
    frozen = deid.load_handwritten(deid.HANDWRITTEN_FROZEN)
    old = deid.evaluate(frozen, deid_v1.find_phi)
    assert old.loc["ALL", "recall"] < 0.65 < 0.95 <= scores["frozen"].loc["ALL", "recall"]
    # and costs no precision on the corpus: the allow-list was built from its train split
    assert scores["test"].loc["ALL", "precision"] >= deid.evaluate(data.load_notes("test"), deid_v1.find_phi).loc["ALL", "precision"]


def test_v1_is_unchanged():
    # utils.deid_v1 is the baseline notebooks compare with: its figure on the first hand-written set.
    assert deid.evaluate(deid.load_handwritten(), deid_v1.find_phi).loc["ALL", "recall"] == 0.929


@pytest.mark.parametrize("name", ["deid_handwritten.jsonl", "deid_handwritten_dev.jsonl", "deid_handwritten_frozen.jsonl"])
def test_handwritten_set_is_valid(name):
    rows = [json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in rows}) == len(rows)
    with_phi = [r for r in rows if r["phi"]]
    assert len(with_phi) >= 60 and len(rows) - len(with_phi) >= 18
    for r in rows:
        spans = sorted(r["phi"], key=lambda s: s["start"])
        for s in spans:
            assert set(s) == {"start", "end", "type"}, r["id"]
            assert s["type"] in data.PHI_TYPES, (r["id"], s["type"])
            assert 0 <= s["start"] < s["end"] <= len(r["text"]), r["id"]
            piece = r["text"][s["start"]:s["end"]]
            assert piece == piece.strip() and piece.strip(".,;:") == piece, (r["id"], piece)
        assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:])), r["id"]
    if name != "deid_handwritten_dev.jsonl":
        assert {s["type"] for r in rows for s in r["phi"]} == set(data.PHI_TYPES)   # every type is covered


def test_issue_20_sets_are_big_enough_and_separate():
    # At least 150 new lines and 40 PHI-free traps, in registers the first set lacked; no line shared.
    new = [json.loads(line) for name in ("deid_handwritten_dev.jsonl", "deid_handwritten_frozen.jsonl")
           for line in (HERE / name).read_text(encoding="utf-8").splitlines()]
    old = [json.loads(line) for line in (HERE / "deid_handwritten.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(new) >= 150 and sum(not r["phi"] for r in new) >= 40
    texts = [r["text"] for r in new + old]
    assert len(set(texts)) == len(texts) and len({r["id"] for r in new + old}) == len(texts)
    for name in ("deid_handwritten_dev.jsonl", "deid_handwritten_frozen.jsonl"):
        registers = {json.loads(line)["register"] for line in (HERE / name).read_text(encoding="utf-8").splitlines()}
        assert {"signature", "spanish_note", "italian_note", "radiology", "pathology", "portal_message",
                "insurance", "referral_letter", "discharge_summary"} <= registers, name


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
    texts = (list(data.load_notes("test").text) + list(deid.load_handwritten().text)
             + list(deid.load_handwritten(deid.HANDWRITTEN_DEV).text))
    fired = {name for name, _, pattern in deid._RULES for t in texts if pattern.search(t)}
    assert fired == set(deid.RULE_NAMES), set(deid.RULE_NAMES) - fired


@pytest.mark.parametrize("text", [
    "A 76-year-old man, HR 100, BP 120/80.",
    "Pain 7/10 after morphine 2 mg IV; MMSE 24/30; carbidopa-levodopa 25/100.",
    "Glasgow Coma Scale 14; Parkinson disease since 2019; SpO2 94% on 2 L.",
    "Relapsing MS with new lesions. Altered MS noted.",
    "VBG 7.31/48/40, lactate 2.1; ventilator AC 450/14/5/40%.",
    "CT showed the classic Sister Mary Joseph nodule; Foley catheter placed.",
    "Started Entresto 24/26 mg BID and Humira 40 mg; Epley maneuver; Dix-Hallpike positive.",
    "Seen in the 5th intercostal space; BMI above the 95th percentile; plan reassess on Friday.",
])
def test_clinical_numbers_and_terms_are_not_phi(text):
    assert deid.find_phi(text) == []


def test_known_limit_names_that_are_words_need_a_cue():
    # Documented in notebook 01: with no cue before it, a name is found only if no word list knows it.
    assert deid.redact("Pt's daughter called and Okonkwo-Hale will pick him up at 5.").count("[NAME]") == 1
    assert "Maria" in deid.redact("Pt's daughter called; Maria will pick him up at 5.")   # 'maria' is an English word
    assert "Maria" not in deid.redact("Pt's daughter Maria called.")


def test_allow_list_masks_unknown_capitalised_words_only():
    assert deid.redact("Siobhan Ni Bhriain presented with melena.") == "[NAME] presented with melena."
    assert deid.redact("Consent witnessed by Thuy Okafor-Lind.") == "Consent witnessed by [NAME]."
    assert deid.find_phi("Consent witnessed by Thuy Okafor-Lind.", allow_list=False) == []
    assert "known" in deid.known_words() and "metoprolol" in deid.known_words()


def test_leaked_characters_counts_visible_phi_letters_and_digits():
    texts = ["Dr. Rossi, tel 555-201-3344.", "Seen by Ayodele."]
    gold = [[{"start": 4, "end": 9}, {"start": 15, "end": 27}], [{"start": 8, "end": 15}]]
    assert deid.leaked_characters(texts, gold, lambda t: []) == {"phi": 22, "leaked": 22, "share": 1.0}
    assert deid.leaked_characters(texts, gold)["leaked"] == 0
    frozen = deid.load_handwritten(deid.HANDWRITTEN_FROZEN)
    old, new = (deid.leaked_characters(frozen.text, frozen.phi, f) for f in (deid_v1.find_phi, deid.find_phi))
    assert new["phi"] == old["phi"] > 1000 and new["share"] < 0.05 < 0.3 < old["share"]
    with pytest.raises(ValueError, match="same length"):
        deid.leaked_characters(texts, gold[:1])


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
