//! Whole-binary measurements that a micro-benchmark cannot give: peak memory for 1 000 and
//! 10 000 templates, wall time over the shared corpus, and start-up cost. Run with
//! `cargo bench --bench memory`; it prints a table and asserts nothing (numbers, not tests).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_triggerlint"))
}

/// Runs the binary under GNU time: (wall time, peak RSS in KiB).
fn measure(args: &[&str], dir: &Path) -> Option<(Duration, u64)> {
    let start = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(binary())
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let rss = stderr.lines().last()?.trim().parse().ok()?;
    Some((elapsed, rss))
}

/// The best of several runs (the least disturbed by other work on the machine).
fn best(args: &[&str], dir: &Path, runs: usize) -> Option<(Duration, u64)> {
    (0..runs)
        .filter_map(|_| measure(args, dir))
        .min_by_key(|(t, _)| *t)
}

fn main() {
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("memory bench skipped: /usr/bin/time (GNU time) is not installed");
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scratch = root.join("target/bench-corpus");
    println!(
        "{:<44} {:>10} {:>12} {:>10}",
        "run", "wall ms", "peak RSS MiB", "MB/s"
    );
    for count in [1_000usize, 10_000] {
        let dir = scratch.join(format!("generated-{count}"));
        // Regenerated every run, so the numbers always describe the current generator.
        let _ = std::fs::remove_dir_all(&dir);
        let bytes = support::write_corpus(&dir, count).expect("corpus written");
        for format in ["human", "json"] {
            let args = [
                "check",
                "--no-config",
                "--exit-zero",
                "--format",
                format,
                ".",
            ];
            if let Some((time, rss)) = best(&args, &dir, 3) {
                row(
                    &format!("{count} generated templates, --format {format}"),
                    time,
                    rss,
                    Some(bytes),
                );
            }
        }
    }
    let corpus = root.join("../shared/corpus");
    if corpus.is_dir() {
        let args = [
            "check",
            "--no-config",
            "--exit-zero",
            "--format",
            "json",
            ".",
        ];
        if let Some((time, rss)) = best(&args, &corpus, 5) {
            row(
                &format!("the shared corpus ({} files)", files(&corpus)),
                time,
                rss,
                Some(du(&corpus)),
            );
        }
    }
    if let Some((time, rss)) = best(&["--version"], &root, 10) {
        row("triggerlint --version", time, rss, None);
    }
    let one = [
        "check",
        "--no-config",
        "--exit-zero",
        "examples/serverless/serverless.yml",
    ];
    if let Some((time, rss)) = best(&one, &root, 10) {
        row("one-file lint (examples/serverless)", time, rss, None);
    }
}

fn row(name: &str, time: Duration, rss_kib: u64, bytes: Option<u64>) {
    let rate = bytes.map_or(String::from("-"), |b| {
        format!("{:.1}", b as f64 / 1e6 / time.as_secs_f64())
    });
    println!(
        "{name:<44} {:>10.1} {:>12.1} {rate:>10}",
        time.as_secs_f64() * 1e3,
        rss_kib as f64 / 1024.0
    );
}

fn files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(m) if m.is_dir() => files(&entry.path()),
            Ok(_) => 1,
            Err(_) => 0,
        })
        .sum()
}

fn du(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let meta = entry.metadata().ok();
        match meta {
            Some(m) if m.is_dir() => total += du(&entry.path()),
            Some(m) => total += m.len(),
            None => {}
        }
    }
    total
}
