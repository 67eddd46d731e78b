#!/usr/bin/env bash
# CLI tests of failing writes: a full device (/dev/full) and a file size limit standing in for a
# full disk (ulimit -f: every write past the limit fails with EFBIG, as on a full file system).
# Every writer (model file, checkpoint, training log, exported and study CSV files, PNG plots)
# must exit 5 with one line naming the file, leave the previous file intact and leave no
# temporary file behind. /dev/null as an output is written in place, never replaced.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

for ((i = 0; i < 12; i++)); do
  line=""; for ((j = 0; j < 9; j++)); do line+="${line:+,}$(( (i + 2 * j) % 4 < 2 ))"; done; echo "$line"
done > data.csv
T=(train --data data.csv --hidden 40 --batch 4 --monitor-examples 4 --epochs 2)
expect_exit 0 "train" -- "$RBMKIT" "${T[@]}" --out keep.rbm --log keep.csv
expect_exit 0 "export" -- "$RBMKIT" export --model keep.rbm --dir params
expect_exit 0 "a small estimator study" -- "$RBMKIT" estimators --task toy --samples 200 --toy-steps 50 --out study
cp keep.rbm keep.orig && cp keep.csv keep.csv.orig && cp -r params params.orig && cp -r study study.orig

no_leftovers() {  # no_leftovers DESCRIPTION : no temporary file anywhere below here
  CHECKS=$((CHECKS + 1))
  local left
  left=$(find . -name '*.tmp.*' | head -3)
  [ -z "$left" ] || fail "$1: left behind $left"
}
unchanged() {  # unchanged DESCRIPTION : every earlier output is as it was
  CHECKS=$((CHECKS + 1))
  cmp -s keep.rbm keep.orig && cmp -s keep.csv keep.csv.orig && diff -r params params.orig >/dev/null &&
    diff -r study study.orig >/dev/null || fail "$1: an earlier output was changed"
}

# --- /dev/full: writing fails with ENOSPC ------------------------------------------------------
if [ -w /dev/full ]; then
  expect_exit_after_progress 5 "train --out /dev/full" -- "$RBMKIT" "${T[@]}" --out /dev/full
  expect_stderr_contains "/dev/full" "train --out /dev/full"
  expect_stderr_contains "No space left on device" "train --out /dev/full"
  CHECKS=$((CHECKS + 1))
  [ -c /dev/full ] || fail "/dev/full is no longer a character device"
  expect_exit_after_progress 5 "train --log /dev/full" -- "$RBMKIT" "${T[@]}" --out new.rbm --log /dev/full
  expect_stderr_contains "/dev/full" "train --log /dev/full"
  expect_exit 5 "import --out /dev/full" -- "$RBMKIT" import --dir params --out /dev/full
  expect_stderr_contains "/dev/full" "import --out /dev/full"
  CHECKS=$((CHECKS + 1))
  [ -c /dev/full ] && [ ! -e /dev/full.partial ] || fail "/dev/full was replaced or got a partial file"
fi
# /dev/null is written in place (and stays a device).
expect_exit 0 "train --out /dev/null --log /dev/null" -- "$RBMKIT" "${T[@]}" --out /dev/null --log /dev/null
CHECKS=$((CHECKS + 1))
[ -c /dev/null ] && [ ! -e /dev/null.partial ] || fail "/dev/null was replaced or got a partial file"
rm -f new.rbm

# --- a file size limit: writes fail with EFBIG past 1 KiB ---------------------------------------
# rbmkit ignores SIGXFSZ itself (the shell here does not), so a write past the limit fails with
# EFBIG instead of killing it. Its stderr goes through a pipe: the limit applies to every file the
# command writes, the test's capture of stderr included.
limited() {
  (ulimit -f 1; exec "$@") 2>&1 >/dev/null | cat >&2
  return "${PIPESTATUS[0]}"
}
expect_exit_after_progress 5 "train --out with a full disk" -- limited "$RBMKIT" "${T[@]}" --out keep.rbm
expect_stderr_contains "keep.rbm" "train --out with a full disk"
expect_stderr_contains "File too large" "train --out with a full disk"
expect_stderr_contains "previous file is untouched" "train --out with a full disk"
unchanged "train --out with a full disk"
no_leftovers "train --out with a full disk"
expect_exit_after_progress 5 "a checkpoint with a full disk" -- limited "$RBMKIT" "${T[@]:0:9}" --epochs 3 --checkpoint-every 1 --out keep.rbm
unchanged "a checkpoint with a full disk"
no_leftovers "a checkpoint with a full disk"
expect_exit_after_progress 5 "resume with a full disk" -- limited "$RBMKIT" train --resume keep.rbm --epochs 3 --out keep.rbm
unchanged "resume with a full disk"
no_leftovers "resume with a full disk"
# The log: 2 KiB of rows per epoch would be needed; the model itself fits in the limit.
for ((i = 0; i < 60; i++)); do echo "0,1,0,1,0,1,0,1,0"; done > long.csv
expect_exit_after_progress 5 "train --log with a full disk" -- limited "$RBMKIT" train --data long.csv --hidden 2 --epochs 40 --batch 30 --monitor-examples 0 --out small.rbm --log keep.csv
expect_stderr_contains "keep.csv" "train --log with a full disk"
unchanged "train --log with a full disk"
no_leftovers "train --log with a full disk"
rm -f keep.csv.partial  # what the run logged before it failed, kept for a resume (docs/cli.md)
expect_exit 5 "import with a full disk" -- limited "$RBMKIT" import --dir params --out keep.rbm
expect_stderr_contains "keep.rbm" "import with a full disk"
expect_exit 5 "export with a full disk" -- limited "$RBMKIT" export --model keep.rbm --dir params
expect_stderr_contains "params/" "export with a full disk"
unchanged "import and export with a full disk"
no_leftovers "import and export with a full disk"
expect_exit 5 "the estimator study with a full disk" -- limited "$RBMKIT" estimators --task toy --samples 200 --toy-steps 50 --out study
unchanged "the estimator study with a full disk"
no_leftovers "the estimator study with a full disk"

finish
