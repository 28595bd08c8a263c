"""utils.train: windows reach the end of the stream, fit refuses models without a loss, the test stream."""
import pytest
import torch

from utils import train


def test_random_windows_can_start_at_the_last_possible_position():
    ids = torch.arange(9)                       # block 8: exactly one window, x = 0..7, y = 1..8
    x, y = train.random_windows(ids, 8, 4, torch.Generator().manual_seed(0))
    assert torch.equal(x[0], torch.arange(8)) and torch.equal(y[0], torch.arange(1, 9))
    starts = train.random_windows(torch.arange(20), 8, 500, torch.Generator().manual_seed(0))[0][:, 0]
    assert set(starts.tolist()) == set(range(12))   # every start 0..11 is drawn, 11 included


def test_random_windows_refuse_a_stream_too_short():
    with pytest.raises(ValueError, match="longer than block_size"):
        train.random_windows(torch.arange(8), 8, 1, torch.Generator())


class _Regression(torch.nn.Module):
    def __init__(self, with_loss: bool):
        super().__init__()
        self.lin, self.with_loss = torch.nn.Linear(3, 1), with_loss

    def forward(self, x, y):
        out = self.lin(x)
        return (out, torch.nn.functional.mse_loss(out, y)) if self.with_loss else out


def test_fit_refuses_a_model_that_returns_no_loss():
    with pytest.raises(TypeError, match="returns \\(output, scalar loss\\)"):
        train.fit(_Regression(False), lambda step: (torch.randn(2, 3), torch.randn(2, 1)), 1, progress=False)


def test_fit_lowers_the_loss_of_a_model_that_returns_one():
    torch.manual_seed(0)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    losses = train.fit(_Regression(True), lambda step: (x, y), 200, lr=0.05, progress=False)
    assert losses[-1] < 0.01 * losses[0]
