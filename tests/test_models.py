"""utils.models equals PyTorch and transformers: RNN vs nn.RNN, MiniGPT vs GPT-2, MiniBERT vs BERT."""
import pytest
import torch
import torch.nn as nn

from utils import models as M


def test_rnn_cell_equals_nn_rnn():
    torch.manual_seed(0)
    theirs = nn.RNN(5, 7, batch_first=True)
    ours = M.RNN(5, 7)
    with torch.no_grad():
        for name in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]:
            getattr(ours.cell, name).copy_(getattr(theirs, name + "_l0"))
    x, h0 = torch.randn(3, 11, 5), torch.randn(1, 3, 7)
    out, h = ours(x, h0[0])
    expected_out, expected_h = theirs(x, h0)
    torch.testing.assert_close(out, expected_out, atol=1e-6, rtol=0)
    torch.testing.assert_close(h, expected_h[0], atol=1e-6, rtol=0)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_rnn_language_model_shapes_and_loss(kind):
    model = M.RNNLanguageModel(M.RNNConfig(vocab_size=30, kind=kind, n_embd=8, n_hidden=16))
    idx = torch.randint(0, 30, (2, 9))
    logits, loss = model(idx, idx)
    assert logits.shape == (2, 9, 30) and loss.item() == pytest.approx(torch.log(torch.tensor(30.0)).item(), abs=0.3)
    out = M.generate(model, idx[:, :2], 5, temperature=0.8, generator=torch.Generator().manual_seed(0))
    assert out.shape == (2, 7)


def _tiny_gpt2(seed=0):
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(seed)
    return GPT2LMHeadModel(GPT2Config(vocab_size=61, n_positions=32, n_embd=24, n_layer=2, n_head=3,
                                      bos_token_id=None, eos_token_id=None)).eval()


def test_minigpt_equals_gpt2_logits_and_greedy_continuation():
    hf = _tiny_gpt2()
    ours = M.MiniGPT.from_hf(hf)
    idx = torch.randint(0, 61, (2, 12), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(ours(idx)[0], hf(idx).logits, atol=1e-5, rtol=0)
    ours_greedy = M.generate(ours, idx, 10, temperature=0)
    hf_greedy = hf.generate(idx, max_new_tokens=10, do_sample=False, attention_mask=torch.ones_like(idx), pad_token_id=0)
    assert torch.equal(ours_greedy, hf_greedy)


def test_minigpt_to_hf_roundtrip_through_save_pretrained(tmp_path):
    from transformers import AutoModelForCausalLM
    torch.manual_seed(3)
    ours = M.MiniGPT(M.TransformerConfig(vocab_size=50, block_size=16, n_layer=2, n_head=2, n_embd=16)).eval()
    ours.to_hf().save_pretrained(tmp_path)
    loaded = AutoModelForCausalLM.from_pretrained(tmp_path).eval()
    idx = torch.randint(0, 50, (1, 10))
    with torch.no_grad():
        torch.testing.assert_close(loaded(idx).logits, ours(idx)[0], atol=1e-5, rtol=0)
    assert torch.equal(M.MiniGPT.from_hf(loaded).wte.weight, ours.wte.weight)


def _tiny_bert(seed=0):
    from transformers import BertConfig, BertModel
    torch.manual_seed(seed)
    return BertModel(BertConfig(vocab_size=70, hidden_size=24, num_hidden_layers=2, num_attention_heads=3,
                                intermediate_size=40, max_position_embeddings=32)).eval()


def test_minibert_equals_bert_hidden_states_with_padding():
    hf = _tiny_bert()
    ours = M.MiniBERT.from_hf(hf)
    ids = torch.randint(0, 70, (2, 10), generator=torch.Generator().manual_seed(2))
    mask = torch.tensor([[1] * 10, [1] * 6 + [0] * 4])
    types = torch.tensor([[0] * 5 + [1] * 5, [0] * 10])
    with torch.no_grad():
        expected = hf(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
        torch.testing.assert_close(ours(ids, mask, types), expected, atol=1e-5, rtol=0)


def test_minibert_padded_row_equals_the_unpadded_sequence():
    """Padding changes nothing at the real positions: the padded row's hidden states there equal
    those of the same sequence run alone, without padding."""
    torch.manual_seed(5)
    model = M.MiniBERT(M.TransformerConfig(vocab_size=30, block_size=16, n_layer=2, n_head=2, n_embd=16,
                                           norm_first=False)).eval()
    seq = torch.randint(1, 30, (1, 6), generator=torch.Generator().manual_seed(6))
    padded = torch.cat([seq, torch.full((1, 4), 7)], 1)               # 4 padding tokens (any id)
    mask = torch.tensor([[1] * 6 + [0] * 4])
    with torch.no_grad():
        alone = model(seq)
        with_padding = model(padded, mask)
    torch.testing.assert_close(with_padding[:, :6], alone, atol=1e-5, rtol=0)
    # the test can fail: without the mask, the padding tokens change the real positions
    with torch.no_grad():
        assert not torch.allclose(model(padded)[:, :6], alone, atol=1e-3)


def _sharpen(model):
    """Feed-forward weights large enough that the two GELUs differ visibly (with the 0.02
    initialisation exact and tanh GELU agree to 2e-5, inside any float tolerance)."""
    with torch.no_grad():
        for block in model.blocks:
            block.mlp.fc.weight.normal_(0, 1.0)
    return model


def test_minigpt_default_config_round_trip():
    torch.manual_seed(7)
    ours = _sharpen(M.MiniGPT(M.TransformerConfig()).eval())
    hf = ours.to_hf()
    idx = torch.randint(0, ours.config.vocab_size, (2, 20))
    with torch.no_grad():
        torch.testing.assert_close(hf(idx).logits, ours(idx)[0], atol=2e-5, rtol=0)
    back = M.MiniGPT.from_hf(hf)
    for (name, a), (_, b) in zip(ours.state_dict().items(), back.state_dict().items()):
        assert torch.equal(a, b), name


@pytest.mark.parametrize("approximate", ["tanh", "none"])
def test_minibert_default_config_round_trip_keeps_the_activation(approximate):
    torch.manual_seed(8)
    ours = _sharpen(M.MiniBERT(M.TransformerConfig(norm_first=False, gelu_approximate=approximate)).eval())
    hf = ours.to_hf()
    ids = torch.randint(0, ours.config.vocab_size, (2, 20))
    mask = torch.ones_like(ids)
    mask[1, 15:] = 0
    with torch.no_grad():
        torch.testing.assert_close(hf(input_ids=ids, attention_mask=mask).last_hidden_state, ours(ids, mask),
                                   atol=2e-5, rtol=0)   # the wrong GELU is off by about 1e-4
    back = M.MiniBERT.from_hf(hf)
    assert back.blocks[0].mlp.approximate == approximate
    for (name, a), (_, b) in zip(ours.state_dict().items(), back.state_dict().items()):
        assert torch.equal(a, b), name


def test_to_hf_refuses_what_the_library_model_cannot_compute():
    post_ln = M.MiniGPT(M.TransformerConfig(vocab_size=20, block_size=8, n_layer=1, n_head=2, n_embd=8,
                                            norm_first=False))
    with pytest.raises(ValueError, match="norm_first=False"):
        post_ln.to_hf()
    odd = M.MiniGPT(M.TransformerConfig(vocab_size=20, block_size=8, n_layer=2, n_head=2, n_embd=8))
    odd.blocks[1].mlp.approximate = "none"                            # two activations in one model
    with pytest.raises(ValueError, match="GELU"):
        odd.to_hf()


def test_from_hf_refuses_what_the_course_model_cannot_compute():
    from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel
    relu = GPT2LMHeadModel(GPT2Config(vocab_size=20, n_positions=8, n_embd=8, n_layer=1, n_head=2,
                                      activation_function="relu"))
    with pytest.raises(ValueError, match="relu"):
        M.MiniGPT.from_hf(relu)
    scaled = GPT2LMHeadModel(GPT2Config(vocab_size=20, n_positions=8, n_embd=8, n_layer=1, n_head=2,
                                        scale_attn_by_inverse_layer_idx=True))
    with pytest.raises(ValueError, match="scale"):
        M.MiniGPT.from_hf(scaled)
    silu = BertModel(BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                intermediate_size=16, hidden_act="silu"))
    with pytest.raises(ValueError, match="silu"):
        M.MiniBERT.from_hf(silu)


def test_minibert_to_hf_roundtrip(tmp_path):
    from transformers import AutoModel
    torch.manual_seed(4)
    ours = M.MiniBERT(M.TransformerConfig(vocab_size=40, block_size=16, n_layer=1, n_head=2, n_embd=16,
                                          norm_first=False, gelu_approximate="none", layer_norm_eps=1e-12)).eval()
    ours.to_hf().save_pretrained(tmp_path)
    loaded = AutoModel.from_pretrained(tmp_path).eval()
    ids = torch.randint(0, 40, (2, 8))
    with torch.no_grad():
        torch.testing.assert_close(loaded(input_ids=ids).last_hidden_state, ours(ids), atol=1e-5, rtol=0)


def test_encoder_decoder_shapes_masks_and_causality():
    torch.manual_seed(0)
    model = M.EncoderDecoder(M.TransformerConfig(vocab_size=20, block_size=16, n_layer=1, n_head=2, n_embd=16)).eval()
    src = torch.tensor([[5, 6, 7, 0], [8, 9, 0, 0]])
    tgt = torch.tensor([[1, 3, 4], [1, 2, 2]])
    logits, loss = model(src, tgt, tgt)
    assert logits.shape == (2, 3, 20) and torch.isfinite(loss)
    # causal: changing a later target token never changes earlier logits
    changed = tgt.clone()
    changed[:, 2] = 9
    torch.testing.assert_close(model(src, changed)[0][:, :2], logits[:, :2])
    # padding: a padded source gives the same logits as the same source alone, unpadded
    alone = model(src[1:, :2], tgt[1:])[0]
    torch.testing.assert_close(logits[1:], alone, atol=1e-5, rtol=0)
    assert not torch.allclose(model(torch.tensor([[8, 9, 5]]), tgt[1:])[0], alone, atol=1e-3)  # a real token matters
    written = model.generate(src, bos_id=1, eos_id=2, max_len=5)
    assert written.shape[0] == 2
    # generate reads the source once; the result equals greedy decoding with the full forward pass
    out = torch.full((2, 1), 1)
    for _ in range(written.shape[1]):
        out = torch.cat([out, model(src, out)[0][:, -1].argmax(-1, keepdim=True)], 1)
    assert torch.equal(out[:, 1:], written)


def test_pre_and_post_ln_blocks_differ_in_where_the_norm_sits():
    cfg = M.TransformerConfig(n_embd=8, n_head=2)
    torch.manual_seed(0)
    pre = M.Block(cfg)
    post = M.Block(M.TransformerConfig(n_embd=8, n_head=2, norm_first=False))
    post.load_state_dict(pre.state_dict())
    x = torch.randn(2, 5, 8) * 10
    out_post = post(x)
    assert torch.allclose(out_post.mean(-1), torch.zeros(2, 5), atol=1e-5)   # post-LN output is normalised
    assert not torch.allclose(pre(x).mean(-1), torch.zeros(2, 5), atol=1e-2)


@pytest.mark.parametrize("call, error, match", [
    (lambda: M.RNNLanguageModel(M.RNNConfig(kind="transformer")), ValueError, "kind"),
    (lambda: M.RNN(3, 4)(torch.randn(2, 3)), ValueError, r"\(B, T, input_size\)"),
    (lambda: M.MiniGPT(M.TransformerConfig(block_size=4, n_embd=8, n_head=2))(torch.zeros(1, 5, dtype=torch.long)), ValueError, "block_size"),
    (lambda: M.MiniBERT(M.TransformerConfig(norm_first=True)), ValueError, "post-LN"),
    (lambda: M.MiniBERT(M.TransformerConfig(block_size=4, n_embd=8, n_head=2, norm_first=False))(torch.zeros(1, 5, dtype=torch.long)), ValueError, "length 5 exceeds block_size 4"),
    (lambda: M.EncoderDecoder(M.TransformerConfig(vocab_size=9, block_size=4, n_embd=8, n_head=2))(torch.ones(1, 5, dtype=torch.long), torch.ones(1, 2, dtype=torch.long)), ValueError, "length 5 exceeds block_size 4"),
    (lambda: M.EncoderDecoder(M.TransformerConfig(vocab_size=9, block_size=4, n_embd=8, n_head=2))(torch.ones(1, 2, dtype=torch.long), torch.ones(1, 6, dtype=torch.long)), ValueError, "length 6 exceeds block_size 4"),
    (lambda: M.generate(M.RNNLanguageModel(M.RNNConfig(vocab_size=5, n_embd=4, n_hidden=4)), torch.zeros(1, 1, dtype=torch.long), 1, top_k=0), ValueError, "top_k must be a positive int"),
    (lambda: M.generate(M.RNNLanguageModel(M.RNNConfig(vocab_size=5, n_embd=4, n_hidden=4)), torch.zeros(1, 1, dtype=torch.long), 1, top_k=2.5), ValueError, "top_k"),
    (lambda: M.generate(M.RNNLanguageModel(M.RNNConfig(vocab_size=5, n_embd=4, n_hidden=4)), torch.zeros(1, 1, dtype=torch.long), 1, temperature=-1), ValueError, "temperature"),
])
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()
