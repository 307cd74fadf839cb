#!/usr/bin/env python3
"""Raft against Multi-Paxos on the same scenario, seeds and faults: the
cumulative distribution of commit latency (every acknowledged client
operation of every seed), and, for one seed, commits per 100 ms over time
with the faults marked, so the gap after each leader crash shows.

usage: compare_commits.py [--faultline build/faultline] [--scenario scenarios/compare/leader_crash.yaml]
                          [--seeds 5] [--out out/compare_commits.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import csv
import json
import os
import subprocess
import tempfile

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("compare_commits.py")

PROTOCOLS = [("raft", "-"), ("multipaxos", "--")]
BIN_S = 0.1


def run(faultline, scenario, protocol, seed, workdir):
    """One run's acknowledged operations as (invoked_s, completed_s), and its faults as (t_s, what)."""
    history = os.path.join(workdir, f"{protocol}-{seed}.csv")
    trace = os.path.join(workdir, f"{protocol}-{seed}.jsonl")
    subprocess.run([faultline, "run", scenario, "--seed", str(seed), "--set", f"protocol={protocol}",
                    "--history", history, "--trace", trace, "--trace-level", "faults"],
                   check=True, capture_output=True, text=True)
    with open(history) as f:
        ops = [(int(r["invoked_ns"]) / 1e9, int(r["completed_ns"]) / 1e9)
               for r in csv.DictReader(f) if r["completed_ns"]]
    with open(trace) as f:
        faults = [(e["t"] / 1e9, f"{e['fault']} {e['node']}") for e in map(json.loads, f) if e.get("kind") == "fault"]
    return ops, faults


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--scenario", default=os.path.join(ROOT, "scenarios/compare/leader_crash.yaml"))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "out/compare_commits.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    fig, (cdf, timeline) = plt.subplots(1, 2, figsize=(13, 4.8))
    with tempfile.TemporaryDirectory() as workdir:
        for protocol, style in PROTOCOLS:
            latencies, first = [], None
            for seed in range(1, args.seeds + 1):
                ops, faults = run(args.faultline, args.scenario, protocol, seed, workdir)
                latencies += [(done - start) * 1e3 for start, done in ops]
                if first is None:
                    first = (ops, faults)
            latencies.sort()
            n = len(latencies)
            cdf.plot(latencies, [(i + 1) / n for i in range(n)], style, label=f"{protocol} ({n} ops)")
            print(f"{protocol}: {n} ops, p50 {latencies[n // 2]:.1f} ms, p99 {latencies[int(n * 0.99)]:.1f} ms, "
                  f"max {latencies[-1]:.1f} ms", flush=True)
            ops, faults = first
            end = max(done for _, done in ops)
            bins = [0] * (int(end / BIN_S) + 1)
            for _, done in ops:
                bins[int(done / BIN_S)] += 1
            timeline.step([i * BIN_S for i in range(len(bins))], [b / BIN_S for b in bins], style, where="post",
                          label=protocol)
        for t, what in faults:
            if what.startswith("crash"):
                timeline.axvline(t, color="red", alpha=0.4)
                timeline.text(t, timeline.get_ylim()[1] * 0.97, " " + what, color="red", fontsize=7, va="top")
    cdf.set_xscale("log")
    cdf.set_xlabel("commit latency (ms, log scale)")
    cdf.set_ylabel("fraction of acknowledged operations")
    cdf.set_title(f"Commit latency, seeds 1..{args.seeds}")
    cdf.legend()
    cdf.grid(alpha=0.3)
    timeline.set_xlabel("virtual time (s)")
    timeline.set_ylabel("commits per second (100 ms bins)")
    timeline.set_title("Commits over time, seed 1 (red: leader crashes)")
    timeline.legend(loc="lower right")
    timeline.grid(alpha=0.3)
    fig.suptitle(f"Raft vs Multi-Paxos: {os.path.relpath(args.scenario, ROOT)}")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
