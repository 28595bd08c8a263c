"""utils.train: every window can be sampled, fit refuses a model without a loss, perplexity."""
import math

import pytest
import torch

from utils import models as M
from utils import train


def test_random_windows_reach_the_last_window():
    ids = torch.arange(5)                                    # block_size 4: exactly one window
    x, y = train.random_windows(ids, 4, 3, torch.Generator().manual_seed(0))
    assert x.tolist() == [[0, 1, 2, 3]] * 3 and y.tolist() == [[1, 2, 3, 4]] * 3
    ids = torch.arange(10)                                   # 6 windows, starts 0..5, all sampled
    x, y = train.random_windows(ids, 4, 400, torch.Generator().manual_seed(0))
    assert set(x[:, 0].tolist()) == set(range(6))
    assert torch.equal(y[:, :-1], x[:, 1:]) and torch.equal(y[:, -1], x[:, -1] + 1)


def test_random_windows_refuse_a_short_stream():
    with pytest.raises(ValueError, match="longer than block_size=4"):
        train.random_windows(torch.arange(4), 4, 2, torch.Generator())


def test_fit_lowers_the_loss_and_returns_one_loss_per_step():
    torch.manual_seed(0)
    model = M.RNNLanguageModel(M.RNNConfig(vocab_size=5, kind="gru", n_embd=8, n_hidden=16))
    ids = torch.arange(5).repeat(40)                         # 0 1 2 3 4 0 1 ...: easy to learn
    losses = train.train_lm(model, ids, 60, block_size=8, batch_size=8, lr=1e-2, desc="test")
    assert len(losses) == 60 and losses[-1] < losses[0] / 3
    assert train.perplexity(model, ids, 8) < 2.0 < math.exp(losses[0])


class _NoLoss(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 2)

    def forward(self, x, y=None):
        return self.lin(x), None


class _LogitsOnly(_NoLoss):
    def forward(self, x, y=None):
        return self.lin(x)


@pytest.mark.parametrize("model, match", [(_NoLoss(), "returned tuple"), (_LogitsOnly(), "returned Tensor")])
def test_fit_on_a_model_that_returns_no_loss_says_so(model, match):
    batch = (torch.randn(4, 2), torch.randn(4, 2))
    with pytest.raises(ValueError, match=f"fit needs a model that returns \\(output, loss\\).*{match}"):
        train.fit(model, lambda step: batch, 2, progress=False)


def test_fit_refuses_a_loss_that_is_not_a_scalar():
    class PerExample(_NoLoss):
        def forward(self, x, y):
            return self.lin(x), ((self.lin(x) - y) ** 2).mean(-1)
    with pytest.raises(ValueError, match=r"loss of shape \(4,\)"):
        train.fit(PerExample(), lambda step: (torch.randn(4, 2), torch.randn(4, 2)), 2, progress=False)
