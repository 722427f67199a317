"""Bad optimizer input raises the same exception type with the same message as torch.optim."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import npgrad
from npgrad import optim

ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "LBFGS"]
WITH_EPS = ["Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]
WITH_BETAS = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]
WITH_WD = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]


def _leaf(lib):
    return lib.zeros(3, requires_grad=True)


def _same_error(make) -> None:
    """``make(lib)`` raises in torch and npgrad alike (type and message, 'torch.' read as 'npgrad.')."""
    with pytest.raises(Exception) as theirs:
        make(torch)
    expected = str(theirs.value).replace("torch.", "npgrad.")
    with pytest.raises(type(theirs.value), match="^" + re.escape(expected) + "$"):
        make(npgrad)


@pytest.mark.parametrize("name", ALL)
def test_negative_lr(name: str) -> None:
    _same_error(lambda lib: getattr(lib.optim, name)([_leaf(lib)], lr=-0.1))


@pytest.mark.parametrize("name", WITH_EPS)
def test_negative_eps(name: str) -> None:
    _same_error(lambda lib: getattr(lib.optim, name)([_leaf(lib)], eps=-1e-8))


@pytest.mark.parametrize("name", WITH_WD)
def test_negative_weight_decay(name: str) -> None:
    _same_error(lambda lib: getattr(lib.optim, name)([_leaf(lib)], weight_decay=-0.1))


@pytest.mark.parametrize("name", ["SGD", "RMSprop"])
def test_negative_momentum(name: str) -> None:
    _same_error(lambda lib: getattr(lib.optim, name)([_leaf(lib)], momentum=-0.5))


@pytest.mark.parametrize("betas", [(1.0, 0.999), (-0.1, 0.999), (0.9, 1.0), (0.9, -0.5)])
@pytest.mark.parametrize("name", WITH_BETAS)
def test_betas_outside_unit_interval(name: str, betas: tuple) -> None:
    _same_error(lambda lib: getattr(lib.optim, name)([_leaf(lib)], betas=betas))


@pytest.mark.parametrize("kwargs", [dict(nesterov=True), dict(nesterov=True, momentum=0.9, dampening=0.1)])
def test_nesterov_needs_momentum_and_no_dampening(kwargs: dict) -> None:
    _same_error(lambda lib: lib.optim.SGD([_leaf(lib)], lr=0.1, **kwargs))


@pytest.mark.parametrize("kwargs", [
    ("RMSprop", dict(alpha=-0.1)), ("Adagrad", dict(lr_decay=-1.0)), ("Adagrad", dict(initial_accumulator_value=-1.0)),
    ("Adadelta", dict(rho=1.5)), ("NAdam", dict(momentum_decay=-1.0)),
], ids=lambda c: c[0] + "-" + next(iter(c[1])))
def test_other_hyperparameters(kwargs: tuple) -> None:
    name, kw = kwargs
    _same_error(lambda lib: getattr(lib.optim, name)([_leaf(lib)], **kw))


@pytest.mark.parametrize("name", ALL)
def test_empty_parameter_list(name: str) -> None:
    _same_error(lambda lib: getattr(lib.optim, name)([]))


def test_parameter_in_two_groups() -> None:
    def make(lib):
        p = _leaf(lib)
        return lib.optim.SGD([{"params": [p]}, {"params": [p, _leaf(lib)]}], lr=0.1)

    _same_error(make)


@pytest.mark.parametrize("bad", [np.ones(3), 3.0, "w", [1.0]], ids=["ndarray", "float", "str", "list"])
def test_non_tensor_parameter(bad) -> None:
    _same_error(lambda lib: lib.optim.Adam([_leaf(lib), bad]))


def test_params_given_as_a_tensor_or_a_set() -> None:
    _same_error(lambda lib: lib.optim.Adam(_leaf(lib)))
    _same_error(lambda lib: lib.optim.Adam([{"params": {_leaf(lib)}}]))


def test_non_leaf_parameter() -> None:
    _same_error(lambda lib: lib.optim.SGD([_leaf(lib) * 2], lr=0.1))


def test_param_group_must_be_dict_and_names_consistent() -> None:
    _same_error(lambda lib: lib.optim.SGD([_leaf(lib)], lr=0.1).add_param_group([_leaf(lib)]))
    _same_error(lambda lib: lib.optim.SGD([("a", _leaf(lib)), _leaf(lib)], lr=0.1))


def test_lbfgs_single_group_only() -> None:
    _same_error(lambda lib: lib.optim.LBFGS([{"params": [_leaf(lib)]}, {"params": [_leaf(lib)]}]))


def test_tensor_lr_must_have_one_element() -> None:
    _same_error(lambda lib: lib.optim.SGD([_leaf(lib)], lr=lib.tensor([0.1, 0.2])))
