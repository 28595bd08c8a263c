"""The course corpus: synthetic clinical notes with gold labels, built deterministically.

    python -m utils.data            # (re)build data/*.jsonl, byte-identical every time
    python -m utils.data --stats    # print the datasheet figures

Every note is assembled from sentence templates (`utils.corpus_lexicon`) whose slots are filled
with ICD-10-CM disease names (read from the installed `simple-icd-10-cm` package) and hand-made
word lists. Because the generator places every slot itself, it knows the exact character span
of every entity, abbreviation and piece of PHI it writes. No real patient is in it.

Loaders: `load_notes(split)` -> pandas DataFrame, `load_dataset(split)` -> `datasets.Dataset`,
and flat tables of the labels: `entity_table`, `abbreviation_table`, `phi_table`, `qa_table`.
"""
from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import corpus_lexicon as lex

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SPLITS = ("train", "validation", "test")
REGISTERS = ("report", "ehr", "literature", "forum")
SPECIALTIES = lex.SPECIALTIES
ENTITY_LABELS = ("disease", "symptom", "drug", "test", "anatomy")
PHI_TYPES = ("NAME", "DATE", "MRN", "PHONE", "ADDRESS", "HOSPITAL", "AGE")
SEED = 1234
N_NOTES = 3000
REGISTER_WEIGHTS = {"report": 0.3, "ehr": 0.3, "literature": 0.2, "forum": 0.2}
SPLIT_FRACTIONS = {"train": 0.7, "validation": 0.15, "test": 0.15}

# {kind} / {kind:flag} slots and [[fixed text|label]] entities.
_SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}|\[\[([^|\]]+)\|(\w+)\]\]")
_ROLES = ("dx", "cc", "new", "order", "admit")
_QUESTIONS = {
    "dx": ["What is the diagnosis?", "What condition does the patient have?", "What was diagnosed?"],
    "cc": ["What was the presenting complaint?", "What symptom is reported?", "What symptom brought the patient in?"],
    "new": ["Which medication was started?", "What new drug was prescribed?", "What treatment was initiated?"],
    "order": ["Which test was ordered?", "What test is planned?"],
    "admit": ["When was the patient admitted?", "What is the admission date?"],
    "neg": ["Which symptom was denied?", "What symptom is absent?"],
}
_LITERATURE_QUESTIONS = {
    "dx": ["Which disease does the study address?", "What condition was studied?"],
    "cc": ["Which symptom is discussed?", "What symptom do these patients report?"],
    "new": ["Which treatment was evaluated?", "What drug was studied?"],
    "order": ["Which test was measured?", "What investigation was performed?"],
    "neg": ["Which symptom showed no association?"],
}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


# --------------------------------------------------------------------------- ICD-10-CM

@lru_cache(maxsize=None)
def _proper_words() -> frozenset[str]:
    """Words ICD-10-CM capitalises inside a description: eponyms and acronyms (Crohn's, Hodgkin)."""
    import simple_icd_10_cm as cm

    return frozenset(w for code in cm.get_all_codes(False)
                     for w in cm.get_description(code).split()[1:] if w[:1].isupper())


def _lower_first(text: str) -> str:
    """'Type 2 diabetes' -> 'type 2 diabetes', but 'Crohn's disease' and 'COPD' keep their capitals."""
    first = text.split(" ", 1)[0].strip(",")
    return text if first in _proper_words() or first[1:2].isupper() else text[:1].lower() + text[1:]


@lru_cache(maxsize=None)
def icd10_diseases(per_category: int = 40) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Per specialty, (code, names) of short ICD-10-CM leaf codes in code order.

    names[0] is the official description, the rest are its inclusion terms (real synonyms).
    At most `per_category` leaves are taken from each category, spread evenly over it.
    """
    import simple_icd_10_cm as cm

    bad = ("encounter", "sequela", "subsequent", "initial", "other specified", "unspecified site", "nos")
    ok = lambda name: len(name) <= 70 and not any(re.search(rf"\b{b}\b", name.lower()) for b in bad)
    out = {}
    for specialty, categories in lex.ICD_CATEGORIES.items():
        pairs = []
        for cat in categories:
            leaves = [c for c in cm.get_descendants(cat) if cm.is_leaf(c)] or [cat]
            leaves = [c for c in leaves if ok(cm.get_description(c))]
            step = max(1, len(leaves) / per_category)
            for code in [leaves[int(i * step)] for i in range(min(per_category, len(leaves)))]:
                names = [cm.get_description(code)] + [t for t in cm.get_inclusion_term(code) if ok(t)]
                pairs.append((_dotted(code), tuple(_lower_first(n) for n in names)))
        out[specialty] = pairs
    return out


def _dotted(code: str) -> str:
    """'I214' -> 'I21.4' (the package's add_dot scans its whole index for some codes)."""
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


def _surface(rng: random.Random, names: tuple[str, ...]) -> str:
    """The official description, or now and then one of its inclusion terms."""
    return rng.choice(names[1:]) if len(names) > 1 and rng.random() < 0.4 else names[0]


@lru_cache(maxsize=None)
def _load_icd10_frame():
    import pandas as pd
    import simple_icd_10_cm as cm

    rows = []

    def walk(code: str, chapter: str, block: str) -> None:  # top-down: ancestors come for free
        for child in cm.get_children(code):
            if cm.is_leaf(child):
                rows.append({"code": _dotted(child), "description": cm.get_description(child),
                             "chapter": chapter, "chapter_title": cm.get_description(chapter),
                             "block": block, "inclusion_terms": list(cm.get_inclusion_term(child))})
            else:
                walk(child, chapter, child if cm.is_block(child) else block)

    for chapter in cm.get_all_codes(False):
        if cm.is_chapter(chapter):
            walk(chapter, chapter, "")
    return pd.DataFrame(rows)


def load_icd10():
    """All ICD-10-CM leaf codes (about 74k) with description, chapter, block and inclusion terms.

    Read from the installed `simple-icd-10-cm` package (the public-domain US NCHS release).
    Returns a new DataFrame each call, so callers may modify it.
    """
    return _load_icd10_frame().copy()


# --------------------------------------------------------------------------- note builder

@dataclass
class _Note:
    """One note being written: text so far plus every span placed in it."""
    rng: random.Random
    specialty: str
    register: str
    code: str
    dx: str
    sex: str
    first: str
    last: str
    age: int
    text: str = ""
    entities: list = field(default_factory=list)
    abbreviations: list = field(default_factory=list)
    phi: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    used: set = field(default_factory=set)
    relative: str = "partner"
    italian: bool = False   # an Italian hospital's note: mixes in Italian and Latin fragments

    # ---- slot values
    def _pick(self, own: list, shared: list, p_own: float = 0.7) -> str:
        return self.rng.choice(own if self.rng.random() < p_own else shared)

    def _other_specialty(self) -> str:
        return self.rng.choice([s for s in SPECIALTIES if s != self.specialty])

    def _date(self, year: int | None = None) -> str:
        r = self.rng
        y, m, d = year or r.randint(2015, 2025), r.randint(1, 12), r.randint(1, 28)
        return r.choice([f"{m:02d}/{d:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{_MONTHS[m - 1]} {d}, {y}",
                         f"{d} {_MONTHS[m - 1][:3]} {y}", f"{d:02d}.{m:02d}.{y}"])

    def _phone(self) -> str:
        r = self.rng
        a, b, c = r.randint(200, 989), r.randint(200, 989), r.randint(0, 9999)
        return r.choice([f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"+39 0{a % 100} {b}{c:04d}"])

    def _disease(self, flag: str | None) -> str:
        if flag in (None, "dx"):
            return self.dx
        specialty = self.specialty if self.rng.random() < 0.5 else self._other_specialty()
        return _surface(self.rng, self.rng.choice(icd10_diseases()[specialty])[1])

    def _comorb(self) -> str:
        other = self._other_specialty()
        if self.register == "forum" or self.rng.random() < 0.25:
            return self.rng.choice(lex.LAY_DISEASES[other])
        return _surface(self.rng, self.rng.choice(icd10_diseases()[other])[1])

    def fill(self, kind: str, flag: str | None) -> tuple[str, str | None, str | None]:
        """(text, entity label or None, PHI type or None) for one slot."""
        r, s = self.rng, self.specialty
        he = self.sex == "male"
        simple = {
            "Pronoun": "He" if he else "She", "pronoun": "he" if he else "she",
            "sex": "man" if he else "woman", "sexletter": "M" if he else "F",
            "title": "Mr." if he else "Ms.",
        }
        if kind in simple:
            return simple[kind], None, None
        if kind == "disease":
            return self._disease(flag), "disease", None
        if kind == "comorb":
            return self._comorb(), "disease", None
        if kind == "symptom":
            return self._pick(lex.SYMPTOMS[s], lex.GENERAL_SYMPTOMS, 0.45), "symptom", None
        if kind == "drug":
            return self._pick(lex.DRUGS[s], lex.GENERAL_DRUGS, 0.5), "drug", None
        if kind == "test":
            return self._pick(lex.TESTS[s], lex.GENERAL_TESTS, 0.5), "test", None
        if kind == "anatomy":
            return self._pick(lex.ANATOMY[s], lex.GENERAL_ANATOMY, 0.6), "anatomy", None
        if kind == "name":
            return f"{self.first} {self.last}", None, "NAME"
        if kind == "first":
            return self.first, None, "NAME"
        if kind == "last":
            return self.last, None, "NAME"
        if kind == "relation":  # the relative named by the next {relname}
            self.relative = r.choice(list(lex.RELATIONS))
            return self.relative, None, None
        if kind == "relname":
            sex = lex.RELATIONS[self.relative] or r.choice(["male", "female"])
            return r.choice(lex.FIRST_NAMES[sex]), None, "NAME"
        if kind == "dr":
            return r.choice(lex.LAST_NAMES), None, "NAME"
        if kind == "date":
            return self._date(), None, "DATE"
        if kind == "dob":
            return self._date(2024 - self.age), None, "DATE"
        if kind == "mrn":
            return str(r.randint(10**6, 10**8 - 1)).zfill(8), None, "MRN"
        if kind == "phone":
            return self._phone(), None, "PHONE"
        if kind == "address":
            return f"{r.randint(1, 250)} {r.choice(lex.STREETS)}, {r.choice(lex.CITIES)}", None, "ADDRESS"
        if kind == "hospital":
            return r.choice(lex.HOSPITALS), None, "HOSPITAL"
        if kind == "age":
            return str(self.age), None, ("AGE" if self.age > 89 else None)
        misc = {
            "dur": lambda: r.choice(lex.DURATIONS), "dose": lambda: r.choice(lex.DOSES),
            "freq": lambda: r.choice(lex.FREQS),
            "route": lambda: r.choice([x for x in lex.ROUTES if self.italian or x not in lex.ITALIAN_MARKERS]),
            "feeling": lambda: r.choice(lex.FEELINGS),
            "bp": lambda: f"{r.randint(95, 185)}/{r.randint(55, 105)}", "hr": lambda: str(r.randint(48, 128)),
            "spo2": lambda: str(r.randint(86, 100)), "d": lambda: str(r.randint(0, 9)),
            "time": lambda: f"{r.randint(0, 23):02d}:{r.choice(['00', '15', '30', '45'])}",
            "bed": lambda: str(r.randint(1, 40)), "n": lambda: str(r.randint(24, 2400)),
            "pct": lambda: str(r.randint(8, 64)), "or": lambda: f"{r.uniform(1.1, 3.9):.1f}",
        }
        if kind in misc:
            return misc[kind](), None, None
        raise ValueError(f"template slot {{{kind}}} is not a known slot kind")

    # ---- writing
    def write(self, template: str, abbr: tuple[str, str, str | None] | None = None) -> None:
        """Append one filled template (plus a separating space unless at a line start)."""
        if self.text and not self.text.endswith("\n"):
            self.text += " "
        pos = 0
        for m in _SLOT.finditer(template):
            self.text += template[pos:m.start()]
            pos = m.end()
            kind, flag, fixed, fixed_label = m.groups()
            start = len(self.text)
            sentence_start = start == 0 or self.text.rstrip(" ")[-1:] in (".", "\n", ":", "!", "?")
            if fixed is not None:
                value, label, phi = fixed, fixed_label, None
            elif kind == "ABBR":
                abbr_text, sense, label = abbr
                value, phi = abbr_text, None
                self.abbreviations.append({"start": start, "end": start + len(value), "abbr": abbr_text, "sense": sense})
            else:
                value, label, phi = self.fill(kind, flag)
                for _ in range(5):  # a symptom both reported and denied would contradict itself
                    if label not in ("symptom", "drug", "test") or value not in self.used:
                        break
                    value, label, phi = self.fill(kind, flag)
                if label is not None:
                    self.used.add(value)
            if kind == "age" and self.text.endswith(" a ") and (value[:1] == "8" or value == "18"):
                self.text = self.text[:-1] + "n "  # "an 83-year-old"; earlier spans are unaffected
                start = len(self.text)
            if sentence_start and value[:1].islower():
                value = value[0].upper() + value[1:]
            self.text += value
            end = len(self.text)
            if label is not None:
                self.entities.append({"start": start, "end": end, "label": label, "text": value,
                                      "negated": flag == "neg", "history": flag == "hist"})
            if phi is not None:
                self.phi.append({"start": start, "end": end, "type": phi, "text": value})
            role = "neg" if flag == "neg" and kind == "symptom" else flag
            if role in _ROLES + ("neg",) and role not in self.facts:
                self.facts[role] = (start, value)
        self.text += template[pos:]

    def newline(self) -> None:
        self.text = self.text.rstrip(" ") + "\n"


# --------------------------------------------------------------------------- registers

def _abbreviation_sentence(note: _Note) -> tuple[str, tuple[str, str, str | None]]:
    """Pick an ambiguous abbreviation and sense that fit the note, and a template for it."""
    r = note.rng
    options = []
    for abbr, senses in lex.ABBREVIATIONS.items():
        for sense, (label, specialty, templates) in senses.items():
            weight = 3.0 if specialty == note.specialty else (1.0 if specialty is None else 0.35)
            options.append((weight, abbr, sense, label, templates))
    total = sum(o[0] for o in options)
    x = r.random() * total
    for weight, abbr, sense, label, templates in options:
        x -= weight
        if x <= 0:
            break
    if r.random() < 0.15:  # no local cue: only the rest of the note tells the sense
        template = r.choice(["{ABBR} noted, see above.", "Reassessed {ABBR} today.",
                             "Follow-up of {ABBR} in clinic.", "{ABBR} discussed with the family."])
    else:
        template = r.choice(templates)
    if r.random() < 0.5:
        if template[0].isupper() and template[1:2].islower():
            template = template[0].lower() + template[1:]
        template = r.choice(lex.ABBR_LEAD_INS) + template
    if r.random() < 0.5 and template.endswith("."):
        template = template[:-1] + r.choice(lex.ABBR_ENDINGS)
    return template, (abbr, sense, label)


def _sections(note: _Note, spec: dict, plan: list[tuple[str, int, int]]) -> list[str]:
    """Choose templates: plan is (section, min count, max count); no template twice in a note."""
    chosen = []
    for section, lo, hi in plan:
        k = note.rng.randint(lo, hi)
        options = [t for t in spec[section] if note.italian or not any(m in t for m in lex.ITALIAN_MARKERS)]
        chosen += note.rng.sample(options, min(k, len(options)))
    return chosen


def _write_report(note: _Note) -> None:
    r = note.rng
    note.write(r.choice(lex.REPORT["header"]))
    note.newline()
    headed = r.random() < 0.5
    parts = [("HPI", [("hpi", 1, 1), ("history", 0, 2), ("negation", 1, 2)]),
             ("Examination", [("exam", 1, 2)]),
             ("Assessment", [("workup", 1, 2)]),
             ("Plan", [("plan", 1, 1)])]
    n_abbr = r.randint(0, 2)
    for i, (heading, plan) in enumerate(parts):
        if headed:
            note.newline()
            note.write(heading + ":")
        for template in _sections(note, lex.REPORT, plan):
            note.write(template)
        if i in (1, 2) and n_abbr:
            n_abbr -= 1
            note.write(*_abbreviation_sentence(note))


def _write_ehr(note: _Note) -> None:
    r = note.rng
    note.italian = r.random() < 0.25
    note.write(r.choice(lex.EHR["header"]))
    note.newline()
    plan = [("status", 1, 1), ("hist", 0, 1), ("neg", 0, 2), ("obs", 1, 3), ("dx", 1, 1), ("plan", 1, 1)]
    templates = _sections(note, lex.EHR, plan)
    for i, template in enumerate(templates):
        note.write(template)
        if r.random() < 0.3:
            note.newline()
        if i == len(templates) - 3 and r.random() < 0.6:
            note.write(*_abbreviation_sentence(note))


def _write_literature(note: _Note) -> None:
    plan = [("background", 1, 2), ("methods", 1, 1), ("results", 1, 3), ("conclusion", 1, 1)]
    templates = _sections(note, lex.LITERATURE, plan)
    for i, template in enumerate(templates):
        note.write(template)
        if i == 1 and note.rng.random() < 0.35:
            note.write(*_abbreviation_sentence(note))


def _write_forum(note: _Note) -> None:
    r = note.rng
    plan = [("opening", 1, 1), ("story", 1, 3), ("treatment", 1, 2), ("closing", 1, 1)]
    for template in _sections(note, lex.FORUM, plan):
        note.write(template)
    if r.random() < 0.3:  # typed on a phone: all lower case (ASCII, so offsets are unchanged)
        lowered = note.text.lower()
        assert len(lowered) == len(note.text)
        note.text = lowered
        for span in note.entities + note.phi:
            span["text"] = span["text"].lower()
        note.facts = {k: (s, v.lower()) for k, (s, v) in note.facts.items()}


_WRITERS = {"report": _write_report, "ehr": _write_ehr, "literature": _write_literature, "forum": _write_forum}


# Register -> (opening, [(fact, text before it, text after it), ...]) for the short summaries.
_SUMMARY_PHRASES = {
    "literature": ("Study of ", [("new", " evaluating ", ""), ("order", ", with ", " assessed")]),
    "forum": ("A patient with ", [("cc", " describes ", ""), ("new", " and asks about ", "")]),
}


def _summary(note: _Note) -> str:
    """A short de-identified summary written from the note's gold facts."""
    f = {k: _lower_first(v) for k, (_, v) in note.facts.items()}
    dx = f.get("dx", _lower_first(note.dx))
    if note.register in _SUMMARY_PHRASES:
        opening, phrases = _SUMMARY_PHRASES[note.register]
        return opening + dx + "".join(before + f[fact] + after for fact, before, after in phrases if fact in f) + "."
    age = "An elderly" if note.age > 89 else f"A {note.age}-year-old"
    s = f"{age} {'man' if note.sex == 'male' else 'woman'} with {dx}"
    if "cc" in f:
        s += f", presenting with {f['cc']}"
    if "neg" in f:
        s += f"; denies {f['neg']}"
    s += "."
    if "new" in f:
        s += f" Started on {f['new']}"
        s += f"; {f['order']} planned." if "order" in f else "."
    return s


def _make_note(rng: random.Random, index: int) -> dict:
    specialty = rng.choice(SPECIALTIES)
    register = rng.choices(REGISTERS, weights=[REGISTER_WEIGHTS[x] for x in REGISTERS])[0]
    # A consult: now and then the main disease belongs to a neighbouring specialty.
    dx_specialty = rng.choice(lex.NEIGHBOURS[specialty]) if rng.random() < 0.3 else specialty
    code, names = rng.choice(icd10_diseases()[dx_specialty])
    desc = _surface(rng, names)
    if register == "forum" and rng.random() < 0.6:
        desc = rng.choice(lex.LAY_DISEASES[dx_specialty])
    sex = rng.choice(["male", "female"])
    age = rng.randint(90, 103) if rng.random() < 0.08 else rng.randint(18, 89)
    note = _Note(rng=rng, specialty=specialty, register=register, code=code, dx=desc, sex=sex,
                 first=rng.choice(lex.FIRST_NAMES[sex]), last=rng.choice(lex.LAST_NAMES), age=age)
    _WRITERS[register](note)
    text = note.text.strip()
    assert text == note.text.rstrip() and not note.text[:1].isspace()
    qa = []
    roles = sorted(note.facts)
    for role in sorted(rng.sample(roles, min(3, len(roles)))):
        start, value = note.facts[role]
        questions = _LITERATURE_QUESTIONS if register == "literature" else _QUESTIONS
        question = rng.choice(questions[role])
        qa.append({"question": question, "answer": value, "answer_start": start})
    return {
        "id": f"note-{index:05d}", "register": register, "specialty": specialty, "icd10": code,
        "text": text, "entities": note.entities, "abbreviations": note.abbreviations, "phi": note.phi,
        "qa": qa, "summary": _summary(note),
        "mixed_language": note.italian and any(m in text for m in lex.ITALIAN_MARKERS),
    }


def generate(n_notes: int = N_NOTES, seed: int = SEED) -> list[dict]:
    """Generate the corpus in memory: `n_notes` unique notes, each with its split."""
    if not isinstance(n_notes, int) or n_notes < 10:
        raise ValueError(f"n_notes must be an int >= 10, got {n_notes!r}")
    rng = random.Random(seed)
    notes, seen = [], set()
    while len(notes) < n_notes:
        note = _make_note(rng, len(notes))
        if note["text"] in seen:
            continue
        seen.add(note["text"])
        notes.append(note)
    # Fixed splits, stratified by specialty: shuffle each specialty's notes, cut 70/15/15.
    by_specialty: dict[str, list[dict]] = {}
    for note in notes:
        by_specialty.setdefault(note["specialty"], []).append(note)
    for group in by_specialty.values():
        rng.shuffle(group)
        n_train = round(len(group) * SPLIT_FRACTIONS["train"])
        n_val = round(len(group) * SPLIT_FRACTIONS["validation"])
        for i, note in enumerate(group):
            note["split"] = "train" if i < n_train else ("validation" if i < n_train + n_val else "test")
    return notes


def _without_span_text(note: dict) -> dict:
    """Span texts are text[start:end]: not stored, restored by the loaders."""
    strip = lambda spans: [{k: v for k, v in span.items() if k != "text"} for span in spans]
    return {**note, "entities": strip(note["entities"]), "phi": strip(note["phi"])}


def _with_span_text(note: dict) -> dict:
    text = note["text"]
    for span in note["entities"] + note["phi"]:
        span["text"] = text[span["start"]:span["end"]]
    return note


def build(out_dir: Path | str = DATA_DIR, n_notes: int = N_NOTES, seed: int = SEED) -> list[Path]:
    """Write data/{train,validation,test}.jsonl (byte-identical for the same arguments)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = generate(n_notes, seed)
    paths = []
    for split in SPLITS:
        path = out_dir / f"{split}.jsonl"
        lines = [json.dumps(_without_span_text(n), ensure_ascii=True, separators=(",", ":"))
                 for n in notes if n["split"] == split]
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- loaders

def _check_split(split: str | None) -> tuple[str, ...]:
    if split is None:
        return SPLITS
    if not isinstance(split, str):
        raise TypeError(f"split must be a str or None, got {type(split).__name__}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)} (or None for all)")
    return (split,)


def _read_split(split: str, data_dir: Path) -> list[dict]:
    path = data_dir / f"{split}.jsonl"
    if not path.exists():
        if data_dir != DATA_DIR:
            raise FileNotFoundError(f"{path} not found; build it with utils.data.build({str(data_dir)!r})")
        print(f"[utils.data] {path.name} missing: rebuilding the course corpus (a few seconds)")
        build(data_dir)
    return [_with_span_text(json.loads(line)) for line in path.read_text(encoding="ascii").splitlines() if line]


def load_notes(split: str | None = "train", data_dir: Path | str = DATA_DIR):
    """Notes of one split (or all, with split=None) as a pandas DataFrame, one row per note."""
    import pandas as pd

    rows = [row for s in _check_split(split) for row in _read_split(s, Path(data_dir))]
    return pd.DataFrame(rows)


def load_dataset(split: str | None = "train", data_dir: Path | str = DATA_DIR):
    """The same notes as a Hugging Face `datasets.Dataset` (or a `DatasetDict` for split=None)."""
    import datasets

    if split is None:
        return datasets.DatasetDict({s: load_dataset(s, data_dir) for s in SPLITS})
    return datasets.Dataset.from_list(load_notes(split, data_dir).to_dict("records"))


def _explode(notes, column: str):
    import pandas as pd

    required = {"id", "text", column}
    if not hasattr(notes, "columns") or not required <= set(notes.columns):
        raise ValueError(f"expected a DataFrame from load_notes() with columns {sorted(required)}")
    rows = []
    for note in notes.itertuples(index=False):
        for item in getattr(note, column):
            rows.append({"note_id": note.id, "register": note.register, "specialty": note.specialty, **item})
    return pd.DataFrame(rows)


def entity_table(notes):
    """One row per gold entity: note_id, register, specialty, start, end, label, text, negated, history."""
    return _explode(notes, "entities")


def phi_table(notes):
    """One row per gold PHI span: note_id, register, specialty, start, end, type, text."""
    return _explode(notes, "phi")


def qa_table(notes):
    """One row per question: note_id, register, specialty, question, answer, answer_start."""
    return _explode(notes, "qa")


def abbreviation_table(notes, window: int = 60):
    """One row per ambiguous abbreviation with its gold sense, `window` characters each side
    (`left`, `right`), its `sentence`, and `offset`, where the abbreviation starts in that sentence."""
    table = _explode(notes, "abbreviations")
    texts = dict(zip(notes["id"], notes["text"]))
    spans = [sentence_span(texts[n], s, e) for n, s, e in zip(table["note_id"], table["start"], table["end"])]
    table["left"] = [texts[n][max(0, s - window):s] for n, s in zip(table["note_id"], table["start"])]
    table["right"] = [texts[n][e:e + window] for n, e in zip(table["note_id"], table["end"])]
    table["sentence"] = [texts[n][a:b] for n, (a, b) in zip(table["note_id"], spans)]
    table["offset"] = [s - a for s, (a, _) in zip(table["start"], spans)]
    return table


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """(first, last + 1) character offsets of the sentence (or line) containing [start, end)."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence (or line) of `text` that contains the span [start, end)."""
    first, last = sentence_span(text, start, end)
    return text[first:last]


# --------------------------------------------------------------------------- datasheet figures

def corpus_stats(data_dir: Path | str = DATA_DIR) -> dict:
    """The figures the datasheet reports (and the tests hold): sizes, variety and baselines."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    train, test = load_notes("train", data_dir), load_notes("test", data_dir)
    every = load_notes(None, data_dir)
    words = every["text"].str.lower().str.findall(r"[a-z][a-z'-]*")
    stats = {
        "notes": {s: int((every["split"] == s).sum()) for s in SPLITS},
        "registers": every["register"].value_counts().sort_index().to_dict(),
        "specialties": every["specialty"].value_counts().sort_index().to_dict(),
        "duplicate_texts": int(every["text"].duplicated().sum()),
        "word_types": len({w for ws in words for w in ws}),
        "words_per_note": {r: {"median": float(np.median(words[every["register"] == r].map(len))),
                               "min": int(words[every["register"] == r].map(len).min()),
                               "max": int(words[every["register"] == r].map(len).max())} for r in REGISTERS},
        "distinct_icd10_codes": int(every["icd10"].nunique()),
        "mixed_language_notes": int(every["mixed_language"].sum()),
    }
    ents, phi = entity_table(every), phi_table(every)
    stats["entities"] = ents["label"].value_counts().sort_index().to_dict()
    stats["negated_entities"] = int(ents["negated"].sum())
    stats["history_entities"] = int(ents["history"].sum())
    stats["phi"] = phi["type"].value_counts().sort_index().to_dict()
    stats["qa_pairs"] = int(every["qa"].map(len).sum())

    # Specialty from text: TF-IDF + logistic regression, trained on train, scored on test.
    vec = TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2))
    clf = LogisticRegression(max_iter=2000, C=1.0).fit(vec.fit_transform(train["text"]), train["specialty"])
    pred = clf.predict(vec.transform(test["text"]))
    stats["specialty_tfidf_macro_f1"] = round(float(f1_score(test["specialty"], pred, average="macro")), 3)

    # Abbreviation sense: majority sense per abbreviation vs a bag of words of the +-60 characters.
    a_train, a_test = abbreviation_table(train), abbreviation_table(test)
    senses = {}
    for abbr in sorted(lex.ABBREVIATIONS):
        tr, te = a_train[a_train["abbr"] == abbr], a_test[a_test["abbr"] == abbr]
        majority = tr["sense"].value_counts().idxmax()
        cv = CountVectorizer(min_df=1)
        ctx_tr, ctx_te = tr["left"] + " " + tr["right"], te["left"] + " " + te["right"]
        model = LogisticRegression(max_iter=2000).fit(cv.fit_transform(ctx_tr), tr["sense"])
        senses[abbr] = {
            "senses": len(lex.ABBREVIATIONS[abbr]), "mentions": int(len(tr) + len(te)),
            "majority_acc": round(float((te["sense"] == majority).mean()), 3),
            "context_bow_acc": round(float(accuracy_score(te["sense"], model.predict(cv.transform(ctx_te)))), 3),
        }
    stats["abbreviations"] = senses

    # Negation: bag of words of the entity's sentence (misses which entity the cue belongs to).
    def negation_rows(notes):
        e = entity_table(notes)
        e = e[e["label"] == "symptom"]
        texts = dict(zip(notes["id"], notes["text"]))
        return [sentence_of(texts[n], s, t) for n, s, t in zip(e["note_id"], e["start"], e["end"])], e["negated"].to_numpy()
    x_tr, y_tr = negation_rows(train)
    x_te, y_te = negation_rows(test)
    cv = CountVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b")
    neg_model = LogisticRegression(max_iter=2000).fit(cv.fit_transform(x_tr), y_tr)
    stats["negation_symptoms_test"] = int(len(y_te))
    stats["negation_majority_acc"] = round(float(max(y_te.mean(), 1 - y_te.mean())), 3)
    stats["negation_sentence_bow_acc"] = round(float(accuracy_score(y_te, neg_model.predict(cv.transform(x_te)))), 3)
    return stats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(DATA_DIR), help="output folder (default: data/)")
    parser.add_argument("--stats", action="store_true", help="print the datasheet figures instead of building")
    args = parser.parse_args(argv)
    if args.stats:
        print(json.dumps(corpus_stats(args.out), indent=2))
        return
    for path in build(args.out):
        print(f"wrote {path.name}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
