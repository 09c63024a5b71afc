#!/usr/bin/env python3
"""Summarises `kd run --json --seeds A..B` outputs (one per arm of the page's first run) into the page's
www/firstrun.json: per arm, the transfer set's fraction and size, and over the seeds the distilled and control
students' test accuracy and their paired difference (mean and sample standard deviation as kd computed them,
and how many seeds ahead and behind, counted here)."""
import json
import sys


def arm(path):
    with open(path, encoding="utf-8") as f:
        run = json.load(f)
    delta = run["delta_test_accuracy"]
    deltas = delta["values"]
    kd = run["student_kd"]["test_accuracy"]
    control = run["student_hard"]["test_accuracy"]
    return {
        "trainFraction": run["settings"]["trainFraction"],
        "transferSamples": run["data"]["transfer_samples"],
        "kd": {"mean": kd["mean"], "std": kd["std"]},
        "control": {"mean": control["mean"], "std": control["std"]},
        "delta": {
            "mean": delta["mean"],
            "std": delta["std"],
            "ahead": sum(d > 0 for d in deltas),
            "behind": sum(d < 0 for d in deltas),
        },
    }


def main(paths):
    arms = [arm(p) for p in paths]
    with open(paths[0], encoding="utf-8") as f:
        seeds = json.load(f)["seeds"]
    print(json.dumps({"seeds": [min(seeds), max(seeds)], "count": len(seeds), "arms": arms}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
