#!/bin/bash
# Model quality over many seeds: the 'defaults' row of bench/tune_defaults.sh (20 hidden units,
# 20 epochs, the first 50,000 Fashion-MNIST training images, exact log-likelihood of the last
# 10,000 in nats per image) for seeds FIRST..LAST, one run at a time on one thread. Prints one
# line per seed (SEED VALID_LL) and then the mean, the median and the runs below -190 nats (the
# persistent chains' missed modes). docs/performance.md compares revisions by such columns
# (docs/results/quality/defaults-40-seeds.csv; Mann-Whitney tests of two columns by scipy).
# Usage: bench/quality_seeds.sh RBMKIT_BINARY OUT_DIR [FIRST [LAST]]   (default seeds 1 to 40)
set -eu
RBMKIT=$1
OUT=$2
FIRST=${3:-1}
LAST=${4:-40}
mkdir -p "$OUT"
for seed in $(seq "$FIRST" "$LAST"); do
  "$RBMKIT" train --hidden 20 --epochs 20 --valid 10000 --eval-every 1000 --threads 1 \
    --seed "$seed" --out "$OUT/defaults-$seed.rbm" --log "$OUT/defaults-$seed.csv" \
    2>"$OUT/defaults-$seed.err"
  awk -F, -v s="$seed" 'NR > 1 { ll = $6 } END { printf "%s %.2f\n", s, ll }' "$OUT/defaults-$seed.csv"
done | tee "$OUT/seeds.txt"
sort -g -k2 "$OUT/seeds.txt" | awk '{ v[NR] = $2; t += $2; if ($2 < -190) low++ }
  END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "seeds %d: mean %.2f, median %.2f, %d below -190\n", NR, t / NR, m, low + 0 }'
