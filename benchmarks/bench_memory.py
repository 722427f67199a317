"""Memory of a ResNet-20 batch-128 training step: peak RSS, and RSS over many steps (must stay flat).

    python -m benchmarks.bench_memory [--steps 200] [--framework npgrad|torch|both]

Each framework runs in its own fresh subprocess, so one's allocations never hide the other's. The
RSS is read from ``/proc/self/status`` (``VmRSS`` now, ``VmHWM`` = peak) after every step; "flat" means
the RSS after the last step is within 5% of the RSS after the first tenth of the steps, i.e. the saved
activations of each step are freed once its backward has run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def measure(framework: str, steps: int) -> dict:
    """Run ``steps`` ResNet-20 SGD steps on one synthetic batch of 128 CIFAR images in ``framework``."""
    from . import workloads as W

    if framework == "torch":
        import torch as lib

        lib.set_num_threads(2)
    else:
        import npgrad as lib
    base = _status_kib("VmRSS")
    model = W.resnet20(lib)
    x, y = W.batch((128, 3, 32, 32))
    step = W.train_step_fn(lib, model, x, y)
    rss = []
    for _ in range(steps):
        step()
        rss.append(_status_kib("VmRSS"))
    early = rss[max(len(rss) // 10, 1) - 1]
    return dict(framework=framework, steps=steps, rss_before_model_mib=base / 1024,
                peak_rss_mib=_status_kib("VmHWM") / 1024, rss_after_first_tenth_mib=early / 1024,
                rss_last_mib=rss[-1] / 1024, max_rss_mib=max(rss) / 1024,
                flat=rss[-1] <= 1.05 * early)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_memory", description=__doc__)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--framework", choices=["npgrad", "torch", "both"], default="both")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.framework, args.steps)))
        return 0
    rows = []
    for fw in (["npgrad", "torch"] if args.framework == "both" else [args.framework]):
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_memory", "--child", "--framework", fw,
                              "--steps", str(args.steps)], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"{fw:7s} ResNet-20 b128 x{r['steps']} steps: peak RSS {r['peak_rss_mib']:.0f} MiB, "
              f"RSS after {max(r['steps'] // 10, 1)} steps {r['rss_after_first_tenth_mib']:.0f} MiB, "
              f"after {r['steps']} {r['rss_last_mib']:.0f} MiB -> {'flat' if r['flat'] else 'GROWING'}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "memory.json").write_text(json.dumps(rows, indent=2))
    print(f"wrote {RESULTS / 'memory.json'}")
    return 0 if all(r["flat"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
