#!/usr/bin/env bash
# Head-to-head rebuilds of two (or more) builds on the same store, interleaved, each between two raw
# read-alls: the host's speed drifts by tens of percent over minutes, so only neighbours compare.
#
#   bench/rebuild-ab.sh ROUNDS "<checkout>[|<node flags for the rebuild>]" "<checkout>[|<flags>]" ...
#
# Each checkout is a clone or worktree of this repository with `npm install` and `npm run build` done
# (e.g. `git worktree add /tmp/a <commit>`). The store is $BENCH_DIR/events.sqlite, as left by
# `BENCH_DIR=… npm run bench:scorecards`. The rebuild runs as the benchmark's phase (ii) runs it
# (bench/scorecards.bench.ts `rebuild … command`) into a scratch read-model file. Prints one line per
# rebuild: raw read-all before and after, rebuild seconds, peak RSS, and the ratio to the raw mean.
set -euo pipefail
rounds=${1:?usage: bench/rebuild-ab.sh ROUNDS "checkout[|flags]" ...}
shift
store=${BENCH_DIR:?set BENCH_DIR to the directory holding events.sqlite}
[ -f "$store/events.sqlite" ] || { echo "no $store/events.sqlite: run BENCH_DIR=$store npm run bench:scorecards first" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# phase <checkout> <node flags> <bench args...>: the RESULT line's JSON
phase() {
  local dir=$1 flags=$2
  shift 2
  # shellcheck disable=SC2086 # flags are words
  (cd "$dir" && node_modules/.bin/node $flags --disable-warning=ExperimentalWarning -r ./scripts/register-paths.js \
    dist/bench/scorecards.bench.js "$@" 2>/dev/null | sed -n 's/^RESULT //p')
}
# The project's Node 24, for reading the results.
node24="${1%%|*}/node_modules/.bin/node"
field() { "$node24" -e "process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))" "$1" "$2"; }

for ((round = 1; round <= rounds; round++)); do
  for spec in "$@"; do
    dir=${spec%%|*}
    flags=''
    [[ $spec == *'|'* ]] && flags=${spec#*|}
    before=$(phase "$dir" '' readall "$store" 1000)
    rebuilt=$(phase "$dir" "$flags" rebuild "$store" "$scratch/read-models.sqlite" command)
    after=$(phase "$dir" '' readall "$store" 1000)
    [ -n "$before" ] && [ -n "$rebuilt" ] && [ -n "$after" ] || { echo "round $round, $spec: a phase failed" >&2; exit 1; }
    raw1=$(field "$before" seconds); raw2=$(field "$after" seconds)
    secs=$(field "$rebuilt" seconds); rss=$(field "$rebuilt" peakRssMiB)
    "$node24" -e '
      const [spec, r1, r2, s, rss] = process.argv.slice(1);
      const raw = (Number(r1) + Number(r2)) / 2;
      console.log(`${spec.padEnd(40)} raw ${Number(r1).toFixed(2)} / ${Number(r2).toFixed(2)} s  rebuild ${Number(s).toFixed(2)} s  peak RSS ${rss} MiB  ${(100 * raw / Number(s)).toFixed(1)}% of raw read-all`);
    ' "$spec" "$raw1" "$raw2" "$secs" "$rss"
  done
done
