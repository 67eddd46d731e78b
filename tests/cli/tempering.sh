# rbmkit sample (parallel tempering) and train --method pt: a PNG of the right size, the swap
# acceptance line, same seed same picture; train --method pt resumes and is refused where it does
# not apply; bad inputs refused with one line, the documented exit code and the output untouched.
. "$(dirname "$0")/lib.sh" "$@"

# 30 IDX images of 4 rows x 5 columns.
IDX=$WORK/images.idx
{ printf '\x00\x00\x08\x03\x00\x00\x00\x1e\x00\x00\x00\x04\x00\x00\x00\x05'
  head -c 600 /dev/urandom; } > "$IDX"

# train --method pt, then sample from the model.
expect_exit_after_progress 0 "train --method pt" -- "$RBMKIT" train --data "$IDX" --hidden 6 \
  --epochs 2 --batch 5 --method pt --temperatures 3 --out "$WORK/m.rbm"
check "the model records pt and its temperatures" -- grep -aq "temperatures" "$WORK/m.rbm"
# 6 samples in a 3 x 2 grid of 4x5 tiles, 2 pixels per unit, 2-pixel gaps: 38 x 22; 4 samples
# of 5x4 at 1 pixel per unit in a 2 x 2 grid: 2 + 2 (4 + 2) = 14 wide, 2 + 2 (5 + 2) = 16 high.
expect_exit 0 "sample" -- "$RBMKIT" sample --model "$WORK/m.rbm" --count 6 --steps 20 \
  --burn-in 5 --temperatures 4 --seed 3 --out "$WORK/s.png"
CHECKS=$((CHECKS + 1))
[ "$(png_size "$WORK/s.png")" = 38x22 ] || fail "sample: a 38x22 PNG, got '$(png_size "$WORK/s.png")'"
CHECKS=$((CHECKS + 1))
grep -q '^swap acceptance between neighbouring temperatures, beta 1 first: [0-9.]* [0-9.]* [0-9.]* (overall [0-9.]*)$' "$WORK/stdout" ||
  fail "sample prints three swap acceptance rates: $(cat "$WORK/stdout")"
expect_exit 0 "sample again with the same seed" -- "$RBMKIT" sample --model "$WORK/m.rbm" \
  --count 6 --steps 20 --burn-in 5 --temperatures 4 --seed 3 --out "$WORK/s2.png"
check "the same seed draws the same picture" -- cmp "$WORK/s.png" "$WORK/s2.png"
expect_exit 0 "sample with another seed" -- "$RBMKIT" sample --model "$WORK/m.rbm" \
  --count 6 --steps 20 --burn-in 5 --temperatures 4 --seed 4 --out "$WORK/s3.png"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/s.png" "$WORK/s3.png" && fail "another seed draws another picture"
expect_exit 0 "sample --temperatures 1 (plain Gibbs) --image-shape 5x4 --zoom 1" -- \
  "$RBMKIT" sample --model "$WORK/m.rbm" --count 4 --steps 3 --temperatures 1 \
  --image-shape 5x4 --zoom 1 --out "$WORK/s4.png"
CHECKS=$((CHECKS + 1))
[ "$(png_size "$WORK/s4.png")" = 14x16 ] || fail "sample --image-shape 5x4: a 14x16 PNG, got '$(png_size "$WORK/s4.png")'"

# Resume of a pt run continues with its stored temperatures.
expect_exit_after_progress 0 "train --method pt with a checkpoint" -- "$RBMKIT" train \
  --data "$IDX" --hidden 6 --epochs 1 --batch 5 --method pt --temperatures 3 --out "$WORK/r.rbm"
expect_exit_after_progress 0 "resume a pt run" -- "$RBMKIT" train --resume "$WORK/r.rbm" \
  --epochs 2 --out "$WORK/r2.rbm"

# Bad inputs of sample: one line, the right code, the existing output untouched.
echo keep > "$WORK/keep.png"
expect_exit 2 "sample without --model" -- "$RBMKIT" sample --out "$WORK/keep.png"
expect_stderr_contains "--model" "sample without --model"
expect_exit 2 "sample without --out" -- "$RBMKIT" sample --model "$WORK/m.rbm"
expect_stderr_contains "--out" "sample without --out"
expect_exit 4 "sample of a missing model" -- "$RBMKIT" sample --model "$WORK/missing.rbm" --out "$WORK/keep.png"
expect_stderr_contains "missing.rbm" "sample of a missing model"
for opt in count steps temperatures; do
  for bad in 0 -3 many; do
    expect_exit 2 "sample --$opt $bad" -- "$RBMKIT" sample --model "$WORK/m.rbm" --out "$WORK/keep.png" --$opt "$bad"
    expect_stderr_contains "--$opt" "sample --$opt $bad"
  done
done
expect_exit 2 "sample --burn-in -1" -- "$RBMKIT" sample --model "$WORK/m.rbm" --out "$WORK/keep.png" --burn-in -1
expect_exit 2 "sample --image-shape 3x3" -- "$RBMKIT" sample --model "$WORK/m.rbm" --out "$WORK/keep.png" --image-shape 3x3
expect_stderr_contains "--image-shape" "sample --image-shape 3x3"
expect_exit 5 "sample into a missing directory" -- "$RBMKIT" sample --model "$WORK/m.rbm" --out "$WORK/no/such.png"
untouched "$WORK/keep.png" "sample's bad inputs"
# A Boltzmann machine cannot be sampled by tempering.
expect_exit_after_progress 0 "train a Boltzmann machine" -- "$RBMKIT" train --data "$IDX" \
  --machine bm --hidden 2 --epochs 1 --batch 10 --out "$WORK/bm.rbm"
expect_exit 4 "sample of a Boltzmann machine" -- "$RBMKIT" sample --model "$WORK/bm.rbm" --out "$WORK/keep.png"
untouched "$WORK/keep.png" "sample of a Boltzmann machine"

# train: --temperatures only with --method pt; pt only for RBMs; at least 2 temperatures.
expect_exit 2 "train --temperatures with pcd" -- "$RBMKIT" train --data "$IDX" --hidden 4 \
  --epochs 1 --temperatures 4 --out "$WORK/x.rbm"
expect_stderr_contains "--temperatures: applies only with --method pt" "train --temperatures with pcd"
expect_exit 2 "train --method pt --temperatures 1" -- "$RBMKIT" train --data "$IDX" --hidden 4 \
  --epochs 1 --method pt --temperatures 1 --out "$WORK/x.rbm"
expect_stderr_contains "--temperatures" "train --method pt --temperatures 1"
expect_exit 2 "train --temperatures beyond the maximum" -- "$RBMKIT" train --data "$IDX" \
  --hidden 4 --epochs 1 --method pt --temperatures 99999999999 --out "$WORK/x.rbm"
expect_stderr_contains "--temperatures: at most 1000" "names --temperatures and its maximum"
expect_exit 2 "sample --temperatures beyond the maximum" -- "$RBMKIT" sample --model "$WORK/m.rbm" \
  --out "$WORK/keep.png" --temperatures 1001
expect_stderr_contains "--temperatures" "sample names --temperatures"
expect_exit 2 "sample --count beyond the maximum" -- "$RBMKIT" sample --model "$WORK/m.rbm" \
  --out "$WORK/keep.png" --count 99999999999
expect_stderr_contains "--count: at most 10000" "names --count and its maximum"
expect_exit 2 "equiv --method pt on a Boltzmann machine" -- "$RBMKIT" equiv --model "$WORK/bm.rbm" \
  --data "$IDX" --method pt --batch 5
expect_stderr_contains "--method" "names --method"
expect_stderr_contains "bm.rbm" "names the model file"
expect_exit 2 "train --machine bm --method pt" -- "$RBMKIT" train --data "$IDX" --machine bm \
  --hidden 2 --epochs 1 --method pt --out "$WORK/x.rbm"
expect_stderr_contains "--method" "train --machine bm --method pt"
expect_exit 2 "train --method pt resumed with --temperatures" -- "$RBMKIT" train \
  --resume "$WORK/r.rbm" --temperatures 5 --out "$WORK/x.rbm"
CHECKS=$((CHECKS + 1))
[ -e "$WORK/x.rbm" ] && fail "refused runs wrote no model"

# equiv --method pt: both paths bitwise identical; --temperatures only with pt.
expect_exit 0 "equiv --method pt" -- "$RBMKIT" equiv --model "$WORK/m.rbm" --data "$IDX" \
  --method pt --temperatures 3 --batch 5 --k 2
CHECKS=$((CHECKS + 1))
grep -q "pt-2 with 3 temperatures" "$WORK/stdout" || fail "equiv --method pt names its setting: $(head -1 "$WORK/stdout")"
expect_exit 2 "equiv --temperatures with cd" -- "$RBMKIT" equiv --model "$WORK/m.rbm" --data "$IDX" \
  --method cd --temperatures 3 --batch 5
expect_exit 2 "equiv --method pt for a Boltzmann machine" -- "$RBMKIT" equiv --model "$WORK/bm.rbm" \
  --data "$IDX" --method pt --batch 5

finish
