#!/usr/bin/env bash
# CLI tests of train / eval / export / info: determinism, export shapes, every bad input of the
# foundation (missing, unreadable, truncated or malformed data, NaN values, dimension mismatch,
# invalid option values) gives one line on stderr and its documented exit code, and a failed run
# never damages an existing output file.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

# --- small data: 3x3 bars and stripes, as CSV and as IDX -----------------------------------
cat > bars.csv <<'CSV'
1,0,0,1,0,0,1,0,0
0,1,0,0,1,0,0,1,0
0,0,1,0,0,1,0,0,1
1,1,0,1,1,0,1,1,0
1,1,1,0,0,0,0,0,0
0,0,0,1,1,1,0,0,0
0,0,0,0,0,0,1,1,1
1,1,1,1,1,1,0,0,0
CSV
# idx3: 8 images of 3x3 (the same patterns, 0/255).
{
  printf '\x00\x00\x08\x03\x00\x00\x00\x08\x00\x00\x00\x03\x00\x00\x00\x03'
  while IFS=, read -r -a px; do for p in "${px[@]}"; do
    if [ "$p" = 1 ]; then printf '\xff'; else printf '\x00'; fi
  done; done < bars.csv
} > bars.idx
head -c 50 bars.idx > truncated.idx
printf 'garbage!garbage!garbage!' > garbage.idx
printf '1,0,0\n0,nan,1\n' > nan.csv
printf '1,0,0\n0,1\n' > ragged.csv
mkdir -p adir

T=(train --hidden 4 --epochs 2 --batch 4 --seed 3 --monitor-examples 8)

# --- success paths ------------------------------------------------------------------------
expect_exit 0 "train on IDX" -- "$RBMKIT" "${T[@]}" --data bars.idx --out a.rbm --log a.csv
expect_exit 0 "train on CSV" -- "$RBMKIT" "${T[@]}" --data bars.csv --out b.rbm
"$RBMKIT" export --model a.rbm --dir a.params >/dev/null 2>&1 && "$RBMKIT" export --model b.rbm --dir b.params >/dev/null 2>&1 &&
  diff -r a.params b.params >/dev/null || fail "IDX and CSV copies of the same data give different models"
CHECKS=$((CHECKS + 1))
[ "$(wc -l < a.csv)" -eq 3 ] || fail "--log should hold a header and 2 epochs: $(cat a.csv)"
[ -f a.csv.partial ] && fail "--log: the .partial file should be renamed once the model is saved"
head -1 a.csv | grep -q '^epoch,seconds,reconstruction_error,pseudo_log_likelihood' || fail "--log header: $(head -1 a.csv)"
expect_exit 0 "train in double precision" -- "$RBMKIT" "${T[@]}" --data bars.csv --precision double --method cd --k 2 --out d.rbm
expect_exit 0 "eval --json" -- "$RBMKIT" eval --model a.rbm --data bars.csv --json
CHECKS=$((CHECKS + 1))
for key in reconstruction_error pseudo_log_likelihood free_energy; do
  grep -q "\"$key\": " "$WORK/stdout" || fail "eval --json lacks $key: $(cat "$WORK/stdout")"
done
[ "$(wc -l < "$WORK/stdout")" -eq 1 ] || fail "eval --json must print one line"
expect_exit 0 "export" -- "$RBMKIT" export --model a.rbm --dir exported
CHECKS=$((CHECKS + 1))
[ "$(wc -l < exported/W.csv)" -eq 9 ] || fail "W.csv should have 9 rows"
[ "$(head -1 exported/W.csv | tr ',' '\n' | wc -l)" -eq 4 ] || fail "W.csv should have 4 columns"
[ "$(wc -l < exported/b.csv)" -eq 9 ] && [ "$(wc -l < exported/c.csv)" -eq 4 ] || fail "b.csv/c.csv sizes"
expect_exit 0 "info" -- "$RBMKIT" info
grep -q Armadillo "$WORK/stdout" || fail "info names Armadillo"
grep -q "core: " "$WORK/stdout" || fail "info names the OpenBLAS kernel core"
grep -q "^kernels " "$WORK/stdout" || fail "info names the instruction set of rbmkit's kernels"
for cmd in train eval export info; do
  expect_exit 0 "$cmd --help" -- "$RBMKIT" $cmd --help
  grep -q -- "usage: rbmkit $cmd" "$WORK/stdout" || fail "$cmd --help prints usage"
done

# --- determinism on the real data set: same seed => byte-identical model ---------------------
FMNIST=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
if [ -f "$FMNIST" ]; then
  R=(train --data "$FMNIST" --hidden 16 --epochs 1 --batch 100 --monitor-examples 20)
  expect_exit 0 "train fashion-mnist #1" -- "$RBMKIT" "${R[@]}" --seed 7 --out m1.rbm
  expect_exit 0 "train fashion-mnist #2" -- "$RBMKIT" "${R[@]}" --seed 7 --out m2.rbm
  CHECKS=$((CHECKS + 1))
  cmp -s m1.rbm m2.rbm || fail "same seed gave different model files"
  expect_exit 0 "train fashion-mnist other seed" -- "$RBMKIT" "${R[@]}" --seed 8 --out m3.rbm
  CHECKS=$((CHECKS + 1))
  cmp -s m1.rbm m3.rbm && fail "another seed gave the same model file"
  expect_exit 0 "export fashion-mnist" -- "$RBMKIT" export --model m1.rbm --dir fm
  CHECKS=$((CHECKS + 1))
  [ "$(wc -l < fm/W.csv)" -eq 784 ] && [ "$(head -1 fm/W.csv | tr ',' '\n' | wc -l)" -eq 16 ] || fail "W.csv is not 784 x 16"
else
  fail "Fashion-MNIST not installed at $FMNIST (scripts/install-deps installs it)"
fi

# --- bad input: data ------------------------------------------------------------------------
cp a.rbm keep.rbm
expect_exit 3 "missing data file" -- "$RBMKIT" "${T[@]}" --data nosuch.idx --out keep.rbm
expect_stderr_contains "nosuch.idx" "missing data file"
expect_exit 3 "directory as data" -- "$RBMKIT" "${T[@]}" --data adir --out keep.rbm
expect_stderr_contains "adir" "directory as data"
expect_exit 3 "truncated IDX" -- "$RBMKIT" "${T[@]}" --data truncated.idx --out keep.rbm
expect_stderr_contains "truncated.idx" "truncated IDX"
expect_exit 3 "malformed IDX" -- "$RBMKIT" "${T[@]}" --data garbage.idx --out keep.rbm
expect_stderr_contains "garbage.idx" "malformed IDX"
expect_exit 3 "NaN in CSV" -- "$RBMKIT" "${T[@]}" --data nan.csv --out keep.rbm
expect_stderr_contains "NaN" "NaN in CSV"
expect_exit 3 "ragged CSV" -- "$RBMKIT" "${T[@]}" --data ragged.csv --out keep.rbm
expect_stderr_contains "line 2" "ragged CSV"
expect_exit 3 "dimension mismatch" -- "$RBMKIT" eval --model a.rbm --data nan.csv
expect_exit 3 "dimension mismatch (clean data)" -- "$RBMKIT" eval --model a.rbm --data "${FMNIST}"
expect_stderr_contains "visible units" "dimension mismatch"
CHECKS=$((CHECKS + 1))
cmp -s a.rbm keep.rbm || fail "a failed run damaged the existing --out file"
ls keep.rbm.tmp.* >/dev/null 2>&1 && fail "a failed run left a temporary file"

# --- a diverging run exits 7 and writes nothing (progress lines precede its error line) ---------
CHECKS=$((CHECKS + 1))
"$RBMKIT" "${T[@]}" --data bars.csv --lr 1e30 --out keep.rbm >/dev/null 2>"$WORK/stderr"
rc=$?
[ "$rc" -eq 7 ] || fail "diverging training: exit $rc, expected 7"
grep -q "diverged" "$WORK/stderr" || fail "diverging training: no 'diverged' message"
cmp -s a.rbm keep.rbm || fail "a diverged run damaged the existing --out file"
CHECKS=$((CHECKS + 1))
cp a.csv keep.csv
"$RBMKIT" "${T[@]}" --data bars.csv --lr 1e30 --out keep.rbm --log keep.csv >/dev/null 2>&1
cmp -s a.csv keep.csv || fail "a diverged run replaced the existing --log file"
CHECKS=$((CHECKS + 1))
"$RBMKIT" train --machine bm --data bars.csv --hidden 2 --epochs 3 --batch 4 --lr 1e30 --out keep.rbm >/dev/null 2>"$WORK/stderr"
rc=$?
[ "$rc" -eq 7 ] || fail "diverging BM training: exit $rc, expected 7"
cmp -s a.rbm keep.rbm || fail "a diverged BM run damaged the existing --out file"

# --- bad input: model files -----------------------------------------------------------------
expect_exit 4 "missing model" -- "$RBMKIT" eval --model nosuch.rbm --data bars.csv
expect_stderr_contains "nosuch.rbm" "missing model"
head -c 100 a.rbm > cut.rbm
expect_exit 4 "truncated model" -- "$RBMKIT" eval --model cut.rbm --data bars.csv
cp bars.csv notamodel.rbm
expect_exit 4 "not a model" -- "$RBMKIT" export --model notamodel.rbm --dir x

# --- bad input: options ---------------------------------------------------------------------
B=(train --data bars.csv --out keep.rbm)
expect_exit 2 "--hidden 0" -- "$RBMKIT" "${B[@]}" --hidden 0
expect_stderr_contains "--hidden" "--hidden 0"
expect_exit 2 "--batch 0" -- "$RBMKIT" "${B[@]}" --batch 0
expect_stderr_contains "--batch" "--batch 0"
expect_exit 2 "--epochs 0" -- "$RBMKIT" "${B[@]}" --epochs 0
expect_exit 2 "--lr negative" -- "$RBMKIT" "${B[@]}" --lr -0.1
expect_stderr_contains "--lr" "--lr negative"
expect_exit 2 "--lr nan" -- "$RBMKIT" "${B[@]}" --lr nan
expect_stderr_contains "--lr" "--lr nan"
expect_exit 2 "--lr not a number" -- "$RBMKIT" "${B[@]}" --lr fast
expect_exit 2 "--hidden negative" -- "$RBMKIT" "${B[@]}" --hidden -5
expect_exit 2 "--k 0" -- "$RBMKIT" "${B[@]}" --k 0
expect_exit 2 "--momentum 1" -- "$RBMKIT" "${B[@]}" --momentum 1
expect_exit 2 "--method bogus" -- "$RBMKIT" "${B[@]}" --method bogus
expect_stderr_contains "--method" "--method bogus"
expect_exit 2 "--precision bogus" -- "$RBMKIT" "${B[@]}" --precision half
expect_exit 2 "--binarize bogus" -- "$RBMKIT" "${B[@]}" --binarize maybe
expect_exit 2 "unknown option" -- "$RBMKIT" "${B[@]}" --frobnicate 3
expect_exit 2 "missing --out" -- "$RBMKIT" train --data bars.csv
expect_exit 2 "unknown command" -- "$RBMKIT" fly
expect_exit 5 "--out in a missing directory" -- "$RBMKIT" "${T[@]}" --data bars.csv --out nodir/m.rbm
expect_stderr_contains "nodir" "--out in a missing directory"
expect_exit 5 "--out is a directory" -- "$RBMKIT" "${T[@]}" --data bars.csv --out adir
CHECKS=$((CHECKS + 1))
cmp -s a.rbm keep.rbm || fail "a failed run damaged the existing --out file"

finish
