"""`make rehearse`, in CI: notebooks 00, 07, 08 and 09 run top to bottom through their online
branches, as on Colab, against a Hugging Face Hub on 127.0.0.1 (tools/local_hub.py) that serves the
course models under their real names. Every line that runs only when the Hub answers (the real BERT
column in 07, BioBERT's cased tokenizer in 08, SmolLM2 from the Hub in 09, the skipped stand-in
checks) runs here; a notebook that fails, a model that did not come from the Hub, or a notebook in
which no model load went through the Hub fails the test. The committed notebooks are not touched."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import local_hub  # noqa: E402


def test_notebooks_00_07_08_09_run_online_against_a_local_hub(tmp_path, capsys):
    code = local_hub.rehearse(out=tmp_path)
    printed = capsys.readouterr().out
    assert code == 0, printed[-4000:]
    assert "rehearsal ok: every load came from the Hub" in printed
    assert len(list(tmp_path.glob("*.ipynb"))) == len(local_hub.REHEARSED)
