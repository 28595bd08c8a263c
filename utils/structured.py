"""Structured outputs with a library: a JSON schema enforced token by token by lm-format-enforcer.

Notebook 09 writes its own constraint (`utils.llm.JsonSpanConstraint`); this is what you would use
instead. lm-format-enforcer parses the schema (`JsonSchemaParser`), and its `TokenEnforcer` returns,
for the tokens written so far, the tokens that keep the answer valid. Its own transformers glue
(release 0.11.3) imports `PreTrainedTokenizerBase` from a module transformers 5 no longer has, so
the few lines of glue are here: the tokenizer's vocabulary as the library wants it, and a
`LogitsProcessor` that sets every other token's score to -inf.

    factory = schema_constraint(tokenizer, {"type": "array", "items": {"type": "string"}})
    llm.generate(model, tokenizer, chats, processor_factory=factory, sources=texts)
"""
from __future__ import annotations

import functools

import torch
from transformers import LogitsProcessor


@functools.lru_cache(maxsize=4)
def _tokenizer_data(tokenizer):
    """The vocabulary as lm-format-enforcer wants it: (id, text, starts a word) for every regular
    token, as its transformers integration builds it; about a second for a 49k vocabulary."""
    from lmformatenforcer import TokenEnforcerTokenizerData

    zero, special = tokenizer.encode("0", add_special_tokens=False)[-1], set(tokenizer.all_special_ids)
    regular = []
    for i in range(len(tokenizer)):
        if i in special:
            continue
        after_zero = tokenizer.decode([zero, i])[1:]           # keeps the leading space a word-start token has
        regular.append((i, after_zero, len(after_zero) > len(tokenizer.decode([i]))))
    decode = lambda ids: tokenizer.decode(ids).rstrip("\ufffd")   # an unfinished multi-byte character
    return TokenEnforcerTokenizerData(regular, decode, tokenizer.eos_token_id, False, len(tokenizer))


class SchemaConstraint(LogitsProcessor):
    """Allow only tokens that keep each sequence of the batch a valid prefix of `schema`'s JSON;
    once the JSON is complete, only the end-of-sequence token. `max_whitespace`: the longest run of
    spaces and line breaks the library allows between JSON tokens (its default is 12); in this
    release the limit is not enforced between the items of a list, so a small model can still spend
    its budget on blank lines there (tests/test_structured.py)."""

    def __init__(self, tokenizer, schema: dict, max_whitespace: int = 1):
        from lmformatenforcer import CharacterLevelParserConfig, JsonSchemaParser, TokenEnforcer

        if not isinstance(schema, dict):
            raise TypeError(f"schema must be a JSON schema dict, got {type(schema).__name__}")
        if isinstance(max_whitespace, bool) or not isinstance(max_whitespace, int) or max_whitespace < 0:
            raise ValueError(f"max_whitespace must be an int >= 0, got {max_whitespace!r}")
        config = CharacterLevelParserConfig(max_consecutive_whitespaces=max_whitespace)
        self.enforcer = TokenEnforcer(_tokenizer_data(tokenizer), JsonSchemaParser(schema, config=config))

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        mask = torch.full_like(scores, float("-inf"))                     # (B, V)
        for b, sequence in enumerate(input_ids.tolist()):                 # the enforcer keys its state on the prefix
            mask[b, self.enforcer.get_allowed_tokens(sequence).allowed_tokens] = 0
        return scores + mask


def schema_constraint(tokenizer, schema: dict, max_whitespace: int = 1):
    """A `processor_factory` for `utils.llm.generate`: a fresh `SchemaConstraint` per batch. Unlike
    `llm.json_constraint`, it knows neither the note nor the token budget (both arguments unused)."""
    SchemaConstraint(tokenizer, schema, max_whitespace)                  # check the arguments once, now
    return lambda sources, max_new_tokens: SchemaConstraint(tokenizer, schema, max_whitespace)
