"""Where a model computes, and moving its inputs there.

`Trainer` (and a student on a GPU runtime) moves a model to the GPU when there is one, so every course
function that runs a model sends the inputs to `model_device(model)` first. This module imports
nothing from the course, so the model builders that use it do not depend on the notebook set-up.
"""
from __future__ import annotations


def model_device(model):
    """The torch.device a model computes on: ``model.device`` (every transformers model has it),
    else the device of its first parameter, else the CPU. `Trainer` moves a model to the GPU when
    there is one, so a function that runs a model must send the inputs where the model now is."""
    import torch

    where = getattr(model, "device", None)
    if isinstance(where, (torch.device, str)):
        return torch.device(where)
    parameter = next(iter(model.parameters()), None) if hasattr(model, "parameters") else None
    return parameter.device if parameter is not None else torch.device("cpu")


def to_device(batch, device):
    """A copy of `batch` (a dict such as a tokenizer's BatchEncoding, or a list/tuple) with every
    tensor moved to `device`; anything else is passed through unchanged."""
    import torch

    move = lambda v: v.to(device) if isinstance(v, torch.Tensor) else v
    if isinstance(batch, dict) or hasattr(batch, "items"):
        return {k: move(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(move(v) for v in batch)
    return move(batch)
