#!/usr/bin/env python3
"""SWIM: false deaths and detection time against message loss, for plain SWIM
(as in the paper: fixed 5-period suspicion, updates piggybacked on probes)
and for memberlist's LAN preset (suspicion timeout growing with log10(n),
Lifeguard's dynamic suspicion and local health, buddy system, a 200 ms gossip
channel). A 100-member cluster, one member crashes at 10 s; each run lasts
60 s. For each loss rate a sweep over seeds gives the time until someone
declares the crashed member dead and until every member knows (medians), and
the live members wrongly declared dead per run (mean).

usage: swim_detection_vs_loss.py [--faultline build/faultline] [--seeds 10] [--out out/swim_detection_vs_loss.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("swim_detection_vs_loss.py")

LOSSES = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2]
VARIANTS = [  # label, --set values, line style, colour
    ("plain SWIM, 3 indirect probes", ["params.indirect_probes=3"], "-", "tab:blue"),
    ("plain SWIM, 1 indirect probe", ["params.indirect_probes=1"], ":", "tab:blue"),
    ("memberlist LAN preset", ["params.preset=memberlist_lan"], "-", "tab:red"),
    ("memberlist LAN preset, 1 indirect probe", ["params.preset=memberlist_lan", "params.indirect_probes=1"], ":", "tab:red"),
]


def sweep(faultline, seeds, loss, sets):
    args = [faultline, "sweep", os.path.join(ROOT, "scenarios/swim/crash_detection.yaml"), "--seeds", f"1..{seeds}",
            "--json", "--quiet", "--set", f"network.loss={loss}", "--set", "duration=60s", "--set", "expect=[]"]
    for s in sets:
        args += ["--set", s]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)["metrics"]


def p50_seconds(row, metric):
    m = row.get(metric, {})
    return m["p50"] / 1e9 if m.get("count") else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(ROOT, "out/swim_detection_vs_loss.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    xs = [l * 100 for l in LOSSES]
    for label, sets, style, colour in VARIANTS:
        rows = [sweep(args.faultline, args.seeds, loss, sets) for loss in LOSSES]
        dead = [p50_seconds(r, "detect_dead_ns") for r in rows]
        aware = [p50_seconds(r, "detect_all_aware_ns") for r in rows]
        left.plot(xs, dead, style, color=colour, marker="o", label=f"first dead: {label}")
        left.plot(xs, aware, style, color=colour, marker="s", alpha=0.5, label=f"all aware: {label}")
        fps = [r["false_positives"]["mean"] for r in rows]
        right.plot(xs, fps, style, color=colour, marker="o", label=label)
        for loss, r, d, a, f in zip(LOSSES, rows, dead, aware, fps):
            print(f"{label:42s} loss {loss:4.2f}: dead p50 {d:5.2f}s, all aware p50 {a:5.2f}s, "
                  f"false deaths per run {f:6.2f}", flush=True)
    left.set_xlabel("message loss (%)")
    left.set_ylabel("seconds after the crash (median)")
    left.set_title("Detecting a crashed member (100 members)")
    left.legend(fontsize=7)
    left.grid(alpha=0.3)
    right.set_xlabel("message loss (%)")
    right.set_ylabel("live members declared dead per 60 s run (mean)")
    right.set_yscale("symlog", linthresh=0.1)
    right.set_title("False deaths")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
