#!/usr/bin/env bash
# CLI tests of rbmkit transform: one CSV row of P(h = 1 | v) per example, equal to the sigmoid of
# the exported parameters; labels from an IDX file, a CSV file or a CSV column as the first
# column; the model's own binarization by default; a label count that does not match the data,
# a Boltzmann machine, data of another dimension and an unwritable --out each give their exit
# code and leave an existing --out untouched. With Fashion-MNIST installed: its test images and
# labels, and the training labels refused for the test images. A stack of two models (--model
# M1,M2) gives the second model's features of the first's, at full precision; sizes that do not
# fit are exit 4.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

awk 'BEGIN { srand(21); for (r = 0; r < 12; ++r) { s = ""; for (c = 0; c < 9; ++c) s = s (c ? "," : "") sprintf("%.2f", rand()); print s } }' > grey.csv
awk '{ print (NR % 3) "," $0 }' grey.csv > labelled.csv
# idx1 label files of 12 and of 11 labels.
idx1() { printf '\x00\x00\x08\x01\x00\x00\x00'"\\x$(printf %02x "$1")"; for ((i = 1; i <= $1; i++)); do printf "\\x$(printf %02x $((i % 3)))"; done; }
idx1 12 > labels.idx
idx1 11 > short.idx
for ((i = 1; i <= 12; i++)); do echo $((i % 3)); done > labels.csv

expect_exit 0 "train" -- "$RBMKIT" train --data grey.csv --hidden 4 --epochs 2 --batch 4 --seed 5 --monitor-examples 8 --out m.rbm
expect_exit 0 "transform to stdout" -- "$RBMKIT" transform --model m.rbm --data grey.csv
cp "$WORK/stdout" features.csv
expect_stderr_contains "read grey.csv: 12 examples of dimension 9, scale unit" "transform reports what it read"
CHECKS=$((CHECKS + 1))
[ "$(wc -l < features.csv)" -eq 12 ] || fail "one row per example expected: $(wc -l < features.csv)"
awk -F, 'NF != 4 { exit 1 } { for (i = 1; i <= NF; ++i) if ($i < 0 || $i > 1) exit 1 }' features.csv || fail "rows of 4 values in [0,1] expected: $(head -2 features.csv)"

# The features are sigmoid(c + W^T v) of the examples (stored to the nearest 1/255, thresholded
# at 0.5), from the exported parameters.
"$RBMKIT" export --model m.rbm --dir params >/dev/null 2>&1
CHECKS=$((CHECKS + 1))
awk -F, '
  FILENAME == "params/W.csv" { for (j = 1; j <= NF; ++j) W[FNR, j] = $j; next }
  FILENAME == "params/c.csv" { c[FNR] = $1; next }
  FILENAME == "grey.csv" { for (i = 1; i <= NF; ++i) v[FNR, i] = int($i * 255 + 0.5) >= 128 ? 1 : 0; n = NF; next }
  { for (j = 1; j <= NF; ++j) { a = c[j]; for (i = 1; i <= n; ++i) a += W[i, j] * v[FNR, i];
      p = 1 / (1 + exp(-a)); d = p - $j; if (d < 0) d = -d; if (d > 1e-6) { print "row " FNR " unit " j ": " $j " vs " p; bad = 1 } } }
  END { exit bad }' params/W.csv params/c.csv grey.csv features.csv || fail "features differ from sigmoid(c + W^T v)"

expect_exit 0 "transform --out" -- "$RBMKIT" transform --model m.rbm --data grey.csv --out f.csv
CHECKS=$((CHECKS + 1))
cmp -s f.csv features.csv || fail "--out and standard output differ"

# Labels: IDX, CSV file and CSV column give the same first column.
expect_exit 0 "transform --labels IDX" -- "$RBMKIT" transform --model m.rbm --data grey.csv --labels labels.idx --out li.csv
expect_exit 0 "transform --labels CSV" -- "$RBMKIT" transform --model m.rbm --data grey.csv --labels labels.csv --out lc.csv
expect_exit 0 "transform --label-column 1" -- "$RBMKIT" transform --model m.rbm --data labelled.csv --label-column 1 --out lk.csv
CHECKS=$((CHECKS + 1))
cmp -s li.csv lc.csv && cmp -s li.csv lk.csv || fail "labels from IDX, CSV and a CSV column differ"
[ "$(cut -d, -f2- li.csv)" = "$(cat features.csv)" ] || fail "with labels, the features follow the label"
[ "$(cut -d, -f1 li.csv | tr '\n' ' ')" = "1 2 0 1 2 0 1 2 0 1 2 0 " ] || fail "labels column: $(cut -d, -f1 li.csv | tr '\n' ' ')"

# The model's binarization by default; --binarize and --threshold override it.
expect_exit 0 "train --threshold 0.8" -- "$RBMKIT" train --data grey.csv --hidden 4 --epochs 2 --batch 4 --seed 5 --monitor-examples 8 --threshold 0.8 --out t.rbm
"$RBMKIT" transform --model t.rbm --data grey.csv --out t-default.csv 2>/dev/null
"$RBMKIT" transform --model t.rbm --data grey.csv --threshold 0.8 --out t-08.csv 2>/dev/null
"$RBMKIT" transform --model t.rbm --data grey.csv --threshold 0.5 --out t-05.csv 2>/dev/null
"$RBMKIT" transform --model t.rbm --data grey.csv --binarize none --out t-none.csv 2>/dev/null
CHECKS=$((CHECKS + 1))
cmp -s t-default.csv t-08.csv || fail "transform does not binarize at the model's threshold by default"
cmp -s t-default.csv t-05.csv && fail "--threshold 0.5 should change the features"
cmp -s t-default.csv t-none.csv && fail "--binarize none should change the features"
expect_exit 0 "transform reports the stored threshold" -- "$RBMKIT" transform --model t.rbm --data grey.csv --out /dev/null
expect_stderr_contains "at threshold 0.8" "the stored threshold is reported"

# Failures: the existing --out stays as it was.
cp features.csv keep.csv
expect_exit 3 "11 labels for 12 examples" -- "$RBMKIT" transform --model m.rbm --data grey.csv --labels short.idx --out keep.csv
expect_stderr_contains "short.idx): 11 labels for 12 examples" "names the label file and both counts"
expect_exit 2 "--labels with --label-column" -- "$RBMKIT" transform --model m.rbm --data labelled.csv --labels labels.idx --label-column 1 --out keep.csv
expect_exit 3 "data of another dimension" -- "$RBMKIT" transform --model m.rbm --data labelled.csv --out keep.csv
expect_exit 2 "--threshold with --binarize none" -- "$RBMKIT" transform --model m.rbm --data grey.csv --binarize none --threshold 0.3 --out keep.csv
expect_exit 2 "missing --data" -- "$RBMKIT" transform --model m.rbm --out keep.csv
expect_exit 4 "missing model" -- "$RBMKIT" transform --model none.rbm --data grey.csv --out keep.csv
expect_exit 0 "train a Boltzmann machine" -- "$RBMKIT" train --machine bm --data grey.csv --hidden 2 --epochs 1 --batch 4 --out bm.rbm
expect_exit 4 "transform a Boltzmann machine" -- "$RBMKIT" transform --model bm.rbm --data grey.csv --out keep.csv
expect_exit 5 "--out in a missing directory" -- "$RBMKIT" transform --model m.rbm --data grey.csv --out nodir/f.csv
CHECKS=$((CHECKS + 1))
cmp -s keep.csv features.csv || fail "a failed transform changed the existing --out"

# Fashion-MNIST: features of the test images with their labels.
FM=/usr/share/datasets/fashion-mnist
if [ -f "$FM/t10k-images-idx3-ubyte.gz" ]; then
  expect_exit 0 "train on Fashion-MNIST test images" -- "$RBMKIT" train --data "$FM/t10k-images-idx3-ubyte.gz" --hidden 8 --epochs 1 --monitor-examples 0 --seed 1 --out fm.rbm
  expect_exit 0 "transform with Fashion-MNIST labels" -- "$RBMKIT" transform --model fm.rbm --data "$FM/t10k-images-idx3-ubyte.gz" --labels "$FM/t10k-labels-idx1-ubyte.gz" --out fm.csv
  CHECKS=$((CHECKS + 1))
  [ "$(wc -l < fm.csv)" -eq 10000 ] || fail "Fashion-MNIST: 10000 rows expected"
  [ "$(head -1 fm.csv | tr ',' '\n' | wc -l)" -eq 9 ] || fail "Fashion-MNIST: label and 8 features expected"
  [ "$(cut -d, -f1 fm.csv | sort -u | tr '\n' ' ')" = "0 1 2 3 4 5 6 7 8 9 " ] || fail "Fashion-MNIST: labels 0..9 expected"
  expect_exit 3 "training labels for the test images" -- "$RBMKIT" transform --model fm.rbm --data "$FM/t10k-images-idx3-ubyte.gz" --labels "$FM/train-labels-idx1-ubyte.gz" --out fm.csv
  expect_stderr_contains "train-labels-idx1-ubyte.gz): 60000 labels for 10000 examples" "names the label file"
else
  fail "Fashion-MNIST not installed at $FM (scripts/install-deps installs it)"
fi
# A stack: --model M1,M2 applies M2 to M1's features at full precision, with M2's own stored
# binarization (none here): sigmoid(c2 + W2^T f1) of the features M1 gives.
expect_exit 0 "transform with the first model alone" -- "$RBMKIT" transform --model m.rbm --data grey.csv --binarize none --out f1.csv
expect_exit 0 "train a second layer on the features" -- "$RBMKIT" train --data f1.csv --binarize none --hidden 3 --epochs 2 --batch 4 --seed 6 --monitor-examples 8 --out m2.rbm
expect_exit 0 "transform through the stack" -- "$RBMKIT" transform --model m.rbm,m2.rbm --data grey.csv --binarize none --out f2.csv
"$RBMKIT" export --model m2.rbm --dir params2 >/dev/null 2>&1
CHECKS=$((CHECKS + 1))
awk -F, '
  FILENAME == "params2/W.csv" { for (j = 1; j <= NF; ++j) W[FNR, j] = $j; next }
  FILENAME == "params2/c.csv" { c[FNR] = $1; next }
  FILENAME == "f1.csv" { for (i = 1; i <= NF; ++i) v[FNR, i] = $i; n = NF; next }
  { if (NF != 3) { print "row " FNR ": " NF " values"; bad = 1 }
    for (j = 1; j <= NF; ++j) { a = c[j]; for (i = 1; i <= n; ++i) a += W[i, j] * v[FNR, i];
      p = 1 / (1 + exp(-a)); d = p - $j; if (d < 0) d = -d; if (d > 1e-9) { print "row " FNR " unit " j ": " $j " vs " p; bad = 1 } } }
  END { exit bad || FNR != 12 }' params2/W.csv params2/c.csv f1.csv f2.csv || fail "the stack's features differ from sigmoid(c2 + W2^T f1)"
cp f2.csv keep-f2.csv
expect_exit 4 "a stack whose sizes do not fit" -- "$RBMKIT" transform --model m.rbm,m.rbm --data grey.csv --out f2.csv
expect_stderr_contains "m.rbm: has 9 visible units, but m.rbm below it gives 4 features" "a stack whose sizes do not fit"
expect_exit 2 "an empty name in the stack" -- "$RBMKIT" transform --model m.rbm, --data grey.csv --out f2.csv
CHECKS=$((CHECKS + 1))
cmp -s f2.csv keep-f2.csv || fail "a failed stack damaged the existing --out"

finish
