# rbmkit equiv and the two gradient paths through the real program: identical model files,
# BM training, the minibatch check with its dump, the literal setup, and bad input.
. "$(dirname "$0")/lib.sh" "$@"

# 3x3 bars and stripes: the 14 distinct patterns, 4 copies each.
BAS=$WORK/bas.csv
: >"$BAS"
for copy in 1 2 3 4; do
  for bits in 0 1 2 3 4 5 6 7; do
    b0=$((bits & 1)) b1=$((bits >> 1 & 1)) b2=$((bits >> 2 & 1))
    echo "$b0,$b1,$b2,$b0,$b1,$b2,$b0,$b1,$b2" >>"$BAS"                            # stripes
    if [ "$bits" -ne 0 ] && [ "$bits" -ne 7 ]; then
      echo "$b0,$b0,$b0,$b1,$b1,$b1,$b2,$b2,$b2" >>"$BAS"                          # bars
    fi
  done
done

# Byte-identical model files from the two gradient paths, same seed (RBM: CD-1, CD-3, PCD;
# float and double; BM: PCD and CD).
same_model() {
  local what=$1
  shift
  expect_exit 0 "train $what contrastive" -- "$RBMKIT" train --data "$BAS" --epochs 5 --batch 8 \
    --seed 7 --threads 1 --out "$WORK/c.rbm" --gradient contrastive "$@"
  expect_exit 0 "train $what reward-correlator" -- "$RBMKIT" train --data "$BAS" --epochs 5 \
    --batch 8 --seed 7 --threads 1 --out "$WORK/r.rbm" --gradient reward-correlator "$@"
  CHECKS=$((CHECKS + 1))
  cmp -s "$WORK/c.rbm" "$WORK/r.rbm" || fail "$what: the two gradient paths give different model files"
}
same_model "rbm cd-1" --hidden 6 --method cd --k 1
same_model "rbm cd-3 double" --hidden 6 --method cd --k 3 --precision double
same_model "rbm pcd" --hidden 6 --method pcd --sparsity-target 0.2 --sparsity-cost 0.01
same_model "bm pcd" --machine bm --hidden 3 --gibbs-sweeps 2
same_model "bm cd double" --machine bm --hidden 3 --method cd --precision double \
  --connectivity semi-restricted
# A different seed gives a different file (the comparison can fail).
expect_exit 0 "train another seed" -- "$RBMKIT" train --data "$BAS" --epochs 5 --batch 8 \
  --seed 8 --threads 1 --out "$WORK/other.rbm" --machine bm --hidden 3 --method cd \
  --precision double --connectivity semi-restricted
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/r.rbm" "$WORK/other.rbm" && fail "another seed gave the same model file"

# Models for the checks below.
expect_exit 0 "train rbm" -- "$RBMKIT" train --data "$BAS" --hidden 6 --epochs 20 --batch 8 \
  --lr 0.1 --seed 3 --out "$WORK/bas.rbm"
expect_exit 0 "train bm" -- "$RBMKIT" train --data "$BAS" --machine bm --hidden 3 --epochs 20 \
  --batch 8 --lr 0.03 --momentum 0.5 --seed 3 --out "$WORK/bas.bm" --log "$WORK/bm.csv"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$WORK/bm.csv")" -eq 21 ] || fail "bm training log should have a header and 20 rows"

# The minibatch check: both differences printed as 0 and within tolerance; dumps written.
for m in "cd --k 1" "cd --k 5" "pcd --k 1"; do
  name=$(echo "$m" | tr -d ' -')
  # shellcheck disable=SC2086
  expect_exit 0 "equiv rbm $m" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" --data "$BAS" \
    --method $m --batch 16 --dump "$WORK/dump-$name"
  CHECKS=$((CHECKS + 1))
  grep -q "^  weights         0$" "$WORK/stdout" || fail "equiv rbm $m: weights differ: $(cat "$WORK/stdout")"
  for f in stream contrastive_dW contrastive_db contrastive_dc correlator_dW correlator_db correlator_dc; do
    CHECKS=$((CHECKS + 1))
    [ -s "$WORK/dump-$name/$f.csv" ] || fail "equiv rbm $m: $f.csv missing"
  done
  CHECKS=$((CHECKS + 1))
  # 32 rows (16 positive, 16 negative), 1 + 9 + 6 columns.
  [ "$(wc -l <"$WORK/dump-$name/stream.csv")" -eq 32 ] || fail "stream.csv should have 32 rows"
  [ "$(head -1 "$WORK/dump-$name/stream.csv" | tr ',' '\n' | wc -l)" -eq 16 ] ||
    fail "stream.csv should have 16 columns"
done
expect_exit 0 "equiv rbm float" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" --data "$BAS" \
  --precision float --batch 7 --k 2
expect_exit 0 "equiv bm" -- "$RBMKIT" equiv --model "$WORK/bas.bm" --data "$BAS" --machine bm \
  --method pcd --k 3 --batch 20 --dump "$WORK/dump-bm"
CHECKS=$((CHECKS + 1))
grep -q "hidden-hidden   0$" "$WORK/stdout" || fail "equiv bm: hidden-hidden block not reported as 0"
CHECKS=$((CHECKS + 1))
[ -s "$WORK/dump-bm/mask.csv" ] || fail "equiv bm: mask.csv missing"

# The literal setup of section 4.2 on the 9-visible models.
expect_exit 0 "equiv --literal rbm" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" --data "$BAS" \
  --literal --pairs 5000
expect_exit 0 "equiv --literal bm" -- "$RBMKIT" equiv --model "$WORK/bas.bm" --data "$BAS" \
  --literal --pairs 5000
CHECKS=$((CHECKS + 1))
grep -q "centered (Theorem 1)" "$WORK/stdout" || fail "equiv --literal: no centered report"

# Options of one check given with the other are refused, not ignored.
for opt in "--method pt" "--temperatures 5" "--k 4" "--batch 7" "--precision float" "--tolerance 1"; do
  # shellcheck disable=SC2086
  expect_exit 2 "equiv --literal $opt" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" --data "$BAS" \
    --literal --pairs 100 $opt
  expect_stderr_contains "${opt%% *}: applies to the minibatch check" "equiv --literal $opt"
done
for opt in "--pairs 100" "--burn-in 5" "--z 3"; do
  # shellcheck disable=SC2086
  expect_exit 2 "equiv $opt without --literal" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" \
    --data "$BAS" $opt
  expect_stderr_contains "${opt%% *}: applies only with --literal" "equiv $opt"
done

# Bad input: one line on stderr and the documented exit code.
expect_exit 2 "equiv without --model" -- "$RBMKIT" equiv --data "$BAS"
expect_stderr_contains "--model" "equiv without --model"
expect_exit 4 "equiv --machine bm on an RBM" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" \
  --data "$BAS" --machine bm
expect_exit 4 "equiv on a missing model" -- "$RBMKIT" equiv --model "$WORK/none.rbm" --data "$BAS"
expect_exit 2 "equiv --batch too large" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" --data "$BAS" \
  --batch 1000
expect_stderr_contains "--batch" "equiv --batch too large"
expect_exit 2 "equiv --method bad" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" --data "$BAS" \
  --method xyz
printf '1,0,1\n0,1,0\n' >"$WORK/small.csv"
expect_exit 3 "equiv data of the wrong dimension" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" \
  --data "$WORK/small.csv" --batch 2
expect_exit 5 "equiv --dump onto a file" -- "$RBMKIT" equiv --model "$WORK/bas.rbm" --data "$BAS" \
  --batch 4 --dump "$BAS"
expect_exit 2 "train --machine bad" -- "$RBMKIT" train --data "$BAS" --machine xyz --out "$WORK/x.rbm"
expect_stderr_contains "--machine" "train --machine bad"
expect_exit 2 "train --gibbs-sweeps 0" -- "$RBMKIT" train --data "$BAS" --machine bm \
  --gibbs-sweeps 0 --out "$WORK/x.rbm"
expect_exit 2 "train --gibbs-sweeps with an RBM" -- "$RBMKIT" train --data "$BAS" --hidden 4 \
  --gibbs-sweeps 3 --out "$WORK/x.rbm"
expect_exit 2 "train --k with a BM" -- "$RBMKIT" train --data "$BAS" --machine bm --hidden 4 \
  --k 3 --out "$WORK/x.rbm"
expect_exit 2 "train bm with a sparsity cost" -- "$RBMKIT" train --data "$BAS" --machine bm \
  --hidden 4 --sparsity-cost 0.1 --out "$WORK/x.rbm"
expect_exit 2 "train --connectivity bad" -- "$RBMKIT" train --data "$BAS" --machine bm \
  --hidden 4 --connectivity ring --out "$WORK/x.rbm"
CHECKS=$((CHECKS + 1))
[ -e "$WORK/x.rbm" ] && fail "a failed run wrote a model file"

finish
