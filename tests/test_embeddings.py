"""utils.embeddings: PPMI and SVD checked against a dense computation, skip-gram learns, clear errors."""
import numpy as np
import pytest
import torch

from utils import data
from utils import embeddings as emb

TOY = ["chest pain and chest tightness", "chest pain with dyspnea", "aspirin for chest pain", "aspirin and heparin"]


def test_words_and_vocab():
    assert emb.words("Non-ST elevation (NSTEMI) MI") == ["non-st", "elevation", "nstemi", "mi"]
    vocab = emb.build_vocab([emb.words(t) for t in TOY], min_count=2)
    assert list(vocab)[:3] == ["chest", "pain", "and"]     # by frequency, ties alphabetical
    with pytest.raises(ValueError, match="empty vocabulary"):
        emb.build_vocab([[]])
    with pytest.raises(ValueError, match="min_count"):
        emb.build_vocab([["a"]], min_count=0)
    with pytest.raises(TypeError):
        emb.words(3)


def test_cooccurrence_counts_by_hand():
    tokens = [["a", "b", "c"]]
    vocab = {"a": 0, "b": 1, "c": 2}
    counts = emb.cooccurrence(tokens, vocab, window=1).toarray()
    assert counts.tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    assert emb.cooccurrence(tokens, vocab, window=2).toarray()[0, 2] == 1
    with pytest.raises(ValueError, match="window"):
        emb.cooccurrence(tokens, vocab, window=0)
    with pytest.raises(ValueError, match="no co-occurrences"):
        emb.cooccurrence([["a"]], vocab)


def test_ppmi_equals_dense_formula():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 5, size=(6, 6)).astype(float)
    counts = counts + counts.T
    total = counts.sum()
    p_w = counts.sum(1) / total
    p_c = counts.sum(0) ** 0.75 / (counts.sum(0) ** 0.75).sum()
    with np.errstate(divide="ignore"):
        expected = np.maximum(np.log(counts / total / np.outer(p_w, p_c)), 0)
    np.testing.assert_allclose(emb.ppmi(counts).toarray(), expected, atol=1e-12)
    with pytest.raises(ValueError, match="square"):
        emb.ppmi(np.ones((2, 3)))


def test_svd_embeddings_reconstruct_a_low_rank_matrix():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(30, 3))
    m = a @ a.T                                   # symmetric, rank 3
    v = emb.svd_embeddings(m, dim=3)
    np.testing.assert_allclose(v @ v.T, m, atol=1e-3)
    with pytest.raises(ValueError, match="dim"):
        emb.svd_embeddings(m, dim=30)


def test_skipgram_loss_matches_the_formula():
    torch.manual_seed(0)
    model = emb.SkipGram(10, 4)
    torch.nn.init.normal_(model.contexts.weight)
    c, o, n = torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([[5, 6], [7, 8]])
    w, ctx = model.words.weight, model.contexts.weight
    expected = -(torch.log(torch.sigmoid((w[c] * ctx[o]).sum(-1)))
                 + torch.log(torch.sigmoid(-(ctx[n] @ w[c].unsqueeze(-1)).squeeze(-1))).sum(-1)).mean()
    assert torch.allclose(model(c, o, n), expected, atol=1e-6)


def test_skipgram_learns_on_the_corpus():
    notes = data.load_notes("validation").text.tolist()
    tokens = [emb.words(t) for t in notes]
    vocab = emb.build_vocab(tokens, min_count=3)
    vectors, losses = emb.train_skipgram(tokens, vocab, dim=32, epochs=8, batch_size=1024, progress=False)
    assert vectors.shape == (len(vocab), 32)
    assert np.mean(losses[-5:]) < 0.6 * losses[0]
    again, _ = emb.train_skipgram(tokens, vocab, dim=32, epochs=8, batch_size=1024, progress=False)
    np.testing.assert_array_equal(vectors, again)           # seeded: reproducible
    with pytest.raises(ValueError, match="epochs"):
        emb.train_skipgram(tokens, vocab, epochs=0)


def test_retrieval_scores_and_ties():
    q = np.eye(3)
    assert emb.retrieval_scores(q, q) == {"MRR": 1.0, "recall@1": 1.0, "recall@10": 1.0}
    zeros = np.zeros((4, 2))                                 # no information: average rank, not first
    assert emb.retrieval_ranks(zeros, zeros).tolist() == [2.5] * 4
    assert emb.retrieval_scores(q, q, subset=[True, False, False])["MRR"] == 1.0
    with pytest.raises(ValueError, match="same shape"):
        emb.retrieval_scores(np.eye(3), np.eye(2))


def test_nearest_and_phrase_vectors():
    vocab = {"a": 0, "b": 1, "c": 2}
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    assert emb.nearest(vectors, vocab, "a", k=1) == [("b", 0.994)]
    with pytest.raises(KeyError):
        emb.nearest(vectors, vocab, "zzz")
    np.testing.assert_allclose(emb.phrase_vectors(["a c", "zzz"], vectors, vocab), [[0.5, 0.5], [0.0, 0.0]])


def test_ppmi_svd_retrieves_real_icd10_synonyms_far_above_random():
    """The notebook's evaluation, smaller: inclusion term -> its code's description among 500."""
    icd = data.load_icd10()
    token_lists = [emb.words(t) for t in data.load_notes("train").text.tolist() + icd.description.tolist()]
    vocab = emb.build_vocab(token_lists, min_count=3)
    vectors = emb.svd_embeddings(emb.ppmi(emb.cooccurrence(token_lists, vocab, window=4)), dim=100)
    pairs = icd[icd.inclusion_terms.map(len) > 0].sample(500, random_state=1)
    queries = emb.phrase_vectors([t[0] for t in pairs.inclusion_terms], vectors, vocab)
    answers = emb.phrase_vectors(pairs.description.tolist(), vectors, vocab)
    scores = emb.retrieval_scores(queries, answers)
    random_mrr = np.mean(1 / np.arange(1, 501))
    assert scores["MRR"] > 20 * random_mrr and scores["recall@10"] > 0.4


def test_skipgram_pairs_rejects_an_empty_corpus():
    vocab = {"chest": 0, "pain": 1}
    with pytest.raises(ValueError, match="no in-vocabulary words"):
        emb.skipgram_pairs([], vocab)
    with pytest.raises(ValueError, match="no in-vocabulary words"):
        emb.skipgram_pairs([["fever"]], vocab)
    with pytest.raises(ValueError, match="no .center, context. pairs"):
        emb.skipgram_pairs([["chest"], ["pain"]], vocab, subsample=1.0)
    with pytest.raises(ValueError, match="window"):
        emb.skipgram_pairs([["chest", "pain"]], vocab, window=0)
