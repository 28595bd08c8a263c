"""utils.evaluate: intervals, baselines, span vectors, nearest centroids."""
import numpy as np
import pytest

from utils import evaluate as ev


def test_bootstrap_ci_brackets_the_score_and_is_seeded():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    pred = np.where(rng.random(300) < 0.7, y, (y + 1) % 3)
    f1, low, high = ev.bootstrap_ci(y, pred, n=300)
    assert low < f1 < high and high - low < 0.2
    assert ev.bootstrap_ci(y, pred, n=300) == (f1, low, high)
    with pytest.raises(ValueError, match="equally long"):
        ev.bootstrap_ci(y, pred[:-1])



def test_bootstrap_brackets_a_known_proportion_and_is_seeded():
    hits = np.array([1.0] * 30 + [0.0] * 70)                  # 30 of 100: the mean is 0.3, its standard error 0.046
    mean = lambda idx: hits[idx].mean()
    low, high = ev.bootstrap(mean, len(hits), n=2000)
    assert low < 0.3 < high
    assert abs((high - low) / 2 - 1.96 * np.sqrt(0.3 * 0.7 / 100)) < 0.02   # about the normal-theory half-width
    assert ev.bootstrap(mean, len(hits), n=2000) == (low, high)             # seeded
    first = lambda seed: ev.bootstrap(lambda idx: idx[0] + 0.0, 100, n=50, seed=seed)   # another seed, other resamples
    assert first(0) == first(0) != first(1)
    narrow = ev.bootstrap(mean, len(hits), n=2000, level=0.5)
    assert low < narrow[0] < 0.3 < narrow[1] < high
    # bootstrap_ci is this interval with the metric as the statistic
    y, pred = hits.astype(int), np.roll(hits, 3).astype(int)
    accuracy = lambda t, p: float(np.mean(t == p))
    assert ev.bootstrap_ci(y, pred, metric=accuracy, n=300)[1:] == ev.bootstrap(lambda i: accuracy(y[i], pred[i]), 100, n=300)


def test_bootstrap_resamples_whole_groups_of_any_size_and_order():
    groups = np.array(["a", "b", "a", "c", "b", "a"])        # sizes 3, 2, 1; members not adjacent
    members = {g: set(np.flatnonzero(groups == g)) for g in "abc"}
    seen = []
    ev.bootstrap(lambda idx: seen.append(idx) or 0.0, 6, n=200, groups=groups)
    sizes = set()
    for idx in seen:
        counts = np.bincount(idx, minlength=6)
        drawn = {g: {counts[i] for i in m} for g, m in members.items()}
        assert all(len(c) == 1 for c in drawn.values())      # a group's members come together, or not at all
        assert sum(c.pop() for c in drawn.values()) == 3      # three draws of a group each time
        sizes.add(len(idx))
    assert len(sizes) > 1                                     # so the resample size varies with the groups drawn


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(size=0), ValueError, "size must be positive"),
    (dict(size=2.5), TypeError, "size must be an integer"),
    (dict(level=1.0), ValueError, "level"),
    (dict(level=0), ValueError, "level"),
    (dict(n=0), ValueError, "n must be"),
    (dict(groups=[0, 0, 1]), ValueError, "one id per example"),
    (dict(statistic=0.5), TypeError, "statistic"),
])
def test_bootstrap_rejects_bad_inputs(kwargs, error, message):
    args = dict(statistic=lambda idx: float(len(idx)), size=4) | kwargs
    with pytest.raises(error, match=message):
        ev.bootstrap(**args)


def test_majority_comes_from_train_and_breaks_ties_alphabetically():
    assert ev.majority(["b", "a", "b", "a", "c"], 3) == ["a", "a", "a"]
    with pytest.raises(ValueError, match="at least one"):
        ev.majority([], 2)


def test_tfidf_logistic_regression_learns_a_separable_task():
    train = ["chest pain today", "pleural effusion seen", "chest pain again", "effusion on x-ray"] * 5
    labels = [0, 1, 0, 1] * 5
    pred, C = ev.tfidf_logistic_regression(train, labels, train[:4], labels[:4], ["new chest pain", "small effusion"])
    assert list(pred) == [0, 1] and C in ev.C_GRID


def test_nearest_centroid_accuracy_within_groups():
    X_train = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    y_train, g_train = ["a", "a", "b", "b"], ["X"] * 4
    X_test = np.array([[1, 0.2], [0.2, 1]])
    assert ev.nearest_centroid_accuracy(X_train, y_train, g_train, X_test, ["a", "b"], ["X", "X"]) == 1.0
    assert ev.nearest_centroid_accuracy(X_train, y_train, g_train, X_test, ["b", "b"], ["X", "X"]) == 0.5
    # a group unseen in train gets None and does not count; the other group is still scored
    predicted = ev.nearest_centroid_predict(X_train, y_train, g_train, X_test, ["X", "Y"])
    assert predicted.tolist() == ["a", None]
    assert ev.nearest_centroid_accuracy(X_train, y_train, g_train, X_test, ["a", "a"], ["X", "Y"]) == 1.0
    # an exact tie goes to the alphabetically first sense, whatever the order of the train rows
    tie = np.array([[1.0, 1.0]])
    assert ev.nearest_centroid_predict(X_train[::-1], y_train[::-1], g_train, tie, ["X"]).tolist() == ["a"]
    with pytest.raises(ValueError, match="one label and group"):
        ev.nearest_centroid_predict(X_train, y_train[:-1], g_train, X_test, ["X", "X"])


def test_span_vectors_average_the_span_tokens():
    import torch
    from transformers import BertConfig, BertModel

    from utils.pretrain import bert_tokenizer

    tok = bert_tokenizer(["chest pain and pleural effusion"] * 10, vocab_size=60)
    torch.manual_seed(0)
    model = BertModel(BertConfig(vocab_size=len(tok), hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                                 intermediate_size=16))
    texts = ["chest pain", "pleural effusion and chest pain"]
    out = ev.span_vectors(model, tok, texts, [(0, 5), (0, 7)])
    assert out.shape == (3, 2, 8)
    enc = tok(texts[:1], return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc, output_hidden_states=True).hidden_states
    assert np.allclose(out[:, 0], torch.stack(hidden)[:, 0, 1].numpy(), atol=1e-5)   # "chest" is token 1
    with pytest.raises(ValueError, match="spans"):
        ev.span_vectors(model, tok, texts, [(0, 5)])


def test_bootstrap_fast_macro_f1_equals_sklearn_exactly():
    """bootstrap_ci scores resamples with a bincount macro-F1; it must be sklearn's number, bit for bit
    (labels present only in the predictions count, as in sklearn)."""
    import numpy as np

    rng = np.random.default_rng(0)
    for k in (2, 7, 40):
        for _ in range(50):
            y = rng.integers(0, k, 60)
            pred = np.where(rng.random(60) < 0.6, y, rng.integers(0, k + 2, 60))
            labels, codes = np.unique(np.concatenate([y, pred]), return_inverse=True)
            assert ev._macro_f1_codes(codes[:60], codes[60:], len(labels)) == ev.macro_f1(y, pred)
    words = np.array(["a", "b", "c"])[rng.integers(0, 3, 30)]
    slow = ev.bootstrap_ci(words, words[::-1], metric=lambda a, b: ev.macro_f1(a, b), n=200)
    assert ev.bootstrap_ci(words, words[::-1], n=200) == slow


def test_paired_bootstrap_is_the_difference_with_an_interval():
    import numpy as np
    import pytest

    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 200)
    good = np.where(rng.random(200) < 0.9, y, (y + 1) % 4)
    bad = np.where(rng.random(200) < 0.5, y, (y + 1) % 4)
    diff, low, high = ev.paired_bootstrap(y, good, bad, n=300)
    assert diff == pytest.approx(ev.macro_f1(y, good) - ev.macro_f1(y, bad))
    assert 0 < low < diff < high
    assert ev.paired_bootstrap(y, good, good, n=50) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="equally long"):
        ev.paired_bootstrap(y, good[:-1], bad)


def test_cluster_bootstrap_resamples_whole_groups():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 120)
    pred = np.where(rng.random(120) < 0.7, y, (y + 1) % 3)
    # every example its own group, in order: exactly the plain bootstrap
    assert ev.bootstrap_ci(y, pred, n=200, groups=np.arange(120)) == ev.bootstrap_ci(y, pred, n=200)
    assert ev.paired_bootstrap(y, pred, y, n=200, groups=np.arange(120)) == ev.paired_bootstrap(y, pred, y, n=200)
    # 12 notes of 10 questions each, answered all right or all wrong: only 12 independent outcomes,
    # so the interval by note is much wider than one that treats the 120 answers as independent
    correct = np.repeat(rng.random(12) < 0.5, 10).astype(float)
    notes = np.repeat([f"note{i}" for i in range(12)], 10)
    mean = lambda a, b: b.mean()
    _, low, high = ev.bootstrap_ci(correct, correct, metric=mean, n=500)
    _, glow, ghigh = ev.bootstrap_ci(correct, correct, metric=mean, n=500, groups=notes)
    assert ghigh - glow > 2 * (high - low)
    # each resample holds whole groups: every note appears 0, 10, 20, ... times
    seen = []
    ev.bootstrap(lambda idx: seen.append(idx) or 0.0, 120, n=20, groups=notes)
    assert len(seen) == 20
    for idx in seen:
        assert len(idx) == 120 and all(c % 10 == 0 for c in np.bincount(idx // 10, minlength=12))
    with pytest.raises(ValueError, match="one id per example"):
        ev.bootstrap_ci(y, pred, groups=notes[:-1])


def test_wilson_interval_has_width_at_zero_and_n_and_matches_known_values():
    assert ev.wilson_interval(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert ev.wilson_interval(10, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)
    low, high = ev.wilson_interval(4, 10)
    assert low == pytest.approx(0.1682, abs=1e-4) and high == pytest.approx(0.6873, abs=1e-4)
    assert ev.wilson_interval(5, 10, level=0.5)[1] < high
    for bad in [(-1, 10), (11, 10), (0, 0)]:
        with pytest.raises(ValueError):
            ev.wilson_interval(*bad)


def test_mcnemar_exact_counts_the_discordant_examples_and_matches_the_binomial():
    a = np.array([1] * 5 + [1] + [0] * 9 + [0] * 3, dtype=bool)     # 5 both right, 1 only a, 9 only b, 3 both wrong
    b = np.array([1] * 5 + [0] + [1] * 9 + [0] * 3, dtype=bool)
    only_a, only_b, p = ev.mcnemar_exact(a, b)
    assert (only_a, only_b) == (1, 9)
    assert p == pytest.approx(2 * (1 + 10) / 2 ** 10)             # two-sided: P(X <= 1) + P(X >= 9), X ~ Bin(10, 1/2)
    assert ev.mcnemar_exact(b, a)[2] == pytest.approx(p)          # symmetric
    assert ev.mcnemar_exact(a, a) == (0, 0, 1.0)                  # never disagree: no evidence


@pytest.mark.parametrize("a, b, message", [([1, 0], [1], "equally long"), ([], [], "non-empty"),
                                           ([2, 0], [1, 0], "True/False")])
def test_mcnemar_exact_rejects_bad_inputs(a, b, message):
    with pytest.raises(ValueError, match=message):
        ev.mcnemar_exact(a, b)
