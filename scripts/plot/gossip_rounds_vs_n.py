#!/usr/bin/env python3
"""Rounds to full coverage against N (log scale) for round-based push, pull and
push-pull gossip with fan-out 1, over many seeds (median, and min..max as a
band), beside the textbook expectations: push log2 N + ln N (Pittel 1987),
pull log2 N + ln ln N and push-pull log3 N + ln ln N (Karp et al. 2000; the
O(log log N) terms drawn with constant 1). Rounds are synchronous (every node's
rounds start at the multiples of the period, as in those analyses) and
`rounds_to_full` counts them from the first round that carries the update
(docs/metrics.md).

usage: gossip_rounds_vs_n.py [--faultline build/faultline] [--max-n 100000] [--seeds 10] [--out out/gossip_rounds_vs_n.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import math
import os
import subprocess
import sys

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("gossip_rounds_vs_n.py")

MODES = {"push": "push", "pull": "pull", "push_pull": "push-pull"}
TEXTBOOK = {
    "push": lambda n: math.log2(n) + math.log(n),
    "pull": lambda n: math.log2(n) + math.log(max(math.log(n), 1.0)),
    "push_pull": lambda n: math.log(n, 3) + math.log(max(math.log(n), 1.0)),
}


def sweep(faultline, mode, n, seeds):
    out = subprocess.run(
        [faultline, "sweep", os.path.join(ROOT, "scenarios/gossip/push_broadcast.yaml"), "--seeds", f"1..{seeds}",
         "--json", "--quiet", "--set", f"nodes={n}", "--set", f"params.exchange={mode}", "--set", "params.fanout=1",
         "--set", "params.push_on_learn=false", "--set", "params.synchronous_rounds=true", "--set", "duration=300s",
         "--set", "expect=[]"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)["metrics"]["rounds_to_full"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--max-n", type=int, default=100000)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(ROOT, "out/gossip_rounds_vs_n.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    sizes = [n for n in (10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000, 300000, 1000000) if n <= args.max_n]

    fig, ax = plt.subplots(figsize=(9, 5.5))
    for mode, label in MODES.items():
        stats = []
        for n in sizes:
            s = sweep(args.faultline, mode, n, args.seeds)
            stats.append(s)
            print(f"{label:9} N={n:>8}: rounds to full p50 {s['p50']:.0f} (min {s['min']:.0f}, max {s['max']:.0f}); "
                  f"textbook {TEXTBOOK[mode](n):.1f}", flush=True)
        line, = ax.plot(sizes, [s["p50"] for s in stats], marker="o", label=f"{label} (faultline, median)")
        ax.fill_between(sizes, [s["min"] for s in stats], [s["max"] for s in stats], color=line.get_color(), alpha=0.15)
        fine = [sizes[0] * (sizes[-1] / sizes[0]) ** (i / 100) for i in range(101)]
        ax.plot(fine, [TEXTBOOK[mode](n) for n in fine], linestyle="--", color=line.get_color(), alpha=0.8,
                label=f"{label} textbook")
    ax.set_xscale("log")
    ax.set_xlabel("nodes N")
    ax.set_ylabel("rounds until every node is informed")
    ax.set_title(f"Round-based gossip, fan-out 1: rounds to full coverage\n"
                 f"(median and min..max over {args.seeds} seeds; dashed: textbook)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
