"""Static word embeddings two ways, and how to score them (notebook 03).

Count-based (the idea behind GloVe): count how often words occur near each other, reweight the
counts with positive pointwise mutual information (PPMI), compress with a truncated SVD.

Predictive (word2vec): skip-gram with negative sampling. A word's vector is trained to score
high against the vectors of words seen near it, and low against random words.

    tokens = [words("Patient takes aspirin for chest pain")]
    vocab = build_vocab(tokens, min_count=1)
    vectors = svd_embeddings(ppmi(cooccurrence(tokens, vocab, window=2)), dim=2)
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def words(text: str) -> list[str]:
    """Lower-cased word tokens: 'Non-ST elevation (NSTEMI)' -> ['non-st', 'elevation', 'nstemi']."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _WORD.findall(text.lower())


def build_vocab(token_lists, min_count: int = 2, max_size: int | None = None) -> dict[str, int]:
    """word -> id for words seen at least `min_count` times, most frequent first (ties by word)."""
    if not isinstance(min_count, int) or min_count < 1:
        raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
    counts = Counter(w for tokens in token_lists for w in tokens)
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))[:max_size]
    if not kept:
        raise ValueError("empty vocabulary: no word occurs min_count times (is the corpus empty?)")
    return {w: i for i, w in enumerate(kept)}


def _ids(token_lists, vocab) -> list[np.ndarray]:
    return [np.array([vocab[w] for w in tokens if w in vocab], dtype=np.int64) for tokens in token_lists]


def cooccurrence(token_lists, vocab: dict[str, int], window: int = 4):
    """Symmetric (V, V) sparse matrix: how often word j occurs within `window` words of word i."""
    from scipy import sparse

    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    rows, cols = [], []
    for ids in _ids(token_lists, vocab):
        for d in range(1, window + 1):
            if len(ids) > d:
                rows += [ids[:-d], ids[d:]]
                cols += [ids[d:], ids[:-d]]
    if not rows:
        raise ValueError("no co-occurrences: the texts have no two in-vocabulary words within the window")
    r, c = np.concatenate(rows), np.concatenate(cols)
    v = len(vocab)
    return sparse.coo_matrix((np.ones(len(r), dtype=np.float64), (r, c)), shape=(v, v)).tocsr()


def ppmi(counts, alpha: float = 0.75):
    """Positive pointwise mutual information, max(0, log P(w, c) / (P(w) P_alpha(c))).

    `alpha` < 1 smooths the context distribution (as word2vec's negative sampling does), which
    keeps rare contexts from getting huge scores.
    """
    from scipy import sparse

    counts = sparse.csr_matrix(counts, dtype=np.float64)
    if counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be square (V, V), got {counts.shape}")
    total = counts.sum()
    if total <= 0:
        raise ValueError("counts are all zero")
    p_word = np.asarray(counts.sum(1)).ravel() / total
    context = np.asarray(counts.sum(0)).ravel() ** alpha
    p_context = context / context.sum()
    coo = counts.tocoo()
    pmi = np.log(coo.data / total / (p_word[coo.row] * p_context[coo.col]))
    keep = pmi > 0
    return sparse.coo_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape).tocsr()


def svd_embeddings(matrix, dim: int = 100, seed: int = 0) -> np.ndarray:
    """(V, dim) word vectors U * sqrt(S) from a truncated SVD of a (V, V) association matrix."""
    from sklearn.decomposition import TruncatedSVD

    if not isinstance(dim, int) or not 0 < dim < min(matrix.shape):
        raise ValueError(f"dim must be an int between 1 and {min(matrix.shape) - 1}, got {dim!r}")
    svd = TruncatedSVD(n_components=dim, random_state=seed, algorithm="randomized", n_iter=7)
    u_s = svd.fit_transform(matrix)                   # U * S
    return (u_s / np.sqrt(svd.singular_values_)).astype(np.float32)


# --------------------------------------------------------------------------- skip-gram

class SkipGram(nn.Module):
    """Skip-gram with negative sampling: two tables, word vectors and context vectors."""

    def __init__(self, vocab_size: int, dim: int):
        super().__init__()
        self.words = nn.Embedding(vocab_size, dim)     # what we keep afterwards
        self.contexts = nn.Embedding(vocab_size, dim)
        nn.init.uniform_(self.words.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.contexts.weight)

    def forward(self, center, context, negatives):
        """center (B,), context (B,), negatives (B, K) ids -> mean loss (scalar)."""
        w = self.words(center)                               # (B, D)
        pos = (w * self.contexts(context)).sum(-1)           # (B,)
        neg = torch.bmm(self.contexts(negatives), w.unsqueeze(-1)).squeeze(-1)   # (B, K)
        return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(-1)).mean()


def skipgram_pairs(token_lists, vocab, window: int = 2, subsample: float = 1e-4, seed: int = 0) -> torch.Tensor:
    """(N, 2) tensor of (center, context) ids. Very frequent words are randomly dropped
    (probability 1 - sqrt(t / f)), as in word2vec, so 'the' and 'of' do not dominate."""
    if not isinstance(window, int) or window < 1:
        raise ValueError(f"window must be a positive int, got {window!r}")
    rng = np.random.default_rng(seed)
    seqs = _ids(token_lists, vocab)
    if sum(len(s) for s in seqs) == 0:
        raise ValueError("no in-vocabulary words in token_lists: the corpus is empty or shares no word with vocab")
    freq = np.bincount(np.concatenate(seqs), minlength=len(vocab)) / sum(len(s) for s in seqs)
    keep_p = np.minimum(1.0, np.sqrt(subsample / np.maximum(freq, 1e-12)))
    pairs = []
    for ids in seqs:
        ids = ids[rng.random(len(ids)) < keep_p[ids]]
        for d in range(1, window + 1):
            if len(ids) > d:
                pairs += [np.stack([ids[:-d], ids[d:]], 1), np.stack([ids[d:], ids[:-d]], 1)]
    if not pairs:
        raise ValueError("no (center, context) pairs: every text has fewer than 2 kept in-vocabulary words")
    return torch.from_numpy(np.concatenate(pairs))


def train_skipgram(token_lists, vocab, dim: int = 100, window: int = 2, negatives: int = 5, epochs: int = 3,
                   batch_size: int = 4096, lr: float = 0.01, seed: int = 0, progress: bool = True):
    """Train skip-gram; returns ((V, dim) word vectors as numpy, list of per-batch losses)."""
    from tqdm.auto import tqdm

    for name, value in {"dim": dim, "window": window, "negatives": negatives, "epochs": epochs, "batch_size": batch_size}.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    torch.manual_seed(seed)
    pairs = skipgram_pairs(token_lists, vocab, window, seed=seed)
    counts = torch.bincount(pairs[:, 0], minlength=len(vocab)).float()
    noise = counts ** 0.75                                   # word2vec's noise distribution
    model = SkipGram(len(vocab), dim)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    generator = torch.Generator().manual_seed(seed)
    steps = epochs * ((len(pairs) + batch_size - 1) // batch_size)
    bar = tqdm(total=steps, desc="skip-gram", disable=not progress, mininterval=0.5)
    for _ in range(epochs):
        order = torch.randperm(len(pairs), generator=generator)
        for start in range(0, len(pairs), batch_size):
            batch = pairs[order[start:start + batch_size]]
            neg = torch.multinomial(noise, len(batch) * negatives, replacement=True, generator=generator)
            loss = model(batch[:, 0], batch[:, 1], neg.view(len(batch), negatives))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            bar.update(1)
    bar.close()
    return model.words.weight.detach().numpy().copy(), losses


# --------------------------------------------------------------------------- using vectors

def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), so dot products are cosines."""
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def nearest(vectors: np.ndarray, vocab: dict[str, int], word: str, k: int = 8) -> list[tuple[str, float]]:
    """The k words with the most similar vectors (cosine), excluding the word itself."""
    if word not in vocab:
        raise KeyError(f"{word!r} is not in the vocabulary")
    return nearest_to(vectors, vocab, vectors[vocab[word]], k, exclude={word})


def nearest_to(vectors, vocab, query: np.ndarray, k: int = 8, exclude=()) -> list[tuple[str, float]]:
    words_by_id = sorted(vocab, key=vocab.get)
    sims = normalize(vectors) @ normalize(query[None])[0]
    out = []
    for i in np.argsort(-sims):
        if words_by_id[i] not in exclude:
            out.append((words_by_id[i], round(float(sims[i]), 3)))
        if len(out) == k:
            break
    return out


def phrase_vectors(texts, vectors: np.ndarray, vocab: dict[str, int]) -> np.ndarray:
    """(N, D) mean word vector of each text (zeros when no word is in the vocabulary)."""
    out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    for i, text in enumerate(texts):
        ids = [vocab[w] for w in words(text) if w in vocab]
        if ids:
            out[i] = vectors[ids].mean(0)
    return out


def retrieval_ranks(queries: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Query i's right answer is candidate i: its rank (1 = best) among all candidates by cosine.

    Ties share the average of their ranks, so a query with no information (an all-zero vector)
    lands in the middle, not at the top.
    """
    if queries.shape != candidates.shape:
        raise ValueError(f"queries {queries.shape} and candidates {candidates.shape} must have the same shape")
    sims = normalize(queries) @ normalize(candidates).T                    # (N, N)
    right = np.diag(sims)[:, None]
    better, tied = (sims > right).sum(1), (sims == right).sum(1) - 1       # tied: others with equal score
    return better + 1 + tied / 2


def retrieval_scores(queries: np.ndarray, candidates: np.ndarray, subset=None) -> dict[str, float]:
    """MRR, recall@1 and recall@10 of `retrieval_ranks` (over all queries, or a boolean `subset`)."""
    rank = retrieval_ranks(queries, candidates)
    if subset is not None:
        rank = rank[np.asarray(subset, dtype=bool)]
    return {"MRR": float(np.mean(1 / rank)), "recall@1": float(np.mean(rank <= 1)),
            "recall@10": float(np.mean(rank <= 10))}
