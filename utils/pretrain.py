"""Masked-language-model pretraining of the course mini-BERT (notebook 07), and the BERT stand-in.

The recipe is BERT's (Devlin et al., 2019), small:

1. a WordPiece tokenizer (notebook 02's recipe) trained on the train notes (optionally + ICD-10-CM
   descriptions), saved as a `transformers.BertTokenizer`;
2. the text packed into fixed windows ``[CLS] ... [SEP]`` of `block_size` tokens (no padding);
3. `mask_tokens`: choose `mlm_probability` (BERT: 15%; here 40%) of the non-special tokens as targets; of those, 80% become [MASK],
   10% a random token, 10% stay as they are (the same rule as `DataCollatorForLanguageModeling`);
4. `MiniBertForMaskedLM`, its position embeddings started as sinusoids (`init_positions`), trained
   with `utils.train.fit` to predict the chosen tokens;
5. exported to `transformers.BertForMaskedLM` and saved with ``save_pretrained``.

`pretrain_mini_bert` does steps 1-4 and is the only place the model is trained: `build_bert_stand_in`
(called by ``python -m utils.hub build``) saves its result, together with the training log, and the
notebook loads that cached build rather than training it again.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from .attention import sinusoidal_positions
from .models import MiniBertForMaskedLM, TransformerConfig

LOG_FILE = "pretraining_log.json"


@dataclass
class PretrainConfig:
    vocab_size: int = 4000        # WordPiece vocabulary
    block_size: int = 64          # tokens per training window, [CLS] and [SEP] included
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 128
    steps: int = 1200
    batch_size: int = 32
    lr: float = 1e-3
    warmup: int = 100
    # BERT masks 15%; 40% gives more targets per step (Wettig et al., 2023, "Should You Mask 15% in
    # Masked Language Modeling?").
    mlm_probability: float = 0.4
    icd_descriptions: int = 0      # ICD-10-CM leaf descriptions added to the notes (real text)
    # The learned position embeddings start as sinusoids (Vaswani et al., 2017) times this scale,
    # instead of normal(0, 0.02); 0 keeps the random start. See `init_positions`.
    position_init: float = 0.1
    seed: int = 0
    # Measured on the validation notes (one thread, ms per training step):
    # - the former recipe (4 layers, + 5000 ICD descriptions, 700 steps, warmup 50, random
    #   positions; 207-222 ms/step): accuracy 0.146 over all chosen positions, but at the [MASK]
    #   positions 0.076 = always predicting "." (0.076), perplexity 307: the unigram plateau; it had
    #   only learned to copy the tokens the 10%/10% rule leaves visible. lr 3e-3: 0.078 overall;
    #   2 layers x 1200 steps at lr 1e-3 or 3e-3, or masking 20%: still 0.079-0.081 at [MASK].
    # - what moved it: sinusoid-initialised positions together with 2 layers x 1200 steps and the
    #   notes only. This recipe (123 ms/step, so 1200 steps cost ~1.0x the former 700; the whole
    #   build ~0.93x, no ICD text to tokenize): 0.36 overall, 0.31 at [MASK] (always ".": 0.08),
    #   perplexity 50. Variants: vocab 2000 0.21 at [MASK] (0.10 without the sinusoids); vocab
    #   2000 + the 5000 ICD descriptions (not note text) 0.11; vocab 2000, 4 layers x 700 steps 0.10; the
    #   sinusoids on the former recipe alone 0.088.
    # Fine-tuned on abbreviation senses (notebook 07's settings, one seed), validation macro-F1
    # pretrained / random init: lr 1e-3 0.895 / 0.813 (former recipe 0.853 / 0.865), lr 2e-3
    # 0.860 / 0.736 (former 0.661 / 0.006).


# --------------------------------------------------------------------------- text and tokenizer

def pretraining_texts(icd_descriptions: int = 5000) -> tuple[list[str], list[str]]:
    """(train texts, validation texts): the train notes plus an evenly spaced sample of
    `icd_descriptions` ICD-10-CM descriptions; the validation notes for evaluation."""
    from . import data

    if not isinstance(icd_descriptions, int) or icd_descriptions < 0:
        raise ValueError(f"icd_descriptions must be an int >= 0, got {icd_descriptions!r}")
    train = data.load_notes("train").text.tolist()
    if icd_descriptions:
        descriptions = data.load_icd10().description.tolist()
        step = max(1, len(descriptions) // icd_descriptions)
        train += descriptions[::step][:icd_descriptions]
    return train, data.load_notes("validation").text.tolist()


def bert_tokenizer(texts, vocab_size: int = 4000):
    """The WordPiece tokenizer of notebook 02 (`utils.tokenization.train_wordpiece`), as the
    `transformers.BertTokenizer` that BERT checkpoints ship with (same vocabulary, same splits)."""
    from transformers import BertTokenizer

    from .tokenization import train_wordpiece

    wordpiece = train_wordpiece(texts, vocab_size=vocab_size)
    return BertTokenizer(vocab=dict(sorted(wordpiece.get_vocab().items(), key=lambda kv: kv[1])),
                         do_lower_case=True)


def pack(tokenizer, texts, block_size: int) -> torch.Tensor:
    """All texts, tokenized and joined by [SEP], cut into windows [CLS] + (block_size - 2) + [SEP]:
    a LongTensor (N, block_size)."""
    if block_size < 3:
        raise ValueError(f"block_size must be >= 3, got {block_size}")
    stream = []
    for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]:
        stream += ids + [tokenizer.sep_token_id]
    body = block_size - 2
    n = len(stream) // body
    if n < 1:
        raise ValueError(f"the texts give {len(stream)} tokens, fewer than one window of {body}")
    windows = torch.tensor(stream[: n * body]).view(n, body)
    cls = torch.full((n, 1), tokenizer.cls_token_id)
    sep = torch.full((n, 1), tokenizer.sep_token_id)
    return torch.cat([cls, windows, sep], 1)


# --------------------------------------------------------------------------- masking

def mask_tokens(input_ids: torch.Tensor, mask_id: int, vocab_size: int, special_ids,
                mlm_probability: float = 0.15, generator: torch.Generator | None = None):
    """BERT's 80/10/10 rule. Returns (inputs, labels), labels = -100 where nothing is predicted.

    Each non-special token is chosen with probability `mlm_probability`; a chosen token becomes
    [MASK] with probability 0.8, a uniformly random token with 0.1, and stays itself with 0.1.
    """
    if not 0 < mlm_probability < 1:
        raise ValueError(f"mlm_probability must be in (0, 1), got {mlm_probability}")
    if input_ids.dtype != torch.long:
        raise TypeError(f"input_ids must be a LongTensor, got {input_ids.dtype}")
    special = torch.isin(input_ids, torch.tensor(sorted(special_ids), dtype=torch.long))
    u = torch.rand(input_ids.shape, generator=generator)
    chosen = (u < mlm_probability) & ~special
    labels = torch.where(chosen, input_ids, torch.full_like(input_ids, -100))
    r = torch.rand(input_ids.shape, generator=generator)
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.clone()
    inputs[chosen & (r < 0.8)] = mask_id                                        # 80%: [MASK]
    swap = chosen & (r >= 0.8) & (r < 0.9)
    inputs[swap] = random_ids[swap]                                             # 10%: random token
    return inputs, labels                                                       # 10%: unchanged


def _mask_for(tokenizer, config: PretrainConfig):
    specials = set(tokenizer.all_special_ids)
    return lambda ids, generator: mask_tokens(ids, tokenizer.mask_token_id, len(tokenizer), specials,
                                              config.mlm_probability, generator)


@torch.no_grad()
def evaluate_mlm(model, windows: torch.Tensor, mask, seed: int = 1, batch_size: int = 64,
                 mask_id: int | None = None) -> dict:
    """Masked-token accuracy and perplexity (exp of the mean cross-entropy over masked positions)
    on `windows` (N, T), masked once with a fixed seed so every call scores the same positions.

    With `mask_id`, also the accuracy at the [MASK] positions alone ("mask_accuracy": there the
    input gives nothing away, unlike the 20% of chosen positions that show a random or the true
    token) and, for comparison, that of always predicting the most frequent target there
    ("mask_top_token_accuracy", the unigram plateau)."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    total = correct = count = 0.0
    at_mask_labels, at_mask_right = [], []
    for i in range(0, len(windows), batch_size):
        inputs, labels = mask(windows[i:i + batch_size], generator)
        logits = model(inputs)[0]
        keep = labels != -100
        total += F.cross_entropy(logits[keep], labels[keep], reduction="sum").item()
        correct += (logits[keep].argmax(-1) == labels[keep]).sum().item()
        count += keep.sum().item()
        if mask_id is not None:
            at_mask = keep & (inputs == mask_id)
            at_mask_labels.append(labels[at_mask])
            at_mask_right.append(logits[at_mask].argmax(-1) == labels[at_mask])
    result = {"accuracy": correct / count, "perplexity": math.exp(total / count), "masked_tokens": int(count)}
    if mask_id is not None:
        labels, right = torch.cat(at_mask_labels), torch.cat(at_mask_right)
        result.update(mask_accuracy=right.float().mean().item(),
                      mask_top_token_accuracy=(labels == labels.mode().values).float().mean().item(),
                      mask_positions=len(labels))
    return result


# --------------------------------------------------------------------------- pretraining

class _MaskedOnly(torch.nn.Module):
    """Training view of a `MiniBertForMaskedLM`: the MLM head runs only at the chosen (masked) positions
    (the vocabulary projection is most of the cost); the loss equals the model's own."""

    def __init__(self, model: MiniBertForMaskedLM):
        super().__init__()
        self.model = model

    def forward(self, input_ids, labels):
        m = self.model
        keep = labels != -100
        h = m.bert(input_ids)[keep]                                                   # (M, C)
        h = m.transform_ln(F.gelu(m.transform(h), approximate=m.config.gelu_approximate))
        logits = h @ m.bert.word.weight.T + m.bias                                      # (M, V)
        return logits, F.cross_entropy(logits, labels[keep])


def model_config(config: PretrainConfig, vocab_size: int) -> TransformerConfig:
    return TransformerConfig(vocab_size=vocab_size, block_size=config.block_size, n_layer=config.n_layer,
                             n_head=config.n_head, n_embd=config.n_embd, norm_first=False,
                             gelu_approximate="none", layer_norm_eps=1e-12)


@torch.no_grad()
def init_positions(model: MiniBertForMaskedLM, scale: float) -> None:
    """Start the learned position embeddings as `scale` * sinusoids instead of random vectors.

    Random position vectors tell the model where a token is but not which positions are near each
    other, and with them the course recipe stayed on the unigram plateau: at [MASK] positions it
    predicted no better than always ".", having learned only to copy the tokens left visible.
    Sinusoids make nearby positions similar from the first step, so attention can find the
    neighbours early. They stay ordinary trained parameters: the model is still exactly BERT."""
    if scale:
        c = model.config
        model.bert.position.weight.copy_(scale * sinusoidal_positions(c.block_size, c.n_embd))


def initial_model(config: PretrainConfig, vocab_size: int) -> MiniBertForMaskedLM:
    """The mini-BERT exactly as pretraining starts it: seeded with `config.seed`, positions started as
    sinusoids (`init_positions`). Notebook 07's random-init control is this model, never trained."""
    if not isinstance(config, PretrainConfig):
        raise TypeError(f"config must be a PretrainConfig, got {type(config).__name__}")
    torch.manual_seed(config.seed)
    model = MiniBertForMaskedLM(model_config(config, vocab_size))
    init_positions(model, config.position_init)
    return model


def pretrain_mini_bert(config: PretrainConfig | None = None, progress: bool = True):
    """Train the tokenizer and `MiniBertForMaskedLM` with masked-LM on the course text.

    Returns (model, tokenizer, log): log has the config, the loss of every step, validation
    masked-token accuracy/perplexity before and after training, and sizes (no timings: the log is
    part of the build, which must be the same file in every run; `utils.hub.build_info` has them).
    """
    from .train import fit

    config = config or PretrainConfig()
    if not isinstance(config, PretrainConfig):
        raise TypeError(f"config must be a PretrainConfig, got {type(config).__name__}")
    torch.manual_seed(config.seed)
    train_texts, val_texts = pretraining_texts(config.icd_descriptions)
    tokenizer = bert_tokenizer(train_texts, config.vocab_size)
    train, val = pack(tokenizer, train_texts, config.block_size), pack(tokenizer, val_texts, config.block_size)
    mask = _mask_for(tokenizer, config)
    model = initial_model(config, len(tokenizer))
    before = evaluate_mlm(model, val, mask, mask_id=tokenizer.mask_token_id)
    generator = torch.Generator().manual_seed(config.seed)

    def batch(step):
        rows = torch.randint(len(train), (config.batch_size,), generator=generator)
        inputs, labels = mask(train[rows], generator)
        return inputs, labels

    losses = fit(_MaskedOnly(model), batch, config.steps, lr=config.lr, weight_decay=0.01, warmup=config.warmup,
                 desc="MLM pretraining", progress=progress)
    log = {"config": asdict(config), "loss": losses, "validation_before": before,
           "validation": evaluate_mlm(model, val, mask, mask_id=tokenizer.mask_token_id), "train_windows": len(train),
           "validation_windows": len(val), "train_tokens": int(train.numel()),
           "parameters": sum(p.numel() for p in model.parameters())}
    return model, tokenizer, log


def build_bert_stand_in(folder: Path) -> None:
    """The hub builder of "mini-bert": pretrain, export to `BertForMaskedLM`, save the model, its
    `BertTokenizer` and the training log (`pretraining_log.json`) into `folder`."""
    folder = Path(folder)
    model, tokenizer, log = pretrain_mini_bert(PretrainConfig(), progress=False)
    model.to_hf().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / LOG_FILE).write_text(json.dumps(log, indent=1))


def load_log(folder: Path | str) -> dict:
    """The training log saved next to a built stand-in."""
    path = Path(folder) / LOG_FILE
    if not path.exists():
        raise FileNotFoundError(f"no {LOG_FILE} in {folder}: was it built by build_bert_stand_in?")
    return json.loads(path.read_text())
