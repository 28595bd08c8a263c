"""Training helpers shared by the notebooks: a token stream, batches, a fit loop, perplexity.

Language models in notebooks 04 and 06 all use `lm_corpus()`: the course notes tokenized with
one BPE vocabulary, so their perplexities compare like with like.
"""
from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F

from .devices import model_device, to_device

EOS = "[EOS]"


def lm_corpus(vocab_size: int = 1000):
    """(tokenizer, train ids, validation ids): BPE (`tokenizers`, the recipe of notebook 02)
    trained on the train notes; each split is one long LongTensor with [EOS] after every note.

    Cached per vocabulary size, however it is called: the `tokenizers` trainer breaks ties in
    hash-map order, so a second training could give a different vocabulary (notebook 02)."""
    return _lm_corpus(int(vocab_size))[:3]


def lm_test_ids(vocab_size: int = 1000) -> torch.Tensor:
    """The test notes as one token stream, with `lm_corpus`'s own tokenizer: for scoring once,
    after every choice was made on validation."""
    return _lm_corpus(int(vocab_size))[3]


@lru_cache(maxsize=4)
def _lm_corpus(vocab_size: int):
    from . import data
    from .tokenization import UNK, train_library_bpe

    train_notes = data.load_notes("train").text.tolist()
    tokenizer = train_library_bpe(train_notes, vocab_size, special_tokens=(UNK, EOS))
    eos = tokenizer.token_to_id(EOS)

    def stream(texts):
        ids = []
        for enc in tokenizer.encode_batch(texts):
            ids += enc.ids + [eos]
        return torch.tensor(ids, dtype=torch.long)

    return (tokenizer, stream(train_notes), stream(data.load_notes("validation").text.tolist()),
            stream(data.load_notes("test").text.tolist()))


def random_windows(ids: torch.Tensor, block_size: int, batch_size: int, generator: torch.Generator):
    """A batch of random windows: x (B, T) and the next tokens y (B, T).

    Every window start 0 .. len(ids) - block_size - 1 is equally likely (the last window's targets
    end on the stream's last token).
    """
    if ids.dim() != 1 or len(ids) <= block_size:
        raise ValueError(f"ids must be a 1-D stream longer than block_size={block_size}, got shape {tuple(ids.shape)}")
    starts = torch.randint(0, len(ids) - block_size, (batch_size,), generator=generator)   # high is exclusive
    x = torch.stack([ids[s:s + block_size] for s in starts.tolist()])
    y = torch.stack([ids[s + 1:s + block_size + 1] for s in starts.tolist()])
    return x, y


def fit(model, get_batch, steps: int, lr: float = 3e-3, weight_decay: float = 0.0, clip: float = 1.0,
        warmup: int = 0, desc: str = "training", progress: bool = True) -> list[float]:
    """AdamW for `steps` steps on batches from `get_batch(step)` -> (inputs..., targets). Returns losses.

    The model must return (output, loss) when called with the batch, as the course models do.
    Each batch is moved to the model's device (CPU or GPU) before the call.
    The learning rate rises linearly for `warmup` steps (transformers need it), then a cosine
    schedule takes it down to `lr / 10`.
    """
    from tqdm.auto import tqdm

    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    def factor(s):
        if s < warmup:
            return (s + 1) / warmup
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(s - warmup, steps) / max(1, steps - warmup)))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    model.train()
    device = model_device(model)
    losses = []
    for step in tqdm(range(steps), desc=desc, disable=not progress, mininterval=0.5):
        out = model(*to_device(tuple(get_batch(step)), device))
        loss = out[1] if isinstance(out, (tuple, list)) and len(out) >= 2 else None
        if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
            raise ValueError("fit needs a model that returns (output, loss) with a scalar loss when called on "
                             "get_batch's (inputs..., targets); this one returned "
                             + (f"{type(out).__name__}" if loss is None else f"a loss of shape {tuple(loss.shape)}")
                             + ". Does get_batch return the targets?")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    model.eval()
    return losses


def train_lm(model, ids: torch.Tensor, steps: int, block_size: int = 64, batch_size: int = 32, lr: float = 3e-3,
             warmup: int = 0, seed: int = 0, desc: str = "training") -> list[float]:
    """`fit` a language model on random windows of the token stream `ids` (seeded sampling)."""
    generator = torch.Generator().manual_seed(seed)
    return fit(model, lambda step: random_windows(ids, block_size, batch_size, generator), steps,
               lr=lr, warmup=warmup, desc=desc)


@torch.no_grad()
def perplexity(model, ids: torch.Tensor, block_size: int, batch_size: int = 32) -> float:
    """exp(mean next-token cross-entropy) over consecutive non-overlapping windows of `ids`."""
    model.eval()
    device = model_device(model)
    n = (len(ids) - 1) // block_size
    if n < 1:
        raise ValueError(f"need more than block_size={block_size} tokens, got {len(ids)}")
    x = ids[: n * block_size].view(n, block_size)
    y = ids[1: n * block_size + 1].view(n, block_size)
    total = 0.0
    for i in range(0, n, batch_size):
        logits = model(x[i:i + batch_size].to(device))[0]
        targets = y[i:i + batch_size].to(logits.device)
        total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum").item()
    return math.exp(total / (n * block_size))
