"""Training the real models on a CPU runtime: how long it would take, and how much of it to keep.

Online, notebooks 07 and 08 fine-tune BERT-Base-sized models (110M parameters) where offline they
fine-tune the course mini-BERT. On a Colab GPU that takes minutes; on a CPU runtime it can take an
hour. They time one training example here (`seconds_per_example`) and, on a CPU, train on the share
of the examples that fits COURSE_CPU_MINUTES (`cpu_share`, default 10 minutes), with a warning that
gives the estimate and says how to switch to a GPU. (Not in `utils.devices`: the model builders
import that module, and their recorded source stamps would change with it.)
"""
from __future__ import annotations

from .devices import model_device, to_device

CPU_MINUTES_ENV = "COURSE_CPU_MINUTES"
DEFAULT_CPU_MINUTES = 10.0
MIN_SHARE = 0.05
CPU_WARNING = "WARNING: CPU runtime."
GPU_HOWTO = "Runtime > Change runtime type > a GPU (T4 is free), then Runtime > Run all"


def seconds_per_example(model, batch, repeats: int = 2) -> float:
    """Wall-clock seconds that one training example costs `model` on its device: forward and
    backward passes over `batch` (a dict of tensors with "labels", as a data collator makes it),
    the first pass not counted (warm-up), averaged over `repeats` more. The gradients are cleared
    afterwards and no optimiser step is taken, so the weights do not change."""
    import time

    import torch

    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive int, got {repeats!r}")
    if not hasattr(batch, "items") or "labels" not in batch:
        raise ValueError("batch must be a dict of tensors with a 'labels' entry (as a data collator makes it)")
    batch = to_device(batch, model_device(model))
    size = next(v for v in batch.values() if isinstance(v, torch.Tensor)).shape[0]
    was_training = model.training
    model.train()
    try:
        times = []
        for _ in range(repeats + 1):
            start = time.perf_counter()
            model(**batch).loss.backward()
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
    finally:
        model.zero_grad(set_to_none=True)
        model.train(was_training)
    return sum(times[1:]) / repeats / size


def _minutes(value: float) -> str:
    return f"{value:.0f} minutes" if value >= 10 else f"{value:.1f} minutes" if value >= 0.1 else "a few seconds"


def cpu_minutes() -> float:
    """The training minutes a notebook may plan on a CPU runtime: $COURSE_CPU_MINUTES, default 10."""
    import os

    raw = os.environ.get(CPU_MINUTES_ENV, "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_CPU_MINUTES
    except ValueError:
        raise ValueError(f"{CPU_MINUTES_ENV} must be a number of minutes, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{CPU_MINUTES_ENV} must be positive, got {raw!r}")
    return value


def cpu_share(seconds_each: float, example_passes: float, minutes: float | None = None,
              what: str = "Training the real model", fixed_passes: float = 0) -> float:
    """The share (0.05 <= share <= 1) of the planned training examples to keep on a CPU runtime, so that
    `example_passes` (training examples times epochs, summed over every training run planned) at
    `seconds_each`, plus `fixed_passes` that the share does not shrink (evaluation, fixed-size runs),
    fit in `minutes` (default `cpu_minutes()`). 1.0, silently, when everything fits; otherwise a
    warning with both estimates (marked as estimates) and how to switch to a GPU runtime."""
    for name, value in [("seconds_each", seconds_each), ("example_passes", example_passes), ("fixed_passes", fixed_passes)]:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (value == 0 and name != "fixed_passes"):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    budget = cpu_minutes() if minutes is None else minutes
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget > 0:
        raise ValueError(f"minutes must be a positive number, got {minutes!r}")
    full = seconds_each * (example_passes + fixed_passes) / 60
    if full <= budget:
        return 1.0
    share = max(MIN_SHARE, (budget - seconds_each * fixed_passes / 60) / (seconds_each * example_passes / 60))
    capped = seconds_each * (share * example_passes + fixed_passes) / 60
    print(f"{CPU_WARNING} {what} would take about {_minutes(full)} here "
          f"(an estimate: {seconds_each:.3f} s per training example, measured on this machine, times "
          f"{example_passes + fixed_passes:,.0f} example passes). It trains on {share:.0%} of the examples instead, "
          f"about {_minutes(capped)} (set {CPU_MINUTES_ENV} to change the limit), so its numbers are below what "
          f"the full run gives. For the full run use a GPU: {GPU_HOWTO}.")
    return share


def probe_share(probe, tokenizer, texts, example_passes: float, *, what: str, token_labels: bool = False,
                fixed_passes: float = 0, max_length: int | None = None) -> float:
    """`cpu_share` for a training planned on the machine at hand, timed on `probe` (the model with its
    task head) over up to 16 of `texts`: per-token labels when `token_labels` (token classification),
    one label per text otherwise (sequence classification)."""
    import torch

    texts = list(texts)[:16]
    if not texts or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts must hold at least one str to time the model on")
    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    batch["labels"] = (torch.zeros_like(batch["input_ids"]) if token_labels
                       else torch.zeros(len(texts), dtype=torch.long))
    return cpu_share(seconds_per_example(probe, batch), example_passes, what=what, fixed_passes=fixed_passes)
