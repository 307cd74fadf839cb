#!/usr/bin/env python3
"""SWIM: detection time and false positives against message loss. A 100-member
cluster, one member crashes at 10 s; for each loss rate, a sweep over seeds
gives the time until someone declares it dead, until every member knows, and
the number of live members wrongly declared dead (with and without indirect
probes, which is what they are for).

usage: swim_detection_vs_loss.py [--faultline build/faultline] [--seeds 10] [--out out/swim_detection_vs_loss.png]
Needs matplotlib from Debian (python3-matplotlib): run with /usr/bin/python3.
"""
import argparse
import json
import os
import subprocess
import sys

from plot_common import DEFAULT_FAULTLINE, ROOT, ensure_parent, pyplot

plt = pyplot("swim_detection_vs_loss.py")

LOSSES = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3]


def sweep(faultline, seeds, loss, indirect):
    out = subprocess.run(
        [faultline, "sweep", os.path.join(ROOT, "scenarios/swim/crash_detection.yaml"), "--seeds", f"1..{seeds}",
         "--json", "--quiet", "--set", f"network.loss={loss}", "--set", f"params.indirect_probes={indirect}",
         "--set", "expect=[]"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)["metrics"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--faultline", default=DEFAULT_FAULTLINE)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(ROOT, "out/swim_detection_vs_loss.png"))
    args = ap.parse_args()
    ensure_parent(args.out)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for indirect, style in ((3, "-"), (0, "--")):
        rows = [sweep(args.faultline, args.seeds, loss, indirect) for loss in LOSSES]
        label = f"{indirect} indirect probes"
        for metric, name in (("detect_dead_ns", "first dead"), ("detect_all_aware_ns", "all members aware")):
            ys = [r[metric]["p50"] / 1e9 if r.get(metric, {}).get("count") else float("nan") for r in rows]
            left.plot([l * 100 for l in LOSSES], ys, style, marker="o", label=f"{name}, {label}")
        fps = [r["false_positives"]["mean"] for r in rows]
        right.plot([l * 100 for l in LOSSES], fps, style, marker="o", label=label)
        for loss, r in zip(LOSSES, rows):
            print(f"loss {loss:4.2f} indirect {indirect}: dead p50 {r['detect_dead_ns']['p50']/1e9:.2f}s, "
                  f"all aware p50 {r['detect_all_aware_ns']['p50']/1e9 if r['detect_all_aware_ns']['count'] else float('nan'):.2f}s, "
                  f"false positives mean {r['false_positives']['mean']:.2f}", flush=True)
    left.set_xlabel("message loss (%)")
    left.set_ylabel("seconds after the crash (median)")
    left.set_title("Detection of a crashed member (100 members, 1 s period, suspicion 5 s)")
    left.legend(fontsize=7)
    left.grid(alpha=0.3)
    right.set_xlabel("message loss (%)")
    right.set_ylabel("live members declared dead per run (mean)")
    right.set_title("False positives")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
