"""Evaluation helpers shared by notebooks 07, 08 and the labs: scores with bootstrap intervals,
the usual baselines (fit on train, tune on validation, score on test once), contextual vectors
from any BERT-like encoder, and a small fine-tuning loop for sequence classification.
"""
from __future__ import annotations

import time

import numpy as np

from .baselines import C_GRID   # the course's one grid of C values


def macro_f1(y_true, y_pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def _macro_f1_codes(t: np.ndarray, p: np.ndarray, k: int) -> float:
    """Macro-F1 of integer codes 0..k-1, computed as sklearn does (`f1_score(average="macro",
    zero_division=0)`): per label 2 tp / (true + predicted), over the labels present in t or p."""
    true, pred = np.bincount(t, minlength=k), np.bincount(p, minlength=k)
    tp = np.bincount(t[t == p], minlength=k)
    present = (true + pred) > 0
    return float((2.0 * tp[present] / (true[present] + pred[present]).astype(float)).mean())


def _codes(*label_arrays):
    """(k, code arrays): every array's labels as integer codes 0..k-1 of their sorted union."""
    labels, codes = np.unique(np.concatenate(label_arrays), return_inverse=True)
    return len(labels), np.split(codes, np.cumsum([len(a) for a in label_arrays])[:-1])


def _resamples(size: int, n: int, seed: int, groups=None):
    """`n` seeded bootstrap resamples of `size` example indices (with replacement), or of whole
    `groups` (one id per example; see `bootstrap`, the public entry point)."""
    rng = np.random.default_rng(seed)
    if groups is None:
        return (rng.integers(0, size, size) for _ in range(n))
    groups = np.asarray(groups)
    if len(groups) != size:
        raise ValueError(f"groups must give one id per example: {len(groups)} ids for {size} examples")
    _, first, codes = np.unique(groups, return_index=True, return_inverse=True)
    order = np.argsort(first)                                   # groups in order of first appearance
    members = [np.flatnonzero(codes == g) for g in order]
    return (np.concatenate([members[g] for g in rng.integers(0, len(members), len(members))]) for _ in range(n))


def _interval(values, level: float) -> tuple[float, float]:
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def bootstrap(statistic, size: int, n: int = 1000, seed: int = 0, level: float = 0.95, groups=None) -> tuple[float, float]:
    """(low, high): a percentile bootstrap interval of `statistic` over `size` examples.

    `statistic(idx)` scores one resample, given an array of example indices (with repeats), e.g.
    ``lambda idx: accuracy(y[idx], pred[idx])``. It is called on `n` seeded resamples; with `groups`
    (one id per example, e.g. the note a question comes from) whole groups are resampled, each
    bringing all of its examples: the cluster bootstrap, for examples that are not independent.
    When every example is its own group, in order, the resamples are exactly the plain ones.
    The same seed gives the same resamples, so two statistics on one seed are paired."""
    if not callable(statistic):
        raise TypeError(f"statistic must be a function of an index array, got {type(statistic).__name__}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise TypeError(f"size must be an integer number of examples, got {type(size).__name__}")
    if size <= 0:
        raise ValueError(f"size must be positive (the number of examples to resample), got {size}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer number of resamples, got {n!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return _interval([statistic(idx) for idx in _resamples(size, n, seed, groups)], level)


def bootstrap_ci(y_true, y_pred, metric=macro_f1, n: int = 1000, seed: int = 0, level: float = 0.95, groups=None):
    """(score, low, high): the metric on the test set and a percentile bootstrap interval
    (resampling test examples with replacement, `n` times, seeded; whole `groups` if given, see
    `bootstrap`)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if len(y_true) != len(y_pred) or len(y_true) == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and equally long, got {len(y_true)} and {len(y_pred)}")
    if metric is macro_f1:   # the same numbers as sklearn's f1_score, about 50x faster (see _macro_f1_codes)
        k, (t, p) = _codes(y_true, y_pred)
        low, high = bootstrap(lambda i: _macro_f1_codes(t[i], p[i], k), len(t), n, seed, level, groups)
    else:
        low, high = bootstrap(lambda i: metric(y_true[i], y_pred[i]), len(y_true), n, seed, level, groups)
    return metric(y_true, y_pred), low, high


def paired_bootstrap(y_true, pred_a, pred_b, n: int = 1000, seed: int = 0, level: float = 0.95, groups=None):
    """(difference, low, high): macro-F1 of `pred_a` minus that of `pred_b` on the same test
    examples, with a percentile interval from resampling the examples (both systems on the same
    resample each time: a paired comparison, tighter than two separate intervals; whole `groups`
    if given, see `bootstrap`)."""
    y_true, pred_a, pred_b = np.asarray(y_true), np.asarray(pred_a), np.asarray(pred_b)
    if not len(y_true) == len(pred_a) == len(pred_b) or len(y_true) == 0:
        raise ValueError(f"y_true, pred_a and pred_b must be non-empty and equally long, got "
                         f"{len(y_true)}, {len(pred_a)} and {len(pred_b)}")
    k, (t, a, b) = _codes(y_true, pred_a, pred_b)
    low, high = bootstrap(lambda i: _macro_f1_codes(t[i], a[i], k) - _macro_f1_codes(t[i], b[i], k),
                          len(t), n, seed, level, groups)
    return macro_f1(y_true, pred_a) - macro_f1(y_true, pred_b), low, high


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion of `k` successes out of `n`.

    Unlike a bootstrap, it has a width at 0/n and n/n (0 of 10 gives about 0.00-0.28), which is
    where a small test set needs it most."""
    from scipy.stats import norm

    if not (isinstance(n, (int, np.integer)) and n > 0 and 0 <= k <= n):
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    z = norm.ppf((1 + level) / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    return (0.0 if k == 0 else float(low)), (1.0 if k == n else float(high))


def mcnemar_exact(right_a, right_b) -> tuple[int, int, float]:
    """(only_a, only_b, p): McNemar's exact test of two systems scored on the same examples.

    `right_a` and `right_b` say, example by example, whether each system was right (booleans or 0/1).
    Only the discordant examples count: `only_a` where a alone was right, `only_b` where b alone was.
    Under "equally good" each discordant example is a fair coin, so p is the two-sided binomial test
    of `only_a` out of `only_a + only_b` (1.0 when they never disagree)."""
    from scipy.stats import binomtest

    a, b = np.asarray(right_a), np.asarray(right_b)
    if a.ndim != 1 or a.shape != b.shape or len(a) == 0:
        raise ValueError(f"right_a and right_b must be non-empty 1-D and equally long, got shapes {a.shape} and {b.shape}")
    if not (np.isin(a, (0, 1)).all() and np.isin(b, (0, 1)).all()):
        raise ValueError("right_a and right_b must hold only True/False (or 1/0): was each system right on the example?")
    a, b = a.astype(bool), b.astype(bool)
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    p = binomtest(only_a, only_a + only_b).pvalue if only_a + only_b else 1.0
    return only_a, only_b, float(p)


def majority(y_train, n: int) -> list:
    """The most frequent train label (`utils.baselines.majority`: ties to the smallest), `n` times."""
    from .baselines import majority as most_frequent

    return [most_frequent(y_train)] * n


def logistic_regression(X_train, y_train, X_val, y_val, X_test, Cs=C_GRID):
    """Logistic regression with C chosen by validation macro-F1 (ties: smaller C), refitted on
    train only. Returns (test predictions, chosen C).

    The fits run on one BLAS thread: on small problems beside a loaded PyTorch, more threads made
    them ten times slower here (measured in notebook 07), and one thread gives the same digits on
    every machine."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    best = None
    with threadpool_limits(limits=1, user_api="blas"):
        for C in Cs:
            model = LogisticRegression(C=C, max_iter=2000).fit(X_train, y_train)
            score = macro_f1(y_val, model.predict(X_val))
            if best is None or score > best[0] + 1e-9:
                best = (score, C, model)
        return best[2].predict(X_test), best[1]


def tfidf_logistic_regression(train_texts, y_train, val_texts, y_val, test_texts, Cs=C_GRID):
    """TF-IDF of word 1-2 grams (fit on train) + logistic regression tuned on validation."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    X_train = vectorizer.fit_transform(train_texts)
    return logistic_regression(X_train, y_train, vectorizer.transform(val_texts), y_val,
                               vectorizer.transform(test_texts), Cs)


def span_vectors(model, tokenizer, texts, spans=None, batch_size: int = 64, max_length: int = 64):
    """Hidden states of every layer of a BERT-like `model` (AutoModel), averaged over the tokens of
    a character span of each text (or over all real tokens if `spans` is None).
    Returns an array (n_layers + 1, N, C): index 0 is the embedding layer. The model runs where it
    is (CPU or GPU); the averaging is done on the CPU."""
    import torch

    from .devices import model_device, to_device

    texts = list(texts)
    if spans is not None and len(spans) != len(texts):
        raise ValueError(f"got {len(texts)} texts but {len(spans)} spans")
    out = []
    model.eval()
    device = model_device(model)
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            enc = tokenizer(texts[i:i + batch_size], padding=True, truncation=True, max_length=max_length,
                            return_offsets_mapping=True, return_tensors="pt")
            offsets = enc.pop("offset_mapping")                                    # (B, T, 2)
            states = model(**to_device(enc, device), output_hidden_states=True).hidden_states
            hidden = torch.stack([h.float().cpu() for h in states])                  # (L+1, B, T, C)
            real = enc["attention_mask"].bool() & (offsets[..., 1] > offsets[..., 0])
            if spans is not None:
                s = torch.tensor([span[0] for span in spans[i:i + batch_size]])[:, None]
                e = torch.tensor([span[1] for span in spans[i:i + batch_size]])[:, None]
                real &= (offsets[..., 0] < e) & (offsets[..., 1] > s)
            weights = real.float() / real.float().sum(1, keepdim=True).clamp(min=1)   # (B, T)
            out.append(torch.einsum("lbtc,bt->lbc", hidden, weights).numpy())
    return np.concatenate(out, 1)


def nearest_centroid_predict(X_train, y_train, groups_train, X_test, groups_test) -> np.ndarray:
    """Within each group (an abbreviation), the sense whose train centroid is nearest to each test
    vector by cosine (exact ties: the alphabetically first sense). Test vectors of a group unseen
    in train get None. Returns an object array, one prediction per test vector."""
    def unit(x):
        return x / np.linalg.norm(x, axis=-1, keepdims=True).clip(1e-12)

    X_train, X_test = unit(np.asarray(X_train)), unit(np.asarray(X_test))
    y_train = np.asarray(y_train)
    groups_train, groups_test = np.asarray(groups_train), np.asarray(groups_test)
    if len(X_train) != len(y_train) or len(y_train) != len(groups_train) or len(X_test) != len(groups_test):
        raise ValueError(f"need one label and group per train vector and one group per test vector, got "
                         f"{len(X_train)}/{len(y_train)}/{len(groups_train)} and {len(X_test)}/{len(groups_test)}")
    predicted = np.full(len(X_test), None, dtype=object)
    for g in sorted(set(groups_test) & set(groups_train)):
        senses = sorted(set(y_train[groups_train == g]))
        centroids = unit(np.stack([X_train[(groups_train == g) & (y_train == s)].mean(0) for s in senses]))
        test = groups_test == g
        predicted[test] = np.array(senses, dtype=object)[(X_test[test] @ centroids.T).argmax(1)]
    return predicted


def nearest_centroid_accuracy(X_train, y_train, groups_train, X_test, y_test, groups_test) -> float:
    """Accuracy of `nearest_centroid_predict` over all test vectors of groups seen in train."""
    predicted = nearest_centroid_predict(X_train, y_train, groups_train, X_test, groups_test)
    seen = np.array([p is not None for p in predicted])
    return float(np.mean(predicted[seen] == np.asarray(y_test, dtype=object)[seen]))


def fine_tune(model, tokenizer, train, val_texts=None, epochs: int = 4, lr: float = 1e-3, batch_size: int = 16,
              max_length: int = 48, seed: int = 0, progress: bool = True, device=None, steps: int | None = None):
    """Fine-tune a sequence classifier (an AutoModelForSequenceClassification, possibly peft-wrapped)
    on `train`, a `datasets.Dataset` with "text" and integer "label", with AdamW and linear decay.
    `epochs` passes over `train`, or, when `steps` is given, exactly that many optimizer steps
    (passes reshuffled until they are done), so that runs on sets of different sizes train alike.
    `device` ("cuda", "cpu"): move the model there first; None keeps it where it is. Batches go
    to the model's device. Returns a dict: seconds (CPU), trainable parameters, optimizer steps and
    `predict(texts) -> label ids`."""
    import torch
    from tqdm.auto import tqdm

    from .devices import model_device, to_device

    if not {"text", "label"} <= set(train.column_names):
        raise ValueError(f"train must have 'text' and 'label' columns, got {train.column_names}")
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int) or steps < 1):
        raise ValueError(f"steps must be a positive int or None, got {steps!r}")
    if device is not None:
        model.to(device)
    device = model_device(model)
    torch.manual_seed(seed)
    data = train.map(lambda b: tokenizer(b["text"], truncation=True, max_length=max_length), batched=True,
                     remove_columns=["text"]).with_format("torch")
    generator = torch.Generator().manual_seed(seed)
    from transformers import DataCollatorWithPadding

    loader = torch.utils.data.DataLoader(data, batch_size=batch_size, shuffle=True, generator=generator,
                                         collate_fn=DataCollatorWithPadding(tokenizer))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    total = epochs * len(loader) if steps is None else steps
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1 - s / total)
    start, done = time.process_time(), 0
    model.train()
    bar = tqdm(total=total, desc="fine-tuning", unit="step", disable=not progress)
    while done < total:                                     # one pass over the loader per round
        for batch in loader:
            loss = model(**to_device(batch, device)).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            done += 1
            bar.update()
            if done == total:
                break
    bar.close()
    model.eval()

    def predict(texts, batch: int = 64):
        preds = []
        with torch.no_grad():
            for i in range(0, len(texts), batch):
                enc = tokenizer(list(texts[i:i + batch]), padding=True, truncation=True, max_length=max_length,
                                return_tensors="pt")
                preds += model(**to_device(enc, device)).logits.argmax(-1).tolist()
        return np.array(preds)

    return {"seconds": time.process_time() - start, "trainable": sum(p.numel() for p in params), "steps": done,
            "predict": predict}
