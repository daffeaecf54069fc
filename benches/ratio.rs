//! The whole pipeline's speed as a fraction of the parser's, measured so that load from other
//! work on the machine cancels out: each round times one parse-only pass and one pipeline pass
//! over the same pinned input (the same generated templates every run, written to a temporary
//! folder so that a Terraform module's registry module calls are followed), back to back, in an
//! order that alternates between rounds; the ratio is taken per round, and the median over the
//! rounds is reported with its quartiles. Rounds are short (60 templates, about 1 MB of
//! Terraform) so that the load is about the same for both passes of a round, and many (101).
//! `cargo bench --bench pipeline` times the two apart (minutes apart for the larger sizes), so
//! a change of load between them moves its ratio.
//!
//!   cargo bench --bench ratio                 every format, 60 templates, 101 rounds
//!   cargo bench --bench ratio -- terraform    one format
//!   BENCH_RATIO_ROUNDS=21 BENCH_RATIO_TEMPLATES=1000 cargo bench --bench ratio
//!
//! The load average (`/proc/loadavg`) is printed before and after: a ratio measured while the
//! other core was busy is still comparable, but its MB/s are not.

mod support;

use std::time::{Duration, Instant};

use support::Kind;
use triggerlint::config::Config;

// Measure with the allocator the binary ships with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

fn time_parse(kind: Kind, texts: &[(String, String)]) -> Duration {
    let parser = kind.parser();
    let start = Instant::now();
    for (_, text) in texts {
        support::parse_only(parser, text);
    }
    start.elapsed()
}

/// The whole pipeline, per file on this thread. The texts are copied before the clock starts:
/// the pipeline owns its text, as it owns a file read from disk.
fn time_pipeline(texts: &[(String, String)], config: &Config) -> Duration {
    let owned = texts.to_vec();
    let start = Instant::now();
    for (path, text) in owned {
        std::hint::black_box(triggerlint::engine::report_text(path, text, config));
    }
    start.elapsed()
}

/// Triggers of the pinned input, and how many of them have a known source kind: whether the
/// pipeline measured links what it links on disk (Terraform: the registry module calls).
fn kinds_known(texts: &[(String, String)], config: &Config) -> (usize, usize) {
    let reports = texts
        .iter()
        .take(10)
        .map(|(path, text)| triggerlint::engine::report_document(path, text.clone(), config));
    reports.fold((0, 0), |(all, known), report| {
        let triggers = &report.triggers;
        let unknown = triggers
            .iter()
            .filter(|t| t.source == triggerlint::model::SourceKind::Unknown)
            .count();
        (all + triggers.len(), known + triggers.len() - unknown)
    })
}

/// The value at fraction `q` of sorted values (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index]
}

struct Measured {
    ratio: [f64; 3],
    pipeline_mbs: f64,
    parse_mbs: f64,
}

fn measure(kind: Kind, texts: &[(String, String)], rounds: usize) -> Measured {
    let config = support::check_config();
    let megabytes = texts.iter().map(|(_, t)| t.len()).sum::<usize>() as f64 / 1e6;
    // One unmeasured pass of each: caches, the allocator's pools, the schema compiled once.
    time_parse(kind, texts);
    time_pipeline(texts, &config);
    let mut ratios = Vec::with_capacity(rounds);
    let mut parse_times = Vec::with_capacity(rounds);
    let mut pipeline_times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (parse, pipeline) = if round % 2 == 0 {
            let parse = time_parse(kind, texts);
            (parse, time_pipeline(texts, &config))
        } else {
            let pipeline = time_pipeline(texts, &config);
            (time_parse(kind, texts), pipeline)
        };
        // Throughput ratio: pipeline MB/s over parser MB/s, i.e. parse time over pipeline time.
        ratios.push(parse.as_secs_f64() / pipeline.as_secs_f64());
        parse_times.push(parse.as_secs_f64());
        pipeline_times.push(pipeline.as_secs_f64());
    }
    for list in [&mut ratios, &mut parse_times, &mut pipeline_times] {
        list.sort_by(f64::total_cmp);
    }
    Measured {
        ratio: [
            quantile(&ratios, 0.25),
            quantile(&ratios, 0.5),
            quantile(&ratios, 0.75),
        ],
        pipeline_mbs: megabytes / quantile(&pipeline_times, 0.5),
        parse_mbs: megabytes / quantile(&parse_times, 0.5),
    }
}

fn main() {
    let rounds = env_or("BENCH_RATIO_ROUNDS", 101).max(1);
    let count = env_or("BENCH_RATIO_TEMPLATES", 60).max(1);
    // `cargo bench` passes `--bench`; any other argument names the formats to measure.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| wanted.is_empty() || wanted.iter().any(|w| w == k.name()))
        .collect();
    println!(
        "{count} templates per format, {rounds} rounds; load average before: {}",
        load_average()
    );
    println!(
        "{:<12} {:>10} {:>12} {:>12} {:>18}",
        "format", "ratio", "pipeline", "parse-only", "ratio quartiles"
    );
    for kind in kinds {
        let pinned = support::on_disk(support::generated(kind, count));
        let texts = &pinned.texts;
        let (all, known) = kinds_known(texts, &Config::default());
        eprintln!(
            "{}: source kind known for {known} of {all} triggers of the first 10 templates",
            kind.name()
        );
        let m = measure(kind, texts, rounds);
        println!(
            "{:<12} {:>10.2} {:>7.1} MB/s {:>7.1} MB/s {:>10.2} to {:.2}",
            kind.name(),
            m.ratio[1],
            m.pipeline_mbs,
            m.parse_mbs,
            m.ratio[0],
            m.ratio[2]
        );
    }
    println!("load average after: {}", load_average());
}
