#!/usr/bin/env python3
"""Fraction of nodes informed against round, for round-based push gossip
(a node pushes only on its round timer, rounds synchronous: at the multiples of
the period) with fan-outs 1 to 6 at one N, from real faultline runs (several
seeds each; the line is the median, the band the min..max over seeds). Rounds
count from the first round that carries the update, as `rounds_to_full` does
(docs/metrics.md): the update is injected at 0 s, so the first round is at 1 s.

usage: gossip_fanout.py [--faultline build/faultline] [--nodes 10000] [--seeds 5] [--out out/gossip_fanout.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("gossip_fanout.py")

STEPS_PER_ROUND = 10
PERIOD_NS = 1_000_000_000
FIRST_ROUND_NS = PERIOD_NS  # injected at 0 s; synchronous rounds start at the next multiple of the period


def informed_curve(faultline, nodes, fanout, seed, rounds):
    """Fraction informed at each tenth of a round, from one run's trace."""
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as trace:
        subprocess.run([faultline, "run", os.path.join(ROOT, "scenarios/gossip/push_broadcast.yaml"),
                        "--seed", str(seed), "--set", f"nodes={nodes}", "--set", f"params.fanout={fanout}",
                        "--set", "params.push_on_learn=false", "--set", "params.synchronous_rounds=true",
                        "--set", "expect=[]", "--trace", trace.name, "--trace-level", "protocol"],
                       check=True, stdout=subprocess.DEVNULL)
        times = []
        with open(trace.name) as f:
            for line in f:
                e = json.loads(line)
                if e["kind"] == "informed":
                    times.append(e["t"])
    times.sort()
    curve, i = [], 0
    for step in range(rounds * STEPS_PER_ROUND + 1):
        # x = r + a fraction: the messages of round r (sent at FIRST_ROUND_NS +
        # (r - 1) periods) have landed, so the curve there is coverage after r rounds.
        t = FIRST_ROUND_NS - PERIOD_NS + step * PERIOD_NS // STEPS_PER_ROUND
        while i < len(times) and times[i] <= t:
            i += 1
        curve.append(i / nodes)
    return curve


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--nodes", type=int, default=10000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--out", default=os.path.join(ROOT, "out/gossip_fanout.png"))
    args = ap.parse_args()
    ensure_parent(args.out)

    fig, ax = plt.subplots(figsize=(9, 5.5))
    xs = [s / STEPS_PER_ROUND for s in range(args.rounds * STEPS_PER_ROUND + 1)]
    for fanout in range(1, 7):
        curves = [informed_curve(args.faultline, args.nodes, fanout, seed, args.rounds) for seed in range(1, args.seeds + 1)]
        cols = list(zip(*curves))
        median = [sorted(c)[len(c) // 2] for c in cols]
        line, = ax.plot(xs, median, label=f"fan-out {fanout}")
        ax.fill_between(xs, [min(c) for c in cols], [max(c) for c in cols], color=line.get_color(), alpha=0.15)
        full = next((int(x) for x, y in zip(xs, median) if y >= 1.0), None)
        print(f"fan-out {fanout}: full coverage after", full if full is not None else f"more than {args.rounds}",
              "rounds (median of", args.seeds, "seeds)")
    ax.set_xlabel("rounds, counted from the first that carries the update (period 1 s)")
    ax.set_ylabel("fraction of nodes informed")
    ax.set_title(f"Round-based push gossip, N = {args.nodes:,}: coverage by round, fan-outs 1 to 6\n"
                 f"(nodes push only on synchronous 1 s rounds; median and range over {args.seeds} seeds)")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
