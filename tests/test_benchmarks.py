"""The benchmark suite runs (short mode) and its sanity line holds: W1/W3 losses equal torch's after 50 steps."""
from __future__ import annotations

from benchmarks.__main__ import main, sanity


def test_suite_quick_mode_runs(capsys):
    assert main(["--quick", "--only", "W1,W2,W3,add,add_bw,maxpool,bn", "--sanity-steps", "5", "--out", "quick"]) == 0
    out = capsys.readouterr().out
    assert "W3 CNN b64 train step" in out and "sanity W1" in out


def test_sanity_losses_match_torch_after_50_steps():
    for name, ours, theirs in sanity(50):
        assert abs(ours - theirs) <= 1e-3, (name, ours, theirs)
