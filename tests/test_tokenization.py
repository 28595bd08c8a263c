"""utils.tokenization: from-scratch BPE against the `tokenizers` library, WordPiece wrapper, errors."""
import pytest

from utils import data
from utils import tokenization as tk


@pytest.fixture(scope="module")
def corpus():
    return data.load_notes("train").text.tolist(), data.load_notes("test").text.tolist()


@pytest.mark.parametrize("vocab_size", [300, 1200])
def test_bpe_equals_the_tokenizers_library_on_held_out_text(corpus, vocab_size):
    train, test = corpus
    ours = tk.BPE.train(train, vocab_size)
    library = tk.train_library_bpe(train, vocab_size)
    agreement = tk.compare_with_library(ours, library, test)
    assert len(ours.vocab) == library.get_vocab_size() == vocab_size
    assert agreement["identical_words"] >= 0.99
    assert agreement["identical_texts"] >= 0.95
    assert agreement["same_merge_set"] >= 0.99
    assert agreement["identical_merge_prefix"] >= 100


def test_toy_merges_follow_counts_and_ties():
    history = []
    bpe = tk.BPE.train(["low lower lowest", "low low"], vocab_size=30, min_frequency=2, history=history)
    assert history[0][1] == ("l", "o") and history[0][2] == 5
    assert history[1][1] == ("lo", "w</w>")    # 'low' alone 3 times beats 'lo'+'w' inside longer words
    assert bpe.tokenize_word("low") == ["low</w>"]


def test_unseen_characters_become_unknown_and_decode_roundtrips():
    bpe = tk.BPE.train(["chest pain chest pain"], vocab_size=30, min_frequency=1)
    assert tk.UNK in bpe.tokenize("chest zzz")
    ids = bpe.encode("chest pain")
    assert bpe.decode(ids) == "chest pain"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        bpe.decode([10_000])


def test_save_and_load(tmp_path):
    bpe = tk.BPE.train(["myocardial infarction myocarditis"] * 3, vocab_size=40)
    again = tk.BPE.load(bpe.save(tmp_path / "bpe.json"))
    assert again.merges == bpe.merges and again.encode("myocarditis") == bpe.encode("myocarditis")
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match="BPE.save"):
        tk.BPE.load(tmp_path / "bad.json")


@pytest.mark.parametrize("texts, vocab_size, error, match", [
    ([], 100, ValueError, "empty corpus"),
    (["   ", ""], 100, ValueError, "empty corpus"),
    (["abc def"], 3, ValueError, "smaller than the alphabet"),
    (["abc"], 0, ValueError, "positive int"),
    ("one string", 100, TypeError, "iterable of strings"),
])
def test_training_input_checks(texts, vocab_size, error, match):
    with pytest.raises(error, match=match):
        tk.BPE.train(texts, vocab_size)


def test_min_frequency_check_and_pre_tokenize_type():
    with pytest.raises(ValueError, match="min_frequency"):
        tk.BPE.train(["abc"], 10, min_frequency=0)
    with pytest.raises(TypeError):
        tk.pre_tokenize(None)
    assert tk.pre_tokenize("BP 140/90, no") == ["BP", "140", "/", "90", ",", "no"]


def test_wordpiece_is_a_full_transformers_tokenizer(corpus, tmp_path):
    from transformers import AutoTokenizer

    tok = tk.train_wordpiece(corpus[0], vocab_size=2000)
    batch = tok(["chest pain", "denies chest pain today"], padding=True, truncation=True, max_length=5,
                return_tensors="pt")
    assert batch["input_ids"].shape == (2, 5)
    assert batch["input_ids"][0, 0] == tok.cls_token_id and tok.pad_token_id in batch["input_ids"][0]
    assert batch["attention_mask"][0].tolist() == [1, 1, 1, 1, 0]
    assert tok.decode(batch["input_ids"][0], skip_special_tokens=True) == "chest pain"
    tok.save_pretrained(tmp_path)
    assert AutoTokenizer.from_pretrained(tmp_path)("chest pain").input_ids == tok("chest pain").input_ids


def test_wordpiece_input_checks():
    with pytest.raises(ValueError, match="empty"):
        tk.train_wordpiece([""])
    with pytest.raises(ValueError, match="vocab_size"):
        tk.train_wordpiece(["abc"], vocab_size=3)
    with pytest.raises(TypeError):
        tk.train_wordpiece("abc")


def test_tokens_per_word():
    assert tk.tokens_per_word(list, ["ab", "abcd"]) == 3
    with pytest.raises(ValueError):
        tk.tokens_per_word(list, [])


def test_bpe_equals_the_library_in_order_up_to_the_first_hash_decided_tie(corpus):
    """What is equal in every process: the merges, in order, up to the first tie that the library
    breaks by comparing two end-of-word symbols (it numbers them in hash-map order, new in every
    process). After it, the order may differ; the merge set and the test words' tokens have always
    agreed so far, but nothing guarantees it, so they get a 1% margin."""
    train, test = corpus
    ties = []
    ours = tk.BPE.train(train, 2000, ties=ties)
    fixed = tk.order_fixed_prefix(ours, ties)
    assert fixed > 100                       # the guarantee covers a real stretch of merges
    for _ in range(3):                       # three library runs: three hash orders
        agreement = tk.compare_with_library(ours, tk.train_library_bpe(train, 2000), test)
        assert agreement["identical_merge_prefix"] >= fixed
        assert agreement["merges_ours"] == agreement["merges_library"]
        assert agreement["identical_words"] >= 0.99 and agreement["same_merge_set"] >= 0.99


def test_ties_and_the_order_fixed_prefix():
    """A tie between two end-of-word symbols ('1</w>' vs '2</w>') is decided by the library's hash
    order, so the fixed prefix ends there; a tie between two plain characters is decided alike."""
    ties = []
    bpe = tk.BPE.train(["a1 a2"], vocab_size=30, min_frequency=1, ties=ties)
    assert bpe.merges == [("a", "1</w>"), ("a", "2</w>")] and ties == [[("a", "2</w>")], []]
    assert tk.order_fixed_prefix(bpe, ties) == 0
    ties = []
    bpe = tk.BPE.train(["ab cd"], vocab_size=30, min_frequency=1, ties=ties)
    assert bpe.merges == [("a", "b</w>"), ("c", "d</w>")] and ties == [[("c", "d</w>")], []]
    assert tk.order_fixed_prefix(bpe, ties) == 2
    ties = []
    bpe = tk.BPE.train(["low lower lowest", "low low"], vocab_size=30, min_frequency=2, ties=ties)
    assert len(ties) == len(bpe.merges) and ties[0] == []          # 'l'+'o' (5) wins outright
    with pytest.raises(ValueError, match="ties has"):
        tk.order_fixed_prefix(bpe, ties[:-1])


def test_bpe_equality_ignores_its_cache():
    a = tk.BPE.train(["chest pain chest pain"], vocab_size=30, min_frequency=1)
    b = tk.BPE(vocab=dict(a.vocab), merges=list(a.merges))
    assert a == b
    a.tokenize("chest pain")                 # fills a's cache only
    assert a == b and b == a


def test_tokenize_word_rejects_empty_and_missing_unknown_token():
    bpe = tk.BPE.train(["chest pain chest pain"], vocab_size=30, min_frequency=1)
    with pytest.raises(ValueError, match="non-empty"):
        bpe.tokenize_word("")
    no_unk = tk.BPE.train(["chest pain chest pain"], vocab_size=30, min_frequency=1, special_tokens=())
    assert no_unk.tokenize("chest") == bpe.tokenize("chest")            # known words still work
    with pytest.raises(ValueError, match=r"unknown token '\[UNK\]' is not in the vocabulary"):
        no_unk.encode("chest zzz")


def test_compare_with_library_rejects_no_texts():
    bpe = tk.BPE.train(["chest pain chest pain"], vocab_size=30, min_frequency=1)
    library = tk.train_library_bpe(["chest pain chest pain"], vocab_size=30, min_frequency=1)
    with pytest.raises(ValueError, match="empty"):
        tk.compare_with_library(bpe, library, [])
    with pytest.raises(TypeError):
        tk.compare_with_library(bpe, library, "chest pain")


def test_wordpiece_encode_equals_the_library_model(corpus):
    """Greedy longest-match-first by hand == the `tokenizers` WordPiece model, on every test word."""
    from tokenizers import models

    tok = tk.train_wordpiece(corpus[0], vocab_size=2000)
    vocab = tok.get_vocab()
    library = models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100)
    words = sorted({w.lower() for t in corpus[1] for w in tk.pre_tokenize(t)}) + ["zzzq", "x" * 101, "cholecystectomy"]
    for w in words:
        assert tk.wordpiece_encode(w, vocab) == [t.value for t in library.tokenize(w)], w
    assert any(len(tk.wordpiece_encode(w, vocab)) > 1 for w in words)      # the test sees real splits
    assert tk.wordpiece_encode("abc", {"a": 0, "##b": 1, "[UNK]": 2}) == ["[UNK]"]
    assert tk.wordpiece_encode("ab", {"a": 0, "ab": 1, "##b": 2}) == ["ab"]
    with pytest.raises(ValueError):
        tk.wordpiece_encode("", vocab)


def test_wordpiece_vocabulary_is_the_librarys_rule_and_the_same_in_every_process(corpus):
    """Our WordPiece trainer keeps the library's rule (most frequent pair, ties to the smaller ids):
    it learns the library's vocabulary but for the few tokens that ties decide. Its ids come from a
    sorted alphabet, so a fresh process with another hash seed gives the same vocabulary, id for id."""
    import json
    import os
    import subprocess
    import sys

    texts = corpus[0][:600]
    ours = tk.wordpiece_vocabulary(texts, 1500)
    library = tk.train_library_wordpiece(texts, 1500)
    assert len(ours) == len(library) == 1500
    assert len(set(ours) & set(library)) >= 0.98 * 1500
    assert list(ours)[:5] == list(tk.SPECIAL_TOKENS) and sorted(ours.values()) == list(range(1500))
    code = ("import json, sys; from utils import data, tokenization as tk; "
            "print(json.dumps(tk.wordpiece_vocabulary(data.load_notes('train').text.tolist()[:600], 1500)))")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root,
                         env={**os.environ, "PYTHONHASHSEED": "987", "PYTHONPATH": root}).stdout
    assert json.loads(out) == ours
    assert tk.train_wordpiece(texts, 1500).get_vocab() == ours


def test_learn_merges_joins_wordpiece_pieces_without_their_prefix():
    spelled = {("l", "##o", "##w"): 5, ("l", "##o", "##g"): 2}
    vocab = {t: i for i, t in enumerate(["l", "##g", "##o", "##w"])}
    merges = tk.learn_merges(spelled, vocab, vocab_size=7, min_frequency=2, join=lambda a, b: a + b[2:])
    assert merges == [("l", "##o"), ("lo", "##w"), ("lo", "##g")]
    assert list(vocab)[4:] == ["lo", "low", "log"]
