# `rbmkit equiv --dump` in float and double, each dump checked by bench/check_equiv_dump.py,
# which recomputes both updates from stream.csv with numpy (numpy: python3-numpy, installed by
# scripts/install-deps for the Python module's tests) to a tolerance set by the dump's precision.
. "$(dirname "$0")/lib.sh" "$@"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
CHECK=$SRC/bench/check_equiv_dump.py
if ! "$PY" -c 'import numpy' 2>/dev/null; then
  fail "$PY with numpy is needed (python3-numpy; scripts/install-deps installs it)"
  finish
fi

BAS=$WORK/bas.csv
expect_exit 0 "make-data bars" -- "$SRC/scripts/make-data" bars --size 3 --copies 4 --out "$BAS"
expect_exit 0 "train rbm" -- "$RBMKIT" train --data "$BAS" --hidden 6 --epochs 20 --batch 8 \
  --seed 3 --out "$WORK/bas.rbm"
expect_exit 0 "train bm" -- "$RBMKIT" train --data "$BAS" --machine bm --hidden 3 --epochs 10 \
  --batch 8 --seed 3 --out "$WORK/bas.bm"

# Float and double dumps of an RBM (CD-1, PCD-3) and a BM; each says its precision, and each
# passes the check with the tolerance its precision sets.
for p in float double; do
  for m in "rbm cd 1" "rbm pcd 3" "bm pcd 2"; do
    set -- $m
    model=$WORK/bas.$1
    [ "$1" = rbm ] && model=$WORK/bas.rbm
    d=$WORK/dump-$1-$2$3-$p
    expect_exit 0 "equiv $m $p" -- "$RBMKIT" equiv --model "$model" --data "$BAS" --method "$2" \
      --k "$3" --batch 16 --precision "$p" --dump "$d"
    CHECKS=$((CHECKS + 1))
    [ "$(cat "$d/precision.txt" 2>/dev/null)" = "$p" ] || fail "equiv $m $p: precision.txt does not say $p"
    expect_exit 0 "check_equiv_dump $m $p" -- "$PY" "$CHECK" "$d"
    CHECKS=$((CHECKS + 1))
    grep -q "ok: largest .*, $p (precision.txt), n = 32)" "$WORK/stdout" ||
      fail "check_equiv_dump $m $p: no ok line with the $p tolerance: $(cat "$WORK/stdout")"
  done
done

# Several directories at once; the float tolerance is far above double's.
expect_exit 0 "check_equiv_dump both" -- "$PY" "$CHECK" "$WORK/dump-rbm-cd1-float" "$WORK/dump-rbm-cd1-double"
CHECKS=$((CHECKS + 1))
[ "$(grep -c '^  ok: ' "$WORK/stdout")" -eq 2 ] || fail "two directories should give two ok lines"

# A dump written before precision.txt existed: its precision is read from its numbers.
cp -r "$WORK/dump-rbm-cd1-float" "$WORK/old-float"
rm "$WORK/old-float/precision.txt"
expect_exit 0 "check_equiv_dump without precision.txt" -- "$PY" "$CHECK" "$WORK/old-float"
CHECKS=$((CHECKS + 1))
grep -q "float (every number is a float)" "$WORK/stdout" || fail "an old float dump is not recognised as float: $(cat "$WORK/stdout")"

# Negative control: one changed entry of an update is reported (exit 1, FAILED).
cp -r "$WORK/dump-rbm-cd1-double" "$WORK/bad"
awk -F, 'NR == 1 { $1 = $1 + 1e-6 } 1' OFS=, "$WORK/dump-rbm-cd1-double/correlator_dW.csv" \
  >"$WORK/bad/correlator_dW.csv"
run_expecting 1 "check_equiv_dump on a changed update" "$PY" "$CHECK" "$WORK/bad"
CHECKS=$((CHECKS + 1))
grep -q "FAILED" "$WORK/stdout" || fail "a changed update is not reported FAILED: $(cat "$WORK/stdout")"

# Usage: --help prints it and exits 0; no directory or a bad tolerance exit 2.
run_expecting 0 "check_equiv_dump --help" "$PY" "$CHECK" --help
CHECKS=$((CHECKS + 1))
grep -q "^usage: check_equiv_dump.py" "$WORK/stdout" || fail "--help prints no usage: $(cat "$WORK/stdout")"
run_expecting 2 "check_equiv_dump without DIR" "$PY" "$CHECK"
run_expecting 2 "check_equiv_dump --tolerance nan" "$PY" "$CHECK" --tolerance nan "$WORK/bad"
# A directory that is not a dump: one line naming it, exit 1.
run_expecting 1 "check_equiv_dump on a non-dump" "$PY" "$CHECK" "$WORK"
expect_stderr_contains "$WORK: cannot check" "check_equiv_dump on a non-dump"

finish
