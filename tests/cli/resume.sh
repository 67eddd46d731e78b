#!/usr/bin/env bash
# CLI tests of stopping and resuming a training run: SIGINT and SIGTERM part-way through a
# 784x400 run (PCD, contrastive, float; CD-1, reward-correlator, double), a Boltzmann machine,
# and a run killed after a checkpoint between epochs. Each resumed run must write a model file
# byte-identical to the uninterrupted run's. Also: what --resume refuses.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

FMNIST=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
[ -r "$FMNIST" ] || { echo "FAIL: $FMNIST missing (scripts/install-deps installs it)" >&2; exit 1; }
# The first 2000 Fashion-MNIST training images as a raw IDX file (count 2000 = 0x07d0).
{
  printf '\x00\x00\x08\x03\x00\x00\x07\xd0\x00\x00\x00\x1c\x00\x00\x00\x1c'
  gzip -dc "$FMNIST" | tail -c +17 | head -c $((2000 * 784))
} > fm.idx

# wait_for_rows FILE N: waits (up to 2 minutes) until FILE has N lines.
wait_for_rows() {
  for _ in $(seq 1 2400); do
    [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ] && return 0
    sleep 0.05
  done
  return 1
}

# interrupted NAME SIGNAL EXIT -- train options...: the uninterrupted run, the same run sent
# SIGNAL once its first epoch is logged, and its resumption; the two model files must be equal.
interrupted() {
  local name=$1 sig=$2 code=$3
  shift 4
  expect_exit 0 "$name: uninterrupted" -- "$RBMKIT" train "$@" --out "$name.full.rbm"
  CHECKS=$((CHECKS + 1))
  "$RBMKIT" train "$@" --out "$name.part.rbm" --log "$name.csv" 2>"$name.stderr" &
  local pid=$!
  wait_for_rows "$name.csv.partial" 2 || fail "$name: no epoch logged"
  kill -s "$sig" "$pid"
  wait "$pid"
  local rc=$?
  [ "$rc" -eq "$code" ] || fail "$name: exit $rc after SIG$sig, expected $code: $(tail -2 "$name.stderr")"
  grep -q "SIG$sig: stopped after epoch" "$name.stderr" || fail "$name: no message saying where it stopped"
  [ -f "$name.csv" ] && fail "$name: an interrupted run committed its log"
  cp "$name.part.rbm" "$name.stopped.rbm"
  expect_exit 0 "$name: resume" -- "$RBMKIT" train --resume "$name.part.rbm" --out "$name.part.rbm" --log "$name.csv"
  expect_stderr_contains "resuming after epoch" "$name: resume says where it continues"
  CHECKS=$((CHECKS + 1))
  cmp -s "$name.full.rbm" "$name.part.rbm" || fail "$name: the resumed model differs from the uninterrupted one"
  CHECKS=$((CHECKS + 1))
  local epochs
  epochs=$(grep -o -- '--epochs [0-9]*' <<<"$*" | cut -d' ' -f2)
  [ "$(wc -l < "$name.csv")" -eq $((epochs + 1)) ] || fail "$name: the continued log should hold a header and $epochs rows: $(cat "$name.csv")"
  # Resuming the completed run again, as written twice: nothing to train, the log kept.
  cp "$name.csv" "$name.before.csv"
  expect_exit 0 "$name: resume a complete run" -- "$RBMKIT" train --resume "$name.part.rbm" --out "$name.part.rbm" --log "$name.csv"
  CHECKS=$((CHECKS + 1))
  cmp -s "$name.before.csv" "$name.csv" || fail "$name: resuming a complete run changed its log: $(cat "$name.csv")"
}

interrupted pcd INT 130 -- --data fm.idx --hidden 400 --epochs 6 --batch 100 --seed 5 \
  --method pcd --gradient contrastive --precision float
interrupted cd1 TERM 143 -- --data fm.idx --hidden 400 --epochs 4 --batch 100 --seed 6 \
  --method cd --k 1 --gradient reward-correlator --precision double

# A Boltzmann machine: 16 visible units of random bits, 4 hidden, PCD with 2 sweeps.
awk 'BEGIN { srand(3); for (r = 0; r < 5000; ++r) { s = ""; for (c = 0; c < 16; ++c) s = s (c ? "," : "") (rand() < 0.3 ? 1 : 0); print s } }' > bits.csv
interrupted bm INT 130 -- --data bits.csv --machine bm --hidden 4 --gibbs-sweeps 2 --epochs 150 \
  --batch 10 --lr 0.02 --seed 7

# Killed after a checkpoint between epochs: the checkpoint alone continues the run exactly.
expect_exit 0 "checkpointed: uninterrupted" -- "$RBMKIT" train --data fm.idx --hidden 200 --epochs 6 --seed 8 --out ck.full.rbm
CHECKS=$((CHECKS + 1))
"$RBMKIT" train --data fm.idx --hidden 200 --epochs 6 --seed 8 --out ck.rbm --checkpoint-every 1 --log ck.csv 2>/dev/null &
pid=$!
wait_for_rows ck.csv.partial 3 || fail "checkpointed: no epoch logged"
kill -s KILL "$pid"
wait "$pid" 2>/dev/null
expect_exit 0 "checkpointed: resume" -- "$RBMKIT" train --resume ck.rbm --out ck.rbm
expect_stderr_contains "minibatch 0 of 20" "checkpointed: the checkpoint lies between epochs"
CHECKS=$((CHECKS + 1))
cmp -s ck.full.rbm ck.rbm || fail "checkpointed: the resumed model differs from the uninterrupted one"

# The file of a stopped run is a model: eval and export read it.
expect_exit 0 "eval reads a stopped run's file" -- "$RBMKIT" eval --model bm.stopped.rbm --data bits.csv --exact
expect_exit 0 "export reads a stopped run's file" -- "$RBMKIT" export --model pcd.stopped.rbm --dir pcd.params

# What --resume refuses.
expect_exit 2 "--resume with --lr" -- "$RBMKIT" train --resume ck.rbm --out x.rbm --lr 0.5
expect_stderr_contains "--lr" "names the refused option"
expect_exit 2 "--resume with --hidden" -- "$RBMKIT" train --resume ck.rbm --out x.rbm --hidden 3
expect_stderr_contains "--hidden" "names the refused option"
expect_exit 3 "--resume on other data" -- "$RBMKIT" train --resume ck.rbm --out x.rbm --data bits.csv
expect_stderr_contains "not the data" "says the data differ"
head -c 4000 ck.rbm > cut.rbm
expect_exit 4 "--resume from a damaged file" -- "$RBMKIT" train --resume cut.rbm --out x.rbm
expect_exit 4 "--resume from a missing file" -- "$RBMKIT" train --resume nosuch.rbm --out x.rbm
CHECKS=$((CHECKS + 1))
[ ! -e x.rbm ] || fail "a refused resume wrote a model"
# A finished run can be extended with --epochs: 6 -> 12 epochs restarts the averaging window
# (epochs 7 to 12), so it ends in the bits of a 12-epoch run.
expect_exit 0 "extend a finished run" -- "$RBMKIT" train --resume ck.rbm --out ck12.rbm --epochs 12
expect_stderr_contains "epoch  12/12" "trains the extra epochs"
expect_exit 0 "the 12-epoch run" -- "$RBMKIT" train --data fm.idx --hidden 200 --epochs 12 --seed 8 --out ck12.full.rbm
CHECKS=$((CHECKS + 1))
cmp -s ck12.rbm ck12.full.rbm || fail "6 epochs extended to 12 differ from a 12-epoch run"
expect_exit 2 "--epochs below the epochs done" -- "$RBMKIT" train --resume ck.rbm --out x.rbm --epochs 2
expect_stderr_contains "--epochs" "names the option"

finish
