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
import datetime as dt
import json
import random
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import corpus_lexicon as lex

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SPLITS = ("train", "validation", "test")
REGISTERS = ("report", "ehr", "literature", "forum")
SPECIALTIES = lex.SPECIALTIES
ENTITY_LABELS = ("disease", "symptom", "drug", "test", "anatomy")
# PHI types (HIPAA Safe Harbor identifiers that occur in text), coarse enough to learn. Each span
# also has a finer `subtype` (e.g. ID: MRN, SSN, PLAN, ACCOUNT, LICENCE, DEVICE; PHONE: phone, fax).
PHI_TYPES = ("NAME", "DATE", "AGE", "PHONE", "EMAIL", "ADDRESS", "HOSPITAL", "ID", "URL", "IP")
SEED = 1234
N_NOTES = 3000
REGISTER_WEIGHTS = {"report": 0.3, "ehr": 0.3, "literature": 0.2, "forum": 0.2}
SPLIT_FRACTIONS = {"train": 0.7, "validation": 0.15, "test": 0.15}

# {kind} / {kind:flag} slots and [[fixed text|label]] entities.
_SLOT = re.compile(r"\{(\w+)(?::(\w+))?\}|\[\[([^|\]]+)\|(\w+)\]\]")
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
    keep = first in _proper_words() or not first[1:2].isalpha() or not first[1:].islower()
    return text if keep else text[:1].lower() + text[1:]


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


# --------------------------------------------------------------------------- identities

def _test_side(value: str) -> bool:
    """Whether an identity string belongs to the TEST split's pool (a fixed hash: ~20% of strings)."""
    return zlib.crc32(value.lower().encode("utf-8")) % 5 == 0


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=None)
def _identity_pools() -> dict[str, dict[str, list[str]]]:
    """Name and city pools from Faker's en_US and it_IT data, cut into two disjoint halves.

    Every string goes to the TEST pool or to the TRAIN/VALIDATION pool by a fixed hash of its
    lower-cased text, so a name, street or city of the test split never occurs in the other splits.
    """
    from faker.providers.address.en_US import Provider as UsAddress
    from faker.providers.address.it_IT import Provider as ItAddress
    from faker.providers.person.en_US import Provider as EnPerson
    from faker.providers.person.it_IT import Provider as ItPerson

    raw = {
        "first_male_en": list(EnPerson.first_names_male), "first_female_en": list(EnPerson.first_names_female),
        "last_en": list(EnPerson.last_names),
        "first_male_it": list(ItPerson.first_names_male), "first_female_it": list(ItPerson.first_names_female),
        "last_it": list(ItPerson.last_names),
        "city_it": sorted(ItAddress.cities)[::8],
    }
    pools = {"train": {}, "test": {}}
    for key, values in raw.items():
        clean = sorted({_ascii(v) for v in values if v.replace(" ", "").replace("'", "").isalpha()})
        clean = [v for v in clean if v and len(v) > 2]
        pools["test"][key] = [v for v in clean if _test_side(v)]
        pools["train"][key] = [v for v in clean if not _test_side(v)]
    for pool in pools.values():  # frames, not identities: shared by both halves
        pool["city_prefix"], pool["city_suffix"] = sorted(UsAddress.city_prefixes), sorted(set(UsAddress.city_suffixes))
    return pools


def _admission_date(rng: random.Random) -> dt.date:
    return dt.date(rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28))


def _birth_date(rng: random.Random, admission: dt.date, age: int) -> dt.date:
    """A date of birth that makes the patient exactly `age` on `admission`."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    year = admission.year - age - (1 if (month, day) > (admission.month, admission.day) else 0)
    return dt.date(year, month, day)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years between a date of birth and a later day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --------------------------------------------------------------------------- note builder

_ROLE_KIND = {"dx": "disease", "cc": "symptom", "new": "drug", "order": "test", "admit": "date", "neg": "symptom"}


@dataclass
class _Note:
    """One note being written: text so far plus every span placed in it."""
    rng: random.Random
    specialty: str
    register: str
    code: str
    dx: str
    sex: str
    age: int
    pool: dict
    italian: bool = False   # an Italian hospital's note: whole Italian sentences and Italian identities
    text: str = ""
    entities: list = field(default_factory=list)
    abbreviations: list = field(default_factory=list)
    phi: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    used: set = field(default_factory=set)
    relative: str = "partner"
    italian_sentences: int = 0
    drug: str = "acetaminophen"   # the drug the next {dose}/{route}/{freq} belong to
    regimen: tuple = ("PO", "1 g", "every 6 hours as needed")
    first: str = ""
    last: str = ""
    admission: dt.date | None = None
    birth: dt.date | None = None
    stable: bool = True           # vital signs normal (abnormal ones never sit beside "vital signs stable")

    def __post_init__(self) -> None:
        r = self.rng
        self.locale = "it" if self.italian or r.random() < 0.2 else "en"
        self.first = self._first(self.sex)
        self.last = self._last()
        self.admission = _admission_date(r)
        self.birth = _birth_date(r, self.admission, self.age)
        self.stable = r.random() < 0.8
        if self.stable:
            self.vitals = {"bp": f"{r.randint(105, 145)}/{r.randint(60, 90)}", "hr": str(r.randint(58, 96)),
                           "spo2": str(r.randint(95, 99))}
        else:
            self.vitals = {"bp": r.choice([f"{r.randint(150, 185)}/{r.randint(90, 110)}", f"{r.randint(82, 98)}/{r.randint(45, 58)}"]),
                           "hr": str(r.randint(104, 128)), "spo2": str(r.randint(86, 92))}

    # ---- identities
    def _first(self, sex: str, locale: str | None = None) -> str:
        return self.rng.choice(self.pool[f"first_{sex}_{locale or self.locale}"])

    def _last(self, locale: str | None = None) -> str:
        r, loc = self.rng, locale or self.locale
        last = r.choice(self.pool[f"last_{loc}"])
        if loc == "en" and r.random() < 0.08:  # hyphenated surname
            last += "-" + r.choice(self.pool["last_en"])
        return last

    def _city(self) -> str:
        """An Italian town from Faker's list, or an invented US town built from the pool's names."""
        r = self.rng
        if self.locale == "it":
            return r.choice(self.pool["city_it"])
        base = r.choice(self.pool["last_en"] + self.pool["first_female_en"])
        pre, suf = r.choice(self.pool["city_prefix"]), r.choice(self.pool["city_suffix"])
        return r.choice([f"{pre} {base}", f"{base}{suf}", f"{pre} {base}{suf}"])

    def _name(self) -> str:
        r = self.rng
        style = r.random()
        if style < 0.7:
            return f"{self.first} {self.last}"
        if style < 0.85:
            return f"{self.last}, {self.first}"
        return f"{self.last.upper()} {self.first}" if self.locale == "it" else f"{self.first[0]}. {self.last}"

    def _date(self, day: dt.date, year: bool = True) -> str:
        r, y, m, d = self.rng, day.year, day.month, day.day
        if self.locale == "it":
            forms = [f"{d:02d}/{m:02d}/{y}", f"{d} {lex.MONTHS_IT[m - 1]} {y}", f"{d:02d}.{m:02d}.{y}", f"{d}/{m}/{y % 100:02d}"]
            no_year = [f"{d} {lex.MONTHS_IT[m - 1]}", f"{d:02d}/{m:02d}"]
        else:
            forms = [f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y % 100:02d}", f"{y}-{m:02d}-{d:02d}", f"{lex.MONTHS_EN[m - 1]} {d}, {y}",
                     f"{d} {lex.MONTHS_EN[m - 1][:3]} {y}", f"{lex.MONTHS_EN[m - 1][:3]}{'.' if m != 5 else ''} {d}, {y}", f"{m:02d}-{d:02d}-{y}"]
            no_year = [f"{lex.MONTHS_EN[m - 1]} {d}", f"{m}/{d}", f"{lex.MONTHS_EN[m - 1][:3]} {d}"]
        return r.choice(no_year) if not year and r.random() < 0.5 else r.choice(forms)

    def _phone(self, fax: bool = False) -> str:
        r = self.rng
        a, b, c = r.randint(201, 989), r.randint(200, 989), r.randint(0, 9999)
        if self.locale == "it":
            return r.choice([f"+39 0{a % 100:02d} {b}{c:04d}", f"0{a % 100:02d} {b} {c:04d}", f"+39 3{a % 100:02d} {b} {c:04d}"])
        forms = [f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}", f"+1 {a} {b} {c:04d}", f"+1-{a}-{b}-{c:04d}",
                 f"{a}{b}{c:04d}"]
        phone = r.choice(forms)
        if not fax and r.random() < 0.15:
            phone += r.choice([f" ext. {r.randint(100, 9999)}", f" x{r.randint(100, 999)}"])
        return phone

    def _address(self) -> str:
        r = self.rng
        if self.locale == "it":
            street = r.choice(lex.STREET_FORMS_IT).format(last=self._last("it"), first=self._first("male", "it"))
            return f"{street} {r.randint(1, 180)}, {r.randint(10, 98)}100 {self._city()}"
        street = f"{r.randint(1, 9899)} {self._last('en').split('-')[0]} {r.choice(lex.STREET_SUFFIXES)}"
        if r.random() < 0.3:
            street += f", Apt {r.randint(1, 40)}{r.choice('ABCD')}"
        return f"{street}, {self._city()}" + (f" {r.randint(10000, 99999)}" if r.random() < 0.4 else "")

    def _hospital(self) -> str:
        r = self.rng
        if self.locale == "it":
            return r.choice(lex.HOSPITAL_FORMS_IT).format(city=self._city(), last=self._last("it"), first=self._first("male", "it"))
        return r.choice(lex.HOSPITAL_FORMS_EN).format(city=self._city(), last=self._last("en").split("-")[0],
                                                      first=self._first(r.choice(["male", "female"]), "en"))

    def _email(self) -> str:
        r = self.rng
        first, last = _ascii(self.first).lower().replace(" ", ""), _ascii(self.last).lower().replace(" ", "").replace("'", "")
        user = r.choice([f"{first}.{last}", f"{first[0]}{last}{r.randint(1, 99)}", f"{last}_{first}", f"{first}{self.birth.year}"])
        return f"{user}@{r.choice(lex.EMAIL_DOMAINS)}"

    def _id(self, kind: str) -> str:
        r = self.rng
        digits = lambda n: "".join(str(r.randint(0, 9)) for _ in range(n))
        letters = lambda n: "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))
        if kind == "MRN":
            return r.choice([digits(8), f"{digits(2)}-{digits(3)}-{digits(3)}", f"{letters(1)}{digits(7)}"])
        if kind == "SSN":
            return f"{r.randint(100, 665)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}"
        if kind == "PLAN":
            return r.choice([f"{letters(3)}{digits(9)}", f"{letters(1)}{digits(8)}-{digits(2)}"])
        if kind == "ACCOUNT":
            return r.choice([digits(10), f"{digits(4)}-{digits(6)}"])
        if kind == "LICENCE":
            return r.choice([f"{letters(2)}{digits(7)}", f"{letters(2)}-{digits(6)}"])
        return f"{letters(2)}{digits(4)}-{digits(3)}{letters(1)}"   # DEVICE serial

    def _url(self) -> str:
        r = self.rng
        slug = _ascii(self._last("en" if self.locale == "en" else "it")).lower().replace(" ", "").replace("'", "").replace("-", "")
        return r.choice([f"https://www.{slug}health.org/portal/{r.randint(1000, 99999)}", f"www.{slug}-clinic.com",
                         f"http://{slug}{r.randint(1, 99)}.blogspot.com", f"https://mychart.{slug}.org/patient?id={r.randint(10**5, 10**7)}"])

    def _ip(self) -> str:
        r = self.rng
        return r.choice([f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                         f"192.168.{r.randint(0, 255)}.{r.randint(1, 254)}",
                         f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"])

    # ---- slot values
    def _pick(self, own: list, shared: list, p_own: float = 0.7) -> str:
        return self.rng.choice(own if self.rng.random() < p_own else shared)

    def _other_specialty(self) -> str:
        return self.rng.choice([s for s in SPECIALTIES if s != self.specialty])

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

    def _drug(self, flag: str | None) -> str:
        """The new drug treats the diagnosis; other drugs come from the specialty (home medicines)."""
        fitting = [d for d, (_, ind) in lex.DRUG_INFO.items() if lex._matches(self.code, ind)]
        if fitting and (flag == "new" or (self.register == "literature" and self.rng.random() < 0.7)):
            return self.rng.choice(fitting)
        return self._pick(lex.DRUGS[self.specialty], lex.GENERAL_DRUGS, 0.7)

    def _test(self, flag: str | None) -> str:
        """Tests in the workup and orders measure something the diagnosis changes."""
        fitting = [t for t, (_, ind) in lex.TEST_INFO.items() if lex._matches(self.code, ind)]
        if fitting and (flag == "order" or self.rng.random() < 0.9):
            return self.rng.choice(fitting)
        return self._pick(lex.TESTS[self.specialty], lex.GENERAL_TESTS, 0.5)

    def fill(self, kind: str, flag: str | None) -> tuple[str, str | None, str | None, str | None]:
        """(text, entity label or None, PHI type or None, PHI subtype or None) for one slot."""
        r, s = self.rng, self.specialty
        he = self.sex == "male"
        simple = {
            "Pronoun": "He" if he else "She", "pronoun": "he" if he else "she",
            "sex": "man" if he else "woman", "sexletter": "M" if he else "F",
            "title": r.choice(lex.TITLES[self.sex][:2] if self.locale == "en" else lex.TITLES[self.sex][2:] + lex.TITLES[self.sex][:1]),
        }
        if kind in simple:
            return simple[kind], None, None, None
        if kind == "disease":
            return self._disease(flag), "disease", None, None
        if kind == "comorb":
            return self._comorb(), "disease", None, None
        if kind == "symptom":
            return self._pick(lex.SYMPTOMS[s], lex.GENERAL_SYMPTOMS, 0.45), "symptom", None, None
        if kind == "drug":
            self.drug = self._drug(flag)
            self.regimen = r.choice(lex.DRUG_INFO[self.drug][0]) if self.drug in lex.DRUG_INFO else ("PO", "", "daily")
            return self.drug, "drug", None, None
        if kind == "test":
            return self._test(flag), "test", None, None
        if kind == "anatomy":
            return self._pick(lex.ANATOMY[s], lex.GENERAL_ANATOMY, 0.6), "anatomy", None, None
        if kind == "name":
            return self._name(), None, "NAME", "patient"
        if kind == "first":
            return self.first, None, "NAME", "patient"
        if kind == "last":
            return self.last, None, "NAME", "patient"
        if kind == "relation":  # the relative named by the next {relname}
            self.relative = r.choice(list(lex.RELATIONS))
            return self.relative, None, None, None
        if kind == "relname":
            sex = lex.RELATIONS[self.relative] or r.choice(["male", "female"])
            return self._first(sex), None, "NAME", "relative"
        if kind == "dr":
            last = self._last(r.choice(["en", "it"]) if r.random() < 0.3 else None)
            return (last if r.random() < 0.8 else f"{self._first(r.choice(['male', 'female']))} {last}"), None, "NAME", "clinician"
        if kind == "date":
            if flag == "admit":
                return self._date(self.admission), None, "DATE", "admission"
            return self._date(self.admission + dt.timedelta(days=r.randint(-90, 120)), year=False), None, "DATE", "other"
        if kind == "dob":
            return self._date(self.birth), None, "DATE", "birth"
        ids = {"mrn": "MRN", "ssn": "SSN", "plan": "PLAN", "account": "ACCOUNT", "licence": "LICENCE", "device": "DEVICE"}
        if kind in ids:
            return self._id(ids[kind]), None, "ID", ids[kind]
        if kind in ("phone", "fax"):
            return self._phone(fax=kind == "fax"), None, "PHONE", kind
        if kind == "email":
            return self._email(), None, "EMAIL", "email"
        if kind == "url":
            return self._url(), None, "URL", "url"
        if kind == "ip":
            return self._ip(), None, "IP", "ip"
        if kind == "address":
            return self._address(), None, "ADDRESS", "address"
        if kind == "hospital":
            return self._hospital(), None, "HOSPITAL", "hospital"
        if kind == "age":
            return str(self.age), None, ("AGE" if self.age > 89 else None), ("age" if self.age > 89 else None)
        route, dose, freq = self.regimen
        misc = {
            "dur": lambda: r.choice(lex.DURATIONS), "dose": lambda: dose,
            "freq": lambda: r.choice(lex.FREQ_FORMS.get(freq, [freq])),
            "route": lambda: "per os" if self.italian and route == "PO" else route,
            "feeling": lambda: r.choice(lex.FEELINGS),
            "bp": lambda: self.vitals["bp"], "hr": lambda: self.vitals["hr"], "spo2": lambda: self.vitals["spo2"],
            "d": lambda: str(r.randint(0, 4) if self.stable else r.randint(0, 9)),
            "time": lambda: f"{r.randint(0, 23):02d}:{r.choice(['00', '15', '30', '45'])}",
            "bed": lambda: str(r.randint(1, 40)), "n": lambda: str(r.randint(24, 2400)),
            "pct": lambda: str(r.randint(8, 64)), "or": lambda: f"{r.uniform(1.1, 3.9):.1f}",
        }
        if kind in misc:
            return misc[kind](), None, None, None
        raise ValueError(f"template slot {{{kind}}} is not a known slot kind")

    # ---- writing
    def write(self, template: str, abbr: tuple[str, str, str | None] | None = None) -> None:
        """Append one filled template (plus a separating space unless at a line start)."""
        if self.text and not self.text.endswith("\n"):
            self.text += " "
        if template.startswith(lex.ITALIAN_SENTENCE_STARTS):
            self.italian_sentences += 1
        pos = 0
        for m in _SLOT.finditer(template):
            self.text += self._trim(template[pos:m.start()])
            pos = m.end()
            kind, flag, fixed, fixed_label = m.groups()
            start = len(self.text)
            sentence_start = start == 0 or self.text.rstrip(" ")[-1:] in (".", "\n", ":", "!", "?")
            subtype = None
            if fixed is not None:
                value, label, phi = fixed, fixed_label, None
            elif kind == "ABBR":
                abbr_text, sense, label = abbr
                value, phi = abbr_text, None
                if "Family history" in template:
                    flag = "fam"
                self.abbreviations.append({"start": start, "end": start + len(value), "abbr": abbr_text, "sense": sense})
            else:
                value, label, phi, subtype = self.fill(kind, flag)
                for _ in range(5):  # a symptom both reported and denied would contradict itself
                    if label not in ("symptom", "drug", "test") or value not in self.used:
                        break
                    value, label, phi, subtype = self.fill(kind, flag)
                if label is not None:
                    self.used.add(value)
            if kind == "age" and self.text.endswith(" a ") and (value[:1] == "8" or value == "18"):
                self.text = self.text[:-1] + "n "  # "an 83-year-old"; earlier spans are unaffected
                start = len(self.text)
            if sentence_start and value[:1].islower() and phi is None and not any(c.isupper() for c in value):
                value = value[0].upper() + value[1:]
            self.text += value
            end = len(self.text)
            if label is not None:
                self.entities.append({"start": start, "end": end, "label": label, "text": value,
                                      "negated": flag == "neg", "history": flag == "hist", "family": flag == "fam"})
            if phi is not None:
                self.phi.append({"start": start, "end": end, "type": phi, "subtype": subtype, "text": value})
            # A fact needs the right kind: a denied comorbidity is not a "denied symptom".
            if flag in _ROLE_KIND and _ROLE_KIND[flag] == kind and flag not in self.facts:
                self.facts[flag] = (start, value)
        self.text += self._trim(template[pos:])

    def _trim(self, literal: str) -> str:
        """Template text after a slot, without a second period ("10 mg b.i.d." + ".")."""
        return literal[1:] if literal.startswith(".") and self.text.endswith(".") else literal

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
        options = [t for t in spec[section] if (note.italian or not any(m in t for m in lex.ITALIAN_MARKERS))
                   and (note.stable or "stable" not in t)]
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
    note.write(r.choice([h for h in lex.EHR["header"] if note.italian or not h.startswith(lex.ITALIAN_SENTENCE_STARTS)]))
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
        parts = [before + f[fact] + after for fact, before, after in phrases if fact in f]
        if note.register == "forum" and "cc" not in f and parts:
            parts[0] = " asks about " + f["new"]
        return opening + dx + "".join(parts) + "."
    age = "An elderly" if note.age > 89 else f"{'An' if str(note.age)[0] == '8' or note.age in (11, 18) else 'A'} {note.age}-year-old"
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


def _make_note(rng: random.Random, index: int, split: str) -> dict:
    specialty = rng.choice(SPECIALTIES)
    register = rng.choices(REGISTERS, weights=[REGISTER_WEIGHTS[x] for x in REGISTERS])[0]
    # A consult: now and then the main disease belongs to a neighbouring specialty.
    dx_specialty = rng.choice(lex.NEIGHBOURS[specialty]) if rng.random() < 0.3 else specialty
    code, names = rng.choice(icd10_diseases()[dx_specialty])
    desc = _surface(rng, names)
    if register == "forum" and rng.random() < 0.6:  # a lay name, and a code that it names
        desc, prefix = rng.choice(sorted(lex.LAY_DISEASE_CODES[dx_specialty].items()))
        code = rng.choice([c for c, _ in icd10_diseases()[dx_specialty] if c.startswith(prefix)])
    sex = rng.choice(["male", "female"])
    age = rng.randint(90, 103) if rng.random() < 0.08 else rng.randint(18, 89)
    italian = register == "ehr" and rng.random() < 0.25
    note = _Note(rng=rng, specialty=specialty, register=register, code=code, dx=desc, sex=sex, age=age,
                 pool=_identity_pools()["test" if split == "test" else "train"], italian=italian)
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
        "mixed_language": note.italian_sentences > 0, "split": split,
        "_meta": {"age": note.age, "birth_date": note.birth.isoformat(), "admission_date": note.admission.isoformat(),
                  "stable_vitals": note.stable},
    }


def generate(n_notes: int = N_NOTES, seed: int = SEED) -> list[dict]:
    """Generate the corpus in memory: `n_notes` unique notes, each with its split."""
    if not isinstance(n_notes, int) or n_notes < 10:
        raise ValueError(f"n_notes must be an int >= 10, got {n_notes!r}")
    rng = random.Random(seed)
    # Fixed splits decided before writing, so that each note draws identities from its split's pool.
    n_val = n_test = round(n_notes * SPLIT_FRACTIONS["test"])
    splits = ["train"] * (n_notes - n_val - n_test) + ["validation"] * n_val + ["test"] * n_test
    rng.shuffle(splits)
    notes, seen = [], set()
    while len(notes) < n_notes:
        note = _make_note(rng, len(notes), splits[len(notes)])
        if note["text"] in seen:
            continue
        seen.add(note["text"])
        notes.append(note)
    return notes


def _without_span_text(note: dict) -> dict:
    """Span texts are text[start:end]: not stored, restored by the loaders."""
    strip = lambda spans: [{k: v for k, v in span.items() if k != "text"} for span in spans]
    out = {k: v for k, v in note.items() if k != "_meta"}   # generator bookkeeping, kept for the tests
    return {**out, "entities": strip(note["entities"]), "phi": strip(note["phi"])}


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
    if len(table) == 0:
        raise ValueError("abbreviation_table: the notes contain no ambiguous abbreviations "
                         "(pass a DataFrame from load_notes() with at least one abbreviation)")
    texts = dict(zip(notes["id"], notes["text"]))
    spans = [sentence_span(texts[n], s, e) for n, s, e in zip(table["note_id"], table["start"], table["end"])]
    table["left"] = [texts[n][max(0, s - window):s] for n, s in zip(table["note_id"], table["start"])]
    table["right"] = [texts[n][e:e + window] for n, e in zip(table["note_id"], table["end"])]
    table["sentence"] = [texts[n][a:b] for n, (a, b) in zip(table["note_id"], spans)]
    table["offset"] = [s - a for s, (a, _) in zip(table["start"], spans)]
    return table


# Tokens ending in a period that do not end a sentence: titles, Latin dosing, Italian "Paz.", "St.".
NON_FINAL_ABBREVIATIONS = frozenset({
    "dr.", "mr.", "ms.", "mrs.", "prof.", "st.", "sig.", "sig.ra", "dott.", "paz.", "no.", "vs.", "e.g.", "i.e.",
    "approx.", "q.d.", "b.i.d.", "t.i.d.", "q.i.d.", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.",
    "sept.", "oct.", "nov.", "dec.", "apt.", "ext.",
})
_BOUNDARY = re.compile(r"[.!?](?=\s)|\n")


def _is_boundary(text: str, i: int) -> bool:
    """Whether the character at i ends a sentence (a newline, or . ! ? not ending a known abbreviation
    or an initial such as the "J." of "J. Smith")."""
    if text[i] != ".":
        return True
    token = text[text.rfind(" ", 0, i) + 1:i + 1].lstrip("(").lower()
    token = token[token.rfind("\n") + 1:]
    return token not in NON_FINAL_ABBREVIATIONS and not (len(token) == 2 and token[0].isalpha())


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """(first, last + 1) character offsets of the sentence (or line) containing [start, end).

    Sentences end at a newline or at . ! ? followed by white space, except after the titles and
    abbreviations in `NON_FINAL_ABBREVIATIONS` ("Dr. Rossi", "St. Mary's", "10 mg b.i.d. with food").
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span [{start}, {end}) is outside a text of length {len(text)}")
    left = 0
    for m in _BOUNDARY.finditer(text, 0, start):
        if _is_boundary(text, m.start()):
            left = m.start() + 1
    right = len(text)
    for m in _BOUNDARY.finditer(text, end):
        if _is_boundary(text, m.start()):
            right = m.start() + (text[m.start()] != "\n")
            break
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
    """The corpus figures the datasheet reports (and the tests hold): sizes and variety. The
    baselines' figures come from `utils.baselines.baseline_stats` (which imports this module, so
    this one does not import it); `utils.baselines.datasheet_stats` gives both."""
    import numpy as np

    from .embeddings import words as word_tokens

    every = load_notes(None, data_dir)
    words = every["text"].map(word_tokens)
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
    stats["family_history_entities"] = int(ents["family"].sum())
    stats["phi"] = phi["type"].value_counts().sort_index().to_dict()
    stats["phi_subtypes"] = {f"{t}/{s}": int(n) for (t, s), n in phi.groupby(["type", "subtype"]).size().sort_index().items()}
    stats["qa_pairs"] = int(every["qa"].map(len).sum())

    return stats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(DATA_DIR), help="output folder (default: data/)")
    parser.add_argument("--stats", action="store_true", help="print the corpus figures instead of building "
                        "(`python -m utils.baselines` prints every datasheet figure, baselines included)")
    args = parser.parse_args(argv)
    if args.stats:
        print(json.dumps(corpus_stats(args.out), indent=2))
        return
    for path in build(args.out):
        print(f"wrote {path.name}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
