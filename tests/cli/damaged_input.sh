#!/usr/bin/env bash
# CLI tests of damaged compressed input: a gzip file cut short anywhere (the case of a copy that
# stopped right after a full flush, which decompresses cleanly up to the cut), with a changed
# byte, with a damaged CRC or length, or with bytes after its end is refused with exit 3 and one
# line naming the file and "damaged compressed data"; the file at --out stays as it was. A file
# of two complete gzip members is read whole, as gzip reads it.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"
[ -x "$CLI_TOOL" ] || { fail "no CLI tool given (third argument)"; finish; }

# --- a 10-row CSV, compressed with a full flush after row 3 ---------------------------------
for ((i = 0; i < 10; i++)); do
  line=""; for ((j = 0; j < 12; j++)); do line+="${line:+,}$(( (i * 5 + j * 3) % 7 < 3 ))"; done; echo "$line"
done > rows.csv
FLUSH=$("$CLI_TOOL" gzip rows.csv rows.csv.gz 3)
SIZE=$(wc -c < rows.csv.gz)
head -c "$FLUSH" rows.csv.gz > cut.csv.gz  # the issue's file: ends right after the flush

expect_exit 0 "train on the whole gzip file" -- "$RBMKIT" train --data rows.csv.gz --hidden 3 --epochs 1 --batch 2 --monitor-examples 4 --out keep.rbm
cp keep.rbm before.rbm
expect_exit 3 "train on the gzip file cut after the flush" -- "$RBMKIT" train --data cut.csv.gz --hidden 3 --epochs 1 --batch 2 --out keep.rbm
expect_stderr_contains "damaged compressed data" "cut after the flush"
expect_stderr_contains "cut.csv.gz" "cut after the flush"
CHECKS=$((CHECKS + 1))
cmp -s keep.rbm before.rbm || fail "a refused input changed the file at --out"
ls keep.rbm.tmp.* >/dev/null 2>&1 && fail "a refused input left a temporary file"

# Every other cut point: refused as damaged (not "a field is not a number", not fewer rows).
expect_exit 0 "eval on the whole gzip file" -- "$RBMKIT" eval --model keep.rbm --data rows.csv.gz --json
for ((k = 2; k < SIZE; k++)); do
  head -c "$k" rows.csv.gz > cut-$k.csv.gz
  expect_exit 3 "eval on the gzip file cut at byte $k of $SIZE" -- "$RBMKIT" eval --model keep.rbm --data cut-$k.csv.gz
  expect_stderr_contains "cut-$k.csv.gz): damaged compressed data" "cut at byte $k"
done

# --- corruption: a deflate byte, the CRC-32, the length; bytes after the end -------------------
patch_byte() {  # patch_byte IN OUT OFFSET : OUT is IN with the byte at OFFSET inverted
  cp "$1" "$2"
  local old
  old=$(od -An -tu1 -j "$3" -N1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $((255 - old)))" | dd of="$2" bs=1 seek="$3" conv=notrunc 2>/dev/null
}
patch_byte rows.csv.gz bad-data.csv.gz $((FLUSH - 3))
patch_byte rows.csv.gz bad-crc.csv.gz $((SIZE - 6))
patch_byte rows.csv.gz bad-length.csv.gz $((SIZE - 2))
{ cat rows.csv.gz; printf 'junk'; } > trailing.csv.gz
{ cat rows.csv.gz; printf '\0\0\0\0'; } > zeros.csv.gz
for f in bad-data bad-crc bad-length trailing zeros; do
  expect_exit 3 "train on $f.csv.gz" -- "$RBMKIT" train --data $f.csv.gz --hidden 3 --epochs 1 --batch 2 --out keep.rbm
  expect_stderr_contains "$f.csv.gz): damaged compressed data" "$f.csv.gz"
done
expect_stderr_contains "follow the end of the gzip stream" "bytes after the end"
CHECKS=$((CHECKS + 1))
cmp -s keep.rbm before.rbm || fail "a refused input changed the file at --out"

# Two whole gzip members (what `cat a.gz b.gz` gives) are one file of both contents.
cat rows.csv.gz rows.csv.gz > twice.csv.gz
expect_exit 0 "eval on two gzip members" -- "$RBMKIT" eval --model keep.rbm --data twice.csv.gz --json
grep -q '"examples": 20' "$WORK/stdout" || fail "two members should give 20 examples: $(cat "$WORK/stdout")"

# --- IDX images: the same for the IDX reader ---------------------------------------------------
{
  printf '\x00\x00\x08\x03\x00\x00\x00\x0a\x00\x00\x00\x03\x00\x00\x00\x04'
  while IFS=, read -r -a px; do for p in "${px[@]}"; do
    if [ "$p" = 1 ]; then printf '\xff'; else printf '\x00'; fi
  done; done < rows.csv
} > rows.idx
"$CLI_TOOL" gzip rows.idx rows.idx.gz > /dev/null
ISIZE=$(wc -c < rows.idx.gz)
expect_exit 0 "eval on gzip IDX" -- "$RBMKIT" eval --model keep.rbm --data rows.idx.gz --json
for k in 2 10 $((ISIZE / 2)) $((ISIZE - 8)) $((ISIZE - 1)); do
  head -c "$k" rows.idx.gz > cut-$k.idx.gz
  expect_exit 3 "train on gzip IDX cut at byte $k of $ISIZE" -- "$RBMKIT" train --data cut-$k.idx.gz --hidden 3 --epochs 1 --batch 2 --out keep.rbm
  expect_stderr_contains "cut-$k.idx.gz): damaged compressed data" "IDX cut at byte $k"
done
patch_byte rows.idx.gz bad-crc.idx.gz $((ISIZE - 6))
expect_exit 3 "eval on gzip IDX with a bad CRC" -- "$RBMKIT" eval --model keep.rbm --data bad-crc.idx.gz
expect_stderr_contains "bad-crc.idx.gz): damaged compressed data" "IDX with a bad CRC"
expect_exit 3 "eval with a damaged --base-data" -- "$RBMKIT" eval --model keep.rbm --data rows.idx.gz --ais --ais-runs 2 --ais-betas 10 --base-data bad-crc.idx.gz
expect_stderr_contains "bad-crc.idx.gz): damaged compressed data" "damaged --base-data"
CHECKS=$((CHECKS + 1))
cmp -s keep.rbm before.rbm || fail "a refused input changed the file at --out"

finish
