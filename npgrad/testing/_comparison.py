"""``assert_close`` with ``torch.testing.assert_close``'s semantics and messages.

Inputs are compared pairwise after recursing through (possibly nested) sequences and mappings:

- ``None`` only matches ``None``; Python/NumPy booleans must be equal;
- numbers (``int``, ``float``, ``complex``, NumPy scalars) are close when
  ``|actual - expected| <= atol + rtol * |expected|``, with the tolerances of their Python type
  (``float`` -> float64's); with ``check_dtype`` their Python types must match;
- tensor-likes (npgrad tensors, NumPy arrays, torch tensors) must have equal shapes (and dtypes
  when ``check_dtype``), then are compared elementwise with the same inequality (``NaN`` never
  matches unless ``equal_nan``; equal infinities match). Unlike torch, tensor-likes of *different*
  frameworks may be compared with each other (an npgrad tensor against a torch tensor or an array).

Default tolerances when ``rtol``/``atol`` are omitted (the loosest of the two inputs' dtypes):

============  ==========  ======
dtype         rtol        atol
============  ==========  ======
float16       1e-3        1e-5
bfloat16      1.6e-2      1e-5
float32       1.3e-6      1e-5
float64       1e-7        1e-7
complex64     1.3e-6      1e-5
complex128    1e-7        1e-7
other         0           0
============  ==========  ======
"""
from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, Callable

import numpy as np

__all__ = ["assert_close", "to_numpy", "is_tensor_like", "default_tolerances"]

_PRECISIONS = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
_NUMBER_DTYPE = {bool: "int64", int: "int64", float: "float64", complex: "complex128"}


class _Mismatch(Exception):
    """Internal: an exception type, its message and the item path where the comparison failed."""

    def __init__(self, exc_type: type, msg: str, path: tuple = ()) -> None:
        super().__init__(msg)
        self.exc_type, self.msg, self.path = exc_type, msg, path

    def to_error(self, msg: str | Callable[[str], str] | None) -> Exception:
        if isinstance(msg, str):
            return self.exc_type(msg)
        text = self.msg
        if self.path:
            text += "\n\nThe failure occurred for item " + "".join(str([p]) for p in self.path)
        return self.exc_type(msg(text) if callable(msg) else text)


# ----------------------------------------------------------------------------- conversions
def _torch_tensor_type() -> Any:
    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None) if torch is not None else None


def is_tensor_like(x: Any) -> bool:
    """True for npgrad tensors, NumPy arrays and torch tensors (torch is never imported here)."""
    from ..tensor import Tensor

    if isinstance(x, (Tensor, np.ndarray)):
        return True
    tt = _torch_tensor_type()
    return tt is not None and isinstance(x, tt)


def to_numpy(x: Any) -> tuple[np.ndarray, str]:
    """``(array, dtype name)`` of a tensor-like; the name keeps torch's ``bfloat16`` (compared as float32)."""
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        arr = x.detach().numpy()
        return arr, arr.dtype.name
    if isinstance(x, np.ndarray):
        return x, x.dtype.name
    name = str(x.dtype).rpartition(".")[2]
    t = x.detach().cpu().resolve_conj().resolve_neg()
    if name == "bfloat16":
        t = t.float()
    return t.numpy(), name


def default_tolerances(*dtype_names: str) -> tuple[float, float]:
    """The loosest ``(rtol, atol)`` of the given dtype names (0 for integer and bool dtypes)."""
    pairs = [_PRECISIONS.get(n, (0.0, 0.0)) for n in dtype_names]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _tolerances(rtol: float | None, atol: float | None, names: tuple, path: tuple) -> tuple[float, float]:
    if (rtol is None) != (atol is None):
        raise _Mismatch(
            ValueError,
            "Both 'rtol' and 'atol' must be either specified or omitted, "
            f"but got no {'rtol' if rtol is None else 'atol'}.",
            path,
        )
    if rtol is not None:
        return float(rtol), float(atol)  # type: ignore[arg-type]
    return default_tolerances(*names) if names else (0.0, 0.0)


# ----------------------------------------------------------------------------- messages
def _mismatch_msg(identifier: str, extra: str | None, abs_diff: Any, abs_idx: Any, rel_diff: Any, rel_idx: Any,
                  rtol: float, atol: float) -> str:
    equality = rtol == 0 and atol == 0

    def diff_line(kind: str, diff: Any, idx: Any, tol: float) -> str:
        line = f"{kind.title()} difference: {diff}" if idx is None else f"Greatest {kind} difference: {diff} at index {idx}"
        return line + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += extra.strip() + "\n"
    msg += diff_line("absolute", abs_diff, abs_idx, atol) + diff_line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, rel_diff, None, rtol, atol)


def _tensor_msg(actual: np.ndarray, expected: np.ndarray, matches: np.ndarray, rtol: float, atol: float) -> str:
    total = matches.size
    bad = total - int(np.count_nonzero(matches))
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    a, e, m = actual.ravel(), expected.ravel(), matches.ravel()
    integral = a.dtype.kind in "biu"
    if integral:
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[m] = 0
        rel_diff = abs_diff / np.abs(e)
        if integral:  # torch divides int64 tensors into the default float dtype
            rel_diff = rel_diff.astype(np.float32)
        rel_diff[m] = 0
    ia, ir = _argmax(abs_diff), _argmax(rel_diff)
    shape = matches.shape
    return _mismatch_msg("Tensor-likes", extra, abs_diff[ia].item(), tuple(int(i) for i in np.unravel_index(ia, shape)),
                         rel_diff[ir].item(), tuple(int(i) for i in np.unravel_index(ir, shape)), rtol, atol)


def _argmax(x: np.ndarray) -> int:
    """Index of the maximum, NaN counting as the largest (torch.max's rule)."""
    nan = np.isnan(x) if x.dtype.kind in "fc" else None
    if nan is not None and nan.any():
        return int(np.argmax(nan))
    return int(np.argmax(x))


# ----------------------------------------------------------------------------- closeness
def isclose(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    """torch.isclose on arrays of one dtype: ``a == e | (finite(|a-e|) & |a-e| <= atol + rtol*|e|)``."""
    close = actual == expected
    if actual.dtype.kind in "fc":
        if equal_nan:
            close |= np.isnan(actual) & np.isnan(expected)
        if rtol == 0 and atol == 0:
            return close
        with np.errstate(all="ignore"):
            err = np.abs(actual - expected)
            allowed = atol + np.abs(rtol * expected)
        return close | (np.isfinite(err) & (err <= allowed))
    if rtol == 0 and atol == 0:
        return close
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    return close | (np.abs(a - e) <= atol + rtol * np.abs(e))


def _compare_tensors(actual: Any, expected: Any, opts: dict, path: tuple) -> None:
    a, an = to_numpy(actual)
    e, en = to_numpy(expected)
    rtol, atol = _tolerances(opts["rtol"], opts["atol"], (an, en), path)
    if a.shape != e.shape:
        raise _Mismatch(AssertionError, "The values for attribute 'shape' do not match: "
                        f"npgrad.Size({list(a.shape)}) != npgrad.Size({list(e.shape)}).", path)
    if opts["check_dtype"] and an != en:
        raise _Mismatch(AssertionError, f"The values for attribute 'dtype' do not match: npgrad.{an} != npgrad.{en}.", path)
    if a.dtype != e.dtype:
        common = np.promote_types(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    matches = isclose(a, e, rtol, atol, opts["equal_nan"])
    if matches.all():
        return
    if a.ndim == 0:
        raise _Mismatch(AssertionError, _scalar_msg(a.item(), e.item(), rtol, atol), path)
    raise _Mismatch(AssertionError, _tensor_msg(a, e, matches, rtol, atol), path)


def _compare_numbers(actual: Any, expected: Any, opts: dict, path: tuple) -> None:
    a = actual.item() if isinstance(actual, np.generic) else actual
    e = expected.item() if isinstance(expected, np.generic) else expected
    rtol, atol = _tolerances(opts["rtol"], opts["atol"], (_NUMBER_DTYPE[type(a)], _NUMBER_DTYPE[type(e)]), path)
    if opts["check_dtype"] and type(a) is not type(e):
        raise _Mismatch(AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.", path)
    if a == e:
        return
    import cmath

    if opts["equal_nan"] and cmath.isnan(a) and cmath.isnan(e):
        return
    diff = abs(a - e)
    if cmath.isfinite(diff) and diff <= atol + rtol * abs(e):
        return
    raise _Mismatch(AssertionError, _scalar_msg(a, e, rtol, atol), path)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, complex, np.number)) or isinstance(x, np.bool_)


def _is_bool(x: Any) -> bool:
    return isinstance(x, (bool, np.bool_))


def _pairs(actual: Any, expected: Any, opts: dict, path: tuple, out: list) -> None:
    """Flatten the two structures into comparison closures; structural problems raise at once."""
    if (isinstance(actual, Sequence) and not isinstance(actual, str)
            and isinstance(expected, Sequence) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Mismatch(AssertionError, f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                            path)
        for i in range(len(actual)):
            _pairs(actual[i], expected[i], opts, (*path, i), out)
        return
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            raise _Mismatch(AssertionError, "The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: {sorted(ek - ak)}\n"
                            f"Additional keys in the actual mapping: {sorted(ak - ek)}", path)
        try:
            keys: Any = sorted(ak)
        except TypeError:
            keys = list(ak)
        for k in keys:
            _pairs(actual[k], expected[k], opts, (*path, k), out)
        return
    if actual is None or expected is None:
        if actual is not None or expected is not None:
            out.append(_Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}", path))
        return
    if _is_bool(actual) and _is_bool(expected):
        if bool(actual) != bool(expected):
            out.append(_Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}", path))
        return
    if _is_number(actual) and _is_number(expected):
        a = bool(actual) if isinstance(actual, np.bool_) else actual
        e = bool(expected) if isinstance(expected, np.bool_) else expected
        _tolerances(opts["rtol"], opts["atol"], (), path)
        out.append(lambda: _compare_numbers(a, e, opts, path))
        return
    if is_tensor_like(actual) and is_tensor_like(expected):
        _tolerances(opts["rtol"], opts["atol"], (), path)
        out.append(lambda: _compare_tensors(actual, expected, opts, path))
        return
    raise _Mismatch(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.",
                    path)


def assert_close(actual: Any, expected: Any, *, rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, check_dtype: bool = True,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Assert that ``actual`` and ``expected`` are close (``torch.testing.assert_close``'s rules).

    Elementwise, ``|actual - expected| <= atol + rtol * |expected|`` must hold (see the module
    docstring for the default tolerances per dtype). Raises ``AssertionError`` naming the number of
    mismatched elements and the greatest absolute and relative differences with their indices;
    ``msg`` replaces that message (a callable receives it and returns the new one). Raises
    ``ValueError`` if only one of ``rtol``/``atol`` is given and ``TypeError`` for unsupported inputs.
    """
    opts = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_dtype": check_dtype}
    checks: list = []
    try:
        _pairs(actual, expected, opts, (), checks)
        for check in checks:
            if isinstance(check, _Mismatch):
                raise check
            check()
    except _Mismatch as m:
        raise m.to_error(msg) from None
