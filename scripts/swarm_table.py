#!/usr/bin/python3
"""Measures how many seeds `faultline swarm` needs to first catch each mutant
on the shipped nemesis scenarios, untuned: `faultline swarm SCENARIO --seeds
1..CAP --until-failure --safety-only --set MUTANT`, no `swarm:` narrowing,
no other --set. Writes the table beside the first seed the hand-tuned
scenarios need (docs/protocols.md) into docs/swarm.md between its
`<!-- swarm-table -->` markers (or prints it with --print).

Bounded: each row stops at its CAP seeds or after --row-limit seconds,
whichever comes first, and the whole table after --time-limit seconds (the
rows left are marked "not run"); a row cut short by time says how many
seeds it ran ("none in 1..N (time limit)").

usage: swarm_table.py [--faultline build/faultline] [--jobs 2] [--row-limit 240]
                      [--time-limit 1500] [--only SUBSTRING] [--print]
(--only: run the rows whose scenario or mutant contains SUBSTRING; the
others keep their line from the table already in docs/swarm.md)
"""
import argparse
import os
import re
import signal
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------
# THE ROWS: one line per mutant, so rows from other protocols merge as single
# added lines. (protocol, swarm scenario under scenarios/ without .yaml, the
# --set that switches the mutant on, the tuned scenarios' first failing seed
# as "SEED (scenario)" from docs/protocols.md, CAP: most seeds to try).
ROWS = [
    ("raft", "raft/nemesis", "params.mutant=no_election_restriction", "1 (raft/nemesis)", 100),
    ("raft", "raft/nemesis", "params.mutant=vote_not_persisted", "1 (raft/churn)", 100),
    ("raft", "raft/nemesis", "params.mutant=ack_before_sync", "1 (raft/churn)", 100),
    ("raft", "raft/nemesis", "params.mutant=up_to_date_index_only", "8 (raft/churn)", 100),
    ("raft", "raft/nemesis", "params.mutant=figure8", "7 (raft/leader_churn_quiet)", 1000),
    ("raft", "raft/nemesis", "params.mutant=commit_without_quorum", "1 (raft/nemesis)", 100),
    ("raft", "raft/nemesis", "params.mutant=skip_consistency_check", "1 (raft/churn)", 100),
    ("raft", "raft/membership_churn", "params.mutant=config_before_term_commit", "265 (raft/membership_churn)", 5000),
    ("raft", "raft/nemesis", "params.mutant=read_without_confirmation", "1 (raft/nemesis, read_index: true)", 100),
    ("raft", "raft/nemesis", "params.mutant=truncate_without_conflict", "1 (raft/nemesis)", 100),
    ("paxos", "paxos/crashes_and_loss", "params.mutant=accept_below_promise", "58 (paxos/crashes_and_loss)", 2000),
    ("paxos", "paxos/crashes_and_loss", "params.mutant=ignore_accepted_values", "1 (paxos/crashes_and_loss)", 2000),
    ("paxos", "paxos/crashes_and_loss", "params.mutant=acceptor_not_persisted", "6 (paxos/crashes_and_loss)", 2000),
    ("multipaxos", "multipaxos/churn", "params.mutant=accept_below_promise", "2 (multipaxos/churn)", 100),
    ("multipaxos", "multipaxos/churn", "params.mutant=acceptor_not_persisted", "1 (multipaxos/churn)", 100),
    ("multipaxos", "multipaxos/churn", "params.mutant=noop_fill_without_collect", "1 (multipaxos/churn)", 100),
    ("multipaxos", "multipaxos/churn", "params.mutant=forget_on_promise", "1 (multipaxos/churn)", 100),
    ("heartbeat", "heartbeat/nemesis", "params.mutant=skip_sync", "1 (heartbeat/nemesis)", 100),
    ("heartbeat", "heartbeat/nemesis", "params.mutant=never_trust_again", "none in 1..100 (heartbeat/nemesis)", 100),
    ("heartbeat", "heartbeat/nemesis", "params.mutant=suspect_once", "1 (heartbeat/nemesis)", 100),
    ("swim", "swim/nemesis", "params.mutant=no_refute", "1 (swim/nemesis)", 100),
    ("swim", "swim/nemesis", "params.mutant=suspect_needs_higher_incarnation", "1 (swim/nemesis)", 100),
    ("swim", "swim/nemesis", "params.mutant=refute_not_synced", "1 (swim/nemesis)", 100),
    ("gossip", "gossip/push_broadcast", "params.mutant=forward_once", "1 (gossip/push_broadcast)", 100),
    ("consul", "consul/nemesis", "params.mutant=no_reconcile_on_leadership", "2 (consul/leader_crash_during_reconcile)", 120),
    ("consul", "consul/nemesis", "params.mutant=deregister_failed", "1 (consul/agent_crash)", 120),
    ("consul", "consul/nemesis", "params.mutant=register_twice", "1 (consul/agent_crash)", 120),
    ("consul", "consul/nemesis", "params.mutant=register_as_forwarder", "1 (consul/agent_crash)", 120),
]
# ---------------------------------------------------------------------------

# The failure detectors' and gossip's mutants break convergence, not an
# invariant (a member wrongly held dead for ever, a node never informed):
# their rows count the first failing seed of either kind, labelled. The other
# protocols' rows count only SAFETY (--safety-only), since a mutant there
# breaks an invariant and a drawn mix's liveness failure is not the catch.
LIVENESS_CATCHES = {"heartbeat", "swim", "gossip"}

SWARM = re.compile(r"^swarm .* ([0-9.]+) s wall, ([0-9.]+) seeds/s$", re.M)
FIRST = re.compile(r"^stopped    at the first failing(?: SAFETY)? seed, (\d+)", re.M)
INTERRUPTED = re.compile(r"^interrupted by \w+ after (\d+) of", re.M)
FAILED = re.compile(r"^FAILED seed (\d+) \[(SAFETY|LIVENESS)\] trace [0-9a-f]+: *(.*)$", re.M)
INVARIANT = re.compile(r"([a-z_]+) violated|'([^']+)' failed")


def measure(faultline, scenario, setting, cap, jobs, limit, safety_only=True):
    """-> (first failing (SAFETY) seed or None, what caught it, seeds run, seeds/s, cut short by time)"""
    cmd = [faultline, "swarm", f"scenarios/{scenario}.yaml", "--seeds", f"1..{cap}", "--until-failure",
           "--jobs", str(jobs), "-q", "--set", setting] + (["--safety-only"] if safety_only else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cut = False
    try:
        out, _ = proc.communicate(timeout=max(1, limit))
    except subprocess.TimeoutExpired:
        cut = True
        proc.send_signal(signal.SIGINT)  # faultline stops handing out seeds and reports what it ran
        try:
            out, _ = proc.communicate(timeout=30)  # the seeds under way finish first
        except subprocess.TimeoutExpired:
            proc.kill()  # a long seed on a loaded machine: give up on the row's count
            out, _ = proc.communicate()
    swarm = SWARM.search(out)
    rate = float(swarm.group(2)) if swarm else 0.0
    interrupted = INTERRUPTED.search(out)
    runs = re.search(r"^runs       (\d+)", out, re.M)
    ran = int(runs.group(1)) if runs else (int(interrupted.group(1)) if interrupted else 0)
    first = FIRST.search(out)
    if not first:
        return None, "", ran, rate, cut
    seed = first.group(1)
    why = ""
    for m in FAILED.finditer(out):
        if m.group(1) == seed:
            names = []
            for n in INVARIANT.finditer(m.group(3)):
                name = n.group(1) or n.group(2)
                if name not in names:
                    names.append(name)
            why = ", ".join(names) or m.group(3).strip()
            if not safety_only:
                why += f" ({m.group(2)})"
    return int(seed), why, ran, rate, False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=os.path.join(ROOT, "build/faultline"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--row-limit", type=float, default=240, help="seconds one row may take")
    ap.add_argument("--time-limit", type=float, default=1500, help="seconds the whole table may take")
    ap.add_argument("--only", default="", help="run only the rows whose scenario or mutant contains this")
    ap.add_argument("--print", action="store_true", help="print the table instead of writing docs/swarm.md")
    args = ap.parse_args()
    rows = ["| protocol | mutant | swarm scenario (untuned) | swarm: first failing seed (SAFETY; any kind for heartbeat, swim, gossip) | caught by | seeds/s "
            "| tuned: first seed (scenario) |",
            "|---|---|---|---|---|---|---|"]
    started = time.time()
    # Run the rows with the shortest runs first (the table keeps the list's
    # order), so a time limit cuts the slow ones, not the cheap ones.
    cost = {"heartbeat": 0, "swim": 0, "gossip": 0, "paxos": 0, "multipaxos": 1}
    order = sorted(range(len(ROWS)), key=lambda i: (cost.get(ROWS[i][0], 2), i))
    done = {}
    # With --only, the other rows keep their line from the table in docs/swarm.md.
    path = os.path.join(ROOT, "docs/swarm.md")
    text = open(path).read()
    begin, end = "<!-- swarm-table -->", "<!-- /swarm-table -->"
    kept = {}
    for line in text[text.index(begin):text.index(end)].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 7:
            kept[(cells[0], cells[1].strip("`"), cells[2])] = line
    for i in order:
        protocol, scenario, setting, tuned, cap = ROWS[i]
        mutant = setting.split("=", 1)[1] if setting.startswith("params.mutant=") else setting
        if args.only and args.only not in scenario and args.only not in setting:
            if (protocol, mutant, scenario) in kept:
                done[i] = kept[(protocol, mutant, scenario)]
            continue
        left = args.time_limit - (time.time() - started)
        if left < 5:
            done[i] = f"| {protocol} | `{mutant}` | {scenario} | not run (table time limit) | | | {tuned} |"
            print(done[i], flush=True)
            continue
        t0 = time.time()
        seed, why, ran, rate, cut = measure(args.faultline, scenario, setting, cap, args.jobs,
                                            min(args.row_limit, left), protocol not in LIVENESS_CATCHES)
        if seed is not None:
            found = str(seed)
        elif cut:
            found = f"none in 1..{ran} (time limit)"
        else:
            found = f"none in 1..{ran}"
        done[i] = f"| {protocol} | `{mutant}` | {scenario} | {found} | {why} | {rate:.1f} | {tuned} |"
        print(done[i], f"({time.time() - t0:.0f} s)", flush=True)
    rows += [done[i] for i in sorted(done)]
    total = time.time() - started
    table = ("\n".join(rows) + f"\n\nMeasured {time.strftime('%d %b %Y', time.gmtime())} by "
             f"`scripts/swarm_table.py --jobs {args.jobs} --row-limit {args.row_limit:.0f}` in {total:.0f} s wall; "
             "seeds/s is for the seeds that row ran, on the machine as loaded then.\n")
    if args.print:
        print(table)
        return
    text = text[: text.index(begin) + len(begin)] + "\n" + table + text[text.index(end):]
    open(path, "w").write(text)


if __name__ == "__main__":
    main()
