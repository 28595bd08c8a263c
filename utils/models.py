"""The course's models, small enough to read in one sitting (in the style of nanoGPT's model.py).

- `RNNCell` / `RNN`: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), equal to `nn.RNN`.
- `RNNLanguageModel`: embedding -> RNN / LSTM / GRU -> next-token logits.
- `Block`: attention + feed-forward with residuals and LayerNorm, post-LN (the original paper,
  BERT) or pre-LN (GPT-2 and most modern models), optionally causal and with cross-attention.
- `Encoder`, `Decoder`, `EncoderDecoder`: the original transformer, small.
- `MiniGPT` (GPT-2's architecture) and `MiniBERT` (BERT's), each convertible from and to the
  `transformers` model (`from_hf` / `to_hf`), so course models load with ``from_pretrained``.

Shapes: B batch, T (or S) positions, C = n_embd, V vocabulary.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import MultiHeadAttention, causal_mask, padding_mask, sinusoidal_positions

# --------------------------------------------------------------------------- recurrent


class RNNCell(nn.Module):
    """One step of a vanilla RNN. Parameter names match `nn.RNN` (without the `_l0` suffix)."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        k = 1 / math.sqrt(hidden_size)                       # nn.RNN's initialisation
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size).uniform_(-k, k))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size).uniform_(-k, k))
        self.bias_ih = nn.Parameter(torch.empty(hidden_size).uniform_(-k, k))
        self.bias_hh = nn.Parameter(torch.empty(hidden_size).uniform_(-k, k))

    def forward(self, x, h):
        """x (B, I), h (B, H) -> new h (B, H)."""
        return torch.tanh(x @ self.weight_ih.T + self.bias_ih + h @ self.weight_hh.T + self.bias_hh)


class RNN(nn.Module):
    """A vanilla RNN over a sequence, one `RNNCell` step at a time."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.cell = RNNCell(input_size, hidden_size)
        self.hidden_size = hidden_size

    def forward(self, x, h=None):
        """x (B, T, I) -> (outputs (B, T, H), last h (B, H)). The loop is why RNNs are sequential."""
        if x.dim() != 3:
            raise ValueError(f"x must be (B, T, input_size), got {tuple(x.shape)}")
        h = x.new_zeros(x.shape[0], self.hidden_size) if h is None else h
        outputs = []
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h)
            outputs.append(h)
        return torch.stack(outputs, 1), h


@dataclass
class RNNConfig:
    vocab_size: int = 1000
    kind: str = "lstm"          # "rnn", "lstm" or "gru"
    n_embd: int = 128
    n_hidden: int = 256
    n_layer: int = 1
    dropout: float = 0.0


class RNNLanguageModel(nn.Module):
    def __init__(self, config: RNNConfig):
        super().__init__()
        layers = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
        if config.kind not in layers:
            raise ValueError(f"kind must be one of {sorted(layers)}, got {config.kind!r}")
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.n_embd)
        self.rnn = layers[config.kind](config.n_embd, config.n_hidden, config.n_layer, batch_first=True,
                                       dropout=config.dropout if config.n_layer > 1 else 0.0)
        self.head = nn.Linear(config.n_hidden, config.vocab_size)

    def forward(self, idx, targets=None):
        """idx (B, T) -> logits (B, T, V), and the mean cross-entropy if targets (B, T) are given."""
        hidden, _ = self.rnn(self.embed(idx))                # (B, T, H)
        logits = self.head(hidden)                           # (B, T, V)
        return logits, _loss(logits, targets)


def _loss(logits, targets, ignore_index: int = -100):
    if targets is None:
        return None
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=ignore_index)


@torch.no_grad()
def generate(model, idx, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
             block_size: int | None = None, generator: torch.Generator | None = None):
    """Sample `max_new_tokens` ids after idx (B, T) from any model returning (logits, loss).

    temperature < 1 sharpens the distribution, > 1 flattens it; temperature 0 is greedy.
    top_k (a positive int) samples only among the k likeliest tokens; None keeps them all.
    idx is moved to the model's device; a seeded `generator` draws on its own device, so the
    same seed gives the same sample wherever the model runs.
    """
    from .devices import model_device

    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be a positive int (keep the k likeliest tokens) or None, got {top_k!r}")
    idx = idx.to(model_device(model))
    for _ in range(max_new_tokens):
        context = idx if block_size is None else idx[:, -block_size:]
        logits = model(context)[0][:, -1, :]                 # (B, V) for the last position
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                kth = torch.topk(logits, min(top_k, logits.shape[-1])).values[:, [-1]]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            probs = logits.softmax(-1)
            if generator is not None:
                probs = probs.to(generator.device)
            nxt = torch.multinomial(probs, 1, generator=generator)
        idx = torch.cat([idx, nxt.to(idx.device)], 1)
    return idx


# --------------------------------------------------------------------------- transformer


@dataclass
class TransformerConfig:
    vocab_size: int = 1000
    block_size: int = 128       # longest sequence (learned position embeddings)
    n_layer: int = 2
    n_head: int = 4
    n_embd: int = 128
    d_ff: int | None = None     # feed-forward width; default 4 * n_embd
    dropout: float = 0.0
    norm_first: bool = True     # pre-LN (GPT-2) if True, post-LN (original, BERT) if False
    gelu_approximate: str = "tanh"   # GPT-2's "gelu_new" is the tanh approximation; BERT uses "none"
    layer_norm_eps: float = 1e-5
    type_vocab_size: int = 2    # BERT's segment (token type) embeddings


class MLP(nn.Module):
    def __init__(self, config: TransformerConfig):
        super().__init__()
        d_ff = config.d_ff or 4 * config.n_embd
        self.fc = nn.Linear(config.n_embd, d_ff)
        self.proj = nn.Linear(d_ff, config.n_embd)
        self.approximate = config.gelu_approximate

    def forward(self, x):                                    # (B, T, C) -> (B, T, C)
        return self.proj(F.gelu(self.fc(x), approximate=self.approximate))


class Block(nn.Module):
    """Self-attention (+ cross-attention) + feed-forward, each wrapped in residual and LayerNorm."""

    def __init__(self, config: TransformerConfig, cross: bool = False):
        super().__init__()
        c, eps = config.n_embd, config.layer_norm_eps
        self.norm_first = config.norm_first
        self.attn, self.ln_1 = MultiHeadAttention(c, config.n_head, config.dropout), nn.LayerNorm(c, eps=eps)
        self.cross = MultiHeadAttention(c, config.n_head, config.dropout) if cross else None
        self.ln_cross = nn.LayerNorm(c, eps=eps) if cross else None
        self.mlp, self.ln_2 = MLP(config), nn.LayerNorm(c, eps=eps)
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x, mask=None, context=None, context_mask=None):
        """x (B, T, C); mask for self-attention; context (B, S, C) for cross-attention."""
        sublayers = [(lambda h: self.attn(h, mask=mask)[0], self.ln_1)]
        if self.cross is not None:
            sublayers.append((lambda h: self.cross(h, context, mask=context_mask)[0], self.ln_cross))
        sublayers.append((self.mlp, self.ln_2))
        for f, ln in sublayers:
            x = x + self.drop(f(ln(x))) if self.norm_first else ln(x + self.drop(f(x)))
        return x


class Encoder(nn.Module):
    """A stack of bidirectional blocks: every position sees every (non-padding) position."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps) if config.norm_first else nn.Identity()

    def forward(self, x, mask=None):                         # (B, S, C) -> (B, S, C)
        for block in self.blocks:
            x = block(x, mask)
        return self.ln_f(x)


class Decoder(nn.Module):
    """Causal self-attention, then cross-attention in which the decoder queries the encoder."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.blocks = nn.ModuleList(Block(config, cross=True) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps) if config.norm_first else nn.Identity()

    def forward(self, y, memory, memory_mask=None):          # (B, T, C), (B, S, C) -> (B, T, C)
        mask = causal_mask(y.shape[1], y.device)
        for block in self.blocks:
            y = block(y, mask, memory, memory_mask)
        return self.ln_f(y)


class EncoderDecoder(nn.Module):
    """A small original-style transformer (shared vocabulary, sinusoidal positions, tied head)."""

    def __init__(self, config: TransformerConfig, pad_id: int = 0):
        super().__init__()
        self.config, self.pad_id = config, pad_id
        self.embed = nn.Embedding(config.vocab_size, config.n_embd)
        self.register_buffer("positions", sinusoidal_positions(config.block_size, config.n_embd), persistent=False)
        self.encoder, self.decoder = Encoder(config), Decoder(config)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.head.weight = self.embed.weight

    def _embed(self, ids):                                   # (B, T) -> (B, T, C)
        _check_length(ids.shape[1], self.config.block_size)
        return self.embed(ids) * math.sqrt(self.config.n_embd) + self.positions[: ids.shape[1]]

    def encode(self, src):
        """src (B, S) -> (memory (B, S, C), source padding mask (B, 1, 1, S))."""
        src_mask = padding_mask((src != self.pad_id).long())
        return self.encoder(self._embed(src), src_mask), src_mask

    def decode(self, tgt_in, memory, src_mask):
        """tgt_in (B, T) and the encoder's memory -> logits (B, T, V)."""
        return self.head(self.decoder(self._embed(tgt_in), memory, src_mask))

    def forward(self, src, tgt_in, targets=None):
        """src (B, S), tgt_in (B, T) -> logits (B, T, V); loss ignores padding targets."""
        logits = self.decode(tgt_in, *self.encode(src))
        return logits, _loss(logits, targets, ignore_index=self.pad_id)

    @torch.no_grad()
    def generate(self, src, bos_id: int, eos_id: int, max_len: int = 16):
        """Greedy decoding: (B, S) -> (B, <= max_len) ids after BOS, stopping at EOS."""
        memory, src_mask = self.encode(src)                 # the source is read once
        out = torch.full((src.shape[0], 1), bos_id, dtype=torch.long, device=src.device)
        for _ in range(max_len):
            nxt = self.decode(out, memory, src_mask)[:, -1].argmax(-1, keepdim=True)
            out = torch.cat([out, nxt], 1)
            if (out == eos_id).any(1).all():
                break
        return out[:, 1:]


class MiniGPT(nn.Module):
    """GPT-2: token + learned position embeddings, pre-LN causal blocks, final LayerNorm, tied head."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight                 # weight tying, as GPT-2
        self.apply(_init_weights)

    def forward(self, idx, targets=None):
        """idx (B, T) -> logits (B, T, V), loss."""
        t = idx.shape[1]
        _check_length(t, self.config.block_size)
        x = self.drop(self.wte(idx) + self.wpe(torch.arange(t, device=idx.device)))   # (B, T, C)
        mask = causal_mask(t, idx.device)
        for block in self.blocks:
            x = block(x, mask)
        logits = self.lm_head(self.ln_f(x))
        return logits, _loss(logits, targets)

    # ---- conversion with transformers.GPT2LMHeadModel (Conv1D weights are stored transposed)
    def _pairs(self):
        """(our parameter, GPT-2 key, how): how is 'same', 'T' (transpose) or ('qkv', i)."""
        yield self.wte.weight, "transformer.wte.weight", "same"
        yield self.wpe.weight, "transformer.wpe.weight", "same"
        for i, b in enumerate(self.blocks):
            p = f"transformer.h.{i}."
            for ours, theirs in [(b.ln_1, "ln_1"), (b.ln_2, "ln_2")]:
                yield ours.weight, p + theirs + ".weight", "same"
                yield ours.bias, p + theirs + ".bias", "same"
            for j, proj in enumerate([b.attn.q_proj, b.attn.k_proj, b.attn.v_proj]):
                yield proj.weight, p + "attn.c_attn.weight", ("qkv", j)
                yield proj.bias, p + "attn.c_attn.bias", ("qkv", j)
            for ours, theirs in [(b.attn.out_proj, "attn.c_proj"), (b.mlp.fc, "mlp.c_fc"), (b.mlp.proj, "mlp.c_proj")]:
                yield ours.weight, p + theirs + ".weight", "T"
                yield ours.bias, p + theirs + ".bias", "same"
        yield self.ln_f.weight, "transformer.ln_f.weight", "same"
        yield self.ln_f.bias, "transformer.ln_f.bias", "same"

    @classmethod
    def from_hf(cls, hf) -> "MiniGPT":
        """A MiniGPT with the weights of a `transformers.GPT2LMHeadModel`."""
        c = hf.config
        if not c.scale_attn_weights or c.scale_attn_by_inverse_layer_idx:
            raise ValueError("MiniGPT scales attention scores by 1/sqrt(d_head) only; this GPT-2 config scales "
                             "them differently (scale_attn_weights / scale_attn_by_inverse_layer_idx)")
        model = cls(TransformerConfig(vocab_size=c.vocab_size, block_size=c.n_positions, n_layer=c.n_layer,
                                      n_head=c.n_head, n_embd=c.n_embd, d_ff=c.n_inner, norm_first=True,
                                      gelu_approximate=_gelu_from_hf(c.activation_function),
                                      layer_norm_eps=c.layer_norm_epsilon))
        state = hf.state_dict()
        with torch.no_grad():
            for ours, key, how in model._pairs():
                src = state[key]
                if how == "T":
                    src = src.T
                elif how != "same":
                    src = src.chunk(3, dim=-1)[how[1]]
                    src = src.T if src.dim() == 2 else src
                ours.copy_(src)
        return model.eval()

    def to_hf(self):
        """A `transformers.GPT2LMHeadModel` with our weights (save it with save_pretrained)."""
        from transformers import GPT2Config, GPT2LMHeadModel

        c = self.config
        if any(not b.norm_first or b.cross is not None for b in self.blocks):
            raise ValueError("GPT-2 is pre-LN without cross-attention: a MiniGPT with norm_first=False "
                             "cannot be exported to GPT2LMHeadModel without changing what it computes")
        hf = GPT2LMHeadModel(GPT2Config(vocab_size=c.vocab_size, n_positions=c.block_size, n_embd=c.n_embd,
                                        n_layer=c.n_layer, n_head=c.n_head, n_inner=c.d_ff,
                                        layer_norm_epsilon=c.layer_norm_eps,
                                        activation_function=_gelu_to_hf(self.blocks, "gpt2"),
                                        resid_pdrop=c.dropout, embd_pdrop=c.dropout, attn_pdrop=c.dropout,
                                        bos_token_id=None, eos_token_id=None))
        state = hf.state_dict()
        with torch.no_grad():
            for ours, key, how in self._pairs():
                if how == "same":
                    state[key].copy_(ours)
                elif how == "T":
                    state[key].copy_(ours.T)
                else:
                    part = state[key].chunk(3, dim=-1)[how[1]]
                    part.copy_(ours.T if ours.dim() == 2 else ours)
        hf.tie_weights()
        return hf.eval()


class MiniBERT(nn.Module):
    """BERT: word + position + segment embeddings with LayerNorm, then post-LN bidirectional blocks."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        if config.norm_first:
            raise ValueError("BERT is post-LN: use TransformerConfig(norm_first=False)")
        self.config = config
        c = config.n_embd
        self.word = nn.Embedding(config.vocab_size, c)
        self.position = nn.Embedding(config.block_size, c)
        self.segment = nn.Embedding(config.type_vocab_size, c)
        self.ln = nn.LayerNorm(c, eps=config.layer_norm_eps)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.apply(_init_weights)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        """input_ids (B, T) -> hidden states (B, T, C)."""
        t = input_ids.shape[1]
        _check_length(t, self.config.block_size)
        token_type_ids = torch.zeros_like(input_ids) if token_type_ids is None else token_type_ids
        x = self.word(input_ids) + self.position(torch.arange(t, device=input_ids.device)) + self.segment(token_type_ids)
        x = self.drop(self.ln(x))
        mask = None if attention_mask is None else padding_mask(attention_mask)   # (B, 1, 1, T)
        for block in self.blocks:
            x = block(x, mask)
        return x

    def _pairs(self):
        yield self.word, "embeddings.word_embeddings"
        yield self.position, "embeddings.position_embeddings"
        yield self.segment, "embeddings.token_type_embeddings"
        yield self.ln, "embeddings.LayerNorm"
        for i, b in enumerate(self.blocks):
            p = f"encoder.layer.{i}."
            yield from [(b.attn.q_proj, p + "attention.self.query"), (b.attn.k_proj, p + "attention.self.key"),
                        (b.attn.v_proj, p + "attention.self.value"), (b.attn.out_proj, p + "attention.output.dense"),
                        (b.ln_1, p + "attention.output.LayerNorm"), (b.mlp.fc, p + "intermediate.dense"),
                        (b.mlp.proj, p + "output.dense"), (b.ln_2, p + "output.LayerNorm")]

    def _copy(self, state, into_ours: bool):
        with torch.no_grad():
            for module, key in self._pairs():
                for name, param in module.named_parameters():
                    (param.copy_(state[f"{key}.{name}"]) if into_ours else state[f"{key}.{name}"].copy_(param))

    @classmethod
    def from_hf(cls, hf) -> "MiniBERT":
        """A MiniBERT with the weights of a `transformers.BertModel` (its pooler is not used)."""
        c = hf.config
        if getattr(c, "position_embedding_type", "absolute") != "absolute" or c.is_decoder:
            raise ValueError("MiniBERT is a bidirectional encoder with absolute position embeddings; "
                             "this BERT config is not")
        model = cls(TransformerConfig(vocab_size=c.vocab_size, block_size=c.max_position_embeddings,
                                      n_layer=c.num_hidden_layers, n_head=c.num_attention_heads, n_embd=c.hidden_size,
                                      d_ff=c.intermediate_size, norm_first=False,
                                      gelu_approximate=_gelu_from_hf(c.hidden_act),
                                      layer_norm_eps=c.layer_norm_eps, type_vocab_size=c.type_vocab_size))
        model._copy(hf.state_dict(), into_ours=True)
        return model.eval()

    def to_hf(self):
        """A `transformers.BertModel` with our weights (the pooler keeps its fresh initialisation)."""
        from transformers import BertConfig, BertModel

        c = self.config
        hf = BertModel(BertConfig(vocab_size=c.vocab_size, hidden_size=c.n_embd, num_hidden_layers=c.n_layer,
                                  num_attention_heads=c.n_head, intermediate_size=c.d_ff or 4 * c.n_embd,
                                  max_position_embeddings=c.block_size, type_vocab_size=c.type_vocab_size,
                                  layer_norm_eps=c.layer_norm_eps, hidden_act=_gelu_to_hf(self.blocks, "bert"),
                                  hidden_dropout_prob=c.dropout,
                                  attention_probs_dropout_prob=c.dropout))
        self._copy(hf.state_dict(), into_ours=False)
        return hf.eval()


def _check_length(t: int, block_size: int) -> None:
    if t > block_size:
        raise ValueError(f"sequence length {t} exceeds block_size {block_size} (the longest sequence "
                         f"the model has positions for): truncate the input or build a larger model")


# transformers' names of the two GELUs; "gelu_new" is GPT-2's own spelling of the tanh approximation
_GELU_TO_HF = {"gpt2": {"tanh": "gelu_new", "none": "gelu"}, "bert": {"none": "gelu", "tanh": "gelu_pytorch_tanh"}}
_GELU_FROM_HF = {"gelu": "none", "gelu_new": "tanh", "gelu_pytorch_tanh": "tanh"}


def _gelu_to_hf(blocks, family: str) -> str:
    """transformers' name for the activation our blocks use; refuses what it cannot name exactly."""
    kinds = {b.mlp.approximate for b in blocks}
    if len(kinds) != 1 or next(iter(kinds)) not in _GELU_TO_HF[family]:
        raise ValueError(f"cannot export GELU(approximate={sorted(kinds)}) to {family}: "
                         f"supported are {sorted(_GELU_TO_HF[family])}")
    return _GELU_TO_HF[family][kinds.pop()]


def _gelu_from_hf(name: str) -> str:
    if name not in _GELU_FROM_HF:
        raise ValueError(f"the course models use GELU (exact or tanh), not {name!r}")
    return _GELU_FROM_HF[name]


def _init_weights(module):
    """GPT-2 / BERT style: normal(0, 0.02) weights, zero biases, unit LayerNorm."""
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)


class MiniBertForMaskedLM(nn.Module):
    """MiniBERT + BERT's masked-LM head: dense -> GELU -> LayerNorm -> decoder tied to the word
    embeddings, plus an output bias. Convertible to `transformers.BertForMaskedLM` (`to_hf`)."""

    def __init__(self, config: TransformerConfig):
        super().__init__()
        self.config = config
        self.bert = MiniBERT(config)
        c = config.n_embd
        self.transform = nn.Linear(c, c)
        self.transform_ln = nn.LayerNorm(c, eps=config.layer_norm_eps)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        _init_weights(self.transform)

    def forward(self, input_ids, attention_mask=None, labels=None):
        """input_ids (B, T) -> logits (B, T, V), and the cross-entropy over positions with labels != -100."""
        h = self.bert(input_ids, attention_mask)                                      # (B, T, C)
        h = self.transform_ln(F.gelu(self.transform(h), approximate=self.config.gelu_approximate))
        logits = h @ self.bert.word.weight.T + self.bias                                # (B, T, V), tied
        return logits, _loss(logits, labels)

    def to_hf(self):
        """A `transformers.BertForMaskedLM` with our weights (tied decoder, as BERT)."""
        from transformers import BertForMaskedLM

        body = self.bert.to_hf()
        hf = BertForMaskedLM(body.config)
        hf.bert.load_state_dict(body.state_dict(), strict=False)   # BertForMaskedLM has no pooler
        p = hf.cls.predictions
        with torch.no_grad():
            p.transform.dense.weight.copy_(self.transform.weight)
            p.transform.dense.bias.copy_(self.transform.bias)
            p.transform.LayerNorm.weight.copy_(self.transform_ln.weight)
            p.transform.LayerNorm.bias.copy_(self.transform_ln.bias)
            p.bias.copy_(self.bias)
        hf.tie_weights()
        return hf.eval()
