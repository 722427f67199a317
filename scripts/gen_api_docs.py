"""Generate ``docs/api.md``, the API reference, from the docstrings of npgrad's public API.

For every public object of the sections listed in ``SECTIONS`` it writes the signature (via
``inspect.signature``) and the first paragraph of the docstring, grouped by module, with a table
of contents. The output is deterministic (names sorted, memory addresses stripped), so
``tests/test_docs.py`` can check that the committed file is current.

    python scripts/gen_api_docs.py                  # rewrite docs/api.md
    python scripts/gen_api_docs.py --check          # exit 1 if docs/api.md is out of date
    python scripts/gen_api_docs.py --missing        # list public objects without a docstring
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "docs" / "api.md"


@dataclass(frozen=True)
class Section:
    """One block of the reference: the public names of ``module`` (or of class ``cls`` in it)."""

    title: str
    module: str
    cls: str | None = None  # document this class's public methods/properties instead of the module
    names: tuple[str, ...] = ()  # only these names (default: ``__all__`` or every public name)
    skip: tuple[str, ...] = field(default=())  # names documented in another section

    @property
    def anchor(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


SECTIONS: tuple[Section, ...] = (
    Section("npgrad", "npgrad", skip=("save", "load")),
    Section("npgrad.Tensor", "npgrad", cls="Tensor"),
    Section("npgrad.autograd", "npgrad.autograd"),
    Section("npgrad.autograd.functional", "npgrad.autograd.functional"),
    Section("npgrad.nn", "npgrad.nn"),
    Section("npgrad.nn.Module", "npgrad.nn", cls="Module"),
    Section("npgrad.nn.functional", "npgrad.nn.functional"),
    Section("npgrad.nn.init", "npgrad.nn.init"),
    Section("npgrad.optim", "npgrad.optim"),
    Section("npgrad.optim.Optimizer", "npgrad.optim", cls="Optimizer"),
    Section("npgrad.optim.lr_scheduler", "npgrad.optim.lr_scheduler"),
    Section("npgrad.utils.data", "npgrad.utils.data"),
    Section("npgrad.vision.datasets", "npgrad.vision.datasets"),
    Section("npgrad.vision.transforms", "npgrad.vision.transforms"),
    Section("npgrad.vision.transforms.batch", "npgrad.vision.transforms.batch"),
    Section("npgrad.vision.models", "npgrad.vision.models"),
    Section("Serialization", "npgrad", names=("save", "load")),
)


@dataclass
class Entry:
    """One documented object: its public name, signature line and docstring (``None`` if absent)."""

    name: str
    kind: str  # "class", "function", "property" or "alias"
    signature: str
    doc: str | None
    alias_of: str | None = None


def _documentable(obj: object) -> bool:
    return inspect.isclass(obj) or callable(obj) or isinstance(obj, property)


def _own_doc(obj: object) -> str | None:
    """The object's own docstring (classes do not inherit their parent's here), cleaned."""
    doc = obj.__doc__ if not isinstance(obj, property) else (obj.__doc__ or (obj.fget and obj.fget.__doc__))
    if inspect.isclass(obj) and "__doc__" not in vars(obj):
        doc = None
    if not isinstance(doc, str) or not doc.strip():
        return None
    return inspect.cleandoc(doc)


class _Annotation(str):
    """A string annotation (``from __future__ import annotations``) that prints without quotes."""

    def __repr__(self) -> str:
        return str(self)


def _unquote(annotation: object) -> object:
    if not isinstance(annotation, str):
        return annotation
    return _Annotation(re.sub(r"""(['"])([A-Z]\w*)\1""", r"\2", annotation))  # "'Tensor'" -> Tensor (not Literal['x'])


def _signature(obj: object) -> str:
    if isinstance(obj, property):
        return ""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    params = [p.replace(annotation=_unquote(p.annotation)) for p in sig.parameters.values()]
    sig = sig.replace(parameters=params, return_annotation=_unquote(sig.return_annotation))
    return re.sub(r" at 0x[0-9a-fA-F]+", "", str(sig))  # object reprs in defaults: keep the output stable


def _kind(obj: object) -> str:
    if isinstance(obj, property):
        return "property"
    return "class" if inspect.isclass(obj) else "function"


def _public_names(section: Section, ns: object) -> list[str]:
    if section.names:
        return list(section.names)
    if section.cls is None and hasattr(ns, "__all__"):
        names = list(ns.__all__)
    elif section.cls is not None:
        names = sorted({n for klass in ns.__mro__ if klass is not object for n in vars(klass)})
    else:
        names = dir(ns)
    return sorted(n for n in set(names) if not n.startswith("_") and n not in section.skip)


def collect(section: Section) -> list[Entry]:
    """The entries of one section, sorted by name; a second name for the same object is an alias."""
    module = importlib.import_module(section.module)
    ns = getattr(module, section.cls) if section.cls else module
    objects = {}
    for name in _public_names(section, ns):
        if section.cls:
            owner = next(k for k in ns.__mro__ if name in vars(k))
            obj = vars(owner)[name]
            obj = obj.__func__ if isinstance(obj, (staticmethod, classmethod)) else obj
        else:
            obj = getattr(ns, name, None)
        if obj is None or isinstance(obj, types.ModuleType) or not _documentable(obj):
            continue
        if not section.cls and not str(getattr(obj, "__module__", "npgrad")).startswith("npgrad"):
            continue  # e.g. a stray re-export of a builtin: not part of npgrad's API
        objects[name] = obj
    canonical: dict[int, str] = {}
    for name, obj in sorted(objects.items(), key=lambda kv: (getattr(kv[1], "__name__", None) != kv[0], kv[0])):
        canonical.setdefault(id(obj), name)  # the name matching ``__name__`` wins, else the first sorted
    entries = []
    for name in sorted(objects):
        obj = objects[name]
        first = canonical[id(obj)]
        if first != name:
            entries.append(Entry(name, "alias", "", None, alias_of=first))
        else:
            entries.append(Entry(name, _kind(obj), _signature(obj), _own_doc(obj)))
    return entries


def first_paragraph(doc: str) -> str:
    para = re.split(r"\n\s*\n", doc.strip(), maxsplit=1)[0]
    return " ".join(line.strip() for line in para.splitlines())


def _qualname(section: Section, name: str) -> str:
    return f"{section.module}.{section.cls}.{name}" if section.cls else f"{section.module}.{name}"


def render(sections: tuple[Section, ...] = SECTIONS) -> str:
    collected = [(s, collect(s)) for s in sections]
    out = [
        "# API reference",
        "",
        "Generated by `python scripts/gen_api_docs.py` from the docstrings — do not edit by hand.",
        "Each entry gives the signature and the first paragraph of the docstring; the behaviour",
        "follows PyTorch's API of the same name. A guided reading of the code is in `docs/tour.md`.",
        "",
        "## Contents",
        "",
    ]
    out += [f"- [{s.title}](#{s.anchor}) ({len(e)})" for s, e in collected]
    for section, entries in collected:
        out += ["", f'<a id="{section.anchor}"></a>', "", f"## {section.title}", ""]
        for e in entries:
            qual = _qualname(section, e.name)
            if e.kind == "alias":
                out.append(f"- **`{qual}`** — alias of `{_qualname(section, e.alias_of or '')}`.")
                continue
            label = {"class": "class ", "property": "property "}.get(e.kind, "")
            summary = first_paragraph(e.doc) if e.doc else _fallback(section, e.name)
            out.append(f"- {label}**`{qual}`**`{e.signature}`" if e.signature else f"- {label}**`{qual}`**")
            out.append(f"  {summary}")
    return "\n".join(out) + "\n"


def _fallback(section: Section, name: str) -> str:
    """For an undocumented Tensor method: point to the documented function it delegates to."""
    if section.cls == "Tensor":
        import npgrad

        base = name[:-1] if name.endswith("_") and not name.endswith("__") else name
        func = getattr(npgrad, base, None)
        doc = _own_doc(func) if callable(func) and not inspect.isclass(func) else None
        if doc:
            inplace = "In-place version of " if base != name else "Method form of "
            return f"{inplace}`npgrad.{base}`: {first_paragraph(doc)}"
    return "*(no docstring)*"


def missing_docstrings(sections: tuple[Section, ...] = SECTIONS) -> dict[str, list[str]]:
    """Per section title, the public objects (aliases excluded) that have no docstring of their own."""
    return {s.title: [_qualname(s, e.name) for e in collect(s) if e.kind != "alias" and e.doc is None]
            for s in sections}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare with --output instead of writing it")
    parser.add_argument("--missing", action="store_true", help="list public objects without a docstring")
    args = parser.parse_args(argv)
    if args.missing:
        for title, names in missing_docstrings().items():
            print(f"{title}: {len(names)} missing")
            for n in names:
                print(f"    {n}")
        return 0
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run python scripts/gen_api_docs.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
