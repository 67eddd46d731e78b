#!/usr/bin/env bash
# CLI tests of export / import: the RBM and Boltzmann-machine CSV layouts of docs/model-format.md
# round-trip (export, import, export again gives identical files; the imported model evaluates
# the same), the machine is detected from the files or chosen with --machine, and every file that
# breaks a rule gives one line on stderr naming the file and the rule, exit code 3, and leaves an
# existing --out file untouched.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

# 3x3 bars and stripes: for each k, the vertical bar k and the horizontal bar k.
for k in 0 1 2; do
  v="" h=""
  for i in 0 1 2 3 4 5 6 7 8; do v+="${v:+,}$((i % 3 == k))" h+="${h:+,}$((i / 3 == k))"; done
  printf '%s\n%s\n' "$v" "$h"
done > bars.csv

same_files() {  # same_files DIR1 DIR2 FILE... : every FILE is byte-identical in both directories
  local a=$1 b=$2 f
  shift 2
  CHECKS=$((CHECKS + 1))
  for f in "$@"; do cmp -s "$a/$f" "$b/$f" || fail "$a/$f and $b/$f differ"; done
}
BM_FILES=(units.csv W.csv bias.csv mask.csv)

# --- Boltzmann machine: export, import, export again -------------------------------------------
expect_exit 0 "train a BM" -- "$RBMKIT" train --machine bm --connectivity semi-restricted \
  --data bars.csv --hidden 2 --epochs 2 --batch 3 --seed 4 --out bm.rbm
expect_exit 0 "export a BM" -- "$RBMKIT" export --model bm.rbm --dir bm1
CHECKS=$((CHECKS + 1))
[ "$(cat bm1/units.csv)" = "$(printf 'n_visible,n_hidden\n9,2')" ] || fail "units.csv: $(cat bm1/units.csv)"
[ "$(wc -l < bm1/W.csv)" -eq 11 ] && [ "$(head -1 bm1/W.csv | tr ',' '\n' | wc -l)" -eq 11 ] || fail "W.csv is not 11 x 11"
[ "$(wc -l < bm1/bias.csv)" -eq 11 ] || fail "bias.csv should have 11 rows"
[ "$(tail -1 bm1/mask.csv)" = "1,1,1,1,1,1,1,1,1,0,0" ] || fail "mask.csv: no hidden-hidden weights when semi-restricted"
expect_exit 0 "import a BM (detected from units.csv)" -- "$RBMKIT" import --dir bm1 --out bm2.rbm --precision float
expect_exit 0 "export the imported BM" -- "$RBMKIT" export --model bm2.rbm --dir bm2
same_files bm1 bm2 "${BM_FILES[@]}"
expect_exit 0 "eval the trained BM" -- "$RBMKIT" eval --model bm.rbm --data bars.csv --json
untimed() { sed 's/, "likelihood_seconds": [^,}]*//' "$@"; }
untimed "$WORK/stdout" > eval1.json
expect_exit 0 "eval the imported BM" -- "$RBMKIT" eval --model bm2.rbm --data bars.csv --json
CHECKS=$((CHECKS + 1))
untimed "$WORK/stdout" | cmp -s eval1.json - || fail "the imported BM evaluates differently: $(cat eval1.json) vs $(cat "$WORK/stdout")"
expect_exit 0 "import a BM in double precision with --machine bm" -- "$RBMKIT" import --dir bm1 --out bm3.rbm --machine bm
expect_exit 0 "export it" -- "$RBMKIT" export --model bm3.rbm --dir bm3
same_files bm1 bm3 "${BM_FILES[@]}"

# --- RBM: export, import, export again ---------------------------------------------------------
expect_exit 0 "train an RBM" -- "$RBMKIT" train --data bars.csv --hidden 3 --epochs 2 --batch 3 --seed 4 \
  --monitor-examples 6 --out rbm.rbm
expect_exit 0 "export an RBM" -- "$RBMKIT" export --model rbm.rbm --dir rbm1
expect_exit 0 "import an RBM" -- "$RBMKIT" import --dir rbm1 --out rbm2.rbm
expect_exit 0 "export the imported RBM" -- "$RBMKIT" export --model rbm2.rbm --dir rbm2
same_files rbm1 rbm2 W.csv b.csv c.csv
CHECKS=$((CHECKS + 1))
[ -f rbm1/units.csv ] && fail "an RBM export should not write units.csv"

# --- which machine ------------------------------------------------------------------------------
mkdir -p both && cp bm1/*.csv both/ && cp rbm1/b.csv rbm1/c.csv both/
expect_exit 3 "a directory with the files of both machines" -- "$RBMKIT" import --dir both --out x.rbm
expect_stderr_contains "both units.csv" "a directory with the files of both machines"
expect_exit 0 "--machine bm chooses" -- "$RBMKIT" import --dir both --out x.rbm --machine bm
expect_exit 3 "--machine bm on an RBM directory" -- "$RBMKIT" import --dir rbm1 --out x.rbm --machine bm
expect_stderr_contains "units.csv" "--machine bm on an RBM directory"
mkdir -p empty
expect_exit 3 "an empty directory" -- "$RBMKIT" import --dir empty --out x.rbm
expect_stderr_contains "neither units.csv" "an empty directory"
expect_exit 2 "--machine bogus" -- "$RBMKIT" import --dir bm1 --out x.rbm --machine dbn
expect_stderr_contains "--machine: expected rbm or bm, got 'dbn'" "--machine bogus"
expect_exit 2 "--precision bogus" -- "$RBMKIT" import --dir bm1 --out x.rbm --precision half
expect_stderr_contains "--precision: expected float or double, got 'half'" "--precision bogus"

# --- BM files that break a rule: exit 3, the file and the rule named, --out untouched ------------
cp bm.rbm keep.rbm
# broken DESCRIPTION FILE EXPECTED-TEXT AWK-PROGRAM [NAMED-FILE]: bm1's FILE rewritten by
# AWK-PROGRAM; the message names NAMED-FILE (default FILE) and says EXPECTED-TEXT.
broken() {
  rm -rf bad && cp -r bm1 bad
  awk -F, -v OFS=, "$4" "bm1/$2" > "bad/$2"
  expect_exit 3 "$1" -- "$RBMKIT" import --dir bad --out keep.rbm
  expect_stderr_contains "bad/${5:-$2}" "$1"
  expect_stderr_contains "$3" "$1"
}
broken "asymmetric weights" W.csv "not symmetric" 'NR == 1 { $2 = $2 + 1 } { print }'
broken "a non-zero diagonal" W.csv "the diagonal must be 0" 'NR == 3 { $3 = 0.5 } { print }'
broken "a weight outside the mask" W.csv "where the mask has no connection" 'NR == 10 { $11 = 0.25 } NR == 11 { $10 = 0.25 } { print }'
broken "a NaN weight" W.csv "NaN or infinite" 'NR == 2 { $1 = "nan" } { print }'
broken "a wrong-size W" W.csv "expected 11 x 11" 'NR < 11 { print }'
broken "a short bias" bias.csv "10 biases, expected 11" 'NR > 1 { print }'
broken "a mask entry 2" mask.csv "expected 0 or 1" 'NR == 1 { $5 = 2 } NR == 5 { $1 = 2 } { print }'
broken "an asymmetric mask" mask.csv "not symmetric" 'NR == 10 { $11 = 1 } { print }'
broken "unit counts that disagree" units.csv "expected 12 x 12 (units.csv: 9 visible + 3 hidden" 'NR == 2 { $2 = 3 } { print }' W.csv
broken "a fractional unit count" units.csv "whole number" 'NR == 2 { $1 = 8.5 } { print }'
broken "a text field" bias.csv "line 4, field 1: 'big' is not a number" 'NR == 4 { $1 = "big" } { print }'
# A value beyond float's range: imported as double, refused as float naming file, line, field
# and the range, and suggesting --precision double (not "training diverged", exit 7).
rm -rf big && cp -r rbm1 big
awk -F, -v OFS=, 'NR == 5 { $2 = "1e39" } { print }' rbm1/W.csv > big/W.csv
expect_exit 0 "a value beyond float imported as double" -- "$RBMKIT" import --dir big --out big.rbm
expect_exit 3 "a value beyond float imported as float" -- "$RBMKIT" import --dir big --out keep.rbm --precision float
expect_stderr_contains "read_rbm_csv(big/W.csv): line 5, field 2: 1e+39 is outside the range of float" "a value beyond float"
expect_stderr_contains "magnitudes up to 3.40282347e+38); use --precision double" "a value beyond float"
printf -- '-2e38\n-5e38\n0.5\n' > big/c.csv
cp rbm1/W.csv big/W.csv
expect_exit 3 "a bias beyond float imported as float" -- "$RBMKIT" import --dir big --out keep.rbm --precision float
expect_stderr_contains "big/c.csv): line 2, field 1: -5e+38" "a bias beyond float"
rm -rf bad && cp -r bm1 bad
awk -F, -v OFS=, 'NR == 3 { $1 = "-1e300" } { print }' bm1/bias.csv > bad/bias.csv
expect_exit 3 "a BM bias beyond float imported as float" -- "$RBMKIT" import --dir bad --out keep.rbm --precision float
expect_stderr_contains "read_bm_csv(bad/bias.csv): line 3, field 1: -1e+300 is outside the range of float" "a BM bias beyond float"
CHECKS=$((CHECKS + 1))
cmp -s bm.rbm keep.rbm || fail "a failed import damaged the existing --out file"
ls keep.rbm.tmp.* >/dev/null 2>&1 && fail "a failed import left a temporary file"

# --- export errors -------------------------------------------------------------------------------
expect_exit 5 "export into a missing parent directory" -- "$RBMKIT" export --model bm.rbm --dir nodir/sub
expect_stderr_contains "nodir/sub" "export into a missing parent directory"
expect_exit 4 "export of a missing model" -- "$RBMKIT" export --model nosuch.rbm --dir e
for cmd in export import; do
  expect_exit 0 "$cmd --help" -- "$RBMKIT" $cmd --help
  grep -q -- "usage: rbmkit $cmd" "$WORK/stdout" || fail "$cmd --help prints usage"
done

finish
