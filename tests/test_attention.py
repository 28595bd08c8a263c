"""utils.attention equals PyTorch: F.scaled_dot_product_attention and nn.MultiheadAttention."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from utils import attention as A

TOL = {torch.float32: 1e-5, torch.float64: 1e-10}


@pytest.fixture(params=[torch.float32, torch.float64], ids=["float32", "float64"])
def dtype(request):
    return request.param


def _qkv(dtype, b=2, h=3, t=5, s=7, d=8):
    g = torch.Generator().manual_seed(0)
    return (torch.randn(b, h, t, d, generator=g, dtype=dtype), torch.randn(b, h, s, d, generator=g, dtype=dtype),
            torch.randn(b, h, s, d, generator=g, dtype=dtype))


def test_equals_torch_without_mask(dtype):
    q, k, v = _qkv(dtype)
    out, weights = A.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=TOL[dtype], rtol=0)
    torch.testing.assert_close(weights.sum(-1), torch.ones_like(weights.sum(-1)))


def test_equals_torch_with_causal_mask(dtype):
    q, k, v = _qkv(dtype, s=5)
    out, weights = A.scaled_dot_product_attention(q, k, v, A.causal_mask(5))
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=TOL[dtype], rtol=0)
    assert (weights.triu(1) == 0).all()


def test_equals_torch_with_padding_mask(dtype):
    q, k, v = _qkv(dtype)
    attention_mask = torch.tensor([[1] * 7, [1] * 4 + [0] * 3])
    mask = A.padding_mask(attention_mask)                              # (B, 1, 1, S)
    out, weights = A.scaled_dot_product_attention(q, k, v, mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=TOL[dtype], rtol=0)
    assert (weights[1, :, :, 4:] == 0).all()


def test_fused_flag_dispatches_to_torch(dtype, monkeypatch):
    q, k, v = _qkv(dtype, s=5)
    ours, _ = A.scaled_dot_product_attention(q, k, v, A.causal_mask(5))
    monkeypatch.setattr(A, "USE_FUSED", True)
    fused, weights = A.scaled_dot_product_attention(q, k, v, A.causal_mask(5))
    assert weights is None
    torch.testing.assert_close(ours, fused, atol=TOL[dtype], rtol=0)


def _copy_into_ours(theirs: nn.MultiheadAttention, ours: A.MultiHeadAttention):
    wq, wk, wv = theirs.in_proj_weight.chunk(3)
    bq, bk, bv = theirs.in_proj_bias.chunk(3)
    with torch.no_grad():
        for proj, w, b in [(ours.q_proj, wq, bq), (ours.k_proj, wk, bk), (ours.v_proj, wv, bv)]:
            proj.weight.copy_(w)
            proj.bias.copy_(b)
        ours.out_proj.weight.copy_(theirs.out_proj.weight)
        ours.out_proj.bias.copy_(theirs.out_proj.bias)


@pytest.mark.parametrize("kind", ["self", "causal", "padding", "cross"])
def test_multihead_equals_nn_multiheadattention(dtype, kind):
    torch.manual_seed(0)
    theirs = nn.MultiheadAttention(16, 4, batch_first=True, dtype=dtype).eval()
    ours = A.MultiHeadAttention(16, 4).to(dtype).eval()
    _copy_into_ours(theirs, ours)
    x = torch.randn(2, 6, 16, dtype=dtype)
    context = torch.randn(2, 9, 16, dtype=dtype) if kind == "cross" else x
    kwargs, mask = {}, None
    if kind == "causal":
        kwargs["attn_mask"] = ~A.causal_mask(6)                        # torch: True = blocked
        mask = A.causal_mask(6)
    if kind == "padding":
        am = torch.tensor([[1] * 6, [1, 1, 1, 0, 0, 0]])
        kwargs["key_padding_mask"] = am == 0                            # torch: True = ignore
        mask = A.padding_mask(am)
    expected, expected_w = theirs(x, context, context, need_weights=True, average_attn_weights=False, **kwargs)
    got, weights = ours(x, None if kind != "cross" else context, mask=mask)
    torch.testing.assert_close(got, expected, atol=TOL[dtype], rtol=0)
    torch.testing.assert_close(weights, expected_w, atol=TOL[dtype], rtol=0)


def test_sinusoidal_positions_every_column_follows_the_formula():
    t, d = 50, 16
    pe = A.sinusoidal_positions(t, d)
    assert pe.shape == (t, d)
    pos = torch.arange(t, dtype=torch.float64)
    for i in range(d // 2):   # PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(the same)
        angle = pos / 10000 ** (2 * i / d)
        torch.testing.assert_close(pe[:, 2 * i].double(), torch.sin(angle), atol=1e-4, rtol=0)
        torch.testing.assert_close(pe[:, 2 * i + 1].double(), torch.cos(angle), atol=1e-4, rtol=0)


def test_fully_masked_rows_give_zeros_as_torch_does(dtype):
    q, k, v = _qkv(dtype, s=5)
    mask = A.causal_mask(5).clone()
    mask[2] = False                                                    # query 2 may attend to nothing
    out, weights = A.scaled_dot_product_attention(q, k, v, mask)
    assert torch.isfinite(out).all() and torch.isfinite(weights).all()
    assert (weights[..., 2, :] == 0).all() and (out[..., 2, :] == 0).all()
    torch.testing.assert_close(weights.sum(-1)[..., [0, 1, 3, 4]], torch.ones(2, 3, 4, dtype=dtype))
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=TOL[dtype], rtol=0)
    fused, _ = A.scaled_dot_product_attention(q, k, v, mask, fused=True)
    torch.testing.assert_close(out, fused, atol=TOL[dtype], rtol=0)
    q.requires_grad_(True)                                             # and no NaN flows back either
    A.scaled_dot_product_attention(q, k, v, mask)[0].sum().backward()
    assert torch.isfinite(q.grad).all()


def test_integer_like_lengths_are_accepted():
    import numpy as np
    assert torch.equal(A.causal_mask(np.int64(4)), A.causal_mask(4))
    assert torch.equal(A.causal_mask(torch.tensor(3)), A.causal_mask(3))
    assert torch.equal(A.sinusoidal_positions(np.int64(6), np.int32(8)), A.sinusoidal_positions(6, 8))


@pytest.mark.parametrize("call, match", [
    (lambda: A.scaled_dot_product_attention(torch.randn(1, 4, 8), torch.randn(1, 4, 6), torch.randn(1, 4, 6)), r"same last dimension.*\(1, 4, 8\).*\(1, 4, 6\)"),
    (lambda: A.scaled_dot_product_attention(torch.randn(1, 4, 8), torch.randn(1, 5, 8), torch.randn(1, 4, 8)), r"same number of positions"),
    (lambda: A.scaled_dot_product_attention(torch.randn(1, 4, 8), torch.randn(1, 4, 8), torch.randn(1, 4, 8), torch.ones(4, 4)), r"bool"),
    (lambda: A.scaled_dot_product_attention(torch.randn(1, 4, 8), torch.randn(1, 4, 8), torch.randn(1, 4, 8), torch.ones(3, 4, dtype=torch.bool)), r"\(3, 4\).*\(1, 4, 4\)"),
    (lambda: A.MultiHeadAttention(10, 3), r"d_model=10.*n_heads=3"),
    (lambda: A.MultiHeadAttention(8, 2)(torch.randn(2, 8)), r"\(B, T, 8\).*\(2, 8\)"),
    (lambda: A.causal_mask(0), r"positive"),
    (lambda: A.causal_mask(2.0), r"positive int, got 2.0"),
    (lambda: A.causal_mask(True), r"positive int"),
    (lambda: A.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), torch.randn(2, 5, 6)), r"context must be \(B, S, 8\).*\(2, 5, 6\)"),
    (lambda: A.MultiHeadAttention(8, 2)(torch.randn(2, 3, 8), torch.randn(3, 5, 8)), r"same batch size B=2"),
    (lambda: A.padding_mask(torch.ones(3)), r"\(B, S\)"),
    (lambda: A.sinusoidal_positions(4, 5), r"even"),
])
def test_bad_inputs_name_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()
