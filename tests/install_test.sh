#!/usr/bin/env bash
# Installs rbmkit from BUILD_DIR into a fresh prefix and builds EXAMPLES_DIR against it (with the
# sanitizers of a build configured with RBMKIT_SANITIZE, given as SANITIZE); given PYTHON and the
# package's directory under the prefix, also imports the installed Python module.
# usage: install_test.sh BUILD_DIR EXAMPLES_DIR WORK_DIR [PYTHON PYTHON_DIR [SANITIZE]]
set -eu
build=$1 examples=$2 work=$3 python=${4:-} python_dir=${5:-} sanitize=${6:-}
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
flags=()
[ -z "$sanitize" ] || flags=(-DCMAKE_CXX_FLAGS="-fsanitize=$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=$sanitize")
cmake -S "$examples" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release "${flags[@]}" >/dev/null
cmake --build "$work/build" >/dev/null
test -x "$work/build/feature_learning"
test -f "$work/prefix/include/rbmkit/models/rbm.hpp"
test ! -e "$work/prefix/include/rbmkit/detail"
if grep -rq "$(cd "$build" && pwd)" "$work/prefix/lib"*/cmake/rbmkit/; then echo "installed package names the build tree" >&2; exit 1; fi
echo "installed package builds examples/: ok"
if [ -n "$python" ]; then
  (cd "$work" && PYTHONPATH="$work/prefix/$python_dir" "$python" -c \
    "import rbmkit, sys; assert rbmkit.__file__.startswith(sys.argv[1]), rbmkit.__file__; rbmkit.BernoulliRBM()" \
    "$work/prefix/")
  echo "installed Python package imports: ok"
fi
