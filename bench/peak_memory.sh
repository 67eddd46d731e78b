#!/bin/bash
# Peak resident memory of one training run against issue 10's bound, 1.3 x (uint8 data + model
# and optimiser state), measured with /usr/bin/time -v. The data bytes are the IDX payload
# (examples x pixels, one byte each, from the header); the model and optimiser state are the
# arrays the trainer holds and writes: the current parameters (state.W, state.b, state.c), their
# velocities, the persistent chains, the centring offsets and the parameter average (run.average.*),
# summed from the model file the run writes. The saved model (W, b, c: the averaged parameters)
# is derived from them and is not counted again. Not a test: memory depends on the C library.
# Usage: bench/peak_memory.sh RBMKIT_BINARY OUT_DIR [PRECISION [HIDDEN [DATA]]]
#   e.g. bench/peak_memory.sh build/rbmkit /tmp/mem float 500
set -eu
if [ $# -lt 2 ] || [ "$1" = --help ]; then
  echo "usage: bench/peak_memory.sh RBMKIT_BINARY OUT_DIR [PRECISION [HIDDEN [DATA]]]" >&2
  exit 2
fi
RBMKIT=$1; OUT=$2; PRECISION=${3:-float}; HIDDEN=${4:-500}
DATA=${5:-/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz}
mkdir -p "$OUT"
MODEL="$OUT/peak-$PRECISION.rbm"
/usr/bin/time -v "$RBMKIT" train --data "$DATA" --hidden "$HIDDEN" --epochs 1 --threads 1 \
  --precision "$PRECISION" --out "$MODEL" 2> "$OUT/time-$PRECISION.txt"
PEAK_KIB=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$OUT/time-$PRECISION.txt")
/usr/bin/python3 - "$DATA" "$MODEL" "$PEAK_KIB" "$PRECISION" <<'EOF'
import gzip, struct, sys
data, model, peak_kib, precision = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
opener = gzip.open if open(data, 'rb').read(2) == b'\x1f\x8b' else open
with opener(data, 'rb') as f:
    head = f.read(4)
    dims = struct.unpack('>%dI' % head[3], f.read(4 * head[3]))
data_bytes = 1
for d in dims:
    data_bytes *= d
b = open(model, 'rb').read()
size = b[12]                      # element size: 4 (float) or 8 (double)
p = 8 + 4 + 4 + 16 + 32           # magic, version, types, sizes, generator state
p += 4 + struct.unpack_from('<I', b, p)[0]
state = 0
n_arrays = struct.unpack_from('<I', b, p)[0]
p += 4
for _ in range(n_arrays):
    n = struct.unpack_from('<H', b, p)[0]
    name = b[p + 2:p + 2 + n].decode()
    p += 2 + n
    rows, cols = struct.unpack_from('<QQ', b, p)
    p += 16 + rows * cols * size
    if name.startswith('state.') or name.startswith('run.average.'):
        state += rows * cols * size
base = data_bytes + state
bound = 1.3 * base
peak = peak_kib * 1024
print(f"{precision}: peak RSS {peak_kib} KiB ({peak / 1e6:.1f} MB); data {data_bytes} B + model "
      f"and optimiser state {state} B = {base} B; bound 1.3x = {bound / 1024:.0f} KiB "
      f"({bound / 1e6:.1f} MB); peak / (data + state) = {peak / base:.2f} "
      f"({'within' if peak <= bound else 'above'} the bound)")
EOF
