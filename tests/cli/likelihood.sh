#!/usr/bin/env bash
# CLI tests of log-likelihood evaluation: eval --exact / --ais / --json (stdout is exactly one JSON
# object with the documented keys), AIS within 1 nat of exact on a small model, train --test /
# --valid / --eval-every logging, import as the inverse of export, what eval says about a Boltzmann
# machine beyond exact enumeration, and bad options (one line on stderr, documented exit code).
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

# --- data: 16-pixel examples from four prototypes with a few flipped bits (no external tools) ---
protos=(1111000011110000 0000111100001111 1010101010101010 1100110011001100)
make_csv() {  # make_csv N SEED > file
  local n=$1 seed=$2 i j p line
  RANDOM=$seed
  for ((i = 0; i < n; i++)); do
    p=${protos[$((RANDOM % 4))]}
    line=""
    for ((j = 0; j < 16; j++)); do
      b=${p:$j:1}
      if [ $((RANDOM % 20)) -eq 0 ]; then b=$((1 - b)); fi
      line+="${line:+,}$b"
    done
    echo "$line"
  done
}
make_csv 200 1 > train.csv
make_csv 50 2 > test.csv
printf '0.5,0.2,0.9,0.1,0.5,0.2,0.9,0.1,0.5,0.2,0.9,0.1,0.5,0.2,0.9,0.1\n' > grey.csv
# 40-pixel data for a model whose smaller layer (32) is too large to enumerate.
for ((i = 0; i < 8; i++)); do
  line=""; for ((j = 0; j < 40; j++)); do line+="${line:+,}$(( (i + j) % 3 == 0 ))"; done; echo "$line"
done > wide.csv

json_number() {  # json_number KEY FILE
  grep -o "\"$1\": [^,}]*" "$2" | head -1 | sed 's/.*: //'
}
check_json_object() {  # check_json_object DESCRIPTION KEYS...
  local what=$1 key
  shift
  CHECKS=$((CHECKS + 1))
  [ "$(wc -l < "$WORK/stdout")" -eq 1 ] || fail "$what: stdout must be one line: $(head -c 300 "$WORK/stdout")"
  grep -q '^{.*}$' "$WORK/stdout" || fail "$what: stdout is not one JSON object: $(head -c 300 "$WORK/stdout")"
  [ "$(grep -o '{' "$WORK/stdout" | wc -l)" -eq 1 ] || fail "$what: more than one object"
  for key in "$@"; do
    grep -q "\"$key\": " "$WORK/stdout" || fail "$what: lacks \"$key\": $(head -c 300 "$WORK/stdout")"
  done
}

expect_exit 0 "train a 16x6 model" -- "$RBMKIT" train --data train.csv --hidden 6 --epochs 10 --batch 20 --seed 2 --out m.rbm

# --- eval --exact --json --------------------------------------------------------------------
KEYS=(log_likelihood log_z log_z_stderr method pseudo_log_likelihood reconstruction_error free_energy
      conservative_log_likelihood)
expect_exit 0 "eval --exact --json" -- "$RBMKIT" eval --model m.rbm --data test.csv --exact --json
check_json_object "eval --exact --json" "${KEYS[@]}"
grep -q '"method": "exact"' "$WORK/stdout" || fail "--exact reports method exact"
cp "$WORK/stdout" exact.json
EXACT_LZ=$(json_number log_z exact.json)
EXACT_LL=$(json_number log_likelihood exact.json)
CHECKS=$((CHECKS + 1))
awk -v ll="$EXACT_LL" 'BEGIN { exit !(ll < 0 && ll > -11.1) }' || fail "exact log-likelihood $EXACT_LL out of (-16 log 2, 0)"
[ "$(json_number log_z_stderr exact.json)" = 0 ] || fail "exact log_z_stderr must be 0"

# --- eval --ais --json: within 1 nat of exact -------------------------------------------------
expect_exit 0 "eval --ais --json" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-runs 50 --ais-betas 2000 --json
check_json_object "eval --ais --json" "${KEYS[@]}" ais_runs ais_betas conservative_log_z
grep -q '"method": "ais"' "$WORK/stdout" || fail "--ais reports method ais"
AIS_LZ=$(json_number log_z "$WORK/stdout")
CHECKS=$((CHECKS + 1))
awk -v a="$AIS_LZ" -v e="$EXACT_LZ" 'BEGIN { d = a - e; exit !(d < 1 && d > -1) }' ||
  fail "AIS log Z $AIS_LZ is not within 1 nat of exact $EXACT_LZ"
[ "$(json_number ais_runs "$WORK/stdout")" = 50 ] && [ "$(json_number ais_betas "$WORK/stdout")" = 2000 ] ||
  fail "--ais-runs/--ais-betas not reported: $(cat "$WORK/stdout")"
CONS=$(json_number conservative_log_likelihood "$WORK/stdout")
awk -v c="$CONS" -v e="$EXACT_LL" 'BEGIN { exit !(c < e + 0.5) }' || fail "conservative $CONS above exact $EXACT_LL"
# The same seed gives the same estimate.
expect_exit 0 "eval --ais again" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-runs 50 --ais-betas 2000 --json
[ "$(json_number log_z "$WORK/stdout")" = "$AIS_LZ" ] || fail "AIS is not reproducible for a seed"

grep -q '"ais_base": "modes"' "$WORK/stdout" || fail "the default AIS base is modes: $(cat "$WORK/stdout")"
# The base-rate start of Salakhutdinov & Murray on its own: also within 1 nat on this model.
expect_exit 0 "eval --ais --ais-base rate" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-base rate --ais-runs 50 --ais-betas 2000 --json
grep -q '"ais_base": "rate", "ais_base_components": 1' "$WORK/stdout" || fail "--ais-base rate not reported: $(cat "$WORK/stdout")"
RATE_LZ=$(json_number log_z "$WORK/stdout")
CHECKS=$((CHECKS + 1))
awk -v a="$RATE_LZ" -v e="$EXACT_LZ" 'BEGIN { d = a - e; exit !(d < 1 && d > -1) }' ||
  fail "base-rate AIS log Z $RATE_LZ is not within 1 nat of exact $EXACT_LZ"
[ "$RATE_LZ" != "$AIS_LZ" ] || fail "--ais-base rate gives the same runs as modes"

expect_exit 0 "eval --exact --ais --json" -- "$RBMKIT" eval --model m.rbm --data test.csv --exact --ais --ais-runs 20 --ais-betas 200 --json
check_json_object "eval --exact --ais" "${KEYS[@]}" ais_log_z ais_log_z_stderr
expect_exit 0 "eval --ais without reverse annealing" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-runs 10 --ais-betas 100 --reverse-examples 0 --json
[ "$(json_number conservative_log_likelihood "$WORK/stdout")" = null ] || fail "no reverse runs: the bound is null"
expect_exit 0 "eval chooses exact for a small model" -- "$RBMKIT" eval --model m.rbm --data test.csv --json
grep -q '"method": "exact"' "$WORK/stdout" || fail "a 16x6 model is evaluated exactly by default"
expect_exit 0 "eval text output" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-runs 10 --ais-betas 100
grep -q "conservative estimate" "$WORK/stdout" || fail "text output shows the conservative estimate"

# --- a general Boltzmann machine: exact log-likelihood by enumeration ----------------------------
expect_exit 0 "train a 16+4 Boltzmann machine" -- "$RBMKIT" train --data train.csv --machine bm --hidden 4 --epochs 3 --batch 20 --out bm.rbm
expect_exit 0 "eval a Boltzmann machine --json" -- "$RBMKIT" eval --model bm.rbm --data test.csv --json
check_json_object "eval bm --json" "${KEYS[@]}"
grep -q '"method": "exact", "machine": "bm"' "$WORK/stdout" || fail "a BM is evaluated exactly: $(cat "$WORK/stdout")"
BM_LL=$(json_number log_likelihood "$WORK/stdout")
CHECKS=$((CHECKS + 1))
awk -v ll="$BM_LL" 'BEGIN { exit !(ll < 0 && ll > -11.1) }' || fail "BM log-likelihood $BM_LL out of (-16 log 2, 0)"
expect_exit 2 "eval --ais on a Boltzmann machine" -- "$RBMKIT" eval --model bm.rbm --data test.csv --ais
expect_stderr_contains "Boltzmann machine" "says AIS is for RBMs"
expect_exit 3 "eval a Boltzmann machine on data of another width" -- "$RBMKIT" eval --model bm.rbm --data wide.csv
expect_stderr_contains "wide.csv" "names the data file"

# --- a Boltzmann machine beyond exact enumeration: what eval can and cannot say ------------------
expect_exit 0 "train a 16+40 Boltzmann machine" -- "$RBMKIT" train --data train.csv --machine bm --hidden 40 --epochs 1 --batch 20 --out bigbm.rbm
expect_exit 0 "eval a 56-unit Boltzmann machine" -- "$RBMKIT" eval --model bigbm.rbm --data test.csv
CHECKS=$((CHECKS + 1))
grep -q "^log-likelihood *not available: a Boltzmann machine of 56 units is beyond exact enumeration of log Z (at most 30 units); AIS is implemented for RBMs only$" "$WORK/stdout" ||
  fail "a large BM: one line saying why there is no log-likelihood: $(cat "$WORK/stdout")"
# Full connectivity: 40 hidden units with hidden-hidden weights have no tractable free energy.
grep -q "^pseudo-log-likelihood *not available: .*40 hidden units and hidden-hidden weights" "$WORK/stdout" ||
  fail "a large full BM: says why there is no pseudo-log-likelihood: $(cat "$WORK/stdout")"
expect_exit 0 "eval a 56-unit Boltzmann machine --json" -- "$RBMKIT" eval --model bigbm.rbm --data test.csv --json
check_json_object "eval large bm --json" "${KEYS[@]}" log_likelihood_unavailable
grep -q '"method": null, "machine": "bm", "log_likelihood": null' "$WORK/stdout" || fail "large BM JSON: $(cat "$WORK/stdout")"
grep -q '"log_likelihood_unavailable": "a Boltzmann machine of 56 units is beyond exact enumeration' "$WORK/stdout" ||
  fail "large BM JSON says why: $(cat "$WORK/stdout")"
expect_exit 2 "eval --ais on a 56-unit Boltzmann machine" -- "$RBMKIT" eval --model bigbm.rbm --data test.csv --ais
expect_stderr_contains "--ais" "names --ais"
expect_stderr_contains "RBMs only" "says AIS is for RBMs"
expect_exit 2 "eval --exact on a 56-unit Boltzmann machine" -- "$RBMKIT" eval --model bigbm.rbm --data test.csv --exact
expect_stderr_contains "--exact" "names --exact"
expect_stderr_contains "56 units is beyond exact enumeration" "says why"
# Without hidden-hidden weights the free energy has a closed form: the pseudo-log-likelihood is there.
expect_exit 0 "train a 16+40 semi-restricted Boltzmann machine" -- "$RBMKIT" train --data train.csv --machine bm --connectivity semi-restricted --hidden 40 --epochs 1 --batch 20 --out semibm.rbm
expect_exit 0 "eval a 56-unit semi-restricted Boltzmann machine --json" -- "$RBMKIT" eval --model semibm.rbm --data test.csv --json
grep -q '"method": null.*"pseudo_log_likelihood": -[0-9]' "$WORK/stdout" ||
  fail "56 units: no log-likelihood but a (negative) pseudo-log-likelihood: $(cat "$WORK/stdout")"
! grep -q 'pseudo_log_likelihood_unavailable' "$WORK/stdout" || fail "semi-restricted: the PLL is available"
expect_exit 0 "eval a 56-unit semi-restricted Boltzmann machine" -- "$RBMKIT" eval --model semibm.rbm --data test.csv
grep -q "^pseudo-log-likelihood *-[0-9.]* *(nats per example, all bits)" "$WORK/stdout" ||
  fail "semi-restricted BM text output: $(cat "$WORK/stdout")"

# --- bad options ----------------------------------------------------------------------------
expect_exit 2 "--ais-betas 2" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-betas 2
expect_stderr_contains "--ais-betas" "names --ais-betas"
expect_exit 2 "--ais-runs 0" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-runs 0
expect_stderr_contains "--ais-runs" "names --ais-runs"
expect_exit 2 "--ais-base both" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-base both
expect_stderr_contains "--ais-base" "names --ais-base"
expect_exit 2 "--ais-modes 0" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais --ais-modes 0
expect_stderr_contains "--ais-modes" "names --ais-modes"
expect_exit 2 "train --ais-base both" -- "$RBMKIT" train --data train.csv --hidden 4 --epochs 1 --out never.rbm --ais-base both
[ ! -e never.rbm ] || fail "a rejected train option wrote a model"
expect_exit 2 "--ais-runs not a number" -- "$RBMKIT" eval --model m.rbm --data test.csv --ais-runs many
expect_exit 2 "--exact takes no value" -- "$RBMKIT" eval --model m.rbm --data test.csv --exact=3
expect_exit 4 "missing model" -- "$RBMKIT" eval --model nothere.rbm --data test.csv --exact
expect_exit 3 "grey data with --binarize none" -- "$RBMKIT" eval --model m.rbm --data grey.csv --binarize none --exact --json
expect_stderr_contains "binary" "says the data must be binary"
[ ! -s "$WORK/stdout" ] || fail "a failed eval --json prints nothing on stdout"
expect_exit 0 "train a 40x32 model" -- "$RBMKIT" train --data wide.csv --hidden 32 --epochs 1 --batch 8 --out wide.rbm
expect_exit 2 "--exact on a 40x32 model" -- "$RBMKIT" eval --model wide.rbm --data wide.csv --exact
expect_stderr_contains "--exact" "names --exact"

# --- train --test / --valid / --eval-every ----------------------------------------------------
expect_exit 0 "train --test --valid --eval-every" -- "$RBMKIT" train --data train.csv --hidden 6 --epochs 4 --batch 20 \
  --test test.csv --valid 40 --eval-every 3 --out t.rbm --log t.csv
CHECKS=$((CHECKS + 1))
head -1 t.csv | grep -q 'valid_log_likelihood,.*test_log_likelihood,test_log_z,test_log_z_stderr' || fail "--log header: $(head -1 t.csv)"
[ "$(wc -l < t.csv)" -eq 5 ] || fail "--log: header and 4 epochs expected"
# Evaluated at epoch 3 and at the last epoch (4) only.
[ -z "$(sed -n 2p t.csv | cut -d, -f6)" ] && [ -n "$(sed -n 4p t.csv | cut -d, -f6)" ] && [ -n "$(sed -n 5p t.csv | cut -d, -f11)" ] ||
  fail "--eval-every 3: $(cat t.csv)"
grep -q "test LL" "$WORK/stderr" || fail "train --test logs the held-out log-likelihood on stderr"
grep -q "160 examples" "$WORK/stderr" || fail "--valid 40 trains on 160 of 200 examples"
expect_exit 2 "--valid too large" -- "$RBMKIT" train --data train.csv --hidden 6 --epochs 1 --valid 200 --out v.rbm
expect_exit 2 "--eval-every 0" -- "$RBMKIT" train --data train.csv --hidden 6 --epochs 1 --test test.csv --eval-every 0 --out v.rbm
expect_exit 3 "--test missing" -- "$RBMKIT" train --data train.csv --hidden 6 --epochs 1 --test nothere.csv --out v.rbm
expect_exit 3 "--test of another dimension" -- "$RBMKIT" train --data train.csv --hidden 6 --epochs 1 --test wide.csv --out v.rbm

# --- import: the inverse of export ------------------------------------------------------------
expect_exit 0 "export" -- "$RBMKIT" export --model m.rbm --dir params
expect_exit 0 "import" -- "$RBMKIT" import --dir params --out back.rbm
expect_exit 0 "eval the imported model" -- "$RBMKIT" eval --model back.rbm --data test.csv --exact --json
[ "$(json_number log_z "$WORK/stdout")" = "$EXACT_LZ" ] || fail "export + import changed log Z"
mkdir -p badparams && cp params/*.csv badparams/ && echo "1,2" >> badparams/c.csv
expect_exit 3 "import with a malformed c.csv" -- "$RBMKIT" import --dir badparams --out x.rbm
expect_exit 3 "import without files" -- "$RBMKIT" import --dir nowhere --out x.rbm
expect_exit 2 "import without --out" -- "$RBMKIT" import --dir params

finish
