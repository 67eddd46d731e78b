#!/bin/bash
# How rbmkit's training defaults were chosen: 20 hidden units, 20 epochs, trained on the first
# 50,000 Fashion-MNIST training images and scored by exact log-likelihood on the last 10,000
# (--valid 10000). Test images are never used here. One line per run:
#   NAME SEED VALID_LL SECONDS_PER_EPOCH ARGS
# Usage: bench/tune_defaults.sh RBMKIT_BINARY OUT_DIR [SEEDS...]   (default seeds 1 2 3)
# Runs one training at a time on one thread (--threads 1), so epoch times are comparable.
set -eu
RBMKIT=$1
OUT=$2
shift 2
SEEDS=${*:-1 2 3}
mkdir -p "$OUT"
run() {
  local name=$1
  shift
  for seed in $SEEDS; do
    "$RBMKIT" train --hidden 20 --epochs 20 --valid 10000 --eval-every 1000 --threads 1 \
      --seed "$seed" --out "$OUT/$name-$seed.rbm" --log "$OUT/$name-$seed.csv" "$@" 2>"$OUT/$name-$seed.err"
    awk -F, -v n="$name" -v s="$seed" -v a="$*" \
      'NR > 1 { t += $2; ll = $6; e++ } END { printf "%-24s %s %10.3f %7.3f  %s\n", n, s, ll, t / e, a }' \
      "$OUT/$name-$seed.csv"
  done
}
# Plain gradient, the settings of the practical guide and of scikit-learn's BernoulliRBM.
run plain-cd1-mom            --centering 0 --average-from 1 --method cd  --lr 0.05 --momentum 0.9 --initial-momentum 0.5
run plain-pcd1-mom           --centering 0 --average-from 1 --method pcd --lr 0.05 --momentum 0.9 --initial-momentum 0.5
run plain-pcd1-lr0.05        --centering 0 --average-from 1 --method pcd --lr 0.05 --momentum 0 --initial-momentum 0
run plain-pcd1-lr0.1-nowd    --centering 0 --average-from 1 --method pcd --lr 0.1  --momentum 0 --initial-momentum 0 --weight-decay 0
# One change at a time: averaging, centring, both.
run plain-pcd1-avg           --centering 0 --average-from 0.5 --method pcd --lr 0.05 --momentum 0 --initial-momentum 0
run centred-pcd1             --centering 1 --average-from 1   --method pcd --lr 0.05 --momentum 0 --initial-momentum 0
run centred-pcd1-avg-lr0.05  --centering 1 --average-from 0.5 --method pcd --lr 0.05 --momentum 0 --initial-momentum 0
run centred-pcd1-avg-lr0.1   --centering 1 --average-from 0.5 --method pcd --lr 0.1  --momentum 0 --initial-momentum 0
run centred-pcd1-avg-lr0.2   --centering 1 --average-from 0.5 --method pcd --lr 0.2  --momentum 0 --initial-momentum 0
run centred-pcd1-avg-mom0.5  --centering 1 --average-from 0.5 --method pcd --lr 0.05 --momentum 0.5 --initial-momentum 0.5
run centred-pcd1-avg-nowd    --centering 1 --average-from 0.5 --method pcd --lr 0.1  --momentum 0 --initial-momentum 0 --weight-decay 0
run centred-pcd1-avg0.25     --centering 1 --average-from 0.25 --method pcd --lr 0.1 --momentum 0 --initial-momentum 0
run centred-cd1-avg          --centering 1 --average-from 0.5 --method cd  --lr 0.1  --momentum 0 --initial-momentum 0
run centred-pcd2-avg         --centering 1 --average-from 0.5 --method pcd --k 2 --lr 0.1 --momentum 0 --initial-momentum 0
run centred-pcd1-avg-200ch   --centering 1 --average-from 0.5 --method pcd --chains 200 --lr 0.1 --momentum 0 --initial-momentum 0
# The defaults as shipped (no options).
run defaults
