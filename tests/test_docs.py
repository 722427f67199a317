"""The documentation stays true to the code.

1. ``docs/api.md`` equals what ``scripts/gen_api_docs.py`` generates now (regenerate with
   ``python scripts/gen_api_docs.py``).
2. Every path and ``path::Name`` that ``docs/tour.md``, ``docs/architecture.md`` and
   ``docs/README.md`` mention exists.
3. The import rules stated in ``docs/architecture.md`` hold.
4. The public objects of the curated modules below all have docstrings.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
GUIDES = ("tour.md", "architecture.md", "README.md")


def _gen():
    spec = importlib.util.spec_from_file_location("gen_api_docs", REPO / "scripts" / "gen_api_docs.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_api_reference_is_current(tmp_path: Path) -> None:
    out = tmp_path / "api.md"
    assert _gen().main(["--output", str(out)]) == 0
    committed = (DOCS / "api.md").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, (
        "docs/api.md is out of date: run  python scripts/gen_api_docs.py"
    )


def test_api_reference_is_deterministic() -> None:
    gen = _gen()
    assert gen.render() == gen.render()


# ------------------------------------------------------------------------------ names in the guides
_REF = re.compile(r"`((?:npgrad|examples|tests|scripts|docs|benchmarks)/[\w/.]*)(?:::([\w.]+))?`")


def _references() -> list[tuple[str, str, str | None]]:
    refs = []
    for guide in GUIDES:
        text = (DOCS / guide).read_text(encoding="utf-8")
        refs += [(guide, path, name) for path, name in _REF.findall(text)]
    return refs


def test_guides_reference_something() -> None:
    refs = _references()
    assert len({p for _, p, _ in refs}) >= 20 and sum(n is not None and n != "" for _, _, n in refs) >= 40


def _defined_names(path: Path) -> set[str]:
    """Names a module defines itself at top level (functions, classes, assignments), not imports."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


@pytest.mark.parametrize("guide,path,name", sorted(set(_references()), key=str))
def test_guide_reference_exists(guide: str, path: str, name: str) -> None:
    target = REPO / path
    assert target.exists(), f"{guide}: {path} does not exist"
    if not name:
        return
    assert path.endswith(".py"), f"{guide}: {path}::{name} names something inside a non-Python file"
    top = name.split(".")[0]
    assert top in _defined_names(target), (
        f"{guide}: {path}::{name} — {top!r} is not defined in that file (only imported there?); "
        "point the guide at the file that defines it"
    )
    module = importlib.import_module(path[:-3].replace("/", ".").removesuffix(".__init__"))
    obj = module
    for part in name.split("."):
        assert hasattr(obj, part), f"{guide}: {path}::{name} — {part!r} not found"
        obj = getattr(obj, part)


# ------------------------------------------------------------------------------ import layering
# (package prefix, forbidden prefixes), as in the table of docs/architecture.md
_ABOVE_CORE = ["npgrad.nn", "npgrad.optim", "npgrad.utils", "npgrad.vision"]
RULES = [
    ("npgrad._dtype", ["npgrad.tensor", "npgrad.ops", "npgrad.autograd", *_ABOVE_CORE]),
    ("npgrad.tensor", _ABOVE_CORE),
    ("npgrad._tensor_", _ABOVE_CORE),  # the Tensor mixins: npgrad/_tensor_*.py
    ("npgrad.ops", _ABOVE_CORE),
    ("npgrad.autograd", _ABOVE_CORE),
    ("npgrad.nn", ["npgrad.optim", "npgrad.utils.data", "npgrad.vision"]),
    ("npgrad.optim", ["npgrad.nn", "npgrad.utils", "npgrad.vision"]),
    ("npgrad.utils.data", ["npgrad.nn", "npgrad.optim", "npgrad.vision"]),
]


def _imports(path: Path, module: str) -> set[str]:
    """Absolute names of the npgrad modules imported by one file (relative imports resolved)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{a.name}" for a in node.names}  # ``from . import nn``
    return {m for m in found if m == "npgrad" or m.startswith("npgrad.")}


def _module_files() -> list[tuple[str, Path]]:
    files = []
    for path in sorted((REPO / "npgrad").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        files.append((".".join(parts).removesuffix(".__init__"), path))
    return files


def _within(module: str, prefix: str) -> bool:
    """``module`` is ``prefix`` or inside it (a prefix ending in ``_`` matches by name start)."""
    return module == prefix or module.startswith(prefix if prefix.endswith("_") else prefix + ".")


def test_import_layering() -> None:
    violations = []
    for module, path in _module_files():
        for prefix, forbidden in RULES:
            if _within(module, prefix):
                violations += [f"{module} imports {imp}" for imp in _imports(path, module)
                               if any(_within(imp, f) for f in forbidden)]
    assert not violations, "import rules of docs/architecture.md broken:\n" + "\n".join(sorted(set(violations)))


# ------------------------------------------------------------------------------ docstrings
# Sections of scripts/gen_api_docs.py whose public objects must all have docstrings. The other
# sections are reported with ``python scripts/gen_api_docs.py --missing``.
DOCUMENTED = [
    "npgrad.autograd.functional", "npgrad.optim", "npgrad.optim.lr_scheduler", "npgrad.utils.data",
    "npgrad.vision.datasets", "npgrad.vision.transforms", "npgrad.vision.transforms.batch", "Serialization",
]


def test_curated_modules_have_docstrings() -> None:
    gen = _gen()
    missing = gen.missing_docstrings(tuple(s for s in gen.SECTIONS if s.title in DOCUMENTED))
    assert set(missing) == set(DOCUMENTED)
    flat = [name for names in missing.values() for name in names]
    assert flat == [], f"public objects without a docstring: {flat}"


# ------------------------------------------------------------------------------ the README
def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "```bash"
    assert lines[1].startswith("pip install -e . && npgrad train ")
    assert lines[2].startswith('pip install -e ".[test]" && python -m pytest')
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert lines[2] in ci, ".ci/run must run exactly the README's test command"


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of the README runs (the training loop shortened to 3 steps)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block.replace("range(100)", "range(3)"), "README.md", "exec"), {"__name__": "readme"})
    assert (tmp_path / "lenet.dot").read_text().startswith("digraph")
