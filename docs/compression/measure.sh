#!/bin/sh
# Measures the compression bench on digits for the default seed (1) and the held-out seeds 10–19,
# one `kd compare --json` file each (run on a quiet machine: the times are measured).
set -e
cd "$(dirname "$0")/../.."
cargo build --release --bin kd
for seed in 1 10 11 12 13 14 15 16 17 18 19; do
  ./target/release/kd compare --dataset digits --seed "$seed" --json > "docs/compression/digits-seed-$seed.json"
done
