#!/usr/bin/env python3
"""Measures how many seeds `faultline swarm` needs to first catch each mutant
on the shipped nemesis scenarios, untuned (`--until-failure`, seeds from 1,
at most --cap seeds each), beside the first seed the tuned scenarios need
(docs/protocols.md's tables), and writes the table into docs/swarm.md
between its `<!-- swarm-table -->` markers (or prints it with --print).

usage: swarm_table.py [--faultline build/faultline] [--jobs 2] [--cap 300] [--print]
"""
import argparse
import os
import re
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (mutant, swarm scenario, what the tuned scenarios need today: first seed (scenario), from docs/protocols.md)
MUTANTS = [
    ("no_election_restriction", "raft/nemesis", "1 (raft/nemesis)"),
    ("vote_not_persisted", "raft/nemesis", "1 (raft/churn)"),
    ("ack_before_sync", "raft/nemesis", "1 (raft/churn)"),
    ("up_to_date_index_only", "raft/nemesis", "6 (raft/churn)"),
    ("figure8", "raft/nemesis", "18 (raft/leader_churn_quiet)"),
    ("commit_without_quorum", "raft/nemesis", "1 (raft/nemesis)"),
    ("skip_consistency_check", "raft/nemesis", "1 (raft/churn)"),
    ("config_before_term_commit", "raft/membership_churn", "44 (raft/membership_churn)"),
    ("read_without_confirmation", "raft/nemesis", "2 (raft/nemesis with read_index: true)"),
    ("truncate_without_conflict", "raft/nemesis", "1 (raft/nemesis)"),
    ("accept_below_promise", "paxos/crashes_and_loss", "58 (paxos/crashes_and_loss)"),
    ("ignore_accepted_values", "paxos/crashes_and_loss", "1 (paxos/crashes_and_loss)"),
    ("acceptor_not_persisted", "paxos/crashes_and_loss", "6 (paxos/crashes_and_loss)"),
    ("accept_below_promise", "multipaxos/churn", "2 (multipaxos/churn)"),
    ("acceptor_not_persisted", "multipaxos/churn", "1 (multipaxos/churn)"),
    ("noop_fill_without_collect", "multipaxos/churn", "1 (multipaxos/churn)"),
    ("forget_on_promise", "multipaxos/churn", "1 (multipaxos/churn)"),
]

FIRST = re.compile(r"stopped    at the first failing seed, (\d+)")
FAILED = re.compile(r"FAILED seed (\d+) \[(\w+)\] trace [0-9a-f]+: *([^;\n]*)")


def measure(faultline, scenario, mutant, cap, jobs):
    cmd = [faultline, "swarm", f"scenarios/{scenario}.yaml", "--seeds", f"1..{cap}", "--until-failure", "--jobs",
           str(jobs), "-q", "--set", f"params.mutant={mutant}"]
    started = time.time()
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout
    wall = time.time() - started
    first = FIRST.search(out)
    if not first:
        return f"not in {cap}", "", wall
    seed = first.group(1)
    for m in FAILED.finditer(out):
        if m.group(1) == seed:
            return seed, f"{m.group(2).lower()}: {m.group(3).strip()}", wall
    return seed, "", wall


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=os.path.join(ROOT, "build/faultline"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cap", type=int, default=300, help="most seeds per mutant")
    ap.add_argument("--print", action="store_true", help="print the table instead of writing docs/swarm.md")
    args = ap.parse_args()
    rows = ["| mutant | swarm scenario (untuned) | swarm: first failing seed | caught by | tuned: first seed (scenario) |",
            "|---|---|---|---|---|"]
    total = 0.0
    for mutant, scenario, tuned in MUTANTS:
        seed, why, wall = measure(args.faultline, scenario, mutant, args.cap, args.jobs)
        total += wall
        rows.append(f"| `{mutant}` | {scenario} | {seed} | {why} | {tuned} |")
        print(rows[-1], f"({wall:.0f} s)", flush=True)
    table = "\n".join(rows) + f"\n\n(measured with `scripts/swarm_table.py --cap {args.cap} --jobs {args.jobs}`: {total:.0f} s wall)\n"
    if args.print:
        print(table)
        return
    path = os.path.join(ROOT, "docs/swarm.md")
    text = open(path).read()
    begin, end = "<!-- swarm-table -->", "<!-- /swarm-table -->"
    text = text[: text.index(begin) + len(begin)] + "\n" + table + text[text.index(end):]
    open(path, "w").write(text)


if __name__ == "__main__":
    main()
