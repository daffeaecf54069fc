#!/usr/bin/env bash
# Times `serverless package` on examples/serverless without plugins, with a plugin that does
# nothing (what the framework itself spends on loading any plugin) and with the triggerlint
# plugin, taking turns so the machine's load weighs on all three alike, and prints each run, the
# medians and the differences of wall time and of CPU time (user + system, which a busy machine
# disturbs less), plus the plugin's own time for its check (from --verbose).
#
#   bench/serverless-plugin.sh [RUNS] [TRIGGERLINT_BINARY]
#
# RUNS defaults to 7 of each; the binary defaults to target/release/triggerlint (build it with
# `cargo build --release` first; the debug build is several times slower). Serverless 3.40.0 is
# installed from npm into target/tmp/serverless-plugin/serverless-3.40.0, the folder the plugin's
# tests use, unless it is there. Needs node, npm once, and GNU time. Not part of CI.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-7}"
binary="$(realpath "${2:-$root/target/release/triggerlint}")"
[[ -x "$binary" ]] || { echo "serverless-plugin.sh: no binary at $binary" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "serverless-plugin.sh: needs GNU time at /usr/bin/time" >&2; exit 2; }

scratch="$root/target/tmp/serverless-plugin"
framework="$scratch/serverless-3.40.0"
serverless="$framework/node_modules/serverless/bin/serverless.js"
if [[ ! -f "$serverless" ]]; then
    echo "installing serverless@3.40.0 into $framework ..." >&2
    mkdir -p "$framework"
    echo '{"private": true}' > "$framework/package.json"
    (cd "$framework" && npm install --no-audit --no-fund --ignore-scripts serverless@3.40.0 >&2)
fi

# Three copies of the example that differ only in the `plugins:` entry; all have the plugin
# linked into node_modules and leave node_modules out of the artifact, so only the check differs.
timing="$scratch/timing"
rm -rf "$timing"
for variant in without noop with; do
    dir="$timing/$variant"
    mkdir -p "$dir/src" "$dir/node_modules"
    cp "$root/examples/serverless/serverless.yml" "$dir/"
    for handler in enrich project notify; do
        echo "exports.handler = async () => {};" > "$dir/src/$handler.js"
    done
    ln -s "$root/serverless-plugin" "$dir/node_modules/serverless-triggerlint"
    printf '\npackage:\n  patterns:\n    - "!node_modules/**"\n' >> "$dir/serverless.yml"
done
printf '\nplugins:\n  - serverless-triggerlint\ncustom:\n  triggerlint:\n    failOn: never\n' \
    >> "$timing/with/serverless.yml"
printf "'use strict';\nmodule.exports = class Noop {};\n" > "$timing/noop/noop.js"
printf '\nplugins:\n  - ./noop\n' >> "$timing/noop/serverless.yml"

export HOME="$scratch/home" SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
    AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
    AWS_REGION=eu-west-1 TRIGGERLINT_PATH="$binary"
mkdir -p "$HOME"

# "wall cpu" seconds of one `serverless package --verbose`; the plugin's own figure goes to
# $timing/log.
package() {
    local dir="$timing/$1"
    (cd "$dir" && /usr/bin/time -f "%e %U %S" -o "$timing/time" node "$serverless" package --verbose \
        > "$timing/log" 2>&1) || { cat "$timing/log" >&2; exit 1; }
    awk '{printf "%.2f %.2f\n", $1, $2 + $3}' "$timing/time"
}

package without > /dev/null   # warm the file cache
declare -a wall_without wall_noop wall_with cpu_without cpu_noop cpu_with checks
for ((i = 0; i < runs; i++)); do
    line="run $((i + 1)):"
    for variant in without noop with; do
        declare -n walls="wall_$variant" cpus="cpu_$variant"
        read -r wall cpu < <(package "$variant")
        walls+=("$wall"); cpus+=("$cpu")
        line+=" $variant $wall s (cpu $cpu s),"
    done
    checks+=("$(sed -n 's/.*triggerlint: checked in \([0-9]*\) ms.*/\1/p' "$timing/log")")
    echo "$line the check ${checks[-1]} ms"
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
difference() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f", a - b}'; }
for kind in wall cpu; do
    declare -n w="${kind}_with" n="${kind}_noop" wo="${kind}_without"
    echo "median $kind time of $runs runs: without $(median "${wo[@]}") s," \
        "no-op plugin $(median "${n[@]}") s, triggerlint plugin $(median "${w[@]}") s;" \
        "triggerlint adds $(difference "$(median "${w[@]}")" "$(median "${wo[@]}")") s" \
        "($(difference "$(median "${w[@]}")" "$(median "${n[@]}")") s over the no-op plugin)"
done
echo "the plugin's check itself: median $(median "${checks[@]}") ms, at most" \
    "$(printf '%s\n' "${checks[@]}" | sort -g | tail -n 1) ms (binary: $binary)"
