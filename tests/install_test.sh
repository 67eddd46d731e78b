#!/usr/bin/env bash
# Installs rbmkit from BUILD_DIR into a fresh prefix and builds EXAMPLES_DIR against it.
set -eu
build=$1 examples=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$examples" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
test -x "$work/build/feature_learning"
test -f "$work/prefix/include/rbmkit/models/rbm.hpp"
test ! -e "$work/prefix/include/rbmkit/detail"
if grep -rq "$(cd "$build" && pwd)" "$work/prefix/lib"*/cmake/rbmkit/; then echo "installed package names the build tree" >&2; exit 1; fi
echo "installed package builds examples/: ok"
