#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for a bounded time each, seeded with the project's
# fixtures and examples and, when present, ../shared/corpus.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 30 seconds, every target)
#
# Needs only the stable toolchain: cargo-fuzz is installed when missing, and RUSTC_BOOTSTRAP
# lets stable rustc take the sanitizer flags cargo-fuzz passes. A crash stops the run with the
# failing input under fuzz/artifacts/<target>/; fix the bug, then copy that input into
# fuzz/regressions/ so tests/hostile.rs replays it on every test run.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${1:-30}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(yaml_tree json_tree load_serverless load_sam load_cloudformation load_terraform pipeline)
fi

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "--- installing cargo-fuzz"
    cargo install --locked cargo-fuzz@0.13.1
fi

corpus="$root/../shared/corpus"
seed_files() {
    local pattern="$1"
    local folders=("$root/fixtures" "$root/examples" "$root/fuzz/regressions")
    [[ -d "$corpus" ]] && folders+=("$corpus")
    find "${folders[@]}" -type f -regextype posix-extended -regex "$pattern" -size -256k
}

# Seeds go to target/fuzz-seeds/<target> (rebuilt each run); what the fuzzer learns goes to
# target/fuzz-corpus/<target>, kept between local runs, never committed.
seed() {
    local target="$1" dir="$root/target/fuzz-seeds/$1" pattern='.*\.(ya?ml|json|template)$'
    rm -rf "$dir"
    mkdir -p "$dir" "$root/target/fuzz-corpus/$target"
    case "$target" in
        yaml_tree) pattern='.*\.(ya?ml|template)$' ;;
        json_tree) pattern='.*\.json$' ;;
        load_terraform) pattern='.*\.tf$' ;;
    esac
    local i=0
    while IFS= read -r file; do
        i=$((i + 1))
        if [[ "$target" == pipeline ]]; then
            # The pipeline target's first byte picks the file name: 0 serverless.yml, 1 .json.
            case "$file" in
                *.json) printf '\001' ;;
                *) printf '\000' ;;
            esac >"$dir/$i"
            cat "$file" >>"$dir/$i"
        else
            cp "$file" "$dir/$i"
        fi
    done < <(seed_files "$pattern")
    echo "$i"
}

echo "--- building fuzz targets"
cargo fuzz build --fuzz-dir fuzz
status=0
for target in "${targets[@]}"; do
    seeds=$(seed "$target")
    echo "--- fuzzing $target for ${seconds}s ($seeds seeds)"
    if ! cargo fuzz run --fuzz-dir fuzz "$target" \
        "$root/target/fuzz-corpus/$target" "$root/target/fuzz-seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=262144 \
        -print_final_stats=1 2>"$root/target/fuzz-$target.log"; then
        echo "!!! $target failed; see $root/target/fuzz-$target.log and fuzz/artifacts/$target/"
        tail -n 40 "$root/target/fuzz-$target.log"
        status=1
    else
        grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done)' \
            "$root/target/fuzz-$target.log" || true
    fi
done
exit "$status"
