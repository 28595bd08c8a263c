"""Attention from its formula: softmax(Q K^T / sqrt(d_k)) V, masks, heads, positions.

Masks follow PyTorch's boolean convention for `F.scaled_dot_product_attention`: **True means
"may attend"**. Shapes: B batch, H heads, T query positions, S key positions, C model width,
D = C / H per head.

Set `USE_FUSED = True` (or pass ``fused=True``) to dispatch to PyTorch's fused kernel once the
lesson is made: same result, less memory, no weights returned.

A query that the mask allows to attend to no key at all (a row of the mask that is all False,
e.g. a sequence made only of padding) gets all-zero weights and an all-zero output, as
`F.scaled_dot_product_attention` gives; the formula alone would give NaN (softmax of all -inf).
"""
from __future__ import annotations

import math
import operator

import torch
import torch.nn as nn
import torch.nn.functional as F

USE_FUSED = False


def _check_mask(mask: torch.Tensor, scores_shape: torch.Size) -> None:
    if mask.dtype != torch.bool:
        raise ValueError(f"mask must be a bool tensor (True = may attend), got dtype {mask.dtype}")
    try:
        torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        raise ValueError(f"mask of shape {tuple(mask.shape)} does not broadcast to the attention "
                         f"scores' shape {tuple(scores_shape)} (..., T, S)") from None


def scaled_dot_product_attention(q, k, v, mask=None, fused: bool | None = None):
    """q (..., T, D), k (..., S, D), v (..., S, Dv), mask broadcastable to (..., T, S).

    Returns (output (..., T, Dv), weights (..., T, S)); weights is None on the fused path.
    """
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k need the same last dimension, got q {tuple(q.shape)} and k {tuple(k.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v need the same number of positions, got k {tuple(k.shape)} and v {tuple(v.shape)}")
    scores_shape = torch.Size([*torch.broadcast_shapes(q.shape[:-2], k.shape[:-2]), q.shape[-2], k.shape[-2]])
    if mask is not None:
        _check_mask(mask, scores_shape)
    if USE_FUSED if fused is None else fused:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask), None
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])        # (..., T, S)
    empty = None
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
        empty = ~mask.any(dim=-1, keepdim=True)                       # queries allowed no key at all
        empty = empty if empty.any() else None
        if empty is not None:
            scores = scores.masked_fill(empty, 0.0)                   # no softmax of all -inf (NaN)
    weights = scores.softmax(dim=-1)                                  # each row sums to 1
    if empty is not None:
        weights = weights.masked_fill(empty, 0.0)                     # ...except rows that may see nothing
    return weights @ v, weights                                       # (..., T, Dv)


def _positive_int(name: str, value) -> int:
    """`value` as an int (Python, NumPy or 0-d torch integer), or a ValueError naming it."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    try:
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a positive int, got {value!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def causal_mask(t: int, device=None) -> torch.Tensor:
    """(T, T) bool: position i may attend to positions 0..i only."""
    t = _positive_int("t", t)
    return torch.ones(t, t, dtype=torch.bool, device=device).tril()


def padding_mask(attention_mask: torch.Tensor) -> torch.Tensor:
    """(B, S) 1/0 attention mask (as tokenizers return) -> (B, 1, 1, S) bool: keys that are real tokens."""
    if attention_mask.dim() != 2:
        raise ValueError(f"attention_mask must be (B, S), got shape {tuple(attention_mask.shape)}")
    return attention_mask.bool()[:, None, None, :]


def sinusoidal_positions(t: int, d: int) -> torch.Tensor:
    """(T, d) sinusoidal position encodings of "Attention is all you need" (d even)."""
    t = _positive_int("t", t)
    d = _positive_int("d", d)
    if d < 2 or d % 2:
        raise ValueError(f"d must be an even int >= 2, got {d!r}")
    position = torch.arange(t, dtype=torch.float32)[:, None]                   # (T, 1)
    frequency = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2) / d)     # (d/2,)
    pe = torch.zeros(t, d)
    pe[:, 0::2] = torch.sin(position * frequency)
    pe[:, 1::2] = torch.cos(position * frequency)
    return pe


class MultiHeadAttention(nn.Module):
    """Self-attention (context=None) or cross-attention (queries from x, keys/values from context)."""

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        self.dropout = nn.Dropout(dropout)

    def _split(self, x):                      # (B, T, C) -> (B, H, T, D)
        b, t, _ = x.shape
        return x.view(b, t, self.n_heads, self.d_head).transpose(1, 2)

    def forward(self, x, context=None, mask=None, fused: bool | None = None):
        """x (B, T, C), context (B, S, C) or None, mask broadcastable to (B, H, T, S).

        Returns (output (B, T, C), weights (B, H, T, S) or None on the fused path).
        """
        if x.dim() != 3 or x.shape[-1] != self.n_heads * self.d_head:
            raise ValueError(f"x must be (B, T, {self.n_heads * self.d_head}), got {tuple(x.shape)}")
        if context is None:
            context = x
        elif context.dim() != 3 or context.shape[0] != x.shape[0] or context.shape[-1] != x.shape[-1]:
            raise ValueError(f"context must be (B, S, {x.shape[-1]}) with the same batch size B={x.shape[0]} "
                             f"as x, got {tuple(context.shape)}")
        q, k, v = self._split(self.q_proj(x)), self._split(self.k_proj(context)), self._split(self.v_proj(context))
        out, weights = scaled_dot_product_attention(q, k, v, mask, fused)   # (B, H, T, D)
        if weights is not None and self.training and self.dropout.p > 0:
            out = self.dropout(weights) @ v
        b, _, t, _ = out.shape
        out = out.transpose(1, 2).reshape(b, t, -1)                          # (B, T, C)
        return self.out_proj(out), weights
