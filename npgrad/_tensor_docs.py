"""Docstrings of the ``Tensor`` methods that are thin delegations to a documented function.

Most ``Tensor`` methods are one-line calls into ``npgrad/ops`` (``x.exp()`` is ``npgrad.exp(x)``), so,
as torch does in ``torch/_tensor_docs.py``, their docstrings are attached here rather than repeated
next to each method. ``add_docstrings()`` (called once by ``npgrad/__init__.py``, after every public
function exists) gives each public method or property that has no docstring of its own:

- a hand-written text from ``_DOCS`` (attributes defined in ``tensor.py``: metadata, autograd flags);
- ``x.f(...)``: "Method form of :func:`npgrad.f`" plus the first paragraph of that function's docstring;
- ``x.f_(...)``: "In-place version of :meth:`Tensor.f`" plus the same summary.

A docstring written in the method itself always wins. One function object bound under several names
(``swapaxes = transpose``) is documented once, under the name it was defined with, so an alias never
passes its own name's text to the other names. The Python operators (``__add__``...) carry their own
one-line docstrings in ``npgrad/_tensor_operators.py``.
"""
from __future__ import annotations

import inspect
import re
from typing import Any

# Hand-written docstrings for public ``Tensor`` attributes defined in tensor.py without one.
_TRANSPOSE = (
    "The tensor with all its dimensions reversed (``permute(ndim-1, ..., 1, 0)``), a view.\n\n"
    "``T`` and ``H`` (the conjugate transpose) are the same attribute: npgrad's dtypes are real."
)
_MATRIX_TRANSPOSE = (
    "The last two dimensions swapped (``transpose(-2, -1)``), a view; needs at least 2 dims.\n\n"
    "``mT`` and ``mH`` (the conjugate version) are the same attribute: npgrad's dtypes are real."
)
_DOCS: dict[str, str] = {
    "T": _TRANSPOSE,
    "H": _TRANSPOSE,
    "mT": _MATRIX_TRANSPOSE,
    "mH": _MATRIX_TRANSPOSE,
    "shape": "The size of each dimension, an ``npgrad.Size`` (a tuple), the same as ``size()``.",
    "size": "Without ``dim``: the shape as an ``npgrad.Size`` (a tuple); with ``dim``: that dimension's size, an int "
            "(negative ``dim`` counts from the end).",
    "dtype": "The element type (``npgrad.float32``, ``npgrad.int64``, ...), an ``npgrad.dtype``.",
    "device": "Where the tensor lives: always ``device(type='cpu')`` (npgrad has no accelerator backend).",
    "ndim": "The number of dimensions (0 for a scalar tensor); the property form of ``dim()``.",
    "dim": "The number of dimensions (0 for a scalar tensor). ``ndimension`` is the same method.",
    "numel": "The number of elements, the product of the shape (1 for a 0-d tensor). ``nelement`` is the same "
             "method.",
    "element_size": "The size of one element in bytes (4 for float32), the same as ``itemsize``.",
    "itemsize": "The size of one element in bytes (4 for float32).",
    "nbytes": "The number of bytes the elements occupy: ``numel() * itemsize``.",
    "is_floating_point": "True when the dtype is a floating type (float16, float32, float64).",
    "is_complex": "True when the dtype is a complex type (never the case for tensors made by npgrad's ops).",
    "is_contiguous": "True when the elements are laid out C-contiguously (row-major, no gaps) in memory.\n\n"
                     "Views made by ``transpose``, ``permute``, ``expand`` or strided slicing usually are not; "
                     "``contiguous()`` copies them. ``memory_format`` is accepted and ignored.",
    "is_shared": "Always False: npgrad tensors are never in shared memory.",
    "get_device": "The device index: always -1, meaning the CPU.",
    "stride": "The step, in elements, between neighbours along each dimension (a tuple), or along ``dim`` (an int).\n\n"
              "A contiguous (2, 3) tensor has strides (3, 1); its transpose (1, 3); an expanded dim has stride 0.",
    "storage_offset": "The offset, in elements, of this tensor's first element from the start of the memory "
                      "block it views (0 for a tensor that owns its memory).",
    "data_ptr": "The memory address of the first element, an int; views of the same memory share addresses.",
    "is_leaf": "True for tensors not produced by a recorded op (``grad_fn`` is None): tensors made by the user, "
               "results computed under ``no_grad`` and ``detach()`` results.\n\n"
               "Backward accumulates ``.grad`` only into leaves that require grad (and into non-leaves "
               "that called ``retain_grad()``).",
    "requires_grad": "Whether autograd records operations on this tensor (settable on leaves; only floating "
                     "tensors may require grad).\n\n"
                     "A result requires grad when any input does and grad mode is enabled. Setting it to False "
                     "on a non-leaf raises RuntimeError; use ``detach()`` instead.",
    "requires_grad_": "Set ``requires_grad`` in place (default True) and return ``self``; the usual way to make a "
                      "leaf trainable (``w = npgrad.randn(3).requires_grad_()``).",
    "retains_grad": "True when ``retain_grad()`` was called on this non-leaf tensor, so backward fills its ``.grad``.",
    "detach_": "Cut this tensor from the graph in place: it becomes a leaf (``grad_fn`` None) that does not "
               "require grad; returns ``self``.\n\nRaises RuntimeError for views (use ``detach()`` instead).",
    "__len__": "``len(self)``: the size of dimension 0 (TypeError for a 0-d tensor).",
    "__iter__": "``iter(self)``: the sub-tensors along dimension 0, as ``unbind(0)`` gives them (TypeError for 0-d).",
    "__hash__": "``hash(self)``: the object identity, so tensors can be dict keys and set members.",
    "__repr__": "``repr(self)``: the values in torch's format (``tensor([1., 2.], requires_grad=True)``).",
}

# How the method maps onto its function, where ``self`` is not simply the first argument.
_CALLS: dict[str, str] = {
    "where": "``x.where(condition, y)`` is ``npgrad.where(condition, x, y)``: elements of ``x`` where "
             "``condition`` is True, of ``y`` elsewhere.",
}

# Extra paragraphs for methods whose arguments may take another form than their function's.
_NOTES: dict[str, str] = {
    "reshape": "The shape may be given as separate ints or as one sequence: ``x.reshape(2, 3)`` or "
               "``x.reshape((2, 3))``.",
    "permute": "The dims may be given as separate ints or as one sequence: ``x.permute(1, 0)`` or "
               "``x.permute((1, 0))``.",
    "flip": "The dims may be given as separate ints or as one sequence: ``x.flip(0, 1)`` or ``x.flip((0, 1))``.",
    "tile": "The repetitions may be given as separate ints or as one sequence.",
    "broadcast_to": "The result is a view of ``self`` (no copy).",
    "scatter": "The scattered values may also be given as a number with the keyword ``value=``.",
}

_COMPARE = {"eq_", "ne_", "lt_", "le_", "gt_", "ge_", "logical_and_", "logical_or_", "logical_xor_",
            "logical_not_"}
_RESHAPE_INPLACE = {"squeeze_", "unsqueeze_", "transpose_", "t_"}


def _summary(doc: str | None) -> str:
    """The first paragraph of ``doc`` on one line, ending with a full stop ('' without a docstring)."""
    if not doc or not doc.strip():
        return ""
    para = re.split(r"\n\s*\n", inspect.cleandoc(doc), maxsplit=1)[0]
    text = " ".join(line.strip() for line in para.splitlines())
    return text if text.endswith((".", ":", "!", "?")) else text + "."


def _function_form(name: str, namespace: Any) -> Any:
    """The public function ``namespace.<name>`` (not a class, dtype or module), or None."""
    fn = getattr(namespace, name, None)
    if inspect.isfunction(fn) or inspect.isbuiltin(fn):
        return fn
    return None


def _method_doc(name: str, fn: Any) -> str:
    summary = _summary(fn.__doc__)
    head = f"Method form of :func:`npgrad.{name}`"
    lines = [f"{head}: {summary}" if summary else f"{head}."]
    lines.append(_CALLS.get(name, f"``x.{name}(...)`` is ``npgrad.{name}(x, ...)``; see :func:`npgrad.{name}` for "
                                  "the arguments, shapes and result."))
    if name in _NOTES:
        lines.append(_NOTES[name])
    return "\n\n".join(lines)


def _inplace_doc(name: str, base: str, tensor_cls: type, namespace: Any) -> str | None:
    out_of_place = getattr(tensor_cls, base, None)
    fn = _function_form(base, namespace)
    if out_of_place is None and fn is None:
        return None
    if out_of_place is not None:
        ref = f":meth:`Tensor.{base}`"
        own = out_of_place.__doc__ if not _generated(out_of_place) else None
        summary = _summary(own) or (_summary(fn.__doc__) if fn is not None else "")
    else:
        ref = f":func:`npgrad.{base}`"
        summary = _summary(fn.__doc__)
    head = f"In-place version of {ref}"
    lines = [f"{head}: {summary}" if summary else f"{head}."]
    if name in _COMPARE:
        lines.append("The boolean result is written into ``self`` in ``self``'s dtype (True as 1, False as 0); "
                     "returns ``self``.")
    elif name in _RESHAPE_INPLACE:
        lines.append("Changes ``self``'s shape and strides in place (its memory is untouched) and returns ``self``.")
    else:
        lines.append("The result is written into ``self``'s memory (it must keep ``self``'s shape and be castable "
                     "to its dtype) and ``self`` is returned; when gradients are tracked, autograd records the "
                     "change.")
    return "\n\n".join(lines)


_GENERATED: set[int] = set()  # ids of the objects whose docstring add_docstrings() wrote


def _generated(obj: Any) -> bool:
    return id(obj) in _GENERATED


def _has_doc(obj: Any) -> bool:
    doc = obj.__doc__
    return isinstance(doc, str) and bool(doc.strip())


def _set_doc(obj: Any, doc: str) -> None:
    obj.__doc__ = doc
    _GENERATED.add(id(obj))


def _canonical_names(tensor_cls: type) -> dict[int, tuple[str, Any]]:
    """For each public attribute object of ``tensor_cls``: the name to document it under and the object.

    A function bound under several names is documented under the name it was defined with (its
    ``__name__``); properties and other objects under their first name in sorted order.
    """
    mro = [k for k in tensor_cls.__mro__ if k is not object]
    all_names = {n for klass in mro for n in vars(klass) if not n.startswith("_") or n in _DOCS}
    names: dict[int, list[str]] = {}
    objects: dict[int, Any] = {}
    for name in all_names:
        owner = next(k for k in mro if name in vars(k))  # the definition that attribute lookup finds
        obj = vars(owner)[name]
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        if not (inspect.isfunction(obj) or isinstance(obj, property)):
            continue
        names.setdefault(id(obj), []).append(name)
        objects[id(obj)] = obj
    chosen = {}
    for key, ns in names.items():
        obj = objects[key]
        own = getattr(obj, "__name__", None)
        chosen[key] = (own if own in ns else sorted(ns)[0], obj)
    return chosen


def add_docstrings(tensor_cls: type | None = None, namespace: Any = None) -> list[str]:
    """Give every public ``Tensor`` method or property without a docstring one (see the module docstring).

    ``namespace`` is where the function forms are looked up (default: the ``npgrad`` package). Returns
    the names documented here. Calling it again does nothing new.
    """
    if tensor_cls is None or namespace is None:
        import npgrad

        tensor_cls = tensor_cls or npgrad.Tensor
        namespace = namespace or npgrad
    done = []
    for name, obj in sorted(_canonical_names(tensor_cls).values(), key=lambda item: item[0]):
        if _has_doc(obj):
            continue
        doc: str | None = _DOCS.get(name)
        if doc is None and inspect.isfunction(obj):
            fn = _function_form(name, namespace)
            if fn is not None:
                doc = _method_doc(name, fn)
            elif name.endswith("_") and not name.endswith("__"):
                doc = _inplace_doc(name, name[:-1], tensor_cls, namespace)
        if doc is not None:
            _set_doc(obj, doc)
            done.append(name)
    return done
