"""utils.structured: lm-format-enforcer's JSON-schema constraint, glued to transformers 5, makes the
course LLM answer with JSON that matches the schema."""
import json

import pytest

from utils import hub, llm, structured

SCHEMA = {"type": "array", "items": {"type": "string", "maxLength": 20}, "minItems": 1, "maxItems": 3}
NOTE = "Known hypertension, home meds incl metformin. Cont metformin, new ibuprofen PRN. Urinalysis ordered."


@pytest.fixture(scope="module")
def course_llm():
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = hub.resolve("HuggingFaceTB/SmolLM2-135M-Instruct", verbose=False).path
    return AutoModelForCausalLM.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


@pytest.mark.parametrize("sample", [False, True])
def test_the_course_llm_answers_json_that_matches_the_schema(course_llm, sample):
    model, tokenizer = course_llm
    chats = [llm.messages(f"Note: {NOTE}\nList the drugs."), llm.messages("Name three colours."),
             llm.messages("Write a poem about a hospital.")]                # not a list at all, unconstrained
    answers, finished = llm.generate(model, tokenizer, chats, max_new_tokens=60, batch_size=3, do_sample=sample,
                                     processor_factory=structured.schema_constraint(tokenizer, SCHEMA),
                                     return_finished=True)
    # The schema does not make an answer end: a long string or blank lines between items (the library's
    # limit on whitespace runs does not hold inside lists here) can use up the budget. Check those that ended.
    assert sum(finished) >= 2, answers
    for answer in (a for a, done in zip(answers, finished) if done):
        items = json.loads(answer)
        assert isinstance(items, list) and 1 <= len(items) <= 3
        assert all(isinstance(x, str) and len(x) <= 20 for x in items), items


def test_a_schema_must_be_a_dict(course_llm):
    with pytest.raises(TypeError, match="schema must be a JSON schema dict"):
        structured.schema_constraint(course_llm[1], '{"type": "array"}')


def test_whitespace_runs_must_be_a_non_negative_int(course_llm):
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="max_whitespace must be an int"):
            structured.schema_constraint(course_llm[1], SCHEMA, max_whitespace=bad)
