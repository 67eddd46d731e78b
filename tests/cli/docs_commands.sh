# Every command the documentation shows runs: the lines of README.md and docs/**/*.md inside
# ```sh blocks that start with `build/rbmkit `, `./scripts/` or `/usr/bin/python3 bench/` (a line
# ending in a backslash continues on the next), and the shell assignments (NAME=value) before
# them in the same file, which later commands may use (FM=...).
#
# Each file's commands run in order, in a scratch directory of their own standing in for a fresh
# clone (build/rbmkit is this build's program, scripts/ and bench/ the source tree's, and the
# directories of docs/ exist, empty), each with bash, and must exit 0.
# A command marked `# long: REASON` in the documentation is never run as written; the test says
# so and either skips it (the scripts that install and build) or runs it reduced, printing the
# exact command it ran:
#   --epochs N becomes --epochs 1 (train without --epochs or --resume gets --epochs 1);
#   Fashion-MNIST becomes its first 1000 training and 50 test images (with their labels), in a
#   directory standing in for /usr/share/datasets/fashion-mnist (in the command and in the
#   assignments it uses, FM=...); train and equiv without --data
#   get the training subset, eval the test subset;
#   --valid N becomes --valid 10 (the test subset has 50 images);
#   eval --ais gets --ais-runs 10 --ais-betas 200 --reverse-examples 5;
#   estimators runs --task quadratic --samples 1000 --instances 0;
#   sample runs --steps 20.
# So a long command is checked for its options and its place in the sequence, not for its run
# time or its numbers. Without Debian's Fashion-MNIST, the commands that need it are skipped.
. "$(dirname "$0")/lib.sh" "$@"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
RBMKIT=$(cd "$(dirname "$RBMKIT")" && pwd)/$(basename "$RBMKIT")
FM_DIR=/usr/share/datasets/fashion-mnist

# The Fashion-MNIST stand-in: the first N examples of each IDX file (header count rewritten).
SUBSET=$WORK/fashion-mnist-subset
have_fm=0
if [ -r "$FM_DIR/train-images-idx3-ubyte.gz" ] && [ -r "$FM_DIR/t10k-labels-idx1-ubyte.gz" ]; then
  have_fm=1
  mkdir -p "$SUBSET"
  idx_head() {  # FILE.gz N HEADER_BYTES BYTES_PER_EXAMPLE OUT.gz
    local n=$2 hb=$3 eb=$4
    {
      zcat "$1" | head -c 4
      printf "\\x$(printf %02x $((n >> 24 & 255)))\\x$(printf %02x $((n >> 16 & 255)))"
      printf "\\x$(printf %02x $((n >> 8 & 255)))\\x$(printf %02x $((n & 255)))"
      zcat "$1" | tail -c +9 | head -c $((hb - 8 + n * eb))
    } | gzip -c >"$5"
  }
  idx_head "$FM_DIR/train-images-idx3-ubyte.gz" 1000 16 784 "$SUBSET/train-images-idx3-ubyte.gz"
  idx_head "$FM_DIR/train-labels-idx1-ubyte.gz" 1000 8 1 "$SUBSET/train-labels-idx1-ubyte.gz"
  idx_head "$FM_DIR/t10k-images-idx3-ubyte.gz" 50 16 784 "$SUBSET/t10k-images-idx3-ubyte.gz"
  idx_head "$FM_DIR/t10k-labels-idx1-ubyte.gz" 50 8 1 "$SUBSET/t10k-labels-idx1-ubyte.gz"
fi

# reduce COMMAND: prints the reduced form of a `# long:` command (see the top of this file).
reduce() {
  local c=$1 sub
  c=${c%%# long:*}
  c=$(printf '%s' "$c" | sed -e "s#$FM_DIR#$SUBSET#g" -e 's/[[:space:]]*$//')
  sub=$(printf '%s' "$c" | sed -n 's#^build/rbmkit \([a-z]*\).*#\1#p')
  case $sub in
    train)
      if printf '%s' "$c" | grep -q -- '--epochs '; then
        c=$(printf '%s' "$c" | sed 's/--epochs [0-9]*/--epochs 1/')
      elif ! printf '%s' "$c" | grep -q -- '--resume '; then
        c="$c --epochs 1"
      fi
      c=$(printf '%s' "$c" | sed 's/--valid [0-9]*/--valid 10/')
      printf '%s' "$c" | grep -q -- '--data \|--resume ' || c="$c --data $SUBSET/train-images-idx3-ubyte.gz"
      ;;
    equiv)
      printf '%s' "$c" | grep -q -- '--data ' || c="$c --data $SUBSET/train-images-idx3-ubyte.gz"
      ;;
    eval)
      printf '%s' "$c" | grep -q -- '--data ' || c="$c --data $SUBSET/t10k-images-idx3-ubyte.gz"
      printf '%s' "$c" | grep -q -- '--ais' && c="$c --ais-runs 10 --ais-betas 200 --reverse-examples 5"
      ;;
    sample)
      c=$(printf '%s' "$c" | sed 's/--steps [0-9]*/--steps 20/')
      ;;
    estimators)
      c=$(printf '%s' "$c" | sed 's/ --task [^ ]*//')
      c="$c --task quadratic --samples 1000 --instances 0"
      ;;
  esac
  printf '%s' "$c"
}

# needs_fm COMMAND: the command reads Fashion-MNIST (explicitly, or by default).
needs_fm() {
  case $1 in
    *fashion-mnist* | *'$FM'*) return 0 ;;
    "build/rbmkit train "* | "build/rbmkit equiv "* | "build/rbmkit eval "*)
      case $1 in *"--data "* | *"--resume "*) return 1 ;; *) return 0 ;; esac ;;
  esac
  return 1
}

ran=0 reduced=0 skipped=0
for doc in "$SRC/README.md" "$SRC"/docs/*.md "$SRC"/docs/*/*.md; do
  [ -f "$doc" ] || continue
  rel=${doc#"$SRC/"}
  dir=$WORK/run/$(printf '%s' "$rel" | tr '/.' '__')
  mkdir -p "$dir/build"
  ln -s "$RBMKIT" "$dir/build/rbmkit"
  ln -s "$SRC/scripts" "$dir/scripts"
  ln -s "$SRC/bench" "$dir/bench"
  (cd "$SRC" && find docs -type d) | while read -r d; do mkdir -p "$dir/$d"; done
  assignments=""
  # One record per command: LINE<TAB>COMMAND, continuation lines joined.
  while IFS=$'\t' read -r line cmd; do
    if printf '%s' "$cmd" | grep -Eq '^[A-Za-z_][A-Za-z0-9_]*=[^ ]*$'; then
      assignments="$assignments$cmd; "
      continue
    fi
    where="$rel:$line"
    run=$cmd
    env=$assignments
    if printf '%s' "$cmd" | grep -q '# long:'; then
      case $cmd in
        ./scripts/demo* | ./scripts/test*)
          echo "SKIP $where: $cmd"
          echo "     (marked long; it installs packages and builds: run by hand)"
          skipped=$((skipped + 1))
          continue ;;
      esac
      run=$(reduce "$cmd")
      env=$(printf '%s' "$assignments" | sed "s#$FM_DIR#$SUBSET#g")
    fi
    if needs_fm "$cmd" && [ "$have_fm" -eq 0 ]; then
      echo "SKIP $where: $cmd"
      echo "     (needs Debian's Fashion-MNIST, $FM_DIR, which is not installed)"
      skipped=$((skipped + 1))
      continue
    fi
    if [ "$run" = "$cmd" ] && [ "$env" = "$assignments" ]; then
      echo "RUN  $where: $cmd"
      ran=$((ran + 1))
    else
      echo "RUN  $where, REDUCED (marked long): $cmd"
      echo "     ran instead: $env$run"
      reduced=$((reduced + 1))
    fi
    start=$(date +%s%N)
    (cd "$dir" && run_expecting 0 "$where: $run" bash -c "set -o pipefail; $env$run")
    status=$?
    [ $status -ne 0 ] && FAILED=$((FAILED + 1))
    CHECKS=$((CHECKS + 1))
    ms=$((($(date +%s%N) - start) / 1000000))
    echo "     exit $status, $((ms / 1000)).$((ms % 1000 / 100)) s"
  done < <(awk '
    /^```/ { if (inb) { inb = 0 } else { inb = ($0 ~ /^```sh[[:space:]]*$/) } next }
    !inb { next }
    {
      if (cont != "") { cur = cur " " $0 } else { cur = $0; start = NR }
      if (cur ~ /\\$/) { sub(/[[:space:]]*\\$/, "", cur); cont = 1; next }
      cont = ""
      sub(/^[[:space:]]+/, "", cur)
      gsub(/[[:space:]]+/, " ", cur)
      if (cur ~ /^(build\/rbmkit |\.\/scripts\/|\/usr\/bin\/python3 bench\/)/ ||
          cur ~ /^[A-Za-z_][A-Za-z0-9_]*=[^ ]*$/)
        printf "%d\t%s\n", start, cur
    }' "$doc")
done
echo "$ran commands run as written, $reduced reduced (marked long), $skipped skipped"
finish
