#!/bin/bash
# Training cost per epoch of the defaults against CD-1, measured side by side: the runs are
# interleaved (A B C A B C ...) so that load from other processes hits all of them alike.
# Prints the median seconds per epoch of each setting and the ratio to plain CD-1.
# Usage: bench/cost_per_epoch.sh RBMKIT_BINARY OUT_DIR HIDDEN EPOCHS REPEATS [THREADS]
set -eu
RBMKIT=$1; OUT=$2; HIDDEN=$3; EPOCHS=$4; REPEATS=$5; THREADS=${6:-1}
mkdir -p "$OUT"
names=(plain-cd1 centred-cd1 defaults)
args=("--method cd --centering 0 --average-from 1" "--method cd" "")
for ((r = 0; r < REPEATS; r++)); do
  for i in 0 1 2; do
    # shellcheck disable=SC2086
    "$RBMKIT" train --hidden "$HIDDEN" --epochs "$EPOCHS" --threads "$THREADS" --seed $((r + 1)) \
      --monitor-examples 1 --out "$OUT/${names[$i]}.rbm" --log "$OUT/${names[$i]}-$r.csv" ${args[$i]} 2>/dev/null
  done
done
for i in 0 1 2; do
  cat "$OUT/${names[$i]}"-*.csv | grep -v '^epoch' | cut -d, -f2 | sort -g |
    awk -v n="${names[$i]}" -v a="${args[$i]}" '{ t[NR] = $1 } END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%-10s median %.3f s/epoch over %d epochs   %s\n", n, m, NR, a }'
done | tee "$OUT/summary.txt"
awk '/^plain-cd1/ { base = $3 } { printf "%-10s %.2fx plain CD-1\n", $1, $3 / base }' "$OUT/summary.txt"
