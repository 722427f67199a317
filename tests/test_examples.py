"""Every script in ``examples/`` runs in ``--tiny`` mode (as CI does) and prints its key line.

The scripts run concurrently, in one test, as subprocesses (``sys.executable``, cwd = a temp dir, PYTHONPATH =
the repository root) and the MNIST/CIFAR ones get an empty ``--data-dir``, so they exercise the
synthetic-dataset fallback deterministically; one extra run uses the real MNIST files when present.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

# name -> (script, extra args, lines that must appear in stdout)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    "spiral": ("spiral.py", [], ["step   4  loss"]),
    "mnist_mlp": ("mnist_mlp.py", ["--data-dir", "{empty}"], ["MNIST: SYNTHETIC", "epoch 0: test accuracy"]),
    "mnist_cnn": ("mnist_cnn.py", ["--data-dir", "{empty}"],
                  ["MNIST: SYNTHETIC", "LeNet: 61706 parameters", "epoch 0: test accuracy"]),
    "cifar10_resnet": ("cifar10_resnet.py", ["--data-dir", "{empty}"],
                       ["CIFAR-10: SYNTHETIC", "ResNet-20: 272474 parameters", "epoch 0: test accuracy"]),
    "custom_function": ("custom_function.py", [], ["gradcheck: True", "second derivative matches 6x: True"]),
    "hessian": ("hessian.py", [], ["newton iter 1: loss"]),
    "port_npgrad": ("port_from_torch.py", ["--framework", "npgrad"], ["npgrad: final loss"]),
    "port_torch": ("port_from_torch.py", ["--framework", "torch"], ["torch: final loss"]),
    "activation_stats": ("activation_stats.py", [], ["zeros", "2 (ReLU)"]),
}


def _env(tmp: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["MPLBACKEND"] = "Agg"
    env.pop("NPGRAD_DATA", None)
    return env


def _run_all(tmp: Path) -> dict:
    """Start every example at once, then collect ``(returncode, stdout, stderr, cwd)`` per case."""
    empty = tmp / "no_data"
    empty.mkdir()
    procs = {}
    for name, (script, extra, _) in CASES.items():
        cwd = tmp / name
        cwd.mkdir()
        args = [a.replace("{empty}", str(empty)) for a in extra]
        procs[name] = subprocess.Popen([sys.executable, str(EXAMPLES / script), "--tiny", *args], cwd=cwd,
                                       env=_env(tmp), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = {}
    for name, p in procs.items():
        try:
            stdout, stderr = p.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            p.kill()
            stdout, stderr = p.communicate()
        out[name] = (p.returncode, stdout, stderr, tmp / name)
    return out


def test_examples_run_in_tiny_mode(tmp_path: Path) -> None:
    """One test (not one per script) so that pytest-xdist does not start the batch twice."""
    results = _run_all(tmp_path)
    failures = []
    for name, (rc, stdout, stderr, _) in results.items():
        if rc != 0:
            failures.append(f"{name} exited with {rc}\nstdout:\n{stdout}\nstderr:\n{stderr}")
        failures += [f"{name}: {line!r} not in output\n{stdout}" for line in CASES[name][2] if line not in stdout]
    assert not failures, "\n\n".join(failures)
    _, stdout, _, cwd = results["spiral"]
    if "matplotlib not installed" in stdout:
        assert not (cwd / "spiral.png").exists()
    else:
        assert "wrote spiral.png" in stdout and (cwd / "spiral.png").stat().st_size > 0


def test_every_example_is_covered() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    covered = {script for script, _, _ in CASES.values()}
    assert scripts <= covered, f"examples without a tiny-mode test: {scripts - covered}"


def test_mnist_real_data_when_present(tmp_path: Path) -> None:
    """With the real files under the default data dir, the example reads them instead."""
    data = (REPO / ".." / "shared" / "data").resolve()
    if not (data / "MNIST" / "raw").is_dir():
        pytest.skip(f"no MNIST files under {data}")
    p = subprocess.run([sys.executable, str(EXAMPLES / "mnist_mlp.py"), "--tiny"], cwd=tmp_path, env=_env(tmp_path),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert f"MNIST: real data from {data}" in p.stdout and "epoch 0: test accuracy" in p.stdout
