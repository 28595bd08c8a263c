"""Every utils function that runs a model sends its inputs to the model's device.
And the CPU-runtime plan of notebooks 07 and 08 (utils.cpu_runtime): timing a training example, the share kept.

On Colab a GPU runtime is common, and `Trainer` moves the model it trains to the GPU; a function
that builds its inputs on the CPU and calls the model then crashes. Two kinds of tests:

- `Recorder`, a fake model that says it lives on the "meta" device and records the device of every
  tensor it is called with (it answers with CPU tensors computed from shapes only). A function
  that forgets to move its inputs hands it CPU tensors, and the test fails: on any machine.
- the same functions on real tiny transformers models on "cuda" (skipped without a GPU), whose
  results must equal those on the CPU; and a model trained by `Trainer` (on whatever device Trainer
  picks) that tags and answers without being moved back.
"""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from utils import evaluate, llm, models, spans, train
from utils.devices import model_device, to_device

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (runs on a Colab GPU runtime)")
DEVICES = ["cpu", pytest.param("cuda", marks=CUDA)]
WORDS = ["patient", "takes", "aspirin", "for", "chest", "pain", "what", "drug", "does", "the", "take", "?", ".",
         "no", "fever", "metformin", "daily", "asp", "##irin", "##s", "mg", "500"]
LABELS = ["O", "B-drug", "I-drug"]


class Output(dict):
    """A model output: fields by name (out.logits) and by position (out[0]), as transformers' ModelOutput."""
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key):
        return list(self.values())[key] if isinstance(key, int) else super().__getitem__(key)


class Recorder(nn.Module):
    """Claims to live on the meta device; records the device of every tensor input; answers from
    shapes only, on the CPU. `kind`: what it pretends to be ("token", "qa", "sequence", "encoder", "lm")."""
    def __init__(self, kind, n_out=3, vocab=len(WORDS) + 5):
        super().__init__()
        self.kind, self.n_out, self.vocab = kind, n_out, vocab
        self.bias = nn.Parameter(torch.zeros(n_out))                   # something for an optimiser to train
        self.config = SimpleNamespace(id2label=dict(enumerate(LABELS)), max_position_embeddings=64)
        self.generation_config = SimpleNamespace(eos_token_id=2)
        self.seen = []

    @property
    def device(self):
        return torch.device("meta")

    def _record(self, *values):
        self.seen += [v.device.type for v in values if isinstance(v, torch.Tensor)]
        return next(v for v in values if isinstance(v, torch.Tensor)).shape

    def forward(self, *args, **kwargs):
        shape = self._record(*args, *kwargs.values())
        b, t = shape[0], shape[1]
        if self.kind == "lm":                                           # the course models: (logits, loss)
            logits = torch.zeros(b, t, self.vocab) + self.bias.sum()
            return logits, logits.logsumexp(-1).mean()
        if self.kind == "qa":
            return Output(start_logits=torch.zeros(b, t), end_logits=torch.zeros(b, t))
        if self.kind == "encoder":
            return Output(last_hidden_state=torch.zeros(b, t, 4), hidden_states=tuple(torch.zeros(b, t, 4) for _ in range(3)))
        logits = (torch.zeros(b, self.n_out) if self.kind == "sequence" else torch.zeros(b, t, self.n_out)) + self.bias
        return Output(loss=logits.logsumexp(-1).mean(), logits=logits)

    def generate(self, input_ids, max_new_tokens=1, streamer=None, **kwargs):
        self._record(input_ids, *kwargs.values())
        new = torch.full((input_ids.shape[0], max_new_tokens), 5)
        if streamer is not None:                                        # what generate does with a streamer
            streamer.put(torch.zeros(input_ids.shape, dtype=torch.long))
            for k in range(max_new_tokens):
                streamer.put(new[:, k])
            streamer.end()
        return torch.cat([torch.zeros(input_ids.shape, dtype=torch.long), new], 1)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import BertTokenizer

    tk = BertTokenizer(vocab={w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS])})
    tk.chat_template = "{% for m in messages %}{{ m['content'] }} {% endfor %}"
    tk.model_input_names = ["input_ids", "attention_mask"]       # no token_type_ids: the causal LM takes none
    return tk


def _only_meta(recorder):
    assert recorder.seen, "the model was never called"
    assert set(recorder.seen) == {"meta"}, f"inputs reached the model on {sorted(set(recorder.seen))}, not on its device"


# --------------------------------------------------------------------------- the helpers

def test_model_device_reads_the_model_or_its_parameters():
    assert model_device(Recorder("token")) == torch.device("meta")
    assert model_device(nn.Linear(2, 2)) == torch.device("cpu")                  # no .device: its parameters
    assert model_device(nn.Linear(2, 2, device="meta")) == torch.device("meta")
    assert model_device(nn.Identity()) == torch.device("cpu")                     # no parameters at all
    moved = to_device({"a": torch.ones(2), "b": [1, 2]}, "meta")
    assert moved["a"].device.type == "meta" and moved["b"] == [1, 2]
    assert [t.device.type for t in to_device((torch.ones(1), torch.ones(1)), "meta")] == ["meta", "meta"]


# --------------------------------------------------------------------------- every function, on a fake device

def test_tag_texts_sends_inputs_to_the_model(tokenizer):
    model = Recorder("token")
    assert spans.tag_texts(model, tokenizer, ["patient takes aspirin", "no fever"]) == [[], []]
    _only_meta(model)


def test_answer_questions_sends_inputs_to_the_model(tokenizer):
    model = Recorder("qa")
    got = spans.answer_questions(model, tokenizer, ["what drug ?"], ["patient takes aspirin daily ."])
    assert got == ["patient"]             # all logits equal: the first context token (ties go to the earliest, shortest)
    _only_meta(model)
    with pytest.raises(ValueError, match="2 questions but 1 contexts"):
        spans.answer_questions(model, tokenizer, ["a", "b"], ["c"])


def test_span_vectors_sends_inputs_to_the_model(tokenizer):
    model = Recorder("encoder")
    vectors = evaluate.span_vectors(model, tokenizer, ["patient takes aspirin", "no fever"], [(0, 7), (3, 8)])
    assert vectors.shape == (3, 2, 4)
    _only_meta(model)


def test_fine_tune_sends_batches_and_predictions_to_the_model(tokenizer):
    import datasets

    model = Recorder("sequence", n_out=2)
    data = datasets.Dataset.from_dict({"text": ["patient takes aspirin", "no fever", "chest pain", "metformin daily"],
                                       "label": [0, 1, 0, 1]})
    run = evaluate.fine_tune(model, tokenizer, data, epochs=1, batch_size=2, progress=False)
    assert len(run["predict"](["no fever"])) == 1
    _only_meta(model)


def test_fine_tune_trains_exactly_the_steps_asked_across_passes(tokenizer):
    import datasets

    data = datasets.Dataset.from_dict({"text": ["patient takes aspirin", "no fever", "chest pain", "metformin daily"],
                                       "label": [0, 1, 0, 1]})
    assert evaluate.fine_tune(Recorder("sequence", n_out=2), tokenizer, data, epochs=3, batch_size=2,
                              progress=False)["steps"] == 6                        # 3 passes of 2 batches
    assert evaluate.fine_tune(Recorder("sequence", n_out=2), tokenizer, data, batch_size=2, steps=5,
                              progress=False)["steps"] == 5                        # a third pass, cut short
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="steps must be a positive int"):
            evaluate.fine_tune(Recorder("sequence", n_out=2), tokenizer, data, steps=bad, progress=False)


def test_fit_and_perplexity_send_batches_to_the_model():
    model = Recorder("lm")
    ids = torch.arange(40) % 10
    losses = train.fit(model, lambda step: train.random_windows(ids, 8, 2, torch.Generator().manual_seed(step)),
                       steps=2, progress=False)
    assert len(losses) == 2
    assert train.perplexity(model, ids, block_size=8) > 0
    _only_meta(model)


def test_course_generate_sends_the_prompt_to_the_model():
    model = Recorder("lm")
    models.generate(model, torch.zeros((1, 3), dtype=torch.long), max_new_tokens=2, temperature=0)
    _only_meta(model)


def test_llm_generate_sends_the_prompts_to_the_model(tokenizer):
    model = Recorder("lm")
    out = llm.generate(model, tokenizer, [llm.messages("patient takes aspirin"), llm.messages("no fever")],
                       max_new_tokens=2, do_sample=False)
    assert len(out) == 2
    _only_meta(model)


def test_llm_stream_sends_the_prompt_to_the_model_and_yields_pieces(tokenizer):
    model = Recorder("lm")
    pieces = list(llm.stream(model, tokenizer, "patient takes aspirin", max_new_tokens=3))
    assert "".join(pieces).split() == [tokenizer.convert_ids_to_tokens(5)] * 3
    _only_meta(model)


def test_llm_stream_raises_what_generate_raised(tokenizer):
    class Broken(Recorder):
        def generate(self, *args, **kwargs):
            raise RuntimeError("CUDA out of memory (pretend)")

    with pytest.raises(RuntimeError, match="out of memory"):
        list(llm.stream(Broken("lm"), tokenizer, "patient takes aspirin"))


def test_best_span_works_where_the_logits_are():
    start, end = torch.tensor([0.0, 5.0, 1.0, 0.0]), torch.tensor([0.0, 1.0, 6.0, 0.0])
    mask = [False, True, True, True]
    assert spans.best_span(start, end, mask)[:2] == (1, 2)
    with pytest.raises(ValueError, match="different devices"):
        spans.best_span(start, end.to("meta"), mask)


# --------------------------------------------------------------------------- real tiny models, on CPU and on CUDA

def _tiny(auto, tokenizer, **kwargs):
    from transformers import BertConfig

    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, **kwargs)
    return auto.from_config(config).eval()


@pytest.fixture(scope="module")
def tiny_models(tokenizer):
    from transformers import (AutoModel, AutoModelForQuestionAnswering, AutoModelForSequenceClassification,
                              AutoModelForTokenClassification, LlamaConfig, LlamaForCausalLM)

    torch.manual_seed(0)
    causal = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32,
                                          num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                                          max_position_embeddings=128, pad_token_id=0, eos_token_id=3, bos_token_id=2)).eval()
    return {"token": _tiny(AutoModelForTokenClassification, tokenizer, num_labels=3,
                           id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)}),
            "qa": _tiny(AutoModelForQuestionAnswering, tokenizer),
            "encoder": _tiny(AutoModel, tokenizer),
            "sequence": _tiny(AutoModelForSequenceClassification, tokenizer, num_labels=2),
            "causal": causal}


TEXTS = ["patient takes aspirin for chest pain .", "no fever .", "metformin 500 mg daily ."]


def _run_everything(m, tokenizer):
    """Every function on the real tiny models `m` (wherever they are); results as plain Python/NumPy."""
    chats = [llm.messages(t) for t in TEXTS]
    return {"tags": spans.tag_texts(m["token"], tokenizer, TEXTS),
            "answers": spans.answer_questions(m["qa"], tokenizer, ["what drug ?"] * 3, TEXTS, max_length=32),
            "vectors": evaluate.span_vectors(m["encoder"], tokenizer, TEXTS, [(0, 7), (3, 8), (0, 9)]),
            "predict": evaluate.fine_tune(m["sequence"], tokenizer, _classification_data(), epochs=1, batch_size=3,
                                          progress=False)["predict"](TEXTS).tolist(),
            "generate": llm.generate(m["causal"], tokenizer, chats, max_new_tokens=3, do_sample=False),
            "stream": "".join(llm.stream(m["causal"], tokenizer, "patient takes", max_new_tokens=3, do_sample=False))}


def _classification_data():
    import datasets

    return datasets.Dataset.from_dict({"text": TEXTS, "label": [0, 1, 0]})


@pytest.mark.parametrize("device", DEVICES)
def test_real_tiny_models_give_the_same_results_on_any_device(device, tokenizer, tiny_models):
    import copy

    on_cpu = _run_everything(copy.deepcopy(tiny_models), tokenizer)
    moved = {k: copy.deepcopy(m).to(device) for k, m in tiny_models.items()}
    got = _run_everything(moved, tokenizer)
    assert all(model_device(m).type == device for m in moved.values())          # nothing moved them back
    vectors, cpu_vectors = got.pop("vectors"), on_cpu.pop("vectors")
    assert isinstance(vectors, np.ndarray) and np.allclose(vectors, cpu_vectors, atol=1e-4)
    assert got == on_cpu


@pytest.mark.parametrize("device", DEVICES)
def test_course_models_train_and_generate_on_any_device(device):
    config = models.TransformerConfig(vocab_size=12, block_size=8, n_layer=1, n_head=2, n_embd=8)
    torch.manual_seed(0)
    model = models.MiniGPT(config).to(device)
    ids = torch.arange(60) % 12
    generator = torch.Generator().manual_seed(0)
    losses = train.fit(model, lambda step: train.random_windows(ids, 8, 4, generator), steps=3, progress=False)
    assert len(losses) == 3 and model_device(model).type == device
    assert train.perplexity(model, ids, block_size=8) > 1
    out = models.generate(model, torch.zeros((1, 2), dtype=torch.long), 4, temperature=1.0, block_size=8,
                          generator=torch.Generator().manual_seed(1))
    assert out.shape == (1, 6) and out.device.type == device


def test_a_model_trained_by_trainer_works_where_trainer_left_it(tokenizer, tmp_path):
    """Trainer picks the device (the GPU when there is one) and leaves the model there; tagging and
    answering must work without moving it back."""
    from transformers import DataCollatorForTokenClassification, Trainer, TrainingArguments

    model = _tiny(__import__("transformers").AutoModelForTokenClassification, tokenizer, num_labels=3,
                  id2label=dict(enumerate(LABELS)), label2id={n: i for i, n in enumerate(LABELS)})
    enc = tokenizer(TEXTS, truncation=True, max_length=16)
    rows = [{"input_ids": ids, "attention_mask": mask, "labels": [0] * len(ids)}
            for ids, mask in zip(enc["input_ids"], enc["attention_mask"])]
    args = TrainingArguments(output_dir=str(tmp_path), max_steps=2, per_device_train_batch_size=2, report_to="none",
                             save_strategy="no", logging_strategy="no", disable_tqdm=True,
                             dataloader_pin_memory=torch.cuda.is_available())
    trainer = Trainer(model=model, args=args, train_dataset=rows, data_collator=DataCollatorForTokenClassification(tokenizer))
    trainer.train()
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert model_device(model).type == expected == trainer.args.device.type
    tagged = spans.tag_texts(model, tokenizer, TEXTS)
    assert len(tagged) == len(TEXTS) and model_device(model).type == expected


# --------------------------------------------------------------------------- training the real models on a CPU

def test_seconds_per_example_runs_where_the_model_is_and_leaves_the_weights(tokenizer):
    from utils import cpu_runtime

    recorder = Recorder("sequence")
    batch = dict(tokenizer(TEXTS, padding=True, return_tensors="pt"), labels=torch.zeros(3, dtype=torch.long))
    assert cpu_runtime.seconds_per_example(recorder, batch) > 0
    _only_meta(recorder)
    model = _tiny(__import__("transformers").AutoModelForSequenceClassification, tokenizer, num_labels=2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert cpu_runtime.seconds_per_example(model, batch, repeats=1) > 0
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters()) and not model.training   # eval() kept, no gradients left
    with pytest.raises(ValueError, match="labels"):
        cpu_runtime.seconds_per_example(model, {"input_ids": batch["input_ids"]})
    with pytest.raises(ValueError, match="repeats"):
        cpu_runtime.seconds_per_example(model, batch, repeats=0)


def test_cpu_share_keeps_everything_that_fits_and_warns_when_it_caps(capsys, monkeypatch):
    from utils import cpu_runtime

    monkeypatch.delenv(cpu_runtime.CPU_MINUTES_ENV, raising=False)
    assert cpu_runtime.cpu_share(0.01, 1000) == 1.0 and capsys.readouterr().out == ""        # 10 s of 10 minutes
    share = cpu_runtime.cpu_share(0.1, 24_000)                                               # 40 minutes
    assert share == pytest.approx(0.25)
    out = capsys.readouterr().out
    assert "about 40 minutes" in out and "25%" in out and "an estimate" in out and "Change runtime type" in out
    monkeypatch.setenv(cpu_runtime.CPU_MINUTES_ENV, "20")
    assert cpu_runtime.cpu_share(0.1, 24_000) == pytest.approx(0.5)
    monkeypatch.setenv(cpu_runtime.CPU_MINUTES_ENV, "ten")
    with pytest.raises(ValueError, match=cpu_runtime.CPU_MINUTES_ENV):
        cpu_runtime.cpu_share(0.1, 24_000)
    for bad in [0, -1.0, "3", True]:
        with pytest.raises(ValueError, match="seconds_each"):
            cpu_runtime.cpu_share(bad, 10, minutes=1)
    with pytest.raises(ValueError, match="minutes"):
        cpu_runtime.cpu_share(0.1, 10, minutes=0)


def test_probe_share_times_both_kinds_of_head_and_checks_its_texts(tokenizer, capsys, monkeypatch):
    """The one probe 07, 08 and 10 run before training the real model on a CPU: labels shaped for the head."""
    import transformers
    from utils import cpu_runtime

    monkeypatch.delenv(cpu_runtime.CPU_MINUTES_ENV, raising=False)
    seq = _tiny(transformers.AutoModelForSequenceClassification, tokenizer, num_labels=2)
    tok = _tiny(transformers.AutoModelForTokenClassification, tokenizer, num_labels=3)
    assert cpu_runtime.probe_share(seq, tokenizer, TEXTS, 10, what="x") == 1.0      # a tiny plan fits
    assert cpu_runtime.probe_share(tok, tokenizer, TEXTS * 10, 10, what="x", token_labels=True, max_length=8) == 1.0
    assert capsys.readouterr().out == ""
    assert cpu_runtime.probe_share(seq, tokenizer, TEXTS, 1e12, what="Training x") == cpu_runtime.MIN_SHARE
    assert "Training x would take" in capsys.readouterr().out
    for bad in [[], [1, 2]]:
        with pytest.raises(ValueError, match="texts"):
            cpu_runtime.probe_share(seq, tokenizer, bad, 10, what="x")


def test_the_rehearsal_reads_the_same_cpu_limit_and_warning():
    from tools import local_hub
    from utils import cpu_runtime

    assert local_hub.CPU_MINUTES_ENV == cpu_runtime.CPU_MINUTES_ENV
    assert 0 < float(local_hub.REHEARSAL_CPU_MINUTES) < cpu_runtime.DEFAULT_CPU_MINUTES
    import io
    from contextlib import redirect_stdout
    out = io.StringIO()
    with redirect_stdout(out):
        cpu_runtime.cpu_share(1.0, 600, minutes=1)
    assert out.getvalue().startswith(local_hub.CPU_WARNING)


def test_cpu_share_leaves_room_for_the_passes_it_cannot_shrink(capsys):
    from utils import cpu_runtime

    # 0.1 s each: 6,000 shrinkable passes (10 min) + 3,000 fixed (5 min) in 10 minutes -> half the examples
    assert cpu_runtime.cpu_share(0.1, 6000, minutes=10, fixed_passes=3000) == pytest.approx(0.5)
    assert "about 15 minutes" in capsys.readouterr().out
    assert cpu_runtime.cpu_share(0.1, 6000, minutes=4, fixed_passes=3000) == cpu_runtime.MIN_SHARE   # fixed alone is over
    assert "about 5.5 minutes" in capsys.readouterr().out                                      # said, not hidden
