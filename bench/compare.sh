#!/usr/bin/env bash
# Times triggerlint against cfn-lint (with the cfn-lint-serverless rules) and checkov on one
# copy of a folder of templates (default: ../shared/corpus), and prints the ratios.
#
#   bench/compare.sh [CORPUS_DIR]
#
# The peers are installed from PyPI into a throwaway virtual environment (kept in
# target/compare-venv so a second run does not download them again; delete it to refresh).
# Each tool runs once, on the same private copy of the files, so no tool sees another's cache.
# Wall time and peak RSS come from GNU time. Not part of CI: it needs the network once and takes
# minutes, almost all of it in the peers.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$root/../shared/corpus}"
if [[ ! -d "$corpus" ]]; then
    echo "compare.sh: no corpus at $corpus (pass a folder of templates)" >&2
    exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "compare.sh: needs GNU time at /usr/bin/time (Debian package 'time')" >&2
    exit 2
fi

venv="$root/target/compare-venv"
if [[ ! -x "$venv/bin/checkov" || ! -x "$venv/bin/cfn-lint" ]]; then
    echo "installing cfn-lint, cfn-lint-serverless and checkov into $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet cfn-lint cfn-lint-serverless checkov
fi

echo "building triggerlint (release) ..." >&2
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
triggerlint="$root/target/release/triggerlint"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/corpus"
# Template files only: the same set every tool is given.
mapfile -t templates < <(find "$work/corpus" -type f \
    \( -name '*.yml' -o -name '*.yaml' -o -name '*.json' -o -name '*.template' \) | sort)
echo "${#templates[@]} template files, $(du -sh "$work/corpus" | cut -f1) in $corpus" >&2

# Runs a command under GNU time; prints "seconds peak_kib". Exit codes are ignored: every tool
# exits non-zero when it has findings.
measure() {
    local name="$1"
    shift
    echo "running $name ..." >&2
    /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || true
    # GNU time adds a "Command exited with non-zero status" line first; the numbers are last.
    echo "$(tail -n 1 "$work/$name.time") $(wc -l <"$work/$name.out")"
}

read -r tl_s tl_kib tl_lines < <(measure triggerlint "$triggerlint" check --exit-zero --format json "$work/corpus")
read -r cfn_s cfn_kib cfn_lines < <(measure cfn-lint "$venv/bin/cfn-lint" --append-rules cfn_lint_serverless.rules \
    --format parseable -- "${templates[@]}")
read -r ckv_s ckv_kib ckv_lines < <(measure checkov "$venv/bin/checkov" --quiet --compact --output json \
    --framework cloudformation serverless --directory "$work/corpus")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.01; printf "%.0f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

printf '\n%-34s %9s %13s %15s %13s\n' tool "wall (s)" "peak RSS" "vs triggerlint" "output lines"
row() { printf '%-34s %9s %9s MiB %15s %13s\n' "$@"; }
row "triggerlint $("$triggerlint" --version | cut -d' ' -f2)" "$tl_s" "$(mib "$tl_kib")" "1x" "$tl_lines"
row "cfn-lint $("$venv/bin/cfn-lint" --version | awk '{print $2}') + serverless rules" \
    "$cfn_s" "$(mib "$cfn_kib")" "$(ratio "$cfn_s" "$tl_s")x slower" "$cfn_lines"
row "checkov $("$venv/bin/checkov" --version)" \
    "$ckv_s" "$(mib "$ckv_kib")" "$(ratio "$ckv_s" "$tl_s")x slower" "$ckv_lines"
