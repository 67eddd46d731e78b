#!/usr/bin/env bash
# Model files written by rbmkit 0.1 before the training engine (tests/data/v0.1: an RBM and a
# Boltzmann machine trained on 3x3 bars-and-stripes, with what that version's export and eval
# printed for them) still load: export writes the same CSV files and eval the same
# log-likelihoods. They hold no training state, so --resume refuses them clearly.
. "$(dirname "$0")/lib.sh" "$@"
DATA=$(cd "$(dirname "$0")/../data/v0.1" && pwd)
cd "$WORK"

ll() { grep -o '"log_likelihood": -\?[0-9][-0-9.e]*' "$1" | head -1 || echo "no log_likelihood in $1"; }

expect_exit 0 "export a 0.1 RBM file" -- "$RBMKIT" export --model "$DATA/rbm.rbm" --dir rbm-export
CHECKS=$((CHECKS + 1))
diff -r "$DATA/rbm-export" rbm-export >/dev/null || fail "export of a 0.1 RBM file differs from 0.1's own export"
expect_exit 0 "eval a 0.1 RBM file" -- "$RBMKIT" eval --model "$DATA/rbm.rbm" --data "$DATA/bars.csv" --exact --json
CHECKS=$((CHECKS + 1))
[ "$(ll "$WORK/stdout")" = "$(ll "$DATA/rbm-eval.json")" ] || fail "RBM log-likelihood: $(ll "$WORK/stdout") vs 0.1's $(ll "$DATA/rbm-eval.json")"
expect_exit 0 "eval a 0.1 BM file" -- "$RBMKIT" eval --model "$DATA/bm.rbm" --data "$DATA/bars.csv" --json
CHECKS=$((CHECKS + 1))
[ "$(ll "$WORK/stdout")" = "$(ll "$DATA/bm-eval.json")" ] || fail "BM log-likelihood: $(ll "$WORK/stdout") vs 0.1's $(ll "$DATA/bm-eval.json")"
expect_exit 0 "export a 0.1 BM file" -- "$RBMKIT" export --model "$DATA/bm.rbm" --dir bm-export
expect_exit 4 "resume a 0.1 file" -- "$RBMKIT" train --resume "$DATA/rbm.rbm" --data "$DATA/bars.csv" --out x.rbm
expect_stderr_contains "no training state" "says why it cannot resume"

finish
