"""Byte-pair encoding (BPE) written from scratch, plus small helpers for notebook 02.

The algorithm (Sennrich et al., 2016), as the `tokenizers` library trains it:

1. split text into words (`pre_tokenize`: runs of letters/digits, or runs of punctuation);
2. spell every word as characters, marking the last one with an end-of-word suffix (`</w>`), so
   that "pain" and the "pain" inside "painful" stay different tokens;
3. count every adjacent pair of symbols over the corpus, weighted by word frequency;
4. merge the most frequent pair everywhere into one new symbol; repeat until the vocabulary is big
   enough or no pair occurs `min_frequency` times.

Ties go to the pair whose symbols were added to the vocabulary first, as in `tokenizers`.
Encoding a new word replays the learned merges, lowest rank first.

    >>> bpe = BPE.train(["chest pain", "chest tightness"], vocab_size=40)
    >>> bpe.encode("chest pain")
    [...]
"""
from __future__ import annotations

import heapq
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

WORD = re.compile(r"\w+|[^\w\s]+")   # the `tokenizers` Whitespace pre-tokenizer
SUFFIX = "</w>"
UNK = "[UNK]"


def pre_tokenize(text: str) -> list[str]:
    """Split into words and punctuation runs: 'BP 140/90, no' -> ['BP', '140', '/', '90', ',', 'no']."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return WORD.findall(text)


def _spell(word: str) -> tuple[str, ...]:
    return tuple(word[:-1]) + (word[-1] + SUFFIX,)


def learn_merges(spelled_counts: dict, vocab: dict, vocab_size: int, min_frequency: int, join=str.__add__,
                 progress: bool = False, history: list | None = None, ties: list | None = None) -> list:
    """The BPE training loop, shared by `BPE.train` and `train_wordpiece`.

    `spelled_counts` maps each word, spelled as a tuple of symbols, to its count; `vocab` (token ->
    id) holds the alphabet and grows in place. Repeatedly merge the most frequent adjacent pair into
    one symbol, `join(a, b)`, until `vocab` has `vocab_size` tokens or no pair occurs
    `min_frequency` times. Ties go to the pair of the earliest-added symbols (lowest ids, first
    symbol then second), as in `tokenizers`; with a sorted alphabet the result is the same in every
    process. Returns the merges in order. `history` and `ties`: see `BPE.train`.

    The most frequent pair comes from a heap: every time a pair's count changes, its new count is
    pushed, and entries whose count is out of date are dropped when they reach the top.
    """
    words = [list(w) for w in spelled_counts]
    counts = list(spelled_counts.values())
    pairs: Counter = Counter()
    where: dict[tuple[str, str], set[int]] = {}
    for i, (symbols, n) in enumerate(zip(words, counts)):
        for pair in zip(symbols, symbols[1:]):
            pairs[pair] += n
            where.setdefault(pair, set()).add(i)
    heap = [(-n, vocab[a], vocab[b], (a, b)) for (a, b), n in pairs.items()]
    heapq.heapify(heap)

    merges = []
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=vocab_size - len(vocab), desc="BPE merges", mininterval=0.5)
    while len(vocab) < vocab_size:
        while heap and pairs.get(heap[0][3], 0) != -heap[0][0]:
            heapq.heappop(heap)                              # out of date: the pair's count changed
        if not heap:
            break
        best = heap[0][3]
        if pairs[best] < min_frequency:
            break
        a, b = best
        new = join(a, b)
        merges.append(best)
        vocab.setdefault(new, len(vocab))
        if history is not None:
            history.append((len(merges), best, pairs[best]))
        if ties is not None:
            ties.append([p for p, n in pairs.items() if n == pairs[best] and p != best])
        changed = set()
        for i in where.pop(best, ()):                       # the words that had the pair at some point
            symbols, n = words[i], counts[i]
            j, merged = 0, []
            while j < len(symbols):
                if j < len(symbols) - 1 and symbols[j] == a and symbols[j + 1] == b:
                    merged.append(new)
                    j += 2
                else:
                    merged.append(symbols[j])
                    j += 1
            if len(merged) == len(symbols):                 # an earlier merge already took it apart
                continue
            for pair in zip(symbols, symbols[1:]):          # retract this word's old pairs
                pairs[pair] -= n
                changed.add(pair)
            words[i] = merged
            for pair in zip(merged, merged[1:]):            # and count its new ones
                pairs[pair] += n
                changed.add(pair)
                where.setdefault(pair, set()).add(i)
        for pair in changed:
            if pairs[pair] > 0:
                heapq.heappush(heap, (-pairs[pair], vocab[pair[0]], vocab[pair[1]], pair))
            else:
                del pairs[pair]                             # no longer occurs anywhere
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return merges


@dataclass
class BPE:
    """A trained BPE tokenizer: `vocab` maps token -> id, `merges` are the learned pairs in order."""
    vocab: dict[str, int]
    merges: list[tuple[str, str]]
    unk_token: str = UNK
    # Derived state: not part of what the tokenizer *is*, so it takes no part in `==`
    # (two equal tokenizers stay equal however many words each has cached).
    _ranks: dict = field(default=None, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self._ranks = {pair: i for i, pair in enumerate(self.merges)}
        self.id_to_token = {i: t for t, i in self.vocab.items()}

    # ------------------------------------------------------------------ training
    @classmethod
    def train(cls, texts, vocab_size: int, min_frequency: int = 2, special_tokens=(UNK,),
              progress: bool = False, history: list | None = None, ties: list | None = None) -> "BPE":
        """Learn merges from an iterable of strings until the vocabulary has `vocab_size` tokens.

        `history`, if a list, receives (merge number, pair, count) for every merge, to show the
        merge table growing. `ties`, if a list, receives for every merge the other pairs that had
        the same count at that moment (an empty list when the merge won outright); see
        `order_fixed_prefix`.
        """
        if isinstance(texts, str):
            raise TypeError("texts must be an iterable of strings, not one string")
        if not isinstance(vocab_size, int) or vocab_size <= 0:
            raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}")
        if not isinstance(min_frequency, int) or min_frequency < 1:
            raise ValueError(f"min_frequency must be an int >= 1, got {min_frequency!r}")
        word_counts = Counter(w for text in texts for w in pre_tokenize(text))
        if not word_counts:
            raise ValueError("cannot train BPE on an empty corpus (no words found)")

        # The alphabet: special tokens, then every character by code point, then end-of-word forms.
        chars = sorted({c for w in word_counts for c in w})
        finals = sorted({w[-1] + SUFFIX for w in word_counts})
        vocab = {t: i for i, t in enumerate(list(special_tokens) + chars)}
        for t in finals:
            vocab.setdefault(t, len(vocab))
        if vocab_size < len(vocab):
            raise ValueError(f"vocab_size={vocab_size} is smaller than the alphabet of this corpus "
                             f"({len(vocab)} symbols incl. special tokens); choose at least {len(vocab)}")

        merges = learn_merges({_spell(w): n for w, n in word_counts.items()}, vocab, vocab_size,
                              min_frequency, join=str.__add__, progress=progress, history=history, ties=ties)
        return cls(vocab=vocab, merges=merges)

    # ------------------------------------------------------------------ encoding
    def tokenize_word(self, word: str) -> list[str]:
        """The tokens of one pre-tokenized word, merges applied lowest rank first."""
        if not isinstance(word, str) or not word:
            raise ValueError(f"word must be a non-empty str (one pre-tokenized word), got {word!r}")
        if word in self._cache:
            return self._cache[word]
        symbols = list(_spell(word))
        while len(symbols) > 1:
            ranked = [(self._ranks.get(p, float("inf")), k) for k, p in enumerate(zip(symbols, symbols[1:]))]
            rank, k = min(ranked)
            if rank == float("inf"):
                break
            symbols[k:k + 2] = [symbols[k] + symbols[k + 1]]
        unknown = [s for s in symbols if s not in self.vocab]
        if unknown and self.unk_token not in self.vocab:
            raise ValueError(f"{word!r} has symbols {unknown} outside the vocabulary, and the unknown token "
                             f"{self.unk_token!r} is not in the vocabulary either; train with it in special_tokens")
        tokens = [s if s in self.vocab else self.unk_token for s in symbols]
        self._cache[word] = tokens
        return tokens

    def tokenize(self, text: str) -> list[str]:
        """Token strings of `text`."""
        return [t for w in pre_tokenize(text) for t in self.tokenize_word(w)]

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`; characters never seen in training become the unknown token."""
        return [self.vocab[t] for t in self.tokenize(text)]

    def decode(self, ids) -> str:
        """Text from ids: tokens joined, a space after every end-of-word (punctuation spacing is lost)."""
        try:
            tokens = [self.id_to_token[int(i)] for i in ids]
        except KeyError as e:
            raise ValueError(f"id {e.args[0]} is not in the vocabulary (size {len(self.vocab)})") from None
        return "".join(t.replace(SUFFIX, " ") for t in tokens).strip()

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps({"vocab": self.vocab, "merges": [list(m) for m in self.merges],
                                    "unk_token": self.unk_token}, ensure_ascii=False))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "BPE":
        state = json.loads(Path(path).read_text())
        if not {"vocab", "merges"} <= set(state):
            raise ValueError(f"{path} is not a BPE file saved by BPE.save")
        return cls(vocab=state["vocab"], merges=[tuple(m) for m in state["merges"]],
                   unk_token=state.get("unk_token", UNK))


def train_library_bpe(texts, vocab_size: int, min_frequency: int = 2, special_tokens=(UNK,)):
    """The same recipe with Hugging Face `tokenizers` (Rust): Whitespace pre-tokenizer, `</w>` suffix."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token=UNK, end_of_word_suffix=SUFFIX))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.BPEDecoder(suffix=SUFFIX)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=list(special_tokens), end_of_word_suffix=SUFFIX,
                                  show_progress=False)
    tok.train_from_iterator(list(texts), trainer=trainer)
    return tok


def compare_with_library(ours: BPE, library, texts) -> dict:
    """How often our BPE and the library give the same tokens, per word and per text."""
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string")
    texts = list(texts)
    if not any(pre_tokenize(t) for t in texts):
        raise ValueError("texts is empty (no words to compare)")
    words = same_words = same_texts = 0
    for text in texts:
        lib_tokens = library.encode(text).tokens
        our_tokens = ours.tokenize(text)
        same_texts += lib_tokens == our_tokens
        lib_words = [library.encode(w).tokens for w in pre_tokenize(text)]
        for w, lt in zip(pre_tokenize(text), lib_words):
            words += 1
            same_words += ours.tokenize_word(w) == lt
    n_texts = len(texts)
    merges_lib = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m)
                  for m in json.loads(library.to_str())["model"]["merges"]]
    same_prefix = next((i for i, (x, y) in enumerate(zip(ours.merges, merges_lib)) if x != y),
                       min(len(ours.merges), len(merges_lib)))
    return {"texts": n_texts, "identical_texts": same_texts / n_texts, "words": words,
            "identical_words": same_words / words, "merges_ours": len(ours.merges),
            "merges_library": len(merges_lib), "identical_merge_prefix": same_prefix,
            "same_merge_set": len(set(ours.merges) & set(merges_lib)) / max(1, len(merges_lib))}


def order_fixed_prefix(bpe: BPE, ties: list) -> int:
    """How many of `bpe`'s first merges every `tokenizers` training on the same texts learns in the same order.

    `ties` is what `BPE.train(..., ties=...)` recorded. Both trainers merge the most frequent pair
    and, on a tie, the pair with the smaller ids (first symbol, then second). The ids agree, except
    that the library numbers the single-character end-of-word symbols (`a</w>`, `9</w>`, ...) in the
    order its hash map yields the words, which changes from one process to the next (ours: sorted).
    So the two orders can first part at a tie that is decided by comparing two different
    end-of-word symbols. Returns the index of that merge (`len(bpe.merges)` if there is none):
    `bpe.merges[:k]` is what every library run learns first, in this order.
    """
    if len(ties) != len(bpe.merges):
        raise ValueError(f"ties has {len(ties)} entries but the tokenizer has {len(bpe.merges)} merges; "
                         "pass the list that BPE.train(..., ties=...) filled")
    finals = {t for t in bpe.vocab if t.endswith(SUFFIX) and len(t) == len(SUFFIX) + 1}

    def order_varies(x: str, y: str) -> bool:          # both are end-of-word symbols: their id order varies
        return x != y and x in finals and y in finals

    for k, ((a, b), others) in enumerate(zip(bpe.merges, ties)):
        if any(order_varies(a, c) or (a == c and order_varies(b, d)) for c, d in others):
            return k
    return len(bpe.merges)


def tokens_per_word(tokenize, words) -> float:
    """Mean number of tokens per word for any `tokenize(str) -> list` function."""
    words = list(words)
    if not words:
        raise ValueError("words is empty")
    return sum(len(tokenize(w)) for w in words) / len(words)


def wordpiece_encode(word: str, vocab, unk_token: str = UNK, prefix: str = "##",
                     max_chars: int = 100) -> list[str]:
    """WordPiece encoding of one word: greedy longest-match-first, as BERT and `tokenizers` do it.

    From the start of the word, take the longest piece that is in `vocab` (pieces after the first
    carry `prefix`), then continue after it. If some position has no matching piece, or the word is
    longer than `max_chars`, the whole word becomes `unk_token`. There are no merges to replay: the
    vocabulary alone decides.
    """
    if not isinstance(word, str) or not word:
        raise ValueError(f"word must be a non-empty str, got {word!r}")
    if len(word) > max_chars:
        return [unk_token]
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):             # longest candidate first
            piece = word[start:end] if start == 0 else prefix + word[start:end]
            if piece in vocab:
                break
        else:
            return [unk_token]                              # nothing matches here: the word is unknown
        pieces.append(piece)
        start = end
    return pieces


SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def wordpiece_vocabulary(texts, vocab_size: int = 4000, lowercase: bool = True, min_frequency: int = 2,
                         special_tokens=SPECIAL_TOKENS) -> dict[str, int]:
    """A WordPiece vocabulary (token -> id), learned the way the `tokenizers` WordPiece trainer does it.

    Words come from BERT's normalizer and pre-tokenizer (the library's own objects). Each word is
    spelled as its first character followed by `##` + each later character, and `learn_merges`
    merges the most frequent pair until there are `vocab_size` tokens; a merge of ``a`` and ``##b``
    is the token ``ab``. The library's trainer follows the same rule, but it numbers the ``##``
    characters in the order its hash map yields the words, which changes from one process to the
    next, and with it how ties are broken and every id. Here the alphabet is sorted, so the same
    texts give the same vocabulary, id for id, in every process.
    """
    from tokenizers import normalizers, pre_tokenizers

    normalizer, pre = normalizers.BertNormalizer(lowercase=lowercase), pre_tokenizers.BertPreTokenizer()
    word_counts = Counter(w for t in texts for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(t)))
    spelled = {(w[0], *("##" + c for c in w[1:])): n for w, n in sorted(word_counts.items())}
    firsts = sorted({w[0] for w in spelled})
    inner = sorted({c for w in spelled for c in w[1:]})
    vocab = {t: i for i, t in enumerate([*special_tokens, *firsts, *inner])}
    learn_merges(spelled, vocab, vocab_size, min_frequency, join=lambda a, b: a + b[2:])
    return vocab


def train_wordpiece(texts, vocab_size: int = 4000, lowercase: bool = True, min_frequency: int = 2):
    """A BERT-style WordPiece tokenizer, wrapped for `transformers`: the vocabulary from
    `wordpiece_vocabulary` (the same in every process), the model, normalizer, pre-tokenizer and
    post-processor from `tokenizers`.

    The result behaves like any Hugging Face tokenizer: special tokens ([CLS] ... [SEP]), padding,
    truncation, attention masks, ``return_tensors="pt"``, ``decode``, ``save_pretrained``.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    if isinstance(texts, str):
        raise TypeError("texts must be an iterable of strings, not one string")
    texts = list(texts)
    if not any(t.strip() for t in texts):
        raise ValueError("cannot train WordPiece on an empty corpus")
    if not isinstance(vocab_size, int) or vocab_size <= len(SPECIAL_TOKENS):
        raise ValueError(f"vocab_size must be an int > {len(SPECIAL_TOKENS)}, got {vocab_size!r}")
    if not isinstance(min_frequency, int) or min_frequency < 1:
        raise ValueError(f"min_frequency must be an int >= 1, got {min_frequency!r}")
    vocab = wordpiece_vocabulary(texts, vocab_size, lowercase, min_frequency)
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")


def train_library_wordpiece(texts, vocab_size: int = 4000, lowercase: bool = True, min_frequency: int = 2):
    """The `tokenizers` library's own WordPiece trainer, for comparison with `wordpiece_vocabulary`:
    returns its vocabulary (token -> id; the ids change from process to process)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=lowercase)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(list(texts), trainers.WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=list(SPECIAL_TOKENS), show_progress=False))
    return tok.get_vocab()
