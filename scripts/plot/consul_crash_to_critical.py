#!/usr/bin/env python3
"""Consul: from an agent's crash to the catalog saying critical, split into
detection (gossip: until the leader's SWIM holds it dead) and commit (Raft:
until its health is committed critical), against the gossip parameters and
the pool size. Built on scenarios/consul/agent_crash.yaml (3 servers, agent
n10 crashes at 20 s; Serf's reconnect off) with --set: the pool is 100,
1,000 or 10,000 members
(10,000: --large-seeds seeds of 60 s each, one process at a time: 3-10 s of
wall time a run, 320 MB; the whole plot takes minutes); left, the
SWIM probe interval with plain SWIM's fixed 5-period suspicion; right,
memberlist's suspicion multiplier (timeout mult * log10(n) probe intervals,
1 s probes). Each point is the median over the seeds, the bar min..p90;
the two lines of a pool nearly coincide: the commit takes milliseconds.

usage: consul_crash_to_critical.py [--faultline build/faultline] [--seeds 8] [--large-seeds 8]
                                   [--out out/consul_crash_to_critical.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("consul_crash_to_critical.py")

POOLS = [100, 1000, 10000]
COLOURS = ["tab:blue", "tab:red", "tab:green"]
LARGE_POOL = 10000  # a shorter run (the crash is at 20 s; detection ends by ~50 s)
PROBE_INTERVALS = ["500ms", "1s", "2s"]
SUSPICION_MULTS = [2, 4, 6]
SERVERS = 3


def sweep(faultline, seeds, pool, sets):
    duration = "60s" if pool >= LARGE_POOL else "100s"
    args = ["nice", "-n", "10", faultline, "sweep", os.path.join(ROOT, "scenarios/consul/agent_crash.yaml"),
            "--seeds", f"1..{seeds}", "--jobs", "1", "--json", "--quiet", "--set", f"nodes={pool}",
            "--set", f"params.agents.count={pool - SERVERS}", "--set", f"duration={duration}", "--set", "expect=[]",
            # Serf's reconnect off, as the scenario ran when these figures were
            # made: it only pings the crashed agent (every member, every
            # second: 10,000 messages a second at the largest pool), so it
            # changes no detection or commit but every random stream after it.
            "--set", "params.swim.reconnect_interval=0s"]
    for s in sets:
        args += ["--set", s]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)["metrics"]


def seconds(row, metric, q):
    m = row.get(metric, {})
    return m[q] / 1e9 if m.get("count") else float("nan")


def panel(ax, faultline, seeds, large_seeds, xs, sets_of, xlabel, title):
    for pool, colour in zip(POOLS, COLOURS):
        n = large_seeds if pool >= LARGE_POOL else seeds
        rows = [sweep(faultline, n, pool, sets_of(x)) for x in xs]
        pos = list(range(len(xs)))
        for metric, style, label in [("crash_to_critical_ns", "-", "crash to critical"),
                                     ("detect_ns", ":", "detection (gossip)")]:
            med = [seconds(r, metric, "p50") for r in rows]
            lo = [m - seconds(r, metric, "min") for r, m in zip(rows, med)]
            hi = [seconds(r, metric, "p90") - m for r, m in zip(rows, med)]
            ax.errorbar(pos, med, yerr=[lo, hi], fmt=style, marker="o", color=colour, capsize=3,
                        alpha=1.0 if style == "-" else 0.5, label=f"{label}, {pool} members ({n} seeds)")
        for x, r in zip(xs, rows):
            print(f"{title:28s} {xlabel} {x!s:6s} pool {pool:5d} ({r.get('detect_ns', {}).get('count', 0)} of {n} seeds): detect p50 {seconds(r, 'detect_ns', 'p50'):6.2f}s "
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
    ap.add_argument("--large-seeds", type=int, default=8, help="seeds for the 10,000-member pool")
    ap.add_argument("--out", default=os.path.join(ROOT, "out/consul_crash_to_critical.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    panel(left, args.faultline, args.seeds, args.large_seeds, PROBE_INTERVALS,
          lambda x: [f"params.swim.probe_interval={x}", "params.swim.probe_timeout=200ms"],
          "probe interval", "Plain SWIM, 5-period suspicion")
    panel(right, args.faultline, args.seeds, args.large_seeds, SUSPICION_MULTS,
          lambda x: [f"params.swim.suspicion_mult={x}"], "suspicion multiplier", "memberlist's suspicion multiplier")
    fig.suptitle("Agent crash to catalog critical: detection by gossip, then a Raft commit (milliseconds)")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
