#!/bin/bash
# Every experiment of docs/results/likelihood.md, one at a time (about an hour on 2 cores).
# Usage: bench/likelihood_table.sh RBMKIT_BINARY OUT_DIR
set -eu
RBMKIT=$(realpath "$1")
OUT=$2
HERE=$(dirname "$(realpath "$0")")
C=(/usr/bin/python3 "$HERE/sklearn_compare.py" --rbmkit "$RBMKIT")
mkdir -p "$OUT"
echo "== 20 hidden: rbmkit defaults (PCD-1) and scikit-learn, exact"
"${C[@]}" --out "$OUT/h20" --hidden 20 --seeds 1 2 3
echo "== 20 hidden: CD-1, exact"
"${C[@]}" --out "$OUT/h20cd1" --hidden 20 --seeds 1 2 3 --skip-sklearn --rbmkit-args="--method cd"
echo "== 20 hidden: CD-10, exact"
"${C[@]}" --out "$OUT/h20cd10" --hidden 20 --seeds 1 2 3 --skip-sklearn --rbmkit-args="--method cd --k 10"
echo "== 20 hidden: AIS (default schedule, 100 runs) from the modes base and the base rate, against exact"
for m in "$OUT"/h20/*.rbm "$OUT"/h20cd1/*.rbm "$OUT"/h20cd10/*.rbm; do
  modes=$("$RBMKIT" eval --model "$m" --exact --ais --reverse-examples 0 --json)
  rate=$("$RBMKIT" eval --model "$m" --exact --ais --ais-base rate --json)
  echo "{\"model\": \"$m\", \"modes\": $modes, \"rate\": $rate}"
done
echo "== 500 hidden: rbmkit defaults (PCD-1) and scikit-learn, AIS"
"${C[@]}" --out "$OUT/h500" --hidden 500 --seeds 1 --eval-args=--ais
echo "== 500 hidden: CD-1, AIS"
"${C[@]}" --out "$OUT/h500cd1" --hidden 500 --seeds 1 --skip-sklearn --eval-args=--ais --rbmkit-args="--method cd"
echo "== 500 hidden: CD-10, AIS"
"${C[@]}" --out "$OUT/h500cd10" --hidden 500 --seeds 1 --skip-sklearn --eval-args=--ais --rbmkit-args="--method cd --k 10"
echo "== 500 hidden: AIS from the base rate alone, for comparison"
for m in "$OUT"/h500/*.rbm "$OUT"/h500cd1/*.rbm "$OUT"/h500cd10/*.rbm; do
  echo "{\"model\": \"$m\", \"rate\": $("$RBMKIT" eval --model "$m" --ais --ais-base rate --reverse-examples 0 --json)}"
done
echo "== done"
