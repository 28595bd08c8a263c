"""Rule-based de-identification: find protected health information (PHI) and mask it.

Rules are regular expressions with context (a title before a name, "MRN" before a number), the
way early de-identification systems worked. They know nothing of the corpus's name lists: a
name is found from how it is written, and then every other mention of it in the same note is
masked too. `evaluate` scores the rules against the corpus's gold PHI spans.

    >>> redact("Seen by Dr. Rossi on 03/14/2024, MRN 00482910.")
    'Seen by Dr. [NAME] on [DATE], MRN [MRN].'
"""
from __future__ import annotations

import re

PHI_TYPES = ("NAME", "DATE", "MRN", "PHONE", "ADDRESS", "HOSPITAL", "AGE")

_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_TITLE = r"(?:Dr|Mr|Mrs|Ms|Prof)\."

# (type, pattern); the PHI is group "phi" when the pattern has one, else the whole match.
_RULES: list[tuple[str, re.Pattern]] = [
    ("DATE", re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\.\d{1,2}\.\d{4}\b"
                        rf"|\b{_MONTH} \d{{1,2}}, \d{{4}}\b|\b\d{{1,2}} {_MONTH} \d{{4}}\b", re.I)),
    ("PHONE", re.compile(r"\(\d{3}\) ?\d{3}-\d{4}\b|\b\d{3}-\d{3}-\d{4}\b|\+\d{1,3} \d{2,4} \d{6,8}\b")),
    ("MRN", re.compile(r"\bMRN:?\s*(?P<phi>\d{5,10})\b", re.I)),
    ("ADDRESS", re.compile(rf"\b\d{{1,4}} (?:(?:Via|Corso|Viale|Piazza) {_NAME}|{_NAME} (?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Drive|Lane|Boulevard))"
                           rf"(?:, {_NAME})?", re.I)),
    ("HOSPITAL", re.compile(rf"\b(?:(?:St\. )?{_NAME}(?:'s)?(?: {_NAME})* (?:Hospital|Medical Center|Clinic|General)"
                            rf"|(?:Ospedale|Policlinico|Clinica) {_NAME}(?: {_NAME})*)\b")),
    ("AGE", re.compile(r"\b(?P<phi>9\d|1[01]\d)(?=-year-old|\s?yo\b|[MF]\b)|\((?P<phi2>9\d|1[01]\d)\)"
                       r"|, (?P<phi3>9\d|1[01]\d), ", re.I)),
    # Names, from how they are introduced.
    ("NAME", re.compile(rf"\b{_TITLE} (?P<phi>{_NAME})|\bdr\. (?P<phi2>[a-z]+)")),
    ("NAME", re.compile(rf"(?:\b(?:Patient|Pt|pt|Name|Re)\b:? +)(?P<phi>{_NAME} {_NAME})")),
    ("NAME", re.compile(rf"(?:^|\n|[.:] )(?P<phi>{_NAME} {_NAME}) is an? \d")),
    ("NAME", re.compile(rf"\b(?:[Ww]ife|[Hh]usband|[Dd]aughter|[Ss]on|[Ss]ister|[Bb]rother|[Pp]artner|[Mm]other|[Ff]ather),? (?P<phi>{_NAME})\b")),
    ("NAME", re.compile(r"\b(?:I'm|I am|my name is) (?P<phi>[A-Za-z][a-z]+)(?= and\b)|Thanks for reading, (?P<phi2>[A-Za-z][a-z]+)", re.I)),
]
# Words that the name rules may catch but that are never names here.
_NOT_NAMES = {"patient", "the", "and", "a", "an", "with", "was", "is", "has", "notified"}


def find_phi(text: str) -> list[dict]:
    """PHI spans found in `text`: dicts with start, end, type, text; sorted, non-overlapping."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    found = []
    for phi_type, pattern in _RULES:
        for m in pattern.finditer(text):
            group = next((g for g in ("phi", "phi2", "phi3") if g in pattern.groupindex and m.group(g)), None)
            start, end = m.span(group) if group else m.span()
            found.append((start, end, phi_type))
    # A name found once is masked wherever it appears in the note (first and last names alike).
    names = {w for s, e, t in found if t == "NAME" for w in text[s:e].split()}
    for name in names - {w.title() for w in _NOT_NAMES} - _NOT_NAMES:
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            found.append((m.start(), m.end(), "NAME"))
    # Keep the earliest, longest span where spans overlap.
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    spans, last_end = [], -1
    for start, end, phi_type in found:
        if start >= last_end and text[start:end].lower() not in _NOT_NAMES:
            spans.append({"start": start, "end": end, "type": phi_type, "text": text[start:end]})
            last_end = end
    return spans


def redact(text: str, spans: list[dict] | None = None) -> str:
    """Replace each PHI span with its type in brackets, e.g. '[NAME]'."""
    spans = find_phi(text) if spans is None else spans
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        out += [text[pos:span["start"]], f"[{span['type']}]"]
        pos = span["end"]
    return "".join(out + [text[pos:]])


def evaluate(notes) -> "pandas.DataFrame":
    """Precision and recall of `find_phi` against gold PHI, per type and overall.

    `notes` is a DataFrame from `utils.data.load_notes` (columns `text` and `phi`). A gold span
    is recalled when predicted spans cover every one of its characters; a predicted span is
    correct when it overlaps a gold span. Precision is per predicted span and is reported
    under the predicted type; recall under the gold type.
    """
    import pandas as pd

    if not hasattr(notes, "columns") or not {"text", "phi"} <= set(notes.columns):
        raise ValueError("evaluate() needs a DataFrame from utils.data.load_notes() with columns 'text' and 'phi'")
    counts = {t: {"gold": 0, "recalled": 0, "predicted": 0, "correct": 0} for t in PHI_TYPES}
    for text, gold in zip(notes["text"], notes["phi"]):
        pred = find_phi(text)
        covered = set()
        for p in pred:
            covered.update(range(p["start"], p["end"]))
        gold_chars = set()
        for g in gold:
            counts[g["type"]]["gold"] += 1
            counts[g["type"]]["recalled"] += all(i in covered for i in range(g["start"], g["end"]))
            gold_chars.update(range(g["start"], g["end"]))
        for p in pred:
            counts[p["type"]]["predicted"] += 1
            counts[p["type"]]["correct"] += any(i in gold_chars for i in range(p["start"], p["end"]))
    rows = [{"type": t, **c} for t, c in counts.items()]
    rows.append({"type": "ALL", **{k: sum(c[k] for c in counts.values()) for k in counts["NAME"]}})
    table = pd.DataFrame(rows).set_index("type")
    table["recall"] = (table["recalled"] / table["gold"]).round(3)
    table["precision"] = (table["correct"] / table["predicted"]).round(3)
    return table
