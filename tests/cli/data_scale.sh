#!/usr/bin/env bash
# CLI tests of how CSV numbers become values in [0,1] (--scale) and of label columns: each pitfall
# gives the right outcome. 0-16 integers are refused without --scale and read right with
# --scale max; one value of 1.0000001 among [0,1] values is refused naming its line and accepted
# (clipped) with --scale unit; a first column of class labels trains with --label-column and one
# fewer visible unit; data that binarizes to all zeros warns. A resumed run reads its data the
# way the run began.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

# 40 examples of 9 intensities 0..16 (the largest, 16, in every example), 20 of [0,1] values.
awk 'BEGIN { srand(11); for (r = 0; r < 40; ++r) { s = ""; for (c = 0; c < 9; ++c) s = s (c ? "," : "") (c == r % 9 ? 16 : int(rand() * 17)); print s } }' > digits16.csv
awk 'BEGIN { srand(12); for (r = 0; r < 20; ++r) { s = ""; for (c = 0; c < 9; ++c) s = s (c ? "," : "") sprintf("%.3f", rand()); print s } }' > unit.csv
awk -F, -v OFS=, 'NR == 3 { $4 = "1.0000001" } { print }' unit.csv > near1.csv
# The same binary examples, with and without a class label 0..9 in front.
awk 'BEGIN { srand(13); for (r = 0; r < 30; ++r) { s = ""; for (c = 0; c < 9; ++c) s = s (c ? "," : "") (rand() < 0.4 ? 1 : 0); print s } }' > bits.csv
awk '{ print (NR % 10) "," $0 }' bits.csv > labelled.csv

T=(train --hidden 3 --epochs 2 --batch 10 --seed 2 --monitor-examples 10)

# --- 0..16 integers ------------------------------------------------------------------------
expect_exit 3 "0..16 integers without --scale" -- "$RBMKIT" "${T[@]}" --data digits16.csv --out d.rbm
expect_stderr_contains "digits16.csv" "0..16 refused: names the file"
expect_stderr_contains "line 1: value" "0..16 refused: names the line of the first value above 1"
expect_stderr_contains "--scale max" "0..16 refused: suggests --scale max"
CHECKS=$((CHECKS + 1))
[ -e d.rbm ] && fail "a refused run wrote its model"
expect_exit 0 "0..16 integers with --scale max" -- "$RBMKIT" "${T[@]}" --data digits16.csv --scale max --out d.rbm
expect_stderr_contains "read digits16.csv: 40 examples of dimension 9, scale max (values / 16)" "train reports what it read"
CHECKS=$((CHECKS + 1))
grep -q "of bits on after binarization at threshold 0.5" "$WORK/stderr" || fail "train reports the share of bits on: $(head -3 "$WORK/stderr")"
grep -q "warning" "$WORK/stderr" && fail "--scale max: no all-zero warning expected"
# Read on the 0..255 scale, the same file binarizes to nothing: a warning, not silence.
expect_exit 0 "0..16 integers with --scale byte" -- "$RBMKIT" "${T[@]}" --data digits16.csv --scale byte --out z.rbm
expect_stderr_contains "0.0% of bits on" "--scale byte of 0..16 data: no bits on"
expect_stderr_contains "warning: every example of digits16.csv binarizes to all zeros" "all-zero binarization warns"
# The model remembers the scale: eval and transform read the same data the same way.
expect_exit 0 "transform with the stored --scale max" -- "$RBMKIT" transform --model d.rbm --data digits16.csv
CHECKS=$((CHECKS + 1))
[ "$(wc -l < "$WORK/stdout")" -eq 40 ] || fail "transform: 40 rows expected"
expect_exit 0 "eval with --scale max" -- "$RBMKIT" eval --model d.rbm --data digits16.csv --scale max --exact
cp "$WORK/stdout" eval-max.txt
expect_exit 0 "eval without --scale reads with the stored --scale max" -- "$RBMKIT" eval --model d.rbm --data digits16.csv --exact
check "eval: the stored scale gives the same result as --scale max" -- cmp -s eval-max.txt "$WORK/stdout"
expect_exit 3 "eval with --scale auto given" -- "$RBMKIT" eval --model d.rbm --data digits16.csv --scale auto --exact
# A resumed run reads its data with the stored scale.
expect_exit 0 "resume a --scale max run" -- "$RBMKIT" train --resume d.rbm --epochs 3 --out d3.rbm
expect_stderr_contains "scale max" "the resumed run reads with --scale max"

# --- one value a little above 1 among [0,1] values ---------------------------------------------
expect_exit 0 "[0,1] values" -- "$RBMKIT" "${T[@]}" --data unit.csv --out u.rbm
expect_stderr_contains "scale unit (values in [0,1])" "[0,1] values are read as they are"
expect_exit 3 "1.0000001 among [0,1] values" -- "$RBMKIT" "${T[@]}" --data near1.csv --out n.rbm
expect_stderr_contains "near1.csv): line 3: value 1.0000001" "names file, line and value"
expect_stderr_contains "--scale unit" "suggests --scale unit"
expect_exit 0 "1.0000001 with --scale unit" -- "$RBMKIT" "${T[@]}" --data near1.csv --scale unit --out n.rbm
expect_stderr_contains "1 value clipped into [0,1]" "--scale unit says what it clipped"

# --- [0,1] values at full precision: 0.3005 and 0.3015 are one step of 1/255 apart ------------
# (both round to 77/255 = 0.30196), on either side of --threshold 0.301.
for r in 1 2 3 4 5 6 7 8 9 10; do echo "0.3005,0.3015"; done > fine.csv
for r in 1 2 3 4 5 6 7 8 9 10; do echo "0,1"; done > fine-bits.csv
expect_exit 0 "[0,1] values near a threshold" -- "$RBMKIT" "${T[@]}" --data fine.csv --threshold 0.301 --out f.rbm
expect_stderr_contains "50.0% of bits on after binarization at threshold 0.301" "0.3005 is below 0.301 and 0.3015 above it"
expect_exit 0 "eval of values near a threshold" -- "$RBMKIT" eval --model f.rbm --data fine.csv --threshold 0.301 --exact
fine_ll=$(grep -i "log-likelihood" "$WORK/stdout" | head -1)
expect_exit 0 "eval of their binarized states" -- "$RBMKIT" eval --model f.rbm --data fine-bits.csv --threshold 0.301 --exact
bits_ll=$(grep -i "log-likelihood" "$WORK/stdout" | head -1)
CHECKS=$((CHECKS + 1))
[ -n "$fine_ll" ] && [ "$fine_ll" = "$bits_ll" ] || fail "0.3005,0.3015 at threshold 0.301 should evaluate as 0,1: '$fine_ll' vs '$bits_ll'"
expect_exit 0 "eval of values near a threshold, as all on" -- "$RBMKIT" eval --model f.rbm --data fine.csv --threshold 0.3 --exact
CHECKS=$((CHECKS + 1))
[ "$(grep -i "log-likelihood" "$WORK/stdout" | head -1)" != "$bits_ll" ] || fail "at threshold 0.3 both values are on: a different log-likelihood expected"

# --- a first column of class labels -----------------------------------------------------------
expect_exit 3 "labels read as values" -- "$RBMKIT" "${T[@]}" --data labelled.csv --out l.rbm
expect_stderr_contains "labelled.csv" "a label column read as values is refused naming the file"
expect_exit 0 "train --label-column 1" -- "$RBMKIT" "${T[@]}" --data labelled.csv --label-column 1 --out l.rbm
expect_stderr_contains "30 examples of dimension 9 with labels" "the label column is not a visible unit"
expect_exit 0 "train without labels" -- "$RBMKIT" "${T[@]}" --data bits.csv --out b.rbm
"$RBMKIT" export --model l.rbm --dir l.params >/dev/null 2>&1 && "$RBMKIT" export --model b.rbm --dir b.params >/dev/null 2>&1
CHECKS=$((CHECKS + 1))
[ "$(wc -l < l.params/W.csv)" -eq 9 ] || fail "--label-column 1: W.csv should have 9 rows (10 columns, one a label)"
diff -r l.params b.params >/dev/null || fail "--label-column 1 of labelled data and the unlabelled data give different models"
expect_exit 0 "resume a --label-column run" -- "$RBMKIT" train --resume l.rbm --epochs 3 --out l3.rbm
expect_stderr_contains "with labels" "the resumed run drops the label column again"

# --- bad reading options ----------------------------------------------------------------------
printf '\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x03\x00\x00\x00\x03\x00\xff\x00\xff\x00\xff\x00\xff\x00' > one.idx
expect_exit 2 "--scale max with IDX data" -- "$RBMKIT" "${T[@]}" --data one.idx --scale max --out x.rbm
expect_stderr_contains "--scale" "names --scale"
expect_exit 2 "--label-column with IDX data" -- "$RBMKIT" "${T[@]}" --data one.idx --label-column 1 --out x.rbm
expect_stderr_contains "--label-column" "names --label-column"
expect_exit 2 "--label-column 0" -- "$RBMKIT" "${T[@]}" --data labelled.csv --label-column 0 --out x.rbm
expect_exit 2 "--scale bogus" -- "$RBMKIT" "${T[@]}" --data bits.csv --scale bogus --out x.rbm
expect_exit 3 "--label-column beyond the row" -- "$RBMKIT" "${T[@]}" --data bits.csv --label-column 12 --out x.rbm
expect_stderr_contains "label column 12" "names the label column"
expect_exit 2 "--scale with --resume" -- "$RBMKIT" train --resume d.rbm --scale unit --out x.rbm
finish
