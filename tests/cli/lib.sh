# Helpers for the CLI tests: source this file, then call the expect_* functions.
# Usage in a test script:  . "$(dirname "$0")/lib.sh" "$@"
set -u
RBMKIT=$1
WORK=$2
CLI_TOOL=${3:-}  # tools/cli_tool.cpp
rm -rf "$WORK" && mkdir -p "$WORK"
FAILED=0
CHECKS=0

fail() { echo "FAIL: $*" >&2; FAILED=$((FAILED + 1)); }

# run_expecting CODE DESCRIPTION command... : runs the command with its output in $WORK/stdout and
# $WORK/stderr; false (after a FAIL line) when its exit code is not CODE.
run_expecting() {
  local want=$1 what=$2
  shift 2
  CHECKS=$((CHECKS + 1))
  "$@" >"$WORK/stdout" 2>"$WORK/stderr"
  local got=$?
  [ "$got" -eq "$want" ] && return 0
  fail "$what: exit $got, expected $want; stderr: $(tail -c 400 "$WORK/stderr")"
  return 1
}

# expect_exit CODE DESCRIPTION -- command...   : runs the command, checks its exit code, and that a
# failing command prints exactly one line on stderr.
expect_exit() {
  local want=$1 what=$2
  shift 3
  run_expecting "$want" "$what" "$@" || return
  if [ "$want" -ne 0 ]; then
    local lines
    lines=$(wc -l <"$WORK/stderr")
    if [ "$lines" -ne 1 ]; then fail "$what: expected one line on stderr, got $lines: $(head -c 400 "$WORK/stderr")"; fi
  fi
}

# expect_exit_after_progress CODE DESCRIPTION -- command... : as expect_exit for a command that
# may print progress lines (train) before failing: its error is the last line on stderr, and it
# begins with "rbmkit ".
expect_exit_after_progress() {
  local want=$1 what=$2
  shift 3
  run_expecting "$want" "$what" "$@" || return
  tail -n 1 "$WORK/stderr" | grep -q '^rbmkit [a-z]*: ' || fail "$what: the last line on stderr is not the error: $(tail -c 400 "$WORK/stderr")"
}

# expect_stderr_contains TEXT DESCRIPTION : the last command's stderr mentions TEXT.
expect_stderr_contains() {
  CHECKS=$((CHECKS + 1))
  grep -qF -- "$1" "$WORK/stderr" || fail "$2: stderr does not mention '$1': $(head -c 400 "$WORK/stderr")"
}

check() {  # check DESCRIPTION -- command... : the command must succeed
  local what=$1
  shift 2
  CHECKS=$((CHECKS + 1))
  "$@" >/dev/null 2>&1 || fail "$what"
}

# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk, empty when FILE is not a PNG.
png_size() {
  [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || return 0
  local w h
  w=$(od -An -tu4 --endian=big -j16 -N4 "$1" | tr -d ' ')
  h=$(od -An -tu4 --endian=big -j20 -N4 "$1" | tr -d ' ')
  echo "${w}x${h}"
}

# untouched FILE DESCRIPTION: FILE still holds the text "keep".
untouched() {
  CHECKS=$((CHECKS + 1))
  [ "$(cat "$1")" = keep ] || fail "$2: the existing $1 was changed"
}

finish() {
  echo "$CHECKS checks, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit $?
}
