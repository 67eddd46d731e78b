#!/usr/bin/env bash
# Every training option either takes effect for a Boltzmann machine or is refused naming it:
# options that apply change the exported parameters; the others exit 2 and name the option.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

awk 'BEGIN { srand(5); for (r = 0; r < 200; ++r) { s = ""; for (c = 0; c < 9; ++c) s = s (c ? "," : "") (rand() < 0.4 ? 1 : 0); print s } }' > bits.csv
BASE=(train --machine bm --data bits.csv --hidden 3 --epochs 4 --batch 10 --seed 2)
expect_exit 0 "baseline BM" -- "$RBMKIT" "${BASE[@]}" --out base.rbm
expect_exit 0 "export the baseline" -- "$RBMKIT" export --model base.rbm --dir base

# changes NAME OPTION...: the option trains a different machine.
changes() {
  local name=$1
  shift
  expect_exit 0 "BM $name" -- "$RBMKIT" "${BASE[@]}" "$@" --out "$name.rbm"
  expect_exit 0 "export BM $name" -- "$RBMKIT" export --model "$name.rbm" --dir "$name"
  CHECKS=$((CHECKS + 1))
  ! diff -rq base "$name" >/dev/null || fail "BM $*: the exported parameters did not change"
}
# refused NAME OPTION...: exit 2 naming the option.
refused() {
  local name=$1
  shift
  expect_exit 2 "BM $name" -- "$RBMKIT" "${BASE[@]}" "$@" --out "$name.rbm"
  expect_stderr_contains "$name" "BM $*: names the option"
  CHECKS=$((CHECKS + 1))
  [ ! -e "$name.rbm" ] || fail "BM $*: a refused option wrote a model"
}

changes valid --valid 20
changes average --average-from 0.1
changes momentum --momentum 0.5 --momentum-epochs 1
refused --momentum --momentum 0.5   # 4 epochs, all at the initial momentum: it would not apply
changes lr-decay --lr-decay 0.5
changes chains --chains 37
changes weight-decay --weight-decay 0.01
refused --k --k 3
refused --centering --centering 0
refused --centering --centering 1
refused --sparsity-target --sparsity-target 0.1 --sparsity-cost 0.5
refused --sparsity-cost --sparsity-cost 0.5
refused --monitor-examples --monitor-examples 10
refused --ais-runs --ais-runs 10 --valid 20
# And for an RBM, the BM's options are refused; --chains with CD does not apply.
expect_exit 2 "RBM --gibbs-sweeps" -- "$RBMKIT" train --data bits.csv --hidden 3 --epochs 1 --gibbs-sweeps 2 --out r.rbm
expect_stderr_contains "--gibbs-sweeps" "names the option"
expect_exit 2 "CD --chains" -- "$RBMKIT" train --data bits.csv --hidden 3 --epochs 1 --method cd --chains 5 --out r.rbm
expect_stderr_contains "--chains" "names the option"
# --valid with a BM too large to enumerate is refused before training, saying why.
expect_exit 2 "BM too large for held-out evaluation" -- "$RBMKIT" train --machine bm --data bits.csv --hidden 30 --epochs 1 --valid 20 --out big.rbm
expect_stderr_contains "--valid" "names the option"

finish
