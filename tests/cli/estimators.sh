# rbmkit estimators: output files and their columns, reproducibility, and bad options.
. "$(dirname "$0")/lib.sh" "$@"

SMALL="--samples 200 --toy-steps 50 --scaling-samples 50"
OUT=$WORK/out
expect_exit 0 "a small study runs" -- "$RBMKIT" estimators $SMALL --instances 2 --out "$OUT"
for f in variance.csv gradients.csv scaling.csv toy.csv variance.png variance-sbn.png toy.png scaling.png scaling-sbn.png; do
  check "$f is written" -- test -s "$OUT/$f"
done
check "variance.csv has the specified header" -- \
  test "$(head -1 "$OUT/variance.csv")" = "task,estimator,units,samples,bias,bias_stderr,max_z,variance"
# 8 estimators x (5 quadratic sizes + 1 toy + 4 sbn sizes) rows, 8 fields each, numbers where due.
check "variance.csv has 80 rows" -- test "$(tail -n +2 "$OUT/variance.csv" | wc -l)" -eq 80
check "every row has 8 fields, known tasks, 200 samples and numeric statistics" -- awk -F, '
  NR > 1 {
    if (NF != 8) exit 1
    if ($1 != "quadratic" && $1 != "toy" && $1 != "sbn") exit 1
    if ($4 != 200) exit 1
    for (i = 5; i <= 8; i++) if ($i !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) exit 1
    if ($6 < 0 || $7 < 0 || $8 < 0) exit 1
  }' "$OUT/variance.csv"
check "the quadratic sizes are 1, 4, 16, 64, 256" -- \
  test "$(awk -F, '$1 == "quadratic" && $2 == "arm" { printf "%s ", $3 }' "$OUT/variance.csv")" = "1 4 16 64 256 "
check "straight-through shows its bias on the quadratic task even with 200 samples" -- \
  awk -F, '$1 == "quadratic" && $2 == "straight-through" && $3 == 16 { exit !($7 > 10) }' "$OUT/variance.csv"
check "toy.csv has its header" -- \
  test "$(head -1 "$OUT/toy.csv")" = "estimator,step,theta_mean,theta_sd,expected_loss"
check "scaling.csv has its header" -- \
  test "$(head -1 "$OUT/scaling.csv")" = "task,estimator,units,instances,samples,median,min,max"
check "variance.png is a PNG" -- sh -c "head -c 8 '$OUT/variance.png' | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'"

# Same seed, same numbers; another seed, other numbers.
expect_exit 0 "a second run" -- "$RBMKIT" estimators $SMALL --task quadratic --instances 0 --out "$WORK/again"
check "the same seed reproduces the quadratic rows" -- \
  cmp -s <(grep '^quadratic' "$OUT/variance.csv") <(grep '^quadratic' "$WORK/again/variance.csv")
check "a task run alone writes only its files" -- test ! -e "$WORK/again/toy.csv"
expect_exit 0 "another seed" -- "$RBMKIT" estimators $SMALL --task quadratic --instances 0 --seed 2 --out "$WORK/seed2"
CHECKS=$((CHECKS + 1))
if cmp -s "$WORK/again/variance.csv" "$WORK/seed2/variance.csv"; then fail "seed 2 gives the same rows as seed 1"; fi

# Bad options: exit 2 and one line on stderr; unwritable output: exit 5.
expect_exit 2 "missing --out" -- "$RBMKIT" estimators --samples 10
expect_stderr_contains "--out" "missing --out"
expect_exit 2 "unknown task" -- "$RBMKIT" estimators --task cubic --out "$WORK/x"
expect_stderr_contains "cubic" "unknown task"
expect_exit 2 "too few samples" -- "$RBMKIT" estimators --samples 1 --out "$WORK/x"
expect_stderr_contains "--samples" "too few samples"
expect_exit 2 "negative seed" -- "$RBMKIT" estimators --seed -3 --out "$WORK/x"
expect_exit 2 "non-numeric samples" -- "$RBMKIT" estimators --samples many --out "$WORK/x"
expect_exit 2 "unknown option" -- "$RBMKIT" estimators --bogus --out "$WORK/x"
touch "$WORK/file"
expect_exit 5 "output path is a file" -- "$RBMKIT" estimators $SMALL --task toy --out "$WORK/file"
expect_exit 3 "missing demo data" -- "$RBMKIT" estimators --task demo --demo-steps 1 --data "$WORK/none.idx" --out "$WORK/demo"
expect_exit 0 "help" -- "$RBMKIT" estimators --help
finish
