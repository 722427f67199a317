"""no_grad / enable_grad / set_grad_enabled / inference_mode: context managers, decorators, threads."""
from __future__ import annotations

import threading

import pytest
import torch

import npgrad


def _x():
    return npgrad.ones(2, requires_grad=True)


def test_no_grad_context_and_nesting():
    x = _x()
    with npgrad.no_grad():
        assert not npgrad.is_grad_enabled()
        assert not (x * 2).requires_grad
        with npgrad.enable_grad():
            assert (x * 2).requires_grad
        assert not npgrad.is_grad_enabled()
    assert npgrad.is_grad_enabled() and (x * 2).requires_grad


def test_no_grad_restores_on_exception():
    with pytest.raises(ValueError):
        with npgrad.no_grad():
            raise ValueError
    assert npgrad.is_grad_enabled()


@pytest.mark.parametrize("mod", [npgrad, torch])
def test_decorators_with_and_without_parentheses(mod):
    @mod.no_grad()
    def f1():
        return mod.is_grad_enabled()

    @mod.no_grad
    def f2():
        return mod.is_grad_enabled()

    @mod.inference_mode
    def f3():
        return mod.is_grad_enabled()

    @mod.inference_mode(mode=False)
    def f4():
        return mod.is_grad_enabled()

    @mod.enable_grad
    def f5():
        return mod.is_grad_enabled()

    @mod.set_grad_enabled(False)
    def f6():
        return mod.is_grad_enabled()

    assert (f1(), f2(), f3(), f4(), f6()) == (False, False, False, True, False)
    assert mod.is_grad_enabled()
    with mod.no_grad():
        assert f5() is True
    assert f1.__name__ == "f1"


def test_decorated_generator_runs_each_step_without_grad():
    @npgrad.no_grad()
    def gen():
        for _ in range(2):
            yield npgrad.is_grad_enabled()

    it = gen()
    assert next(it) is False
    assert npgrad.is_grad_enabled()  # restored between steps
    assert next(it) is False


def test_set_grad_enabled_as_function_and_context():
    npgrad.set_grad_enabled(False)
    try:
        assert not npgrad.is_grad_enabled()
    finally:
        npgrad.set_grad_enabled(True)
    with npgrad.set_grad_enabled(False):
        assert not npgrad.is_grad_enabled()
        with npgrad.set_grad_enabled(True):
            assert (_x() * 2).requires_grad
    assert npgrad.is_grad_enabled()


def test_inference_mode():
    x = _x()
    with npgrad.inference_mode():
        assert npgrad.is_inference_mode_enabled() and not (x * 2).requires_grad
    with npgrad.inference_mode(False):
        assert (x * 2).requires_grad
    assert not npgrad.is_inference_mode_enabled()


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["enabled"] = npgrad.is_grad_enabled()
        seen["records"] = (_x() * 2).requires_grad

    with npgrad.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not npgrad.is_grad_enabled()
    assert seen == {"enabled": True, "records": True}


def test_instances_are_reusable_and_reentrant():
    ng = npgrad.no_grad()
    with ng:
        with ng:
            assert not npgrad.is_grad_enabled()
        assert not npgrad.is_grad_enabled()
    assert npgrad.is_grad_enabled()


def test_backward_inside_no_grad_still_works():
    x = _x()
    y = (x * x).sum()
    with npgrad.no_grad():
        y.backward()
    assert x.grad is not None and npgrad.is_grad_enabled()
