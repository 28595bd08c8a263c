"""The course corpus: deterministic, exact spans, clear errors, and not a toy."""
import datetime as dt
import filecmp
import json
import os
import re
import subprocess
import sys

import pytest

from utils import corpus_lexicon as lex
from utils import baselines, data


@pytest.fixture(scope="module")
def notes():
    return data.generate()  # in memory, span texts as written


@pytest.fixture(scope="module")
def stats():
    return baselines.datasheet_stats()


def test_rebuild_is_byte_identical_to_committed_files(tmp_path):
    data.build(tmp_path)
    for split in data.SPLITS:
        assert filecmp.cmp(tmp_path / f"{split}.jsonl", data.DATA_DIR / f"{split}.jsonl", shallow=False), split


def test_build_is_byte_identical_across_processes_and_fast(tmp_path):
    code = ("import sys, time; from utils import data; t = time.process_time(); "
            "data.build(sys.argv[1]); print(time.process_time() - t)")
    for i, seed in enumerate(("0", "12345")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "OMP_NUM_THREADS": "1"}
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path / str(i))], env=env, check=True,
                             capture_output=True, text=True, cwd=data.DATA_DIR.parent)
        assert float(out.stdout.split()[-1]) < 30, "the build should take well under 30 CPU seconds"
    for split in data.SPLITS:
        assert (tmp_path / "0" / f"{split}.jsonl").read_bytes() == (tmp_path / "1" / f"{split}.jsonl").read_bytes()


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


def test_loaders_give_the_spans_that_generate_wrote(notes):
    """Not a tautology: the loader's spans (text restored from offsets) equal the generator's own."""
    frame = data.load_notes(None)
    loaded = {row.id: row for row in frame.itertuples(index=False)}
    assert len(loaded) == len(notes)
    for note in notes:
        row = loaded[note["id"]]
        assert row.text == note["text"] and row.split == note["split"]
        assert [dict(e) for e in row.entities] == note["entities"], note["id"]
        assert [dict(p) for p in row.phi] == note["phi"], note["id"]
        assert [dict(a) for a in row.abbreviations] == note["abbreviations"]
        assert [dict(q) for q in row.qa] == note["qa"]
    assert set(data.entity_table(frame).label) == set(data.ENTITY_LABELS)
    assert set(data.phi_table(frame).type) == set(data.PHI_TYPES)


def _role_of(question):
    for table in (data._QUESTIONS, data._LITERATURE_QUESTIONS):
        for role, questions in table.items():
            if question in questions:
                return role
    raise AssertionError(question)


def test_every_qa_answer_has_the_type_its_question_asks_for(notes):
    n_neg = 0
    for note in notes:
        ents = {e["start"]: e for e in note["entities"]}
        phi = {p["start"]: p for p in note["phi"]}
        for q in note["qa"]:
            role = _role_of(q["question"])
            if role == "admit":
                assert phi[q["answer_start"]]["subtype"] == "admission", (note["id"], q)
                continue
            e = ents[q["answer_start"]]
            assert e["text"] == q["answer"] and e["label"] == data._ROLE_KIND[role], (note["id"], q, e)
            assert e["negated"] == (role == "neg") and not e["family"], (note["id"], q)
            n_neg += role == "neg"
    assert n_neg > 500
    # Summaries deny only symptoms.
    symptoms = {s.lower() for v in lex.SYMPTOMS.values() for s in v} | {s.lower() for s in lex.GENERAL_SYMPTOMS}
    for note in notes:
        if "; denies " in note["summary"]:
            assert note["summary"].split("; denies ")[1].split(".")[0].lower() in symptoms, note["summary"]


def test_family_history_is_not_the_patients(notes):
    family = [(n, e) for n in notes for e in n["entities"] if e["family"]]
    assert len(family) > 100
    for note, e in family:
        assert not e["history"] and not e["negated"]
        assert all(q["answer_start"] != e["start"] for q in note["qa"])
        assert "family history" in note["text"].lower() or "mother" in note["text"].lower()


def test_ages_and_dates_agree_within_each_note(notes):
    age_re = re.compile(r"(?<![-\w./])(\d{2,3})(?:-year-old| y/o| yo\b|yo\b| anni\b|[MF]\b)")
    checked = 0
    for note in notes:
        meta = note["_meta"]
        birth, admission = (dt.date.fromisoformat(meta[k]) for k in ("birth_date", "admission_date"))
        assert data.age_on(birth, admission) == meta["age"], note["id"]
        if note["register"] in ("report", "ehr"):
            stated = [int(m.group(1)) for m in age_re.finditer(note["text"])]
            assert all(a == meta["age"] for a in stated), (note["id"], stated, meta)
            checked += len(stated)
        for p in note["phi"]:
            day = {"birth": birth, "admission": admission}.get(p["subtype"])
            if day is not None:  # the span names that day (year in 4 or 2 digits, day of month)
                assert str(day.year) in p["text"] or f"/{day.year % 100:02d}" in p["text"], (note["id"], p, day)
                assert str(day.day) in p["text"], (note["id"], p, day)
    assert checked > 1000


def test_sentences_do_not_end_at_titles(notes):
    for title in ("Dr.", "St.", "Prof.", "Mr.", "Ms.", "Mrs.", "Sig.", "Paz.", "b.i.d.", "q.d.", "t.i.d."):
        text = f"Seen first. Then {title} Rossi of St. Mary's Hospital agreed. Next one."
        i = text.index("Rossi")
        assert data.sentence_of(text, i, i + 5) == f"Then {title} Rossi of St. Mary's Hospital agreed.", title
    table = data.abbreviation_table(data.load_notes("train"))
    with_title = table[table.sentence.str.contains(r"\b(?:Dr|Prof|St)\. ")]
    assert len(with_title) > 50
    ends = ("Dr.", "Prof.", "St.", "Mr.", "Ms.", "Mrs.")
    assert not any(s.endswith(ends) for s in table.sentence)


def test_sentence_span_rejects_bad_input():
    with pytest.raises(ValueError, match="outside"):
        data.sentence_span("short", 3, 10)
    with pytest.raises(TypeError, match="str"):
        data.sentence_span(None, 0, 0)


def test_mixed_language_means_whole_italian_sentences(notes):
    mixed = [n for n in notes if n["mixed_language"]]
    assert 100 < len(mixed) < 600 and {n["register"] for n in mixed} == {"ehr"}
    for n in notes:
        lines = re.split(r"(?<=[.!?])\s+|\n", n["text"])
        has_sentence = any(line.startswith(lex.ITALIAN_SENTENCE_STARTS) or line.lower().startswith(tuple(x.lower() for x in lex.ITALIAN_SENTENCE_STARTS))
                           for line in lines)
        assert n["mixed_language"] == has_sentence, n["id"]


def test_test_split_identities_never_occur_in_train_or_validation(notes):
    checked = ("NAME", "PHONE", "EMAIL", "ADDRESS", "HOSPITAL", "URL")
    seen = {"test": set(), "other": set()}
    for n in notes:
        side = "test" if n["split"] == "test" else "other"
        seen[side] |= {p["text"].lower() for p in n["phi"] if p["type"] in checked}
    assert len(seen["test"]) > 500
    assert not seen["test"] & seen["other"], sorted(seen["test"] & seen["other"])[:10]
    # ... and not as a word of a longer PHI string either (names, cities and streets are disjoint pools).
    words = lambda strings: {w for s in strings for w in re.findall(r"[a-z]{4,}", s)}
    frames = {"street", "avenue", "hospital", "general", "clinic", "regional", "memorial", "medical", "center",
              "university", "heart", "vascular", "institute", "ospedale", "presidio", "ospedaliero", "policlinico",
              "casa", "cura", "road", "lane", "drive", "court", "boulevard", "corso", "piazza", "viale", "gmail",
              "yahoo", "outlook", "hotmail", "libero", "icloud", "proton", "health", "portal", "mychart", "blogspot",
              "https", "http", "patient", "north", "south", "east", "west", "port", "lake", "new"}
    shared = (words(p for p in seen["test"]) & words(seen["other"])) - frames
    assert len(shared) < 0.02 * len(words(seen["test"])), sorted(shared)[:20]


def test_phi_types_are_defined_once_and_documented():
    assert data.PHI_TYPES == ("NAME", "DATE", "AGE", "PHONE", "EMAIL", "ADDRESS", "HOSPITAL", "ID", "URL", "IP")
    readme = (data.DATA_DIR / "README.md").read_text()
    assert all(f"`{t}`" in readme for t in data.PHI_TYPES)


def test_phi_comes_in_many_surface_forms(notes):
    phi = [p for n in notes for p in n["phi"]]
    texts = lambda t, sub=None: [p["text"] for p in phi if p["type"] == t and (sub is None or p["subtype"] == sub)]
    dates, phones, names = texts("DATE"), texts("PHONE"), texts("NAME")
    patterns = {
        "numeric, 4-digit year": (dates, r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$"), "numeric, 2-digit year": (dates, r"^\d{1,2}/\d{1,2}/\d{2}$"),
        "ISO": (dates, r"^\d{4}-\d\d-\d\d$"), "spelled month": (dates, r"^(January|February|March|April|May|June|July|August|September|October|November|December) \d"),
        "no year": (dates, r"^[A-Za-z]+\.? \d{1,2}$"), "Italian month": (dates, r"\d (gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre)"),
        "phone dots": (phones, r"^\d{3}\.\d{3}\.\d{4}$"), "phone parentheses": (phones, r"^\(\d{3}\) \d{3}-\d{4}"),
        "phone dashes": (phones, r"^\d{3}-\d{3}-\d{4}$"), "international": (phones, r"^\+(1|39)[ -]"), "extension": (phones, r"(ext\. |x)\d+$"),
        "hyphenated name": (names, r"[A-Za-z]-[A-Za-z]"), "lower-case name": (names, r"^[a-z]+$"), "initial": (names, r"^[A-Z]\. [A-Z]"),
        "surname first": (names, r"^[A-Z][a-z]+, [A-Z]"),
    }
    for form, (values, pattern) in patterns.items():
        assert sum(bool(re.search(pattern, v)) for v in values) >= 10, form
    assert {p["subtype"] for p in phi if p["type"] == "ID"} == {"MRN", "SSN", "PLAN", "ACCOUNT", "LICENCE", "DEVICE"}
    assert {p["subtype"] for p in phi if p["type"] == "PHONE"} == {"phone", "fax"}
    ages = [(n["text"], p) for n in notes for p in n["phi"] if p["type"] == "AGE"]
    assert all(int(p["text"]) > 89 for _, p in ages)
    after = {t[p["end"]:p["end"] + 5] for t, p in ages}
    for wording in ("-year", " y/o", " yo ", " anni"):
        assert any(a.startswith(wording.rstrip()) for a in after), wording


def test_medicines_and_tests_fit_the_diagnosis(notes):
    n_checked = 0
    for note in notes:
        code = note["icd10"]
        fitting = {d for d, (_, ind) in lex.DRUG_INFO.items() if lex._matches(code, ind)}
        for q in note["qa"]:
            role = _role_of(q["question"])
            if role == "new" and fitting:
                assert q["answer"].lower() in fitting, (note["id"], code, q["answer"])
                n_checked += 1
        for e in note["entities"]:
            if e["label"] == "drug" and e["text"].lower() in lex.DRUG_INFO:
                after = note["text"][e["end"]:e["end"] + 40]
                regimens = lex.DRUG_INFO[e["text"].lower()][0]
                if re.match(r" \d", after) and not after.startswith(" 2 mg IV"):  # a dose follows: the drug's own
                    assert any(after.startswith(" " + dose) for _, dose, _ in regimens), (note["id"], e["text"], after)
    assert n_checked > 1000
    for drug, (regimens, indications) in lex.DRUG_INFO.items():
        assert regimens and indications, drug
    for test, (measures, indications) in lex.TEST_INFO.items():
        assert measures and indications, test
    for specialty, categories in lex.ICD_CATEGORIES.items():
        for c in categories:
            assert any(lex._matches(c, ind) for _, ind in lex.DRUG_INFO.values()), c
            assert any(lex._matches(c, ind) for _, ind in lex.TEST_INFO.values()), c


def test_vital_signs_agree_with_the_narrative(notes):
    for note in notes:
        text = note["text"]
        if "vital signs stable" in text:
            assert all(int(x) >= 94 for x in re.findall(r"SpO2 (\d+)% on room air", text)), note["id"]
            assert all(int(x) <= 100 for x in re.findall(r"\bHR (\d+)", text)), note["id"]
    symptoms = {s.lower() for v in lex.SYMPTOMS.values() for s in v} | {s.lower() for s in lex.GENERAL_SYMPTOMS}
    lay = {d.lower() for v in lex.LAY_DISEASES.values() for d in v}
    assert not lay & symptoms  # nobody is "diagnosed with palpitations"


def test_at_least_six_ambiguous_abbreviations_with_two_or_more_senses(notes):
    seen = {}
    for n in notes:
        for a in n["abbreviations"]:
            seen.setdefault(a["abbr"], set()).add(a["sense"])
    assert sum(len(s) >= 2 for s in seen.values()) >= 6
    assert seen == {k: set(v) for k, v in lex.ABBREVIATIONS.items()}


def test_splits_are_fixed_stratified_and_disjoint():
    frames = {s: data.load_notes(s) for s in data.SPLITS}
    assert [len(frames[s]) for s in data.SPLITS] == [2100, 450, 450]
    ids = [set(f.id) for f in frames.values()]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    for split, frame in frames.items():
        share = frame.specialty.value_counts(normalize=True)
        assert share.max() - share.min() < 0.07, split


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
    table = data.abbreviation_table(data.load_notes(None))
    shares = table.groupby("abbr").sense.value_counts(normalize=True)
    for abbr, s in senses.items():
        assert shares[abbr].max() < 0.75, abbr           # the abbreviation alone does not give it away
        assert s["context_bow_acc"] > s["majority_acc"], abbr
    gap = sum(s["context_bow_acc"] - s["majority_acc"] for s in senses.values()) / len(senses)
    assert gap > 0.3


def test_bag_of_words_gets_negation_partly_wrong(stats):
    assert stats["negation_majority_acc"] + 0.1 < stats["negation_sentence_bow_acc"] < 0.97
    assert stats["negation_negex_acc"] > stats["negation_sentence_bow_acc"]   # the cue's scope matters


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
    assert len(frame) == 450 and "rebuilding" in capsys.readouterr().out


def test_generate_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_notes"):
        data.generate(3)


def test_tables_reject_wrong_input():
    with pytest.raises(ValueError, match="load_notes"):
        data.entity_table([{"text": "x"}])


def test_hugging_face_datasets():
    ds = data.load_dataset("validation")
    assert len(ds) == 450 and ds[0]["text"] == data.load_notes("validation").text[0]
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


def test_abbreviation_table_on_notes_without_abbreviations_is_a_clear_error():
    frame = data.load_notes("test")
    frame = frame[frame.abbreviations.map(len) == 0]
    with pytest.raises(ValueError, match="no ambiguous abbreviations"):
        data.abbreviation_table(frame)


def test_committed_files_hold_no_generator_bookkeeping():
    line = json.loads((data.DATA_DIR / "train.jsonl").read_text().splitlines()[0])
    assert "_meta" not in line and "text" not in line["phi"][0] and set(line["phi"][0]) == {"start", "end", "type", "subtype"}


def test_datasheet_counts_are_the_measured_ones(stats):
    """data/README.md quotes corpus_stats(): a regenerated corpus must come with an updated datasheet."""
    readme = (data.DATA_DIR / "README.md").read_text()
    figures = [*stats["phi"].values(), *stats["entities"].values(), stats["qa_pairs"], stats["word_types"],
               stats["mixed_language_notes"], stats["family_history_entities"], stats["distinct_icd10_codes"]]
    missing = [n for n in figures if f"{n:,}" not in readme]
    assert not missing, missing
    for key in ("specialty_tfidf_macro_f1", "negation_majority_acc", "negation_sentence_bow_acc", "negation_negex_acc"):
        assert f"{stats[key]:.3f}" in readme, key
