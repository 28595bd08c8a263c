"""`make rehearse`, in CI: notebooks 00, 07, 08, 09 and 10 run top to bottom through their online
branches, as on Colab, against a Hugging Face Hub on 127.0.0.1 (tools/local_hub.py) that serves the
course models under their real names. Every line that runs only when the Hub answers (the real BERT
column and the real BERT-Base fine-tuned with its own learning rates in 07, BioBERT's cased tokenizer,
PubMedBERT and Bio_ClinicalBERT in 08, SmolLM2 from the Hub in 09, the skipped stand-in checks, and
the CPU-runtime cap of 07, 08 and 10, forced by a limit under a second) runs here; a notebook that fails, a model that did not come from the Hub, or a notebook in
which no model load went through the Hub fails the test. The committed notebooks are not touched."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import local_hub  # noqa: E402


def test_notebooks_with_an_online_branch_run_against_a_local_hub(tmp_path, capsys):
    code = local_hub.rehearse(out=tmp_path)
    printed = capsys.readouterr().out
    assert code == 0, printed[-4000:]
    assert "rehearsal ok: every load came from the Hub" in printed
    assert len(list(tmp_path.glob("*.ipynb"))) == len(local_hub.REHEARSED)
    import torch

    for number in local_hub.CPU_CAPPED:                  # the CPU-runtime cap engaged and said so
        lines = local_hub.stream_lines(next(tmp_path.glob(f"{number}_*.ipynb")))
        assert torch.cuda.is_available() or any(line.startswith(local_hub.CPU_WARNING) for line in lines), number
    loaded = local_hub.banners(next(tmp_path.glob("08_*.ipynb")))
    for name in ("dmis-lab/biobert-base-cased-v1.1", "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract-fulltext",
                 "emilyalsentzer/Bio_ClinicalBERT", "microsoft/biogpt"):
        assert any(line.startswith(f"[hub] {name}: {local_hub.HUB_BANNER}") for line in loaded), name
