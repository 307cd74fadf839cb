#!/usr/bin/env python3
"""Raft election timing, as in the Raft paper's study of randomized timeouts
(Ongaro & Ousterhout 2014, Figure 16): the leader of a 5-server cluster is
crashed again and again (and restarted); for each election timeout range the
cumulative distribution of the time from the crash to a new leader, over many
seeds.

usage: raft_election_timing.py [--faultline build/faultline] [--seeds 40] [--out out/raft_election_timing.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("raft_election_timing.py")

RANGES = [150, 151, 155, 175, 200, 300]
never = []


def samples(faultline, upper, seed):
    out = subprocess.run(
        [faultline, "run", os.path.join(ROOT, "scenarios/raft/leader_crash.yaml"), "--seed", str(seed), "--json",
         "--set", f"params.election_timeout=150ms..{upper}ms", "--set", "expect=[]", "--set", "duration=60s"],
        capture_output=True, text=True).stdout
    m = json.loads(out)["metrics"].get("time_to_leader_ns", [])
    return m if isinstance(m, list) else [m]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--out", default=os.path.join(ROOT, "out/raft_election_timing.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    fig, ax = plt.subplots(figsize=(9, 5.5))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for upper in RANGES:
            runs = pool.map(lambda s: samples(args.faultline, upper, s), range(1, args.seeds + 1))
            times = sorted(t / 1e6 for run in runs for t in run)
            if not times:
                never.append(upper)
                print(f"150-{upper} ms: no leader was ever elected, in any seed", flush=True)
                continue
            ys = [(i + 1) / len(times) for i in range(len(times))]
            ax.step(times, ys, where="post", label=f"150-{upper} ms")
            pct = lambda q: times[min(len(times) - 1, int(q * len(times)))]
            print(f"150-{upper} ms: {len(times)} leader losses, median {pct(0.5):.0f} ms, p90 {pct(0.9):.0f} ms, "
                  f"p99 {pct(0.99):.0f} ms, max {times[-1]:.0f} ms", flush=True)
    for upper in never:
        ax.plot([], [], " ", label=f"150-{upper} ms: never elected (split votes)")
    ax.set_xscale("log")
    ax.set_xlabel("time from leader crash to a new leader (ms, log scale)")
    ax.set_ylabel("cumulative fraction of leader losses")
    ax.set_title(f"Raft, 5 servers: time to elect a new leader after a leader crash\n"
                 f"by election timeout range ({args.seeds} seeds x 60 s, leader crashed every 3-4 s)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(title="election timeout", loc="lower right")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
