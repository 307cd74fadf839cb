#!/usr/bin/env python3
"""Consul: from an agent's crash to the catalog saying critical, split into
detection (gossip: until the leader's SWIM holds it dead) and commit (Raft:
until its health is committed critical), against the gossip parameters and
the pool size. Built on scenarios/consul/agent_crash.yaml (3 servers, agent
n10 crashes at 20 s) with --set: the pool is 100 or 1,000 members; left, the
SWIM probe interval with plain SWIM's fixed 5-period suspicion; right,
memberlist's suspicion multiplier (timeout mult * log10(n) probe intervals,
1 s probes). Each point is the median over the seeds, the bar min..p90;
the two lines of a pool nearly coincide: the commit takes milliseconds.

usage: consul_crash_to_critical.py [--faultline build/faultline] [--seeds 8] [--out out/consul_crash_to_critical.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("consul_crash_to_critical.py")

POOLS = [100, 1000]
PROBE_INTERVALS = ["500ms", "1s", "2s"]
SUSPICION_MULTS = [2, 4, 6]
SERVERS = 3


def sweep(faultline, seeds, pool, sets):
    args = [faultline, "sweep", os.path.join(ROOT, "scenarios/consul/agent_crash.yaml"), "--seeds", f"1..{seeds}",
            "--json", "--quiet", "--set", f"nodes={pool}", "--set", f"params.agents.count={pool - SERVERS}",
            "--set", "duration=100s", "--set", "expect=[]"]
    for s in sets:
        args += ["--set", s]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)["metrics"]


def seconds(row, metric, q):
    m = row.get(metric, {})
    return m[q] / 1e9 if m.get("count") else float("nan")


def panel(ax, faultline, seeds, xs, sets_of, xlabel, title):
    for pool, colour in zip(POOLS, ["tab:blue", "tab:red"]):
        rows = [sweep(faultline, seeds, pool, sets_of(x)) for x in xs]
        pos = list(range(len(xs)))
        for metric, style, label in [("crash_to_critical_ns", "-", "crash to critical"),
                                     ("detect_ns", ":", "detection (gossip)")]:
            med = [seconds(r, metric, "p50") for r in rows]
            lo = [m - seconds(r, metric, "min") for r, m in zip(rows, med)]
            hi = [seconds(r, metric, "p90") - m for r, m in zip(rows, med)]
            ax.errorbar(pos, med, yerr=[lo, hi], fmt=style, marker="o", color=colour, capsize=3,
                        alpha=1.0 if style == "-" else 0.5, label=f"{label}, {pool} members")
        for x, r in zip(xs, rows):
            print(f"{title:28s} {xlabel} {x!s:6s} pool {pool:5d}: detect p50 {seconds(r, 'detect_ns', 'p50'):6.2f}s "
                  f"p90 {seconds(r, 'detect_ns', 'p90'):6.2f}s, commit p50 {seconds(r, 'commit_ns', 'p50') * 1e3:6.2f}ms "
                  f"p90 {seconds(r, 'commit_ns', 'p90') * 1e3:6.2f}ms, false criticals mean "
                  f"{r['false_criticals']['mean']:.2f}", flush=True)
    ax.set_xticks(list(range(len(xs))))
    ax.set_xticklabels([str(x) for x in xs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("seconds after the crash (median; bar: min..p90)")
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--out", default=os.path.join(ROOT, "out/consul_crash_to_critical.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    panel(left, args.faultline, args.seeds, PROBE_INTERVALS,
          lambda x: [f"params.swim.probe_interval={x}", "params.swim.probe_timeout=200ms"],
          "probe interval", "Plain SWIM, 5-period suspicion")
    panel(right, args.faultline, args.seeds, SUSPICION_MULTS,
          lambda x: [f"params.swim.suspicion_mult={x}"], "suspicion multiplier", "memberlist's suspicion multiplier")
    fig.suptitle("Agent crash to catalog critical: detection by gossip, then a Raft commit (milliseconds)")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
