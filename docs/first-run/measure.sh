#!/bin/sh
# The page's first run (digits, the small-transfer-set preset's settings) and its contrast (the same with all the
# training data), on the held-out seeds 10–29 (never used to choose the preset's settings: `cargo xtask heldout`
# chose them on seeds 0–9 with a validation split). Writes one JSON per arm here, then www/firstrun.json.
# Run from the repository root: sh docs/first-run/measure.sh
set -eu
cargo build --release --quiet --bin kd
KD=target/release/kd
for fraction in 0.1 1; do
  "$KD" run --dataset digits --seeds 10..30 --train-fraction "$fraction" --temperature 8 --alpha 0.9 \
    --student-epochs 200 --json > "docs/first-run/digits-fraction-$fraction.json"
done
python3 docs/first-run/summarise.py docs/first-run/digits-fraction-0.1.json docs/first-run/digits-fraction-1.json > www/firstrun.json
