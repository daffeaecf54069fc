#!/usr/bin/env bash
# Runs the benchmarks and sums them up against the targets:
#   - the whole pipeline at no less than half the parse-only throughput, per format (0.6 for
#     Terraform), read from the paired rounds of benches/ratio.rs;
#   - the same MB/s at 100, 1 000 and 10 000 templates (cost linear in input size);
#   - peak memory for 1 000 vs 10 000 templates, the shared corpus, start-up;
#   - the language server's edit latency on 100 KB and 1 MB SAM templates (benches/server.rs).
#
#   bench/run.sh            (about 6 minutes on 2 cores; divan's full tables go to target/)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mkdir -p target
echo "--- cargo bench --bench pipeline (full table: target/bench-pipeline.txt)"
cargo bench --quiet --bench pipeline >target/bench-pipeline.txt
python3 - target/bench-pipeline.txt <<'PY'
import re, sys

lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
group = sub = None
median = {}  # (group, bench, arg) -> (MB/s, triggers/s)
for i, line in enumerate(lines):
    if m := re.match(r"^[├╰]─ (\w+)", line):
        group = m.group(1)
    elif m := re.match(r"^[│ ]  [├╰]─ (\w+)", line):
        sub = m.group(1)
    elif m := re.match(r"^[│ ]  [│ ]  [├╰]─ (\S+)", line):
        # Columns: fastest, slowest, median, mean; the rows below hold the counters.
        def column(row, unit):
            cells = [c.strip() for c in row.split("│") if unit in c]
            return cells[2] if len(cells) > 2 else "-"
        mbs = column(lines[i + 1], "B/s")
        items = column(lines[i + 2], "item/s") if "item/s" in lines[i + 2] else "-"
        median[(group, sub, m.group(1))] = (mbs, items)

def mb(text):
    value, unit = text.split()
    return float(value) * {"GB/s": 1000, "MB/s": 1, "KB/s": 0.001}[unit]

print(f"{'case':<28} {'pipeline':>12} {'triggers/s':>14} {'parse-only':>12} {'ratio':>7}")
for (group, bench, arg), (mbs, items) in median.items():
    if bench != "pipeline":
        continue
    parse = median.get((group, "parse_only", arg))
    ratio = f"{mb(mbs) / mb(parse[0]):.2f}" if parse else "-"
    print(f"{group + ' ' + arg:<28} {mbs:>12} {items:>14} {parse[0] if parse else '-':>12} {ratio:>7}")
PY
echo
# The ratio again, parse-only and pipeline timed back to back over short rounds, so load from
# other work on the machine falls on both alike (benches/ratio.rs); the target is about this.
echo "--- cargo bench --bench ratio (paired rounds; load average before and after)"
cargo bench --quiet --bench ratio
echo
echo "--- cargo bench --bench memory"
cargo bench --quiet --bench memory
echo
echo "--- cargo bench --bench server (editor latency: didChange to publishDiagnostics)"
cargo bench --quiet --bench server
