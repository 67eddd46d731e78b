#!/usr/bin/env bash
# CLI test of --help against docs/cli.md: for every subcommand, each option its --help lists is
# in the first column of an option table in the docs' section for that command ("### train",
# ...), and each option listed there is one --help lists; defaults are printed as typed
# (0.1, never 0.10000000000000001).
. "$(dirname "$0")/lib.sh" "$@"
DOC="$(cd "$(dirname "$0")/../.." && pwd)/docs/cli.md"

# The options of one section of docs/cli.md: the first cell of its table rows ("\|" is a pipe
# inside a cell).
doc_options() {
  awk -v head="### $1" '
    $0 == head { inside = 1; next }
    inside && (/^## / || /^### /) { exit }
    inside && /^\|/ { print }' "$DOC" |
    sed 's/\\|/ /g' | cut -d'|' -f2 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# The options --help lists (the help option itself aside).
help_options() {
  "$RBMKIT" "$1" --help | grep -o -- '^  --[a-z][a-z0-9-]*' | sed 's/^  //' | grep -vx -- '--help' | sort -u
}

for cmd in train eval transform equiv export import info estimators plot filters sample; do
  CHECKS=$((CHECKS + 1))
  grep -qx "### $cmd" "$DOC" || { fail "docs/cli.md has no section '### $cmd'"; continue; }
  help_options "$cmd" > "$WORK/help-$cmd"
  doc_options "$cmd" > "$WORK/doc-$cmd"
  missing=$(comm -23 "$WORK/help-$cmd" "$WORK/doc-$cmd" | tr '\n' ' ')
  extra=$(comm -13 "$WORK/help-$cmd" "$WORK/doc-$cmd" | tr '\n' ' ')
  [ -z "$missing" ] || fail "$cmd: options in --help but not in docs/cli.md's section: $missing"
  [ -z "$extra" ] || fail "$cmd: options in docs/cli.md's section but not in --help: $extra"
done

# Defaults as typed: no binary-to-decimal noise in any default.
for cmd in train eval transform equiv estimators; do
  CHECKS=$((CHECKS + 1))
  noisy=$("$RBMKIT" "$cmd" --help | grep -E -- '\(=[-+]?[0-9]*\.[0-9]{8,}')
  [ -z "$noisy" ] || fail "$cmd --help prints a default with noise: $noisy"
done
CHECKS=$((CHECKS + 1))
"$RBMKIT" train --help > "$WORK/train-help"
grep -qE -- '--lr arg \(=0\.1\)' "$WORK/train-help" || fail "train --help: --lr default should read 0.1: $(grep -- '--lr ' "$WORK/train-help")"
grep -qE -- '--weight-decay arg \(=0\.0001\)' "$WORK/train-help" || fail "train --help: --weight-decay default should read 0.0001"
"$RBMKIT" equiv --help | grep -qE -- '--tolerance arg \(=1e-12\)' || fail "equiv --help: --tolerance default should read 1e-12"
finish
