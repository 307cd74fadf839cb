#!/usr/bin/env python3
"""Runs `faultline compare` on the five scenarios in scenarios/compare/ and
prints the README's side-by-side table (Markdown).

usage: compare_table.py [--faultline build/faultline] [--seeds 1..20]
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = [("steady", "steady"), ("leader crash", "leader_crash"), ("leader isolated", "partition"),
             ("5% loss", "loss_5pct"), ("contention", "contention")]
PROTOCOLS = ["raft", "multipaxos"]


def ms(v):
    if v is None:
        return ""
    if v >= 1e9:
        return f"{v / 1e9:.2g} s"
    return f"{v / 1e6:.3g} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=os.path.join(ROOT, "build/faultline"))
    ap.add_argument("--seeds", default="1..20")
    args = ap.parse_args()
    tables = []
    for _, name in SCENARIOS:
        out = subprocess.run([args.faultline, "compare", os.path.join(ROOT, "scenarios/compare", name + ".yaml"),
                              "--protocols", ",".join(PROTOCOLS), "--seeds", args.seeds, "--json", "--quiet"],
                             capture_output=True, text=True).stdout
        tables.append(json.loads(out)["protocols"])
    rows = [
        ("commit latency p50", lambda t: ms(t["commit latency p50 (median of runs)"])),
        ("commit latency p99", lambda t: ms(t["commit latency p99 (median of runs)"])),
        ("commit latency max", lambda t: ms(t["commit latency max"])),
        ("throughput, ops/s", lambda t: f"{t['throughput, ops/s (mean)']:.0f}"),
        ("messages / commit", lambda t: f"{t['messages per commit (mean)']:.1f}"),
        ("bytes / commit", lambda t: f"{t['bytes per commit (mean)']:.0f}"),
        ("leader changes / run", lambda t: f"{t['leader changes per run (mean)']:.1f}"),
        ("time to new leader p50 / max", lambda t: "" if t["time to new leader p50"] is None else
         f"{ms(t['time to new leader p50'])} / {ms(t['time to new leader max'])}"),
        ("no commits after leader loss p50 / max", lambda t: "" if t["no commits after leader loss p50"] is None else
         f"{ms(t['no commits after leader loss p50'])} / {ms(t['no commits after leader loss max'])}"),
        ("longest time without commits, max", lambda t: ms(t["longest time without commits max"])),
    ]
    print("| | " + " | | ".join(label for label, _ in SCENARIOS) + " | |")
    print("|---" * (1 + 2 * len(SCENARIOS)) + "|")
    print("| | " + " | ".join(p for _ in SCENARIOS for p in PROTOCOLS) + " |")
    for label, f in rows:
        print(f"| {label} | " + " | ".join(f(t[p]["table"]) for t in tables for p in PROTOCOLS) + " |")
    print("| failed seeds | " + " | ".join(f"{len(t[p]['failed_seeds'])}/{t[p]['runs']}" for t in tables
                                          for p in PROTOCOLS) + " |")


if __name__ == "__main__":
    main()
