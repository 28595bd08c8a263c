"""utils.causal_lm: the BioGPT stand-in builds, loads with the Auto classes, is deterministic and
has learnt something (a small configuration here, for speed)."""
import pytest
import torch

from utils.causal_lm import EOS, GPTStandInConfig, build_gpt_stand_in, train_byte_level_bpe

SMALL = GPTStandInConfig(vocab_size=400, block_size=32, n_layer=1, n_head=2, n_embd=32, window=32, steps=40,
                         batch_size=8, warmup=5)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folders = [tmp_path_factory.mktemp(f"gpt{i}") for i in range(2)]
    for f in folders:
        build_gpt_stand_in(f, SMALL)
    return folders


def test_loads_with_auto_classes_and_generates(built):
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2LMHeadModel

    tok = AutoTokenizer.from_pretrained(built[0])
    model = AutoModelForCausalLM.from_pretrained(built[0])
    assert isinstance(model, GPT2LMHeadModel) and len(tok) == model.config.vocab_size
    assert tok.eos_token == EOS and model.generation_config.eos_token_id == tok.eos_token_id
    enc = tok("The patient was admitted with", return_tensors="pt")
    out = model.generate(**enc, max_new_tokens=8, do_sample=False)
    assert out.shape[1] > enc["input_ids"].shape[1]


def test_build_is_deterministic(built):
    a, b = ((f / "model.safetensors").read_bytes() for f in built)
    assert a == b
    assert (built[0] / "tokenizer.json").read_text() == (built[1] / "tokenizer.json").read_text()


def test_training_lowers_the_loss(built):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from utils import data

    tok = AutoTokenizer.from_pretrained(built[0])
    trained = AutoModelForCausalLM.from_pretrained(built[0])
    torch.manual_seed(0)
    fresh = type(trained)(trained.config).eval()
    ids = tok(data.load_notes("validation").text.iloc[0], return_tensors="pt")["input_ids"][:, :32]
    with torch.no_grad():
        assert trained(ids, labels=ids).loss < fresh(ids, labels=ids).loss - 0.5


def test_byte_level_bpe_round_trips_any_text():
    tok = train_byte_level_bpe(["aspirin for chest pain"] * 5, 300)
    text = "Ärztin: 5 mg — naïve ✓"
    assert tok.decode(tok(text)["input_ids"]) == text
    with pytest.raises(ValueError, match="vocab_size"):
        train_byte_level_bpe(["x"], 10)
