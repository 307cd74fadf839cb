#!/usr/bin/env python3
"""Plot a heartbeat run from its trace: who suspects whom over time, and the
message traffic (delivered and dropped per 100 ms), with the faults marked.

usage: heartbeat_timeline.py TRACE.jsonl OUT.png
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import json
import sys
from collections import defaultdict

from plot_common import pyplot

plt = pyplot("heartbeat_timeline.py")

BIN_NS = 100_000_000


def main(trace_path, out_path):
    suspected_by = defaultdict(set)   # subject -> observers that suspect it now
    series = defaultdict(list)        # subject -> [(t, count)]
    faults = []
    delivered = defaultdict(int)
    dropped = defaultdict(int)
    names = set()
    end = 0
    with open(trace_path) as f:
        for line in f:
            e = json.loads(line)
            t = e["t"]
            end = max(end, t)
            kind = e["kind"]
            node = e.get("node")
            if node:
                names.add(node)
            if kind in ("suspect", "trust"):
                subject = f"n{e['peer']}"
                (suspected_by[subject].add if kind == "suspect" else suspected_by[subject].discard)(node)
                series[subject].append((t, len(suspected_by[subject])))
            elif kind == "start":
                # a restarted node suspects no one
                for subject, observers in suspected_by.items():
                    if node in observers:
                        observers.discard(node)
                        series[subject].append((t, len(observers)))
            elif kind == "fault" and e["fault"] != "skipped":
                label = e["fault"] + (f" {node}" if node else "") + (f" {e['groups']}" if "groups" in e else "")
                faults.append((t, label))
            elif kind == "deliver":
                delivered[t // BIN_NS] += 1
            elif kind == "drop":
                dropped[t // BIN_NS] += 1

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    for subject in sorted(series, key=lambda n: int(n[1:]) if n[1:].isdigit() else n):
        points = [(0, 0)] + series[subject] + [(end, series[subject][-1][1])]
        top.step([p[0] / 1e9 for p in points], [p[1] for p in points], where="post", label=f"{subject}")
    top.set_ylabel("peers suspecting it")
    top.set_title("Heartbeat failure detector: suspicion of each node over time")
    if series:
        top.legend(title="node", loc="upper left", fontsize=8)
    bins = range(0, end // BIN_NS + 1)
    bottom.plot([b * BIN_NS / 1e9 for b in bins], [delivered[b] for b in bins], label="delivered / 100 ms", drawstyle="steps-post")
    bottom.plot([b * BIN_NS / 1e9 for b in bins], [dropped[b] for b in bins], label="dropped / 100 ms", color="red", drawstyle="steps-post")
    bottom.set_ylabel("messages")
    bottom.set_xlabel("virtual time (s)")
    bottom.legend(loc="upper left", fontsize=8)
    for ax in (top, bottom):
        for t, label in faults:
            ax.axvline(t / 1e9, color="grey", linestyle=":", linewidth=1)
    ymax = top.get_ylim()[1]
    for i, (t, label) in enumerate(faults):
        top.text(t / 1e9, ymax * (0.95 - 0.08 * (i % 4)), " " + label, fontsize=7, color="dimgrey")
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
