#!/usr/bin/env python3
"""Raft election timing, as in the Raft paper's study of randomized timeouts
(Ongaro & Ousterhout 2014, section 9.3 and Figure 16): the leader of a
5-server cluster is crashed again and again (and restarted); for each election
timeout range the cumulative distribution of the time from the crash to a new
leader (the metric time_to_leader_ns), over many seeds.

Top: 150 ms plus 0 to 150 ms of randomness (the paper's top graph). Bottom:
the range scaled down from 150-300 ms to 12-24 ms (its bottom graph). As in
the paper the heartbeat interval is half the minimum timeout.

--setup paper (the default) is close to the paper's cluster, whose broadcast
time was "roughly 15ms": one-way network latency 1-3 ms, every sync of durable
storage 8-14 ms (scenario `disk:`; a voter persists its vote before it
answers, a candidate its term before it asks), and timers that fire up to 1 ms
late (scenario `timers:`). --setup ideal is the earlier study: network 1-5 ms,
instant disk, exact timers, heartbeat 50 ms.

usage: raft_election_timing.py [--faultline build/faultline] [--seeds 40] [--setup paper|ideal]
                               [--out out/raft_election_timing.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("raft_election_timing.py")

TOP = [(150, 150), (150, 151), (150, 155), (150, 175), (150, 200), (150, 300)]
BOTTOM = [(12, 24), (25, 50), (50, 100), (100, 200), (150, 300)]

SETUPS = {
    "paper": ["--set", "network.latency={dist: uniform, min: 1ms, max: 3ms}",
              "--set", "disk={sync: {dist: uniform, min: 8ms, max: 14ms}}",
              "--set", "timers={jitter: {dist: uniform, min: 0ms, max: 1ms}}"],
    "ideal": [],
}


def heartbeat_ms(low, setup):
    return low / 2 if setup == "paper" else min(50, low / 2)


# The cluster of scenarios/raft/leader_crash.yaml without its clients (the
# paper timed elections alone; and a minute of client operations that time
# out during split votes is costly to check for linearizability).
CLUSTER = """name: raft-election-timing
protocol: raft
nodes: 5
duration: 60s
network:
  latency: {dist: uniform, min: 1ms, max: 5ms}
nemesis:
  - {kind: crash, target: leader, every: 3s..4s, recover: 1s, max_down: 2}
"""


def samples(faultline, scenario, low, high, seed, setup):
    hb = heartbeat_ms(low, setup)
    run = subprocess.run(
        [faultline, "run", scenario, "--seed", str(seed), "--json",
         "--set", f"params.election_timeout={low}ms..{high}ms", "--set", f"params.heartbeat_interval={int(hb * 1000)}us"]
        + SETUPS[setup], capture_output=True, text=True)
    if run.returncode not in (0, 1):
        raise SystemExit(f"faultline failed: {run.stderr}")
    m = json.loads(run.stdout)["metrics"].get("time_to_leader_ns", [])
    return m if isinstance(m, list) else [m]


def panel(ax, pool, args, ranges, title):
    never = []
    for low, high in ranges:
        label = f"{low}-{high} ms"
        runs = pool.map(lambda s: samples(args.faultline, args.scenario, low, high, s, args.setup),
                        range(1, args.seeds + 1))
        times = sorted(t / 1e6 for run in runs for t in run)
        if not times:
            never.append(label)
            print(f"{label}: no leader was ever elected, in any seed", flush=True)
            continue
        ys = [(i + 1) / len(times) for i in range(len(times))]
        ax.step(times, ys, where="post", label=f"{label} ({len(times)})")
        pct = lambda q: times[min(len(times) - 1, int(q * len(times)))]
        print(f"{label}: {len(times)} leader losses, median {pct(0.5):.0f} ms, p90 {pct(0.9):.0f} ms, "
              f"p99 {pct(0.99):.0f} ms, max {times[-1]:.0f} ms", flush=True)
    for label in never:
        ax.plot([], [], " ", label=f"{label}: never elected (split votes)")
    ax.set_xscale("log")
    ax.set_xlabel("time from leader crash to a new leader (ms, log scale)")
    ax.set_ylabel("cumulative fraction of leader losses")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(title="election timeout (leader losses)", loc="lower right", fontsize=8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--setup", choices=sorted(SETUPS), default="paper")
    ap.add_argument("--out", default=os.path.join(ROOT, "out/raft_election_timing.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="raft_election_timing_", delete=False) as f:
        f.write(CLUSTER)
        args.scenario = f.name
    try:
        plot(args)
    finally:
        os.remove(args.scenario)


def plot(args):
    setup = ("network 1-3 ms, disk syncs 8-14 ms, timer jitter 0-1 ms, heartbeat = min timeout / 2"
             if args.setup == "paper" else "network 1-5 ms, instant disk, exact timers, heartbeat 50 ms")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 10))
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 2)) as pool:
        print("-- randomness added to 150 ms")
        panel(top, pool, args, TOP, f"randomness added to a 150 ms timeout\n({setup})")
        print("-- timeouts scaled down")
        panel(bottom, pool, args, BOTTOM, "timeouts scaled down (as the paper's lower graph)")
    fig.suptitle(f"Raft, 5 servers: time to elect a new leader after a leader crash\n"
                 f"({args.seeds} seeds x 60 s, leader crashed every 3-4 s)")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
