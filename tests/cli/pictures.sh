# rbmkit plot, rbmkit filters and train --filters: PNG pictures of the right size, and bad inputs
# refused with one line, the documented exit code and any existing output untouched.
. "$(dirname "$0")/lib.sh" "$@"

# 30 IDX images of 4 rows x 5 columns, and the same pixels as CSV (no shape).
IDX=$WORK/images.idx
{ printf '\x00\x00\x08\x03\x00\x00\x00\x1e\x00\x00\x00\x04\x00\x00\x00\x05'
  head -c 600 /dev/urandom; } > "$IDX"
CSV=$WORK/images.csv
od -An -v -tu1 -j16 -w20 "$IDX" | awk '{ $1 = $1; gsub(/ /, ","); print }' > "$CSV"

# train --filters: 6 hidden units in a 3 x 2 grid of 4x5 tiles, 2 pixels per weight, 2-pixel
# gaps: 2 + 3 (10 + 2) = 38 wide, 2 + 2 (8 + 2) = 22 high. --valid with --eval-every 2 leaves
# empty cells in the log.
expect_exit_after_progress 0 "train --filters" -- "$RBMKIT" train --data "$IDX" --hidden 6 \
  --epochs 3 --batch 5 --valid 5 --eval-every 2 --out "$WORK/m.rbm" --log "$WORK/log.csv" \
  --filters "$WORK/f.png"
CHECKS=$((CHECKS + 1))
[ "$(png_size "$WORK/f.png")" = 38x22 ] || fail "train --filters: a 38x22 PNG, got '$(png_size "$WORK/f.png")'"
expect_exit 0 "filters from the model (shape from the IDX header of its data)" -- \
  "$RBMKIT" filters --model "$WORK/m.rbm" --out "$WORK/f2.png"
check "filters draws what train --filters drew" -- cmp "$WORK/f.png" "$WORK/f2.png"
expect_exit 0 "filters --image-shape 5x4 --zoom 1" -- \
  "$RBMKIT" filters --model "$WORK/m.rbm" --out "$WORK/f3.png" --image-shape 5x4 --zoom 1
CHECKS=$((CHECKS + 1))
[ "$(png_size "$WORK/f3.png")" = 20x16 ] || fail "filters --image-shape 5x4: a 20x16 PNG, got '$(png_size "$WORK/f3.png")'"

# plot: curves of the log (empty cells skipped).
check "the log has empty cells" -- grep -q ',,' "$WORK/log.csv"
expect_exit 0 "plot" -- "$RBMKIT" plot --log "$WORK/log.csv" --out "$WORK/curves.png"
CHECKS=$((CHECKS + 1))
case "$(png_size "$WORK/curves.png")" in 1280x*) ;; *) fail "plot: a PNG two panels wide, got '$(png_size "$WORK/curves.png")'" ;; esac

# Cairo is loaded only to draw (src/plots/cairo_library.hpp): a training run without pictures maps
# none of its libraries, `filters` maps libcairo.so.2. The dynamic loader lists what it maps.
rm -f "$WORK"/ld.*
LD_DEBUG=libs LD_DEBUG_OUTPUT="$WORK/ld" "$RBMKIT" train --data "$IDX" --hidden 6 --epochs 1 \
  --batch 5 --out "$WORK/plain.rbm" >/dev/null 2>&1
check "train without pictures wrote its model" -- test -s "$WORK/plain.rbm"
check "the loader listed what train mapped" -- grep -q 'libopenblas' "$WORK"/ld.*
CHECKS=$((CHECKS + 1))
if grep -q 'libcairo' "$WORK"/ld.*; then fail "train without pictures loaded Cairo"; fi
rm -f "$WORK"/ld.*
LD_DEBUG=libs LD_DEBUG_OUTPUT="$WORK/ld" "$RBMKIT" filters --model "$WORK/m.rbm" \
  --out "$WORK/f4.png" >/dev/null 2>&1
check "filters loads Cairo when it draws" -- grep -q 'libcairo.so.2' "$WORK"/ld.*
check "filters drew after loading Cairo" -- cmp "$WORK/f.png" "$WORK/f4.png"
rm -f "$WORK"/ld.*

# A broken Cairo (an empty file where the loader finds libcairo.so.2): `train --filters` stops
# before training with one line naming the library and its package, the model file untouched.
mkdir -p "$WORK/fakelib" && : > "$WORK/fakelib/libcairo.so.2"
echo keep > "$WORK/keep.rbm"
expect_exit 5 "train --filters without a loadable Cairo" -- env LD_LIBRARY_PATH="$WORK/fakelib" \
  "$RBMKIT" train --data "$IDX" --hidden 6 --epochs 1 --batch 5 --out "$WORK/keep.rbm" \
  --filters "$WORK/nofilters.png"
expect_stderr_contains "libcairo2" "train --filters without a loadable Cairo"
untouched "$WORK/keep.rbm" "train --filters without a loadable Cairo"

# Bad inputs: one line, the right code, the existing output untouched.
echo keep > "$WORK/keep.png"
expect_exit 3 "plot of a missing log" -- "$RBMKIT" plot --log "$WORK/missing.csv" --out "$WORK/keep.png"
expect_stderr_contains "missing.csv" "plot of a missing log"
untouched "$WORK/keep.png" "plot of a missing log"
printf 'step,loss\n1,0.5\n2,0.4\n' > "$WORK/no-epoch.csv"
expect_exit 3 "plot of a log without an epoch column" -- "$RBMKIT" plot --log "$WORK/no-epoch.csv" --out "$WORK/keep.png"
expect_stderr_contains "epoch" "plot of a log without an epoch column"
untouched "$WORK/keep.png" "plot of a log without an epoch column"
printf 'epoch,seconds\n1,0.5\n' > "$WORK/nothing.csv"
expect_exit 3 "plot of a log with nothing to plot" -- "$RBMKIT" plot --log "$WORK/nothing.csv" --out "$WORK/keep.png"
printf 'epoch,reconstruction_error\n1,abc\n' > "$WORK/text.csv"
expect_exit 3 "plot of a log with a word for a number" -- "$RBMKIT" plot --log "$WORK/text.csv" --out "$WORK/keep.png"
expect_stderr_contains "line 2" "plot of a log with a word for a number"
expect_exit 3 "plot of a directory" -- "$RBMKIT" plot --log "$WORK" --out "$WORK/keep.png"
expect_exit 5 "plot into a directory" -- "$RBMKIT" plot --log "$WORK/log.csv" --out "$WORK"
expect_stderr_contains "$WORK" "plot into a directory"
expect_exit 5 "plot into a missing directory" -- "$RBMKIT" plot --log "$WORK/log.csv" --out "$WORK/no/such.png"
expect_exit 2 "plot without --log" -- "$RBMKIT" plot --out "$WORK/keep.png"
expect_stderr_contains "--log" "plot without --log"
untouched "$WORK/keep.png" "plot's bad inputs"

for bad in 3x3 28 x5 0x20 4x5x1 -4x-5; do
  expect_exit 2 "filters --image-shape $bad" -- "$RBMKIT" filters --model "$WORK/m.rbm" --out "$WORK/keep.png" --image-shape "$bad"
  expect_stderr_contains "--image-shape" "filters --image-shape $bad"
done
untouched "$WORK/keep.png" "filters with a bad --image-shape"
expect_exit 5 "filters into a directory" -- "$RBMKIT" filters --model "$WORK/m.rbm" --out "$WORK"
expect_exit 4 "filters of a missing model" -- "$RBMKIT" filters --model "$WORK/none.rbm" --out "$WORK/keep.png"
expect_exit 2 "filters --zoom 0" -- "$RBMKIT" filters --model "$WORK/m.rbm" --out "$WORK/keep.png" --zoom 0
untouched "$WORK/keep.png" "filters' bad inputs"

# CSV data has no image shape: train refuses --filters without --image-shape before training.
expect_exit 2 "train --filters on CSV data without --image-shape" -- "$RBMKIT" train --data "$CSV" \
  --hidden 4 --epochs 1 --out "$WORK/c.rbm" --filters "$WORK/keep.png"
expect_stderr_contains "--image-shape" "train --filters on CSV data without --image-shape"
check "nothing trained" -- test ! -e "$WORK/c.rbm"
expect_exit 2 "train --filters --image-shape 3x3" -- "$RBMKIT" train --data "$IDX" --hidden 4 \
  --epochs 1 --out "$WORK/c.rbm" --filters "$WORK/keep.png" --image-shape 3x3
expect_exit 2 "train --image-shape without --filters" -- "$RBMKIT" train --data "$IDX" --hidden 4 \
  --epochs 1 --out "$WORK/c.rbm" --image-shape 4x5
expect_exit 5 "train --filters into a directory" -- "$RBMKIT" train --data "$IDX" --hidden 4 \
  --epochs 1 --out "$WORK/c.rbm" --filters "$WORK"
untouched "$WORK/keep.png" "train's bad --filters"
expect_exit_after_progress 0 "train --filters on CSV data with --image-shape" -- "$RBMKIT" train \
  --data "$CSV" --hidden 4 --epochs 1 --out "$WORK/c.rbm" --filters "$WORK/c.png" --image-shape 4x5
check "train --filters on CSV data writes a PNG" -- test -n "$(png_size "$WORK/c.png")"
expect_exit 2 "filters of a model trained on CSV without --image-shape: the shape is unknown" -- \
  "$RBMKIT" filters --model "$WORK/c.rbm" --out "$WORK/keep.png"
expect_stderr_contains "--image-shape" "filters of a model trained on CSV"

# A Boltzmann machine has no receptive-field picture.
expect_exit 2 "train --machine bm --filters" -- "$RBMKIT" train --machine bm --data "$CSV" \
  --hidden 2 --epochs 1 --out "$WORK/bm.rbm" --filters "$WORK/keep.png"
expect_stderr_contains "--filters" "train --machine bm --filters"
expect_exit_after_progress 0 "train --machine bm" -- "$RBMKIT" train --machine bm --data "$CSV" \
  --hidden 2 --epochs 1 --batch 10 --out "$WORK/bm.rbm"
expect_exit 4 "filters of a Boltzmann machine" -- "$RBMKIT" filters --model "$WORK/bm.rbm" --out "$WORK/keep.png" --image-shape 4x5
untouched "$WORK/keep.png" "filters of a Boltzmann machine"
finish
