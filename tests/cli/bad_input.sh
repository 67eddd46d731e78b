#!/usr/bin/env bash
# The bad-input matrix: every class of bad input for every reader and option the program has.
# Each case must give its documented exit code (below 128), one line on stderr naming the file
# or option at fault (train may print progress lines first; its error is then the last line),
# and leave the file at --out as it was, with no temporary file beside it.
#   data files (train --data, eval --data, eval --base-data, train --test): missing, unreadable,
#     a directory, empty, no examples, truncated, wrong magic, wrong dimensions, NaN and Inf,
#     negative values, sizes claiming more data than the file holds, damaged gzip -> exit 3
#   model files (eval, export, train --resume): missing, unreadable, a directory, empty,
#     truncated, not a model, bad checksum, unknown version, NaN parameters, sizes claiming
#     more than the file holds -> exit 4
#   parameter CSV (import --dir): missing, NaN, Inf, wrong sizes, beyond float -> exit 3
#   option values: negative, zero and NaN -> exit 2; an output path that is a directory -> 5
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"
[ -x "$CLI_TOOL" ] || { fail "no CLI tool given (third argument)"; finish; }

# --- good files to start from ---------------------------------------------------------------------
for ((i = 0; i < 12; i++)); do
  line=""; for ((j = 0; j < 9; j++)); do line+="${line:+,}$(( (i + j) % 3 == 0 ))"; done; echo "$line"
done > ok.csv
"$RBMKIT" train --data ok.csv --hidden 3 --epochs 2 --batch 4 --monitor-examples 4 --out model.rbm 2>/dev/null
cp model.rbm keep.rbm && cp model.rbm keep.orig
mkdir -p adir
idx_header() {  # idx_header N ROWS COLS : an idx3 header
  printf '\x00\x00\x08\x03'
  for d in "$1" "$2" "$3"; do printf "\\x$(printf %02x $((d >> 24 & 255)))\\x$(printf %02x $((d >> 16 & 255)))\\x$(printf %02x $((d >> 8 & 255)))\\x$(printf %02x $((d & 255)))"; done
}
{ idx_header 12 3 3; head -c 108 /dev/zero; } > ok.idx

# --- bad data files -------------------------------------------------------------------------------
ln -sf /proc/self/mem unreadable.csv  # opens, but every read fails (EIO), even for root
ln -sf /proc/self/mem unreadable.idx
: > empty.csv
: > empty.idx
printf 'a,b,c,d,e,f,g,h,i\n' > header-only.csv
{ idx_header 12 3 3; head -c 50 /dev/zero; } > truncated.idx
{ printf '\x00\x00\x0d\x03'; head -c 120 /dev/zero; } > float-elements.idx
printf 'P5\n3 3\n255\n' > not-idx.idx
{ idx_header 12 4 4; head -c 192 /dev/zero; } > wrong-dims.idx
printf '1,0,1,0,1,0,1,0,1\n0,1,0,nan,0,1,0,1,0\n' > nan.csv
printf '1,0,1,0,1,0,1,0,1\n0,1,0,1,inf,1,0,1,0\n' > inf.csv
printf '1,0,1,0,1,0,1,0,1\n0,1,0,1,0,-1,0,1,0\n' > negative.csv
{ idx_header 1000000 3 3; head -c 108 /dev/zero; } > claims-more.idx
gzip -c ok.csv > whole.csv.gz && head -c 30 whole.csv.gz > cut.csv.gz
DATA_FILES=(nosuch.csv unreadable.csv unreadable.idx adir empty.csv empty.idx header-only.csv truncated.idx
            float-elements.idx not-idx.idx nan.csv inf.csv negative.csv claims-more.idx cut.csv.gz)
check_kept() {  # check_kept DESCRIPTION : keep.rbm is as it was and no temporary file is left
  CHECKS=$((CHECKS + 1))
  cmp -s keep.rbm keep.orig || fail "$1: the file at --out was changed"
  ls ./*.tmp.* >/dev/null 2>&1 && fail "$1: a temporary file was left"
}
for f in "${DATA_FILES[@]}" wrong-dims.idx; do
  if [ "$f" != wrong-dims.idx ]; then  # train has no model to disagree with
    expect_exit 3 "train --data $f" -- "$RBMKIT" train --data "$f" --hidden 3 --epochs 1 --batch 4 --out keep.rbm
    expect_stderr_contains "$f" "train --data $f"
  fi
  expect_exit 3 "eval --data $f" -- "$RBMKIT" eval --model model.rbm --data "$f"
  expect_stderr_contains "$f" "eval --data $f"
  expect_exit 3 "eval --base-data $f" -- "$RBMKIT" eval --model model.rbm --data ok.csv --ais --ais-runs 2 --ais-betas 10 --base-data "$f"
  expect_stderr_contains "$f" "eval --base-data $f"
  expect_exit 3 "train --test $f" -- "$RBMKIT" train --data ok.csv --hidden 3 --epochs 1 --batch 4 --test "$f" --out keep.rbm
  expect_stderr_contains "$f" "train --test $f"
  check_kept "data file $f"
done
expect_exit 0 "the good IDX file" -- "$RBMKIT" eval --model model.rbm --data ok.idx  # for contrast

# --- bad model files ------------------------------------------------------------------------------
ln -sf /proc/self/mem unreadable.rbm
: > empty.rbm
head -c 60 model.rbm > truncated.rbm
cp ok.csv not-a-model.rbm
patch() {  # patch IN OUT OFFSET BYTE... : OUT is IN with bytes written at OFFSET
  cp "$1" "$2"
  local out=$2 at=$3 b
  shift 3
  for b in "$@"; do printf "\\x$b" | dd of="$out" bs=1 seek="$at" conv=notrunc 2>/dev/null; at=$((at + 1)); done
}
SIZE=$(wc -c < model.rbm)
patch model.rbm bad-checksum.rbm $((SIZE / 2)) 5a
patch model.rbm version-9.rbm 8 09 && "$CLI_TOOL" fix-crc version-9.rbm
# n_visible at offset 16 (magic 8, version 4, element type, kind, unit types 4): 2^40.
patch model.rbm claims-more.rbm 16 00 00 00 00 00 01 00 00 && "$CLI_TOOL" fix-crc claims-more.rbm
# The first element of W (float, little-endian) set to NaN: W's data follows its name length
# (2 bytes), its name and its rows and columns (8 bytes each).
W_AT=$(grep -obaP '\x01\x00W' model.rbm | head -1 | cut -d: -f1)
if [ -n "$W_AT" ]; then
  patch model.rbm nan-weight.rbm $((W_AT + 19)) 00 00 c0 7f && "$CLI_TOOL" fix-crc nan-weight.rbm
else
  fail "cannot find W in model.rbm"
fi
MODEL_FILES=(nosuch.rbm unreadable.rbm adir empty.rbm truncated.rbm not-a-model.rbm bad-checksum.rbm
             version-9.rbm claims-more.rbm nan-weight.rbm)
for f in "${MODEL_FILES[@]}"; do
  expect_exit 4 "eval --model $f" -- "$RBMKIT" eval --model "$f" --data ok.csv
  expect_stderr_contains "$f" "eval --model $f"
  expect_exit 4 "export --model $f" -- "$RBMKIT" export --model "$f" --dir exported
  expect_stderr_contains "$f" "export --model $f"
  expect_exit 4 "train --resume $f" -- "$RBMKIT" train --resume "$f" --data ok.csv --out keep.rbm
  expect_stderr_contains "$f" "train --resume $f"
  check_kept "model file $f"
done
expect_stderr_contains "NaN" "a NaN weight is named"

# --- bad parameter CSV for import ------------------------------------------------------------------
"$RBMKIT" export --model model.rbm --dir params 2>/dev/null
broken_params() {  # broken_params DESCRIPTION FILE CONTENT [IMPORT OPTIONS...]
  local what=$1 file=$2 content=$3
  shift 3
  rm -rf bad && cp -r params bad && printf "$content" > "bad/$file"
  expect_exit 3 "import: $what" -- "$RBMKIT" import --dir bad --out keep.rbm "$@"
  expect_stderr_contains "bad/$file" "import: $what"
}
broken_params "empty W.csv" W.csv ''
broken_params "NaN bias" b.csv '0\n0\nnan\n0\n0\n0\n0\n0\n0\n'
broken_params "infinite bias" c.csv '0\n-inf\n0\n'
broken_params "short c.csv" c.csv '0\n0\n'
broken_params "bias beyond float" c.csv '0\n1e39\n0\n' --precision float
expect_stderr_contains "--precision double" "import: bias beyond float"
expect_exit 3 "import --dir missing" -- "$RBMKIT" import --dir nosuch --out keep.rbm
expect_stderr_contains "nosuch" "import --dir missing"
check_kept "import"

# --- option values: negative, zero, NaN ------------------------------------------------------------
T=(train --data ok.csv --out keep.rbm)
for case in "--hidden 0" "--hidden -3" "--epochs 0" "--epochs -1" "--batch 0" "--lr 0" "--lr -0.1" "--lr nan" \
            "--lr-decay -1" "--momentum -0.5" "--momentum nan" "--weight-decay -1" "--weight-decay nan" \
            "--threshold nan" "--threshold -1" "--k 0" "--seed -1" "--threads -1" "--valid -1" \
            "--average-from nan" "--average-from -1" "--sparsity-cost -1" "--checkpoint-every -1" \
            "--monitor-examples -1" "--ais-runs 0"; do
  read -r opt val <<<"$case"
  expect_exit 2 "train $case" -- "$RBMKIT" "${T[@]}" "$opt" "$val"
  expect_stderr_contains "$opt" "train $case"
done
E=(eval --model model.rbm --data ok.csv)
for case in "--ais-runs 0" "--ais-runs -5" "--ais-runs nan" "--ais-betas 2" "--ais-betas -1" "--ais-modes 0" \
            "--threshold nan" "--threshold 1" "--max-examples -1" "--reverse-examples -1" "--seed -2" \
            "--threads -1" "--threads nan"; do
  read -r opt val <<<"$case"
  expect_exit 2 "eval $case" -- "$RBMKIT" "${E[@]}" "$opt" "$val"
  expect_stderr_contains "$opt" "eval $case"
done
expect_exit 2 "import --precision nan" -- "$RBMKIT" import --dir params --out keep.rbm --precision nan
expect_exit 2 "equiv --k 0" -- "$RBMKIT" equiv --model model.rbm --data ok.csv --k 0
expect_stderr_contains "--k" "equiv --k 0"
expect_exit 2 "equiv --batch -1" -- "$RBMKIT" equiv --model model.rbm --data ok.csv --batch -1
check_kept "option values"

# --- output paths that are directories, or files where a directory is wanted -------------------------
expect_exit 5 "train --out a directory" -- "$RBMKIT" train --data ok.csv --hidden 2 --epochs 1 --out adir
expect_stderr_contains "adir" "train --out a directory"
expect_exit 5 "train --log a directory" -- "$RBMKIT" train --data ok.csv --hidden 2 --epochs 1 --out keep.rbm --log adir
expect_stderr_contains "adir" "train --log a directory"
expect_exit 5 "import --out a directory" -- "$RBMKIT" import --dir params --out adir
expect_stderr_contains "adir" "import --out a directory"
expect_exit 5 "export --dir a file" -- "$RBMKIT" export --model model.rbm --dir ok.csv
expect_stderr_contains "ok.csv" "export --dir a file"
expect_exit 5 "equiv --dump a file" -- "$RBMKIT" equiv --model model.rbm --data ok.csv --batch 4 --dump ok.csv
expect_stderr_contains "ok.csv" "equiv --dump a file"
check_kept "output paths"

finish
