"""The course's offline stand-in for BioGPT: a MiniGPT trained on the course notes, saved as a
Hugging Face `GPT2LMHeadModel` with a byte-level BPE tokenizer (GPT-2's kind of tokenizer).

    >>> build_gpt_stand_in(Path("models/mini-gpt"))        # utils.hub calls this for "microsoft/biogpt"
    >>> tok = AutoTokenizer.from_pretrained("models/mini-gpt")
    >>> model = AutoModelForCausalLM.from_pretrained("models/mini-gpt")

It is NOT BioGPT: BioGPT has 347M parameters pretrained on 15M PubMed abstracts; this has well
under a million, trained for under a minute on a few thousand synthetic notes. It writes
note-like text, which is what notebook 08 needs to show `generate` and its decoding settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

EOS = "<|endoftext|>"   # GPT-2's one special token: end of a document, also used as padding


@dataclass(frozen=True)
class GPTStandInConfig:
    vocab_size: int = 2000
    block_size: int = 128
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 128
    window: int = 64            # training windows (tokens); positions up to block_size still exist
    steps: int = 400
    batch_size: int = 16
    lr: float = 3e-3
    warmup: int = 50
    seed: int = 0


def train_byte_level_bpe(texts, vocab_size: int):
    """A GPT-2 style byte-level BPE tokenizer trained with `tokenizers`, wrapped for `transformers`
    (every string is encodable: the 256 bytes are in the vocabulary)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    if isinstance(texts, str):
        raise TypeError("texts must be an iterable of strings, not one string")
    if not isinstance(vocab_size, int) or vocab_size < 300:
        raise ValueError(f"vocab_size must be an int >= 300 (256 bytes + merges), got {vocab_size!r}")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(list(texts), trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[EOS], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=EOS, eos_token=EOS, pad_token=EOS,
                                   unk_token=None, model_max_length=1_000_000)


def build_gpt_stand_in(folder: Path, config: GPTStandInConfig | None = None) -> None:
    """Train the mini-GPT on the train notes and save model + tokenizer into `folder`
    (deterministic: fixed seeds, single-threaded sampling)."""
    from . import data
    from .models import MiniGPT, TransformerConfig
    from .train import train_lm

    config = config or GPTStandInConfig()
    folder = Path(folder)
    torch.manual_seed(config.seed)
    notes = data.load_notes("train").text.tolist()
    tokenizer = train_byte_level_bpe(notes, config.vocab_size)
    eos = tokenizer.convert_tokens_to_ids(EOS)
    ids = []
    for row in tokenizer(notes)["input_ids"]:
        ids += row + [eos]
    ids = torch.tensor(ids, dtype=torch.long)                           # one stream, EOS between notes
    model = MiniGPT(TransformerConfig(vocab_size=len(tokenizer), block_size=config.block_size,
                                      n_layer=config.n_layer, n_head=config.n_head, n_embd=config.n_embd))
    train_lm(model, ids, config.steps, block_size=config.window, batch_size=config.batch_size,
             lr=config.lr, warmup=config.warmup, seed=config.seed, desc="mini-GPT")
    hf = model.to_hf()
    hf.config.bos_token_id = hf.config.eos_token_id = hf.config.pad_token_id = eos
    hf.generation_config.bos_token_id = hf.generation_config.eos_token_id = eos
    hf.generation_config.pad_token_id = eos
    hf.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
