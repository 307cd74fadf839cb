#!/usr/bin/env python3
"""Residue against traffic for rumor mongering (Demers et al. 1987, section
1.4): push, fan-out 1, round-based, removal by feedback or blind, counter or
coin, k = 1..5; N = 1,000, several seeds. Residue: the fraction of nodes that
never hear the rumor; traffic: messages sent per node (pushes, plus "already
had" feedback where the variant uses it).

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


def sweep(faultline, nodes, seeds, removal, k):
    out = subprocess.run(
        [faultline, "sweep", os.path.join(ROOT, "scenarios/gossip/push_broadcast.yaml"), "--seeds", f"1..{seeds}",
         "--json", "--quiet", "--set", f"nodes={nodes}", "--set", "params.spread=rumor_mongering",
         "--set", f"params.removal={removal}", "--set", f"params.removal_k={k}", "--set", "params.fanout=1",
         "--set", "params.push_on_learn=false", "--set", "duration=300s", "--set", "stop={}", "--set", "expect=[]"],
        check=True, capture_output=True, text=True).stdout
    m = json.loads(out)["metrics"]
    return m["messages_per_node"]["mean"], m["residue"]["mean"]


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
        ax.plot([p[0] for p in points], [max(p[1], 1e-4) for p in points], marker="o", label=removal.replace("_", ", "))
        for traffic, residue, k in points:
            ax.annotate(f"k={k}", (traffic, max(residue, 1e-4)), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_yscale("log")
    ax.set_xlabel("traffic: messages sent per node")
    ax.set_ylabel("residue: fraction never informed (mean)")
    ax.set_title(f"Rumor mongering (push, fan-out 1), N = {args.nodes:,}: the residue / traffic trade-off\n"
                 f"(mean over {args.seeds} seeds; residue 0 drawn at 1e-4)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(title="removal", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
