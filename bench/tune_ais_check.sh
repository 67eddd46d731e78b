#!/bin/bash
# AIS against exact log Z on the 20-hidden models of bench/tune_defaults.sh: a model whose mass
# sits in modes Gibbs sampling cannot reach is one AIS (and sampling) gets wrong. One line per model:
#   MODEL EXACT_LOG_Z AIS_LOG_Z AIS_STDERR AIS_MINUS_EXACT
# Usage: bench/tune_ais_check.sh RBMKIT_BINARY OUT_DIR   (default AIS: 100 runs, 14,500 distributions)
set -eu
RBMKIT=$1
OUT=$2
TRAIN=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
num() { grep -o "\"$1\": [^,}]*" | head -1 | sed 's/.*: //'; }
# log Z does not depend on the data; --data only feeds the monitors (100 training images, never
# test images), --base-data fits the AIS base-rate model to all training images.
E=(--data "$TRAIN" --max-examples 100 --json --threads 1)
for m in "$OUT"/*.rbm; do
  ex=$("$RBMKIT" eval --model "$m" "${E[@]}" --exact | num log_z)
  ais=$("$RBMKIT" eval --model "$m" "${E[@]}" --ais --reverse-examples 0 --base-data "$TRAIN")
  lz=$(echo "$ais" | num log_z)
  se=$(echo "$ais" | num log_z_stderr)
  awk -v m="$(basename "$m" .rbm)" -v e="$ex" -v a="$lz" -v s="$se" \
    'BEGIN { printf "%-30s %12.4f %12.4f %8.4f %+9.4f\n", m, e, a, s, a - e }'
done
