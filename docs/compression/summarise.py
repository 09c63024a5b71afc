#!/usr/bin/env python3
"""Prints docs/compression.md's tables from the `kd compare --json` files in this folder.

usage: python3 docs/compression/summarise.py   (after docs/compression/measure.sh)
"""
import json, pathlib, statistics

HERE = pathlib.Path(__file__).parent
ORDER = ["teacher", "kd", "control", "prune-weights", "prune-neurons", "int8", "kd-int8", "transfer", "transfer-scratch"]


def load(seed):
    return json.loads((HERE / f"digits-seed-{seed}.json").read_text())


def one_seed(seed):
    d = load(seed)
    print(f"| method | layers | parameters | non-zero | bytes | µs per sample | test accuracy |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in d["rows"]:
        star = " *" if r["new_task"] else ""
        print(f"| `{r['method']}` | {'-'.join(map(str, r['sizes']))} | {r['parameters']:,} | {r['nonzero_parameters']:,} | "
              f"{r['bytes']:,} | {r['inference_us_per_sample']:.2f} | {100 * r['test_accuracy']:.1f}%{star} |")


def over_seeds(seeds):
    runs = [load(s) for s in seeds]
    print(f"| method | test accuracy, mean ± sd over {len(seeds)} seeds | min – max | µs per sample, median |")
    print("|---|---:|---:|---:|")
    for method in ORDER:
        rows = [next(r for r in d["rows"] if r["method"] == method) for d in runs]
        acc = [100 * r["test_accuracy"] for r in rows]
        us = statistics.median(r["inference_us_per_sample"] for r in rows)
        star = " *" if rows[0]["new_task"] else ""
        print(f"| `{method}` | {statistics.mean(acc):.1f}% ± {statistics.stdev(acc):.1f}{star} | "
              f"{min(acc):.1f} – {max(acc):.1f} | {us:.2f} |")
    def diff(a, b):
        return [100 * (next(r for r in d["rows"] if r["method"] == a)["test_accuracy"]
                       - next(r for r in d["rows"] if r["method"] == b)["test_accuracy"]) for d in runs]
    print()
    for a, b in [("kd", "control"), ("kd", "prune-neurons"), ("kd", "prune-weights"), ("int8", "teacher"),
                 ("kd-int8", "kd"), ("transfer", "transfer-scratch")]:
        d = diff(a, b)
        wins = sum(x > 0 for x in d)
        ties = sum(x == 0 for x in d)
        print(f"- `{a}` − `{b}`: {statistics.mean(d):+.1f} ± {statistics.stdev(d):.1f} points "
              f"(ahead in {wins}, level in {ties}, behind in {len(d) - wins - ties} of {len(d)} seeds)")


if __name__ == "__main__":
    print("## seed 1\n")
    one_seed(1)
    print("\n## held-out seeds 10–19\n")
    over_seeds(range(10, 20))
