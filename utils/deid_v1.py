"""The rule-based de-identifier as it was before issue 20 (course version 1), kept unchanged.

It is the baseline that `utils.deid`'s current default is compared with: notebook 09 measures how
many PHI characters each would let through to an external API (`deid.leaked_characters`).
Do not edit or tune it; improve `utils.deid` instead.

    >>> find_phi("Seen by Dr. Rossi.")[0]["text"]
    'Rossi'
"""
from __future__ import annotations

import re

# --- building blocks ------------------------------------------------------------------------
_UP = r"[A-ZÀ-ÖØ-ÞĀ-Ž]"                       # an upper-case letter, accented ones included
_LOW = r"[a-zß-öø-ÿā-ž]"                      # a lower-case letter
_CAP = rf"{_UP}{_LOW}+(?:[-'’]{_UP}?{_LOW}+)*"   # Rossi, O'Malley, Delacroix-Hale, Wiśniewski
_CAP_OR_MC = rf"(?:Mc|Mac|De|Di|Da|La|Le|Van|Von)?{_CAP}"
_NAME = rf"{_CAP_OR_MC}(?:\s(?:{_UP}\.\s)?{_CAP_OR_MC}){{0,2}}"  # one to three name words
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_MESE = r"(?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_OLD = r"(?:9\d|1[01]\d)"                     # ages over 89 (Safe Harbor); younger ages are not PHI
_TITLE = (r"(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Fr|Sr|Sig|Sig\.ra|Sig\.na|Dott|Dott\.ssa|Dr\.ssa|Prof\.ssa)\.?"
          r"|(?:Doctor|Nurse|Chaplain|Father|Sister)")
_RELATION = (r"(?:wife|husband|son|daughter|sister|brother|partner|mother|father|mom|mum|dad|grandson|"
             r"granddaughter|grandpa|grandma|niece|nephew|neighbou?r|friend|proxy|fianc[ée]e?|"
             r"moglie|marito|figlio|figlia|fratello|sorella|nipote)")
_CREDENTIAL = r"(?:MD|DO|RN|LPN|NP|PA-C|PA|PhD|MBBS|CNA|APRN|PharmD)\b"

# Words that a name rule may catch after a cue but that are never names.
_NOT_NAMES = {
    "patient", "the", "and", "a", "an", "with", "was", "is", "has", "had", "have", "notified", "at", "on",
    "in", "to", "for", "of", "who", "he", "she", "they", "it", "this", "that", "but", "so", "just", "also",
    "still", "says", "said", "thinks", "called", "came", "went", "got", "gets", "will", "would", "can",
    "could", "did", "does", "do", "not", "never", "always", "keeps", "wants", "took", "takes", "started",
    "been", "being", "be", "are", "were", "my", "our", "your", "his", "her", "their", "when", "after",
    "before", "since", "because", "if", "or", "as", "all", "very", "really", "too", "i", "we", "you",
    "me", "him", "them", "us", "here", "there", "today", "yesterday", "tomorrow", "now", "then",
    "turned", "passed", "died", "visits", "visited", "lives", "live", "is", "unit", "team", "bedside",
    "md", "rn", "pa", "np", "updated", "present", "informed", "aware", "agrees", "at", "by", "re",
}

# --- the rules: (name, type, pattern); the PHI is group "phi" when the pattern has one ----------
_RULES: list[tuple[str, str, re.Pattern]] = [
    # E-mail addresses: local@domain.tld.
    ("email", "EMAIL", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")),
    # Web addresses: with a scheme, with www., or a bare domain with a common top-level domain.
    ("url", "URL", re.compile(r"\bhttps?://[^\s<>\"')]+[^\s<>\"').,;]|\bwww\.[^\s<>\"')]+[^\s<>\"').,;]"
                              r"|\b[a-z0-9-]+\.(?:com|org|net|edu|gov|it|co\.uk|io|info)(?:/[^\s<>\"')]*)?\b")),
    # IPv4 addresses: four numbers 0-255 joined by dots.
    ("ipv4", "IP", re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
    # US Social Security numbers: 3-2-4 digits.
    ("ssn", "ID", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    # Dates, numeric with the year: 3/14/22, 03/19/2022, 15.01.2023, 2023-04-17, 2021/08/09, 04/2011.
    ("date_numeric", "DATE", re.compile(r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"
                                        r"|(?:0?[1-9]|1[0-2])/(?:19|20)\d{2})\b(?![/.]\d)")),
    # Dates, numeric without a year (US m/d or European d/m), only after a word that introduces a date:
    # "on 10/12", "Sunday 5/7", "on 27/01".
    ("date_numeric_no_year", "DATE", re.compile(
        rf"(?:\b(?:on|since|from|until|dated?|il|del|dal)\s+(?:{_WEEKDAY},?\s+)?|\b{_WEEKDAY},?\s+)"
        r"(?P<phi>(?:[12]\d|3[01]|0?[1-9])/(?:[12]\d|3[01]|0?[1-9]))\b(?!/)", re.I)),
    # Dates with a spelled month: March 3, 2021 / Jan 9, 2023 / 12 February 2024 / 4th of October /
    # September 14th, 2019 / Nov 30 2020 / 09-Aug-2021 / March 1998 / feb 3rd.
    ("date_spelled", "DATE", re.compile(
        rf"\b(?:{_DAY}(?:\s+of)?[\s-]+{_MONTH}(?:,?[\s-]+(?:\d{{4}}|\d{{2}}))?"
        rf"|(?!May\b){_MONTH}\s+{_DAY}\b(?:,?\s+\d{{4}})?|May\.?\s+{_DAY}\b(?:,?\s+\d{{4}})?"
        rf"|(?!May\b){_MONTH}\s+(?:19|20)\d{{2}})\b", re.I)),
    # A month alone, capitalised, after "in/since/until": "turned 93 in May" (a date element).
    ("date_month_only", "DATE", re.compile(
        r"\b(?:in|since|until|during|early|late|mid)\s+(?P<phi>(?:January|February|March|April|May|June|July|"
        r"August|September|October|November|December))\b(?!\s+\d)")),
    # Italian dates with a spelled month: 3 marzo 2022, 20 aprile.
    ("date_italian", "DATE", re.compile(rf"\b{_DAY}\s+{_MESE}(?:\s+\d{{4}})?\b", re.I)),
    # Phones, US and Italian: (612) 555-0143, 617.555.0198, 555-867-5309 ext. 214, 1-800-555-0199,
    # +1 (414) 555-0172, (805) 555 0134, 347 123 4567; an extension belongs to the number.
    ("phone_us", "PHONE", re.compile(
        r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b"
        r"(?:\s*(?:,\s*)?(?:ext\.?|x|extension|int\.?)\s*\d{1,5}\b)?", re.I)),
    # Phones written as ten bare digits: with an extension, or after a word that introduces a phone.
    ("phone_ten_digits", "PHONE", re.compile(
        r"\b\d{10}\s*(?:ext\.?|x|extension)\s*\d{1,5}\b"
        r"|\b(?:tel|phone|call(?: back)?|contact|cell|mobile|fax|cellulare|telefono)\b[:,.]?\s*(?P<phi>\d{10})\b", re.I)),
    # Phones, international: +44 20 7946 0958, +39 02 5503 2211 (a plus, then 8+ digits in groups).
    ("phone_international", "PHONE", re.compile(r"\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}\b")),
    # Short internal numbers after a cue: "pager x4471", "ext 204".
    ("phone_extension", "PHONE", re.compile(r"\b(?:pager|beeper|ext\.?|extension)\s*:?\s*(?P<phi>x?\d{3,5})\b", re.I)),
    # Identifiers after a cue word: MRN, account, member/group/policy ID, licence, DEA, NPI, serial,
    # device, accession, authorization, plate, beneficiary, Italian codice fiscale / tessera sanitaria.
    ("id_after_cue", "ID", re.compile(
        r"\b(?:MRN|medical record(?: number| no\.?)?|record (?:number|no\.?)|account(?: number| no\.?| #)?|acct\.?"
        r"|member ID|ID|group|policy(?: number| no\.?)?|authori[sz]ation(?: number| no\.?)?|licen[sc]e(?: number| no\.?)?"
        r"|DEA(?: number)?|NPI|serial(?: number| no\.?)?|SN|S/N|device ID|accession(?: number| no\.?)?"
        r"|plate|identifier|codice fiscale|tessera sanitaria(?: n\.)?|cartella(?: clinica)?(?: n\.)?"
        r"|beneficiary identifier|case(?: number| no\.?))"
        r"\s*(?:is\s+|number\s+|no\.?\s*|n\.\s*|#\s*|:\s*)?"
        r"(?P<phi>(?=[A-Z0-9-]*\d)[A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){3,}(?:\s\d{4,})?)\b", re.I)),
    # Alphanumeric codes with a long digit run and capitals, cue or not: S21-044871, PA-2023-118842.
    ("id_code", "ID", re.compile(r"\b(?=[A-Z0-9-]*\d{4})(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+)+\b")),
    # Any run of seven or more digits is an identifier here (record, NPI, card numbers).
    ("id_long_number", "ID", re.compile(r"\b\d{7,}\b")),
    # Ages over 89: 91-year-old, 97-yr-old, 94 y/o, 92 yo F, 90 yrs old, 92F, Italian 92 anni, aged 93.
    ("age_years_old", "AGE", re.compile(
        rf"\b(?P<phi>{_OLD})(?=\s*-?\s*(?:years?|yrs?|y)[\s-]*old\b|\s*(?:y/o|yo|y\.o\.|yrs?)\b|[MF]\b|\s+anni\b)", re.I)),
    ("age_after_cue", "AGE", re.compile(
        rf"\b(?:aged?|turned|age:|et[àa]:?|di)\s+(?P<phi>{_OLD})\b(?!\s*(?:mg|%|kg|mmHg|bpm|/|\.\d))", re.I)),
    ("age_is", "AGE", re.compile(rf"\b(?:is|was|now)\s+(?P<phi>{_OLD})(?=\s+(?:and|but|now|this|today)\b)")),
    ("age_in_parentheses", "AGE", re.compile(rf"\((?P<phi>{_OLD})\)|, (?P<phi2>{_OLD}), ")),
    # Addresses: a number and a street (Street, Ave, Rd ...), then optional apartment, city, state, ZIP
    # ("221 Elm Rd, Apt 4B, Springfield, OR 97477", "5601 Horton Court, East Jessica 87262").
    ("address_street", "ADDRESS", re.compile(
        rf"\b\d{{1,5}}\s(?:{_CAP}\s){{1,3}}(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Lane|Ln|Boulevard|Blvd|Way"
        rf"|Court|Ct|Place|Pl|Terrace|Circle|Highway|Hwy|Parkway|Pkwy)\.?"
        rf"(?:,?\s(?:Apt|Apartment|Unit|Suite|#)\.?\s?\w+)?(?:,\s{_CAP}(?:\s{_CAP})?)?(?:,?\s(?:[A-Z]{{2}}\s)?\d{{5}}(?:-\d{{4}})?)?")),
    # Italian addresses: Via/Viale/Corso/Piazza + name + number, optional ZIP (CAP) and city.
    ("address_italian", "ADDRESS", re.compile(
        rf"\b(?:\d{{1,4}}\s)?(?:Via|Viale|Corso|Piazza|Piazzale|Largo|Vicolo)\s(?:{_CAP}\s?){{1,3}}"
        rf"(?:,?\s?\d{{1,4}}(?:/[A-Z])?)?(?:,?\s(?:\d{{5}}\s)?{_CAP}(?:\s{_CAP})?)?")),
    # Places smaller than a state, introduced by where someone lives or comes from.
    ("place_after_cue", "ADDRESS", re.compile(
        rf"\b(?:lives?(?: alone)? in|living in|resides in|moved to|relocated to|we're in|we are in|based in|near"
        rf"|residente (?:a|in)|nat[oa] a|from)\s(?P<phi>{_CAP}(?:\s{_CAP})?)(?=\s*(?:$|[,.;!?)]|\s(?:with|and|for|area)\b))")),
    # Hospitals and care facilities: capitalised words ending in Hospital, Medical Center, Clinic...
    ("hospital_english", "HOSPITAL", re.compile(
        rf"\b(?:(?:St\.?|Saint)\s)?{_CAP}(?:'s)?(?:\s(?:{_CAP}(?:'s)?|of|and|&))*\s(?:Hospital|Medical Center|Health Center"
        rf"|Clinic|Infirmary|Imaging Center|Cancer Center|Health System|Assisted Living|Nursing Home"
        rf"|Rehabilitation Center|Hospice|General|Institute|Medical Centre)(?:\sof\s{_CAP}(?:\s{_CAP})?)?\b")),
    # The same in lower case (forum posts): two lower-case words before "hospital" or "clinic".
    ("hospital_lower", "HOSPITAL", re.compile(
        r"\b(?!(?:the|a|an|to|at|in|our|his|her|my|this|that|local|same|big|new|old)\b)[a-z]+(?:'s)?\s"
        r"(?!(?:the|a|an|to|at|in|our|his|her|my|this|that|local|same|big|new|old)\b)[a-z]+(?:'s)?\s(?:hospital|clinic)\b")),
    # "University Hospital of X" and the like, in any case ("university hospital of williamsfort").
    ("hospital_of_place", "HOSPITAL", re.compile(
        r"\b(?:university|general|children's|county|regional)\s(?:hospital|medical center|clinic)\sof\s(?:the\s)?"
        r"(?:(?:north|south|east|west|new|port|lake|saint|st\.)\s)?[a-z][a-z'-]+\b", re.I)),
    # Italian hospitals in lower case (forum posts): "ospedale san mattia", "ospedale serri".
    ("hospital_italian_lower", "HOSPITAL", re.compile(r"\b(?:ospedale|policlinico|clinica)\s(?:(?:san|santa|sant'|santo)\s?)?[a-z]{3,}\b")),
    # Italian hospitals: Ospedale / Policlinico / Clinica / Istituto + name.
    ("hospital_italian", "HOSPITAL", re.compile(
        rf"\b(?:Ospedale|Policlinico|Clinica|Istituto|Presidio Ospedaliero|Azienda Ospedaliera|Casa di Cura)"
        rf"(?:\s(?:{_CAP}|di|del|della|dei))*\s{_CAP}")),
    # Names after one or more titles: Dr. Rossi, Dr Wexler, Dott.ssa Chiara De Luca, Dr. H. Lindqvist, Chaplain Fr. Rossi.
    ("name_after_title", "NAME", re.compile(rf"\b(?:(?:{_TITLE})\s)+(?P<phi>(?:{_UP}\.\s)?{_NAME})")),
    # The same in lower case: "dr. kessler", "ms. mcallister" (one word).
    ("name_after_title_lower", "NAME", re.compile(rf"\b(?:[Dd]r|[Mm]rs?|[Mm]s)\.?\s(?P<phi>{_LOW}{{3,}})\b")),
    # Names before a credential: "Samuel Ortega, PA-C", "Linda Park, RN".
    ("name_before_credential", "NAME", re.compile(rf"(?P<phi>{_CAP}(?:\s{_CAP}){{1,2}}),?\s{_CREDENTIAL}")),
    # Names after a relation, perhaps with a title: "wife Doris", "daughter (Jennifer Mills", "neighbor Mrs. Gallagher".
    ("name_after_relation", "NAME", re.compile(rf"\b(?i:{_RELATION})(?:\s\(|,\s|\s)(?:(?:{_TITLE})\s)?(?P<phi>{_NAME})")),
    # Lower-case names after "my <relation>" in forum posts: "my husband dave".
    ("name_after_my_relation", "NAME", re.compile(rf"\bmy\s(?:{_RELATION})\s(?P<phi>{_LOW}{{3,}})\b", re.I)),
    # Names introduced as the patient, an addressee or a signature: "Patient: Chen, Wei", "Pt P. Maldonado",
    # "Patient: MOGHERINI Jolanda", "Dear Dr. ...", "Kind regards, Tomasz Wiśniewski".
    ("name_after_cue", "NAME", re.compile(
        rf"(?:\b(?:Patient|[Pp]t|Name|Paziente|Paz\.|Re|Dear|[Ss]ummary for|[Ss]eeing|I saw|[Rr]eferring|[Cc]ontact"
        rf"|[Aa]ttention|[Dd]ictated by|[Ss]igned by|[Ss]een by|[Cc]opies to|[Rr]egards|[Ss]incerely|[Tt]hanks so much"
        rf"|Thanks|Cheers|Update from|RN|nurse|[Pp]atient,)\s*[:,]?\s+)"
        rf"(?P<phi>{_CAP},\s{_CAP}|{_UP}\.\s{_CAP}|[A-Z]{{2,}}(?:[-'][A-Z]+)?\s{_CAP}|{_CAP}(?:\s{_CAP}){{1,2}}"
        rf"|{_CAP}(?=\s*(?:$|[,;]|\s(?:from|here)\b)))")),
    # Forum self-introductions and sign-offs, any case: "im sarah and", "Thanks for reading, Mike".
    ("name_self_intro", "NAME", re.compile(
        r"\b(?:i'?m|i am|my name is|this is)\s(?P<phi>[A-Za-z][a-z]+)(?=\s+and\b|,)"
        r"|\b(?:thanks|thank you|cheers|best|regards|love|hugs)(?: so much| for reading| for listening| all| everyone)?,"
        r"\s(?P<phi2>[A-Za-z][a-z]+)\b", re.I)),
    # Start of a sentence, before an age: "Harold Finnegan is a 91-year-old", "Lucia Ferraro, 92 anni",
    # "Brewer, Mario, a 79 y/o man", "T. Shelton, a 20 y/o man".
    ("name_before_age", "NAME", re.compile(
        rf"(?:^|\n|[.:]\s)(?P<phi>{_CAP},\s{_CAP}|{_UP}\.\s{_CAP}|{_CAP}\s{_CAP})"
        rf"(?:,?\s(?:is|was)\san?\s\d|,\s(?:an?\s)?\d{{1,3}}[\s-])")),
]
# Hospital names followed by their town: "Sacred Heart Clinic in Eugene", "Ospedale Maggiore di Lodi".
_TOWN_AFTER_HOSPITAL = re.compile(rf"^\s(?:in|di|at|a)\s(?P<phi>{_CAP})\b")

def _candidates(text: str) -> list[tuple[int, int, str]]:
    found = []
    for _, phi_type, pattern in _RULES:
        for m in pattern.finditer(text):
            group = next((g for g in ("phi", "phi2") if g in pattern.groupindex and m.group(g)), None)
            start, end = m.span(group) if group else m.span()
            if phi_type == "NAME":                      # drop cue words a name rule swallowed
                words = text[start:end].split()
                if not words or words[0].lower().strip(",") in _NOT_NAMES or re.fullmatch(_TITLE, words[0]):
                    continue
            found.append((start, end, phi_type))
            if phi_type == "HOSPITAL" and (town := _TOWN_AFTER_HOSPITAL.match(text, end)):
                found.append((*town.span("phi"), "ADDRESS"))
    return found


def find_phi(text: str) -> list[dict]:
    """PHI spans found in `text`: dicts with start, end, type, text; sorted, non-overlapping."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    found = _candidates(text)
    # A name found once is masked wherever it appears in the note (first and last names alike).
    names = {w.strip(",") for s, e, t in found if t == "NAME" for w in text[s:e].split()}
    for name in sorted(n for n in names if len(n) > 2 and n.lower() not in _NOT_NAMES):
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, flags=0 if name[0].isupper() else re.I):
            found.append((m.start(), m.end(), "NAME"))
    # Keep the earliest, longest span where spans overlap.
    found.sort(key=lambda x: (x[0], -(x[1] - x[0]), x[2]))
    spans, last_end = [], -1
    for start, end, phi_type in found:
        if start >= last_end:
            spans.append({"start": start, "end": end, "type": phi_type, "text": text[start:end]})
            last_end = end
    return spans
