#!/usr/bin/env bash
# CLI test of the conservative estimate on a model built to break it: a 20 x 1 RBM, W = 6, b = -4,
# c set so that the h = 1 state holds e^5 / (1 + e^5) of the mass, scored on 10 rows from its
# h = 0 component (exact log Z 5.3697, exact log-likelihood -7.7697). Reverse annealing from
# those rows overrates them by the mass its annealing model leaves at h = 0; eval --ais must
# either print a conservative estimate no higher than exact + 3 sigma, or none and say why, in
# text and JSON alike. With the base-rate base AIS itself misses the h = 1 state, and the certain
# floor on log Z from the modes found must say so.
. "$(dirname "$0")/lib.sh" "$@"
cd "$WORK"

mkdir -p trap
for ((i = 0; i < 20; i++)); do echo 6; done > trap/W.csv
for ((i = 0; i < 20; i++)); do echo -4; done > trap/b.csv
echo -37.175561662503256 > trap/c.csv  # 5 - 20 (softplus(2) - softplus(-4))
# Ten rows with six bits on in all (the h = 0 component turns each bit on with p = 0.018).
for on in "" 3 "" 11 "5 17" "" 0 "" 19 ""; do
  line=""
  for ((i = 0; i < 20; i++)); do
    b=0; for k in $on; do [ "$k" = "$i" ] && b=1; done
    line+="${line:+,}$b"
  done
  echo "$line"
done > rows.csv
json_number() {  # json_number KEY : from the last command's stdout
  grep -o "\"$1\": [^,}]*" "$WORK/stdout" | head -1 | sed 's/.*: //'
}
expect_exit 0 "import the trap model" -- "$RBMKIT" import --dir trap --out trap.rbm
expect_exit 0 "its exact log-likelihood" -- "$RBMKIT" eval --model trap.rbm --data rows.csv --exact --json
CHECKS=$((CHECKS + 1))
EXACT=$(json_number log_likelihood)
awk -v e="$EXACT" -v z="$(json_number log_z)" 'BEGIN { exit !(e > -7.7698 && e < -7.7696 && z > 5.3696 && z < 5.3698) }' ||
  fail "exact log-likelihood $EXACT is not -7.7697: $(cat "$WORK/stdout")"

for seed in 1 2 3; do
  expect_exit 0 "eval --ais --json, seed $seed" -- "$RBMKIT" eval --model trap.rbm --data rows.csv --ais --seed $seed --json
  CHECKS=$((CHECKS + 1))
  AIS=$(json_number log_likelihood)
  CONS=$(json_number conservative_log_likelihood)
  SE=$(json_number conservative_log_z_stderr)
  REV=$(json_number reverse_log_likelihood)
  awk -v a="$AIS" -v e="$EXACT" 'BEGIN { d = a - e; exit !(d < 0.2 && d > -0.2) }' || fail "seed $seed: AIS $AIS is not near exact $EXACT"
  if [ "$CONS" = null ]; then
    # None printed: the reverse estimate must be there, with the reason it is not conservative.
    [ "$REV" != null ] && { [ "$(json_number reverse_above_ais)" = true ] || [ "$(json_number reverse_above_ceiling)" = true ]; } ||
      fail "seed $seed: no conservative estimate and no reason: $(cat "$WORK/stdout")"
  else
    awk -v c="$CONS" -v e="$EXACT" -v s="$SE" 'BEGIN { exit !(c <= e + 3 * s) }' ||
      fail "seed $seed: conservative estimate $CONS above exact $EXACT + 3 x $SE"
  fi
  if [ "$seed" = 1 ]; then  # the text says what the JSON says
    expect_exit 0 "eval --ais text" -- "$RBMKIT" eval --model trap.rbm --data rows.csv --ais --seed $seed
    CHECKS=$((CHECKS + 1))
    if [ "$CONS" = null ]; then
      grep -q "^reverse estimate .*(NOT conservative: " "$WORK/stdout" || fail "the text does not say the reverse estimate is not conservative: $(cat "$WORK/stdout")"
      grep -q "conservative estimate" "$WORK/stdout" && fail "the text prints a conservative estimate that JSON does not"
    else
      grep -q "^conservative estimate" "$WORK/stdout" || fail "the text lacks the conservative estimate"
    fi
  fi
done

# The base-rate base of Salakhutdinov & Murray misses the h = 1 state: AIS is 5 nats too high,
# and the certain floor from the modes found says so; nothing is printed as conservative.
expect_exit 0 "eval --ais --ais-base rate --json" -- "$RBMKIT" eval --model trap.rbm --data rows.csv --ais --ais-base rate --json
CHECKS=$((CHECKS + 1))
[ "$(json_number ais_below_floor)" = true ] && [ "$(json_number conservative_log_likelihood)" = null ] &&
  [ "$(json_number reverse_above_ceiling)" = true ] || fail "--ais-base rate: the missed mode is not reported: $(cat "$WORK/stdout")"
awk -v c="$(json_number log_likelihood_ceiling)" -v e="$EXACT" 'BEGIN { exit !(c >= e && c < e + 0.01) }' ||
  fail "--ais-base rate: the ceiling $(json_number log_likelihood_ceiling) is not just above exact $EXACT"
expect_exit 0 "eval --ais --ais-base rate, text" -- "$RBMKIT" eval --model trap.rbm --data rows.csv --ais --ais-base rate --ais-betas 3000
grep -q "^AIS check              FAILED: log Z is below" "$WORK/stdout" || fail "--ais-base rate: the text does not say AIS missed mass: $(cat "$WORK/stdout")"

finish
