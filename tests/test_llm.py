"""utils.llm: the JSON span constraint always yields parseable lists copied from the note, the
parsing and scoring helpers, and the de-identify-then-send path against a local chat-completions stub."""
import json

import pytest
import torch

from tests.openai_stub import OpenAIStub
from utils import hub, llm

NOTE = ("Nursing note. Mr. Rossi seen by Dr. Bianchi on 03/14/2024, MRN 00482910. Known hypertension, "
        "home meds incl metformin. Cont metformin, new ibuprofen PRN. Urinalysis ordered.")


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(hub.resolve("HuggingFaceTB/SmolLM2-135M-Instruct", verbose=False).path)


def _decode_with(processor, tokenizer, vocab_size, steps, seed):
    """Drive the processor with random logits (a worst-case 'model'), argmax each step."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.zeros((1, 5), dtype=torch.long)                         # a 5-token "prompt"
    for _ in range(steps):
        scores = processor(ids, torch.randn((1, vocab_size), generator=g))
        nxt = int(scores.argmax())
        ids = torch.cat([ids, torch.tensor([[nxt]])], dim=1)
        if nxt == tokenizer.eos_token_id:
            break
    return tokenizer.decode(ids[0, 5:], skip_special_tokens=True)


@pytest.mark.parametrize("seed", range(16))
def test_constraint_output_parses_and_is_copied_from_the_note(tokenizer, seed):
    steps = 10 + 4 * seed
    max_chars = 10 if seed % 2 else 48            # short strings hit the length limit mid-word
    processor = llm.JsonSpanConstraint(tokenizer, [NOTE], max_new_tokens=steps, max_chars=max_chars)
    text = _decode_with(processor, tokenizer, len(tokenizer), steps, seed)
    items = json.loads(text)                                             # always valid JSON
    assert isinstance(items, list) and items and len(items[:-1]) == len(set(items[:-1]))  # only the last may repeat
    for item in items:
        assert isinstance(item, str) and item in NOTE and item.strip() == item


def _feed(processor, tokenizer, text):
    """Feed `text` to `processor` token by token as if the model had written it (each token must be
    allowed when it is written); return the token texts allowed next."""
    ids = torch.zeros((1, 5), dtype=torch.long)                         # a 5-token "prompt"
    mask = processor(ids, torch.zeros((1, len(tokenizer))))
    for t in tokenizer(text, add_special_tokens=False)["input_ids"]:
        assert mask[0, t] == 0, f"{tokenizer.decode([t])!r} was not allowed after {tokenizer.decode(ids[0, 5:])!r}"
        ids = torch.cat([ids, torch.tensor([[t]])], dim=1)
        mask = processor(ids, torch.zeros((1, len(tokenizer))))
    return {tokenizer.decode([int(i)]) for i in (mask[0] == 0).nonzero()[:, 0]}


@pytest.mark.parametrize("prefix, last", [('["metformin", "ibu', "ibu"),               # cut mid-word
                                          ('["metformin", "metformin', "metformin")])  # a repeat
def test_constraint_last_item_may_be_cut_or_repeated_in_the_closing_phase(tokenizer, prefix, last):
    n = len(tokenizer(prefix, add_special_tokens=False)["input_ids"])
    roomy = llm.JsonSpanConstraint(tokenizer, [NOTE], max_new_tokens=n + 20)
    assert not any(t.startswith('"') for t in _feed(roomy, tokenizer, prefix))   # with room, it may not close here
    closing = llm.JsonSpanConstraint(tokenizer, [NOTE], max_new_tokens=n + 6)   # the last 6 tokens: closing phase
    allowed = _feed(closing, tokenizer, prefix)
    assert '"' in allowed and all('"' in t for t in allowed)                     # only tokens that close the string
    closed = llm.JsonSpanConstraint(tokenizer, [NOTE], max_new_tokens=n + 6)
    assert _feed(closed, tokenizer, prefix + '"]') == {tokenizer.eos_token}      # then only the end
    assert closed.states[0] == llm._State("DONE", "", ("metformin", last))
    assert json.loads(prefix + '"]') == ["metformin", last]


def test_constraint_cuts_an_item_at_max_chars_and_may_go_on(tokenizer):
    processor = llm.JsonSpanConstraint(tokenizer, [NOTE], max_new_tokens=40, max_chars=6)
    allowed = _feed(processor, tokenizer, '["metfor')                     # 6 characters, mid-word
    assert '"' in allowed and all('"' in t for t in allowed)
    allowed = _feed(llm.JsonSpanConstraint(tokenizer, [NOTE], max_new_tokens=40, max_chars=6), tokenizer, '["metfor"')
    assert "," in {t[:1] for t in allowed}                                # not the last item: the list may go on


def test_paired_bootstrap_f1_is_the_f1_difference_with_an_interval_around_it():
    gold = [["a"], ["b"], ["c"], ["d"]]
    diff, low, high = llm.paired_bootstrap_f1(gold, [[], [], [], ["d"]], gold, n=200)
    assert diff == pytest.approx(1 - 0.4) and low <= diff <= high
    assert llm.paired_bootstrap_f1(gold, gold, gold, n=50) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        llm.paired_bootstrap_f1(gold, gold[:2], gold)



def test_bootstrap_f1_brackets_the_f1_and_resamples_notes():
    gold = [[f"drug{i}"] for i in range(20)]
    predicted = gold[:15] + [[]] * 4 + [None]              # 15 of 20 found, none wrong, one unparsed: F1 6/7
    f1 = llm.entity_prf(predicted, gold)["f1"]
    assert f1 == pytest.approx(6 / 7)
    low, high = llm.bootstrap_f1(predicted, gold, n=500)
    assert low < f1 < high and 0.6 < low and high <= 1.0
    assert llm.bootstrap_f1(predicted, gold, n=500) == (low, high)          # seeded
    narrow = llm.bootstrap_f1(predicted, gold, n=500, level=0.5)
    assert low < narrow[0] < narrow[1] < high
    assert llm.bootstrap_f1(gold, gold, n=50) == (1.0, 1.0)                 # every resample is perfect
    # the course's one resampler, drawing whole notes: the same interval as utils.evaluate.bootstrap of note-level F1
    from utils.evaluate import bootstrap

    by_note = lambda idx: llm.entity_prf([predicted[i] for i in idx], [gold[i] for i in idx])["f1"]
    assert llm.bootstrap_f1(predicted, gold, n=300, seed=4) == bootstrap(by_note, len(gold), n=300, seed=4)
    with pytest.raises(ValueError, match="equally long"):
        llm.bootstrap_f1(predicted[:-1], gold)
    with pytest.raises(ValueError, match="non-empty"):
        llm.bootstrap_f1([], [])


def test_generate_left_padded_batch_equals_one_by_one_greedy(tokenizer):
    from transformers import AutoModelForCausalLM

    path = hub.resolve("HuggingFaceTB/SmolLM2-135M-Instruct", verbose=False).path
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    chats = [llm.messages("Name one drug."),
             llm.messages("The patient has hypertension and takes lisinopril daily. Name the drug.", "Be brief.")]
    batched = llm.generate(model, tokenizer, chats, max_new_tokens=5, batch_size=2, do_sample=False)
    alone = [llm.generate(model, tokenizer, [c], max_new_tokens=5, batch_size=1, do_sample=False)[0] for c in chats]
    assert batched == alone
    _, finished = llm.generate(model, tokenizer, [llm.messages("Write a long story about a hospital.")],
                               max_new_tokens=3, do_sample=False, return_finished=True)
    assert finished == [False]                                           # three tokens cannot end a long story


def test_prompt_cache_gives_the_same_answers_and_reads_each_prompt_once(tokenizer):
    from transformers import AutoModelForCausalLM

    path = hub.resolve("HuggingFaceTB/SmolLM2-135M-Instruct", verbose=False).path
    model = AutoModelForCausalLM.from_pretrained(path).eval()
    chats = [llm.messages(f"Note: {NOTE}\nMedications as a JSON list:"), llm.messages("Name one drug.", "Be brief.")]
    plain = llm.generate(model, tokenizer, chats, max_new_tokens=8, batch_size=2, do_sample=False)
    cache = llm.PromptCache()
    assert llm.generate(model, tokenizer, chats, max_new_tokens=8, batch_size=2, do_sample=False, cache=cache) == plain
    assert (cache.misses, cache.hits) == (1, 0)
    constraint = dict(processor_factory=llm.json_constraint(tokenizer), sources=[NOTE, NOTE])
    constrained = llm.generate(model, tokenizer, chats, max_new_tokens=12, batch_size=2, do_sample=False, **constraint)
    assert llm.generate(model, tokenizer, chats, max_new_tokens=12, batch_size=2, do_sample=False, cache=cache,
                        **constraint) == constrained                     # served from the cache, same answers
    assert (cache.misses, cache.hits) == (1, 1)
    with pytest.raises(TypeError, match="cache must be a PromptCache"):
        llm.generate(model, tokenizer, chats, cache={})


def test_advance_accepts_the_grammar_and_rejects_the_rest():
    start = llm.start_state()
    assert llm.advance(start, '["metformin", "ibuprofen"]', NOTE).name == "DONE"
    assert llm.advance(start, '["metformin"', NOTE).name == "AFTER"
    for bad in ('["aspirin"]', '["metf"]', '[]', '["metformin", "metformin"]', '{"a": 1}', '["metformin"]x'):
        assert llm.advance(start, bad, NOTE) is None, bad


def test_constraint_rejects_bad_sources(tokenizer):
    with pytest.raises(TypeError):
        llm.JsonSpanConstraint(tokenizer, NOTE, 8)


def test_parse_list_and_scoring():
    assert llm.parse_list('["a", "b"]') == ["a", "b"]
    assert llm.parse_list(' {"medications": ["a"], "other": ["b"]} ') == ["a", "b"]
    assert llm.parse_list('Sure! {"medications": ["a"]} done') is None          # prose around it: not the format
    assert llm.parse_list('{"id": "123", "name": "Prem"}') is None              # string values: not a list
    assert llm.parse_list('["a", "b"') is None and llm.parse_list("{}") is None
    assert llm.parse_list("[]") == []
    assert llm.parse_list("metformin and ibuprofen") is None
    assert llm.parse_list('[1, 2]') is None
    s = llm.entity_prf([["Metformin", "x"], None], [["metformin"], ["ibuprofen"]])
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 1) and s["f1"] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        llm.entity_prf([[]], [])
    assert llm.dictionary_extract(NOTE, {"metformin", "ibuprofen", "aspirin"}) == ["ibuprofen", "metformin", "metformin"]
    assert llm.lead("One. Two! Three?", 2) == "One. Two!"
    assert llm.distinct_n(["a b a b"], 2) == pytest.approx(2 / 3)
    assert llm.first_code("The code is I21.4.") == "I21.4" and llm.first_code("none") is None


def test_send_chat_sends_only_deidentified_text():
    from openai import OpenAI

    with OpenAIStub() as stub:
        client = OpenAI(api_key="test-key", base_url=stub.base_url, max_retries=0)
        chat = llm.messages(f"Summarise this note: {NOTE}", system="You are a careful clinical assistant.")
        sent, reply = llm.send_chat(client, "any-model", chat)
    assert reply == "stub reply" and len(stub.received) == 1
    path, body = stub.received[0]["path"], stub.received[0]["body"]
    assert path.endswith("/chat/completions")
    request = json.loads(body)
    assert request["messages"] == sent
    for phi in ("Rossi", "Bianchi", "03/14/2024", "00482910"):
        assert phi.encode() not in body, phi
    assert "[NAME]" in request["messages"][1]["content"] and "metformin" in request["messages"][1]["content"]


def test_the_packaged_gguf_is_4_bit_as_notebook_09_says():
    """Notebook 09's figures for the offline model's quantisation, read from the file's header."""
    from collections import Counter

    from gguf import GGUFReader

    reader = GGUFReader(llm.smollm2_gguf())
    types = Counter(t.tensor_type.name for t in reader.tensors)
    assert types == {"Q4_1": 210, "F32": 61, "Q8_0": 1} and sum(types.values()) == 272
    bits = sum(int(t.n_bytes) * 8 for t in reader.tensors) / sum(int(t.n_elements) for t in reader.tensors)
    assert round(bits, 1) == 5.7
    field = reader.fields["general.license"]
    assert bytes(field.parts[field.data[0]]).decode() == "apache-2.0"
