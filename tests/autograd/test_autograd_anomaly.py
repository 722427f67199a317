"""Anomaly mode: NaN-producing backward raises, naming the op and the forward line that created it."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import npgrad
from npgrad.autograd import Function


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_log_of_zero_times_zero():
    x = npgrad.zeros(1, requires_grad=True)
    with npgrad.autograd.detect_anomaly():
        y = (x.log() * 0).sum()  # FORWARD-LINE-LOG
        with pytest.raises(RuntimeError) as info:
            y.backward()
    msg = str(info.value)
    assert "Function 'LogBackward0' returned nan values in its 0th output." in msg
    assert "FORWARD-LINE-LOG" in msg and "test_autograd_anomaly.py" in msg
    xt = torch.zeros(1, requires_grad=True)
    with torch.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="LogBackward0' returned nan values"):
        (xt.log() * 0).sum().backward()


def test_zero_over_zero():
    x = npgrad.zeros(1, requires_grad=True)
    with npgrad.autograd.detect_anomaly():
        y = (x / x).sum()  # FORWARD-LINE-DIV
        with pytest.raises(RuntimeError, match=r"Function 'DivBackward0' returned nan values in its 1th output") as info:
            y.backward()
    assert "FORWARD-LINE-DIV" in str(info.value)


def test_without_anomaly_mode_nan_propagates_silently():
    x = npgrad.zeros(1, requires_grad=True)
    (x.log() * 0).sum().backward()
    assert np.isnan(x.grad.numpy()).all()


def test_set_detect_anomaly_function_and_context():
    assert not npgrad.autograd.is_anomaly_enabled()
    npgrad.autograd.set_detect_anomaly(True)
    try:
        assert npgrad.autograd.is_anomaly_enabled()
    finally:
        npgrad.autograd.set_detect_anomaly(False)
    with npgrad.autograd.set_detect_anomaly(True, check_nan=False):
        x = npgrad.zeros(1, requires_grad=True)
        (x.log() * 0).sum().backward()  # NaN check disabled
        assert npgrad.autograd.is_anomaly_enabled()
    assert not npgrad.autograd.is_anomaly_enabled()


def test_error_inside_backward_gets_forward_trace():
    class Boom(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")

    x = npgrad.ones(1, requires_grad=True)
    with npgrad.autograd.detect_anomaly():
        y = Boom.apply(x)  # FORWARD-LINE-BOOM
        with pytest.raises(ValueError, match="boom") as info:
            y.backward()
    notes = "".join(getattr(info.value, "__notes__", []))
    assert "Error detected in BoomBackward" in notes and "FORWARD-LINE-BOOM" in notes


def test_detect_anomaly_as_decorator():
    @npgrad.autograd.detect_anomaly()
    def run():
        return npgrad.autograd.is_anomaly_enabled()

    assert run() and not npgrad.autograd.is_anomaly_enabled()
