#!/usr/bin/env bash
# CLI tests of Gaussian visible units (docs/gaussian.md): a Gaussian-Bernoulli RBM trains on a
# small real-valued CSV (a mixture of two Gaussians in 2 dimensions, negative values read with
# --scale standardize), and `eval --exact` prints its log-likelihood, which must equal an
# independent value: tests/tools/gauss_loglik.py reads the model file with Python's struct
# module and integrates over v numerically (trapezoid rule). The same value for another model
# is far from it (the comparison can fail). transform applies the stored standardisation; a run
# stopped and resumed ends in the same bytes; options that do not apply are refused.
. "$(dirname "$0")/lib.sh" "$@"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$WORK"

python3 "$SRC/scripts/make-data" mixture --count 200 --dim 2 --seed 3 --out mix.csv 2>/dev/null
G=(train --data mix.csv --scale standardize --visible gaussian --hidden 3 --batch 20 --lr 0.01 --method pcd)

expect_exit 0 "train a Gaussian-Bernoulli RBM" -- "$RBMKIT" "${G[@]}" --variance learned --epochs 20 --seed 4 --out g.rbm
expect_stderr_contains "scale standardize" "train reports the standardize scale"
expect_exit 0 "eval --exact of a Gaussian model" -- "$RBMKIT" eval --model g.rbm --data mix.csv --scale standardize --exact --json
json=$(cat "$WORK/stdout")
ll=$(printf '%s' "$json" | sed -n 's/.*"log_likelihood": \([-0-9.e+]*\).*/\1/p')
ll_units=$(printf '%s' "$json" | sed -n 's/.*"log_likelihood_data_units": \([-0-9.e+]*\).*/\1/p')
ref=$(python3 "$SRC/tests/tools/gauss_loglik.py" g.rbm mix.csv)
CHECKS=$((CHECKS + 1))
python3 - "$ll" "$ll_units" $ref <<'PY' || fail "eval --exact of g.rbm: '$ll' '$ll_units', independent '$ref'"
import sys
ll, units, ref, ref_units = map(float, sys.argv[1:5])
sys.exit(0 if abs(ll - ref) < 1e-4 and abs(units - ref_units) < 1e-4 else 1)
PY
expect_exit 0 "eval --exact as text" -- "$RBMKIT" eval --model g.rbm --data mix.csv --scale standardize --exact
CHECKS=$((CHECKS + 1))
grep -q "in the data's units" "$WORK/stdout" || fail "eval prints no log-density in the data's units"
# AIS on the same model agrees with the exact value (4 standard errors + 0.05 nats; fixed seed).
expect_exit 0 "eval --ais of a Gaussian model" -- "$RBMKIT" eval --model g.rbm --data mix.csv --scale standardize --ais --ais-runs 50 --ais-betas 500 --json
ais=$(sed -n 's/.*"log_likelihood": \([-0-9.e+]*\).*"log_z_stderr": \([-0-9.e+]*\).*/\1 \2/p' "$WORK/stdout")
CHECKS=$((CHECKS + 1))
python3 -c "import sys; a, se = map(float, sys.argv[2].split()); sys.exit(0 if abs(a - float(sys.argv[1])) < 4 * se + 0.05 else 1)" "$ll" "$ais" ||
  fail "eval --ais of g.rbm: '$ais' far from the exact $ll"
# The check can fail: the independent value of other data (the first column moved by 5) is far
# from g.rbm's log-likelihood of mix.csv.
awk -F, -v OFS=, 'NR > 1 { $1 = $1 + 5 } { print }' mix.csv > moved.csv
other=$(python3 "$SRC/tests/tools/gauss_loglik.py" g.rbm moved.csv)
CHECKS=$((CHECKS + 1))
python3 -c "import sys; sys.exit(0 if abs(float(sys.argv[1]) - float(sys.argv[2])) > 0.1 else 1)" "$ll" "${other%% *}" ||
  fail "other data gave the same independent log-likelihood: $ll and $other"

# transform standardises with the stored statistics: 200 rows of 3 features in (0,1).
expect_exit 0 "transform with a Gaussian model" -- "$RBMKIT" transform --model g.rbm --data mix.csv
CHECKS=$((CHECKS + 1))
[ "$(wc -l < "$WORK/stdout")" -eq 200 ] || fail "transform: 200 rows expected"
first=$(head -1 "$WORK/stdout")
want=$(python3 "$SRC/tests/tools/gauss_loglik.py" g.rbm mix.csv features)
CHECKS=$((CHECKS + 1))
python3 - "$first" "$want" <<'PY' || fail "transform's first row '$first' is not P(h|v) of the standardised example: '$want'"
import sys
a = [float(x) for x in sys.argv[1].split(",")]
b = [float(x) for x in sys.argv[2].split(",")]
sys.exit(0 if len(a) == len(b) and all(abs(x - y) < 1e-5 for x, y in zip(a, b)) else 1)
PY

# Stopped after 2 epochs and resumed to 4: the same bytes as 4 epochs at once.
expect_exit 0 "4 epochs at once" -- "$RBMKIT" "${G[@]}" --variance learned --epochs 4 --out whole.rbm
expect_exit 0 "2 epochs" -- "$RBMKIT" "${G[@]}" --variance learned --epochs 2 --average-from 1 --out part.rbm
expect_exit 0 "4 epochs at once, last iterate" -- "$RBMKIT" "${G[@]}" --variance learned --epochs 4 --average-from 1 --out whole1.rbm
expect_exit 0 "resumed to 4 epochs" -- "$RBMKIT" train --resume part.rbm --epochs 4 --out rest.rbm
CHECKS=$((CHECKS + 1))
cmp -s whole1.rbm rest.rbm || fail "a Gaussian run resumed from epoch 2 differs from the uninterrupted run"
# Held-out log-likelihood during training (exact).
expect_exit 0 "train with --valid" -- "$RBMKIT" "${G[@]}" --epochs 2 --valid 40 --log v.csv --out v.rbm
CHECKS=$((CHECKS + 1))
grep -q "valid_log_likelihood" v.csv || fail "--valid: no valid_log_likelihood column in the log"

# Options that do not apply are refused, naming them.
expect_exit 2 "--binarize with --visible gaussian" -- "$RBMKIT" "${G[@]}" --binarize none --out x.rbm
expect_stderr_contains "--binarize" "names --binarize"
expect_exit 2 "--threshold with --visible gaussian" -- "$RBMKIT" "${G[@]}" --threshold 0.3 --out x.rbm
expect_stderr_contains "--visible bernoulli" "says where --threshold applies"
expect_exit 2 "--centering with --visible gaussian" -- "$RBMKIT" "${G[@]}" --centering 1 --out x.rbm
expect_exit 2 "--variance without --visible gaussian" -- "$RBMKIT" train --data mix.csv --scale standardize --variance learned --out x.rbm
expect_stderr_contains "--variance" "names --variance"
expect_exit 2 "--scale standardize with Bernoulli units" -- "$RBMKIT" train --data mix.csv --scale standardize --hidden 2 --out x.rbm
expect_stderr_contains "--scale standardize" "names --scale standardize"
expect_exit 3 "negative values without --scale standardize" -- "$RBMKIT" train --data mix.csv --visible gaussian --out x.rbm
expect_stderr_contains "give --scale standardize" "says which scale to give"
expect_exit 2 "eval --ais-base of a Gaussian model" -- "$RBMKIT" eval --model g.rbm --data mix.csv --scale standardize --ais --ais-base rate
expect_stderr_contains "--ais-base" "names --ais-base"
expect_exit 2 "eval --threshold of a Gaussian model" -- "$RBMKIT" eval --model g.rbm --data mix.csv --scale standardize --threshold 0.2
expect_exit 4 "export of a Gaussian model" -- "$RBMKIT" export --model g.rbm --dir params
# A value beyond float's range is refused naming the file and line; a failed run writes nothing.
{ head -n 3 mix.csv; echo "1e300,0"; } > huge.csv
expect_exit 3 "a value beyond float with --scale standardize" -- "$RBMKIT" train --data huge.csv --scale standardize --visible gaussian --hidden 3 --batch 2 --out x.rbm
expect_stderr_contains "huge.csv): line 4: value 1e+300 is beyond the range of float" "names the file line and value"
expect_exit 3 "eval of a value beyond float" -- "$RBMKIT" eval --model g.rbm --data huge.csv --scale standardize --exact
expect_stderr_contains "huge.csv" "eval names the file"
expect_exit 2 "--method pt with --visible gaussian" -- "$RBMKIT" "${G[@]}" --method pt --out x.rbm
expect_stderr_contains "pt" "names the method"
expect_exit 4 "sample from a Gaussian model" -- "$RBMKIT" sample --model g.rbm --count 4 --steps 2 --out s.png
expect_stderr_contains "g.rbm" "names the model file"
[ -e s.png ] && fail "a refused sample wrote its picture"
[ -e x.rbm ] && fail "a refused run wrote its model"
finish
