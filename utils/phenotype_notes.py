"""Rare-disease case notes, generated from real OMIM disease annotations, with gold HPO mentions.

Each note is a genetics-clinic letter about one patient with one OMIM disease:

- the patient's findings are that disease's annotated phenotypes, each drawn with its annotated
  frequency (a finding seen in 3 of 4 published patients is written in about 3 notes of 4);
- each finding is written the way notes write it: the HPO name, an exact synonym, a layperson
  word, an abbreviation, or a variant no HPO label spells out (words reordered, singular/plural,
  a typing slip);
- some findings are negated ("No seizures."), some belong to a relative ("Her brother has short
  stature."), and one may be unrelated to the disease (a common finding the patient also has);
- with `imprecision` > 0, each finding is, with that probability, written as a less specific term
  (one of its `is_a` parents, as informative as the pool of common findings: IC >= 2.5), the way
  a letter says "heart murmur" for "systolic ejection murmur". Köhler et al. (Am J Hum Genet 2009)
  simulated patients the same way ("imprecision", beside "noise", our unrelated findings): exact
  matching of terms then fails where similarity through the ontology still finds the disease;
- identities (name, date of birth, MRN, clinician, hospital, date) come from the course corpus
  generator (`utils.data`), with their PHI spans.

Gold labels: every mention's span and HPO id with `negated` / `family` / `unrelated` flags and the
form it was written in; the disease and its gene(s). Splits hold disjoint diseases, so a test case
is a disease the train split never showed.

    >>> cases = generate(load())            # {"train": [...], "validation": [...], "test": [...]}
    >>> case = cases["test"][0]; case["text"], case["genes"], present_terms(case)
"""
from __future__ import annotations

import random
import re

from utils import data
from utils.phenotypes import Ontology

SEED = 22
SIZES = {"train": 300, "validation": 100, "test": 100}
FORMS = ("name", "synonym", "layperson", "abbreviation", "variant")
_FAMILY = [("mother", "female"), ("father", "male"), ("brother", "male"), ("sister", "female"),
           ("maternal aunt", "female"), ("paternal uncle", "male"), ("maternal grandfather", "male")]


def _lower(text: str) -> str:
    """Lower-case a label for running text, keeping acronyms (words with two capitals) as they are."""
    return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in text.split(" "))


def _variants(label: str, lexicon: set[str]) -> list[str]:
    """Surface forms no HPO label has: words reordered ('hypoplasia of the corpus callosum' -> 'corpus
    callosum hypoplasia'), the last word's number flipped ('seizure' <-> 'seizures'), or a typing slip
    (two neighbouring letters of the longest word swapped: 'ataxia' -> 'atxaia')."""
    words = label.split(" ")
    options = []
    m = re.match(r"^(\w+) of the (.+)$", label) or re.match(r"^(\w+) of (.+)$", label)
    if m and len(m.group(2).split()) <= 3:
        options.append(f"{m.group(2)} {m.group(1)}")
    last = words[-1]
    if last.endswith("s") and not last.endswith(("ss", "is", "us")):
        options.append(" ".join(words[:-1] + [last[:-1]]))
    elif last.isalpha() and last.islower() and not last.endswith(("y", "s", "x", "h")):
        options.append(" ".join(words[:-1] + [last + "s"]))
    longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    w = words[longest]
    if len(w) >= 6 and w.isalpha() and w.islower():
        k = len(w) // 2
        options.append(" ".join(words[:longest] + [w[:k - 1] + w[k] + w[k - 1] + w[k + 1:]] + words[longest + 1:]))
    return [o for o in dict.fromkeys(o.strip() for o in options) if o and o.lower() not in lexicon]


def surface_forms(hpo: Ontology, term: str, lexicon: set[str]) -> dict[str, list[str]]:
    """Ways to write a term, by form: its name, exact synonyms, layperson and abbreviation synonyms, variants."""
    name = _lower(hpo.names[term])
    forms = {f: [] for f in FORMS}
    forms["name"].append(name)
    for text, scope, kind in hpo.synonyms[term]:
        if kind == "layperson" and scope in ("EXACT", "RELATED"):
            forms["layperson"].append(_lower(text))
        elif kind == "abbreviation" and scope == "EXACT" and text.isupper() and len(text) >= 3:
            forms["abbreviation"].append(text)
        elif scope == "EXACT" and kind in ("", "plural_form", "uk_spelling"):
            forms["synonym"].append(_lower(text))
    forms["variant"].extend(_variants(name, lexicon))
    return {f: sorted(set(v)) for f, v in forms.items() if v}


def lexicon(hpo: Ontology) -> set[str]:
    """Every HPO name and synonym, lower-cased: what a dictionary could know."""
    return {hpo.names[t].lower() for t in hpo.terms} | {s.lower() for t in hpo.terms for s, _, _ in hpo.synonyms[t]}


def candidate_diseases(hpo: Ontology, min_terms: int = 8) -> list[str]:
    """OMIM diseases with a gene and at least `min_terms` phenotype annotations, most with a frequency."""
    out = []
    for d in hpo.rankable_diseases():
        profile = hpo.phenotype_profile(d)
        known = sum(hpo.annotations[d][t] is not None for t in profile)
        if hpo.disease_genes.get(d) and len(profile) >= min_terms and known >= len(profile) / 2:
            out.append(d)
    return out


def common_terms(hpo: Ontology, n: int = 400) -> list[str]:
    """Phenotypes that many diseases share (but not vague ones): the pool for negated, family and unrelated findings."""
    counts: dict[str, int] = {}
    for ann in hpo.annotations.values():
        for t in ann:
            counts[t] = counts.get(t, 0) + 1
    ok = [t for t in counts if hpo.is_phenotype(t) and 2.5 <= hpo.ic[t] and len(hpo.names[t]) <= 40
          and not hpo.names[t].startswith("Abnormal")]
    return sorted(ok, key=lambda t: (-counts[t], t))[:n]


class _Writer:
    """One case note: header through the corpus generator (PHI spans), findings appended with gold spans."""

    def __init__(self, rng: random.Random, split: str, disease: str, name: str):
        self.rng = rng
        sex = rng.choice(["male", "female"])
        age = rng.choice([rng.randint(1, 17), rng.randint(1, 17), rng.randint(18, 50)])
        self.note = data._Note(rng=rng, specialty="genetics", register="report", code=disease, dx=name, sex=sex,
                               age=age, pool=data._identity_pools()["test" if split == "test" else "train"])
        self.sex, self.age = sex, age
        self.mentions: list[dict] = []

    def header(self) -> None:
        n = self.note
        n.write("GENETICS CLINIC LETTER")
        n.newline()
        n.write("Patient: {name}   DOB: {dob}   MRN: {mrn}")
        n.newline()
        n.write("Seen on {date:admit} at {hospital}; referred by Dr. {dr}.")
        n.newline()
        noun = ("boy" if self.sex == "male" else "girl") if self.age < 18 else ("man" if self.sex == "male" else "woman")
        article = "An" if str(self.age)[0] == "8" or self.age in (11, 18) else "A"
        n.text += f"{article} {self.age}-year-old {noun} referred for evaluation of a suspected genetic condition."

    def sentence(self, template: str, findings: list[tuple[str, str, str]], flags: dict) -> None:
        """Append a sentence; `template` has one {} for the list of findings [(text, hpo id, form)]."""
        n = self.note
        before, after = template.split("{}")
        n.text += ("" if n.text.endswith("\n") else " ") + before
        for i, (text, term, form) in enumerate(findings):
            if i:
                n.text += " and " if i == len(findings) - 1 else ", "
            elif not before:                       # the finding opens the sentence
                text = text[:1].upper() + text[1:]
            start = len(n.text)
            n.text += text
            self.mentions.append({"start": start, "end": len(n.text), "hpo": term, "form": form,
                                  "negated": flags.get("negated", False), "family": flags.get("family", False),
                                  "unrelated": flags.get("unrelated", False)})
        n.text += after


_PRESENT = ["{Pronoun} presented with {}.", "Examination showed {}.", "Parents report {}.",
            "Other features include {}.", "{} noted since early childhood.", "There is {}.",
            "Findings: {}.", "Imaging and examination revealed {}."]
_NEGATED = ["No {}.", "{Pronoun} has no {}.", "There is no {}.", "Denies {}.", "Negative for {}.",
            "{} was ruled out.", "Without {}."]
_FAMILY_T = ["Family history: {rel} with {}.", "{Possessive} {rel} has {}.", "A {rel} was diagnosed with {}."]
_UNRELATED = ["Incidentally, {} was noted.", "{Pronoun} also has {}."]


MIN_VAGUE_IC = 2.5      # a vaguer term must still say something (as the pool of common findings)


def vaguer_terms(hpo: Ontology, term: str) -> list[str]:
    """The terms a note may write instead of `term`: its `is_a` parents that are phenotypic
    abnormalities with IC >= MIN_VAGUE_IC (sorted; empty when none is that informative)."""
    return sorted(p for p in hpo.parents[hpo.term(term)] if hpo.is_phenotype(p) and hpo.ic[p] >= MIN_VAGUE_IC)


def _case(hpo: Ontology, rng: random.Random, split: str, disease: str, index: int, lex: set[str],
          pool: list[str], form_weights: dict[str, float], imprecision: float = 0.0) -> dict:
    profile = hpo.phenotype_profile(disease)
    freq = {t: (hpo.annotations[disease][t] if hpo.annotations[disease][t] is not None else 0.5) for t in profile}
    present = [t for t in profile if rng.random() < freq[t]]
    if len(present) < 3:   # too few drawn: add the most frequent missing ones
        present += sorted((t for t in profile if t not in present), key=lambda t: (-freq[t], t))[:3 - len(present)]
    rng.shuffle(present)
    present = present[:rng.randint(4, 9)]
    annotated = {}                       # written term -> the annotated term it stands for (imprecision)
    if imprecision:                      # (no draw at all when 0: the notes stay those of earlier releases)
        for i, t in enumerate(present):
            options = vaguer_terms(hpo, t)
            if rng.random() < imprecision and options:
                vague = rng.choice(options)
                if vague not in present:     # never two findings for one term
                    present[i], annotated[vague] = vague, t
    closure = set().union(*(hpo.ancestors(t) for t in profile))
    unrelated_pool = [t for t in pool if t not in closure and not (hpo.ancestors(t) & set(profile))]

    def written(term: str) -> tuple[str, str, str]:
        forms = surface_forms(hpo, term, lex)
        kinds = sorted(forms)
        form = rng.choices(kinds, weights=[form_weights[k] for k in kinds])[0]
        return rng.choice(forms[form]), term, form

    w = _Writer(rng, split, disease, hpo.disease_names[disease])
    w.header()
    he = w.sex == "male"
    fill = lambda t, rel="": t.replace("{Pronoun}", "He" if he else "She").replace("{Possessive}", "His" if he else "Her").replace("{rel}", rel)
    i = 0
    while i < len(present):
        k = rng.choice([1, 1, 2, 3])
        w.sentence(fill(rng.choice(_PRESENT)), [written(t) for t in present[i:i + k]], {})
        i += k
    extra = rng.sample(unrelated_pool, 4)
    if rng.random() < 0.7:
        k = rng.choice([1, 1, 2])
        w.sentence(fill(rng.choice(_NEGATED)), [written(t) for t in extra[:k]], {"negated": True})
    if rng.random() < 0.5:
        rel = rng.choice(_FAMILY)[0]
        w.sentence(fill(rng.choice(_FAMILY_T), rel=rel), [written(extra[2])], {"family": True})
    if rng.random() < 0.4:
        w.sentence(fill(rng.choice(_UNRELATED)), [written(extra[3])], {"unrelated": True})
    text = w.note.text
    assert all(text[m["start"]:m["end"]] for m in w.mentions)
    return {"id": f"case-{split}-{index:04d}", "split": split, "text": text, "disease": disease,
            "disease_name": hpo.disease_names[disease], "genes": list(hpo.genes_of(disease)),
            "mentions": w.mentions, "phi": [{k: v for k, v in p.items() if k != "text"} for p in w.note.phi],
            "imprecise": annotated}


def generate(hpo: Ontology, sizes: dict[str, int] | None = None, seed: int = SEED,
             form_weights: dict[str, float] | None = None, imprecision: float = 0.0) -> dict[str, list[dict]]:
    """Case notes per split (deterministic for a seed). Diseases are split first, so splits share none.
    `imprecision`: the probability that a finding is written as a vaguer term (module docstring);
    a case's "imprecise" maps each such written term to the annotated one it replaced."""
    if isinstance(imprecision, bool) or not isinstance(imprecision, (int, float)) or not 0 <= imprecision <= 1:
        raise ValueError(f"imprecision must be a probability between 0 and 1, got {imprecision!r}")
    sizes = dict(SIZES if sizes is None else sizes)
    if set(sizes) - set(data.SPLITS) or any(not isinstance(v, int) or v < 0 for v in sizes.values()):
        raise ValueError(f"sizes maps splits {data.SPLITS} to non-negative ints, got {sizes!r}")
    weights = {"name": 0.35, "synonym": 0.2, "layperson": 0.25, "abbreviation": 0.1, "variant": 0.2}
    weights.update(form_weights or {})
    rng = random.Random(seed)
    diseases = candidate_diseases(hpo)
    rng.shuffle(diseases)
    if sum(sizes.values()) > len(diseases):
        raise ValueError(f"at most {len(diseases)} cases (one per disease), asked for {sum(sizes.values())}")
    lex, pool = lexicon(hpo), common_terms(hpo)
    out, start = {}, 0
    for split in data.SPLITS:
        chosen = diseases[start:start + sizes.get(split, 0)]
        start += len(chosen)
        out[split] = [_case(hpo, rng, split, d, i, lex, pool, weights, imprecision) for i, d in enumerate(chosen)]
    return out


def present_terms(case: dict) -> list[str]:
    """The gold phenotype set of the patient: mentions neither negated nor about a relative (sorted)."""
    return sorted({m["hpo"] for m in case["mentions"] if not m["negated"] and not m["family"]})
