#!/usr/bin/env python3
"""Residue against traffic for rumor mongering (Demers et al. 1987, section
1.4): push, fan-out 1, synchronous rounds, removal by feedback or blind,
counter or coin, k = 1..5; N = 1,000, several seeds. Residue: the fraction of
nodes that never hear the rumor; traffic: update-carrying messages per node
(Demers' m: `update_messages_per_node`; the feedback replies carry no update).
The paper's own figures (Table 1: feedback, counter; Table 2: blind, coin) are
drawn beside faultline's; docs/metrics.md gives them and their source.

usage: gossip_residue_traffic.py [--faultline build/faultline] [--nodes 1000] [--seeds 10] [--out out/gossip_residue_traffic.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess
import sys

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("gossip_residue_traffic.py")

VARIANTS = ["feedback_counter", "feedback_coin", "blind_counter", "blind_coin"]

# Demers et al. 1987, 1,000 sites, k = 1..5: (traffic m, residue s).
PAPER = {
    "feedback_counter": ("Table 1", [(1.7, 0.18), (3.3, 0.037), (4.5, 0.011), (5.6, 0.0036), (6.7, 0.0012)]),
    "blind_coin": ("Table 2", [(0.04, 0.96), (1.6, 0.20), (2.8, 0.060), (3.9, 0.021), (4.9, 0.008)]),
}


def sweep(faultline, nodes, seeds, removal, k):
    out = subprocess.run(
        [faultline, "sweep", os.path.join(ROOT, "scenarios/gossip/push_broadcast.yaml"), "--seeds", f"1..{seeds}",
         "--json", "--quiet", "--set", f"nodes={nodes}", "--set", "params.spread=rumor_mongering",
         "--set", f"params.removal={removal}", "--set", f"params.removal_k={k}", "--set", "params.fanout=1",
         "--set", "params.push_on_learn=false", "--set", "params.synchronous_rounds=true", "--set", "duration=300s",
         "--set", "stop={when: quiescent}", "--set", "expect=[]"],
        check=True, capture_output=True, text=True).stdout
    m = json.loads(out)["metrics"]
    return m["update_messages_per_node"]["mean"], m["residue"]["mean"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(ROOT, "out/gossip_residue_traffic.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for removal in VARIANTS:
        points = []
        for k in range(1, 6):
            traffic, residue = sweep(args.faultline, args.nodes, args.seeds, removal, k)
            points.append((traffic, residue, k))
            print(f"{removal:17} k={k}: traffic {traffic:5.2f} messages/node, residue {residue:.4f}", flush=True)
        line, = ax.plot([p[0] for p in points], [max(p[1], 1e-4) for p in points], marker="o",
                        label=f"{removal.replace('_', ', ')} (faultline)")
        for traffic, residue, k in points:
            ax.annotate(f"k={k}", (traffic, max(residue, 1e-4)), fontsize=7, xytext=(3, 3), textcoords="offset points")
        if removal in PAPER:
            table, paper = PAPER[removal]
            ax.plot([p[0] for p in paper], [p[1] for p in paper], linestyle="none", marker="x", markersize=9,
                    markeredgewidth=2, color=line.get_color(), label=f"{removal.replace('_', ', ')}: Demers {table}")
            for (traffic, residue, k), (pm, ps) in zip(points, paper):
                print(f"{'':17}      paper ({table}): traffic {pm:5.2f}, residue {ps:.4f}")
    ax.set_yscale("log")
    ax.set_xlabel("traffic m: update messages sent per node")
    ax.set_ylabel("residue: fraction never informed (mean)")
    ax.set_title(f"Rumor mongering (push, fan-out 1, synchronous rounds), N = {args.nodes:,}: residue against traffic\n"
                 f"(mean over {args.seeds} seeds; residue 0 drawn at 1e-4; crosses: Demers et al. 1987)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(title="removal", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
