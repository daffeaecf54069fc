//! Throughput of the whole pipeline (parse, load, rules, suppressions, report data) against a
//! parse-only baseline (the same YAML, JSON or HCL parser building nothing of ours), over
//! generated templates and Terraform modules in every format: 1, 100, 1 000 and 10 000 templates, and one 10 MB template.
//! Single-threaded, per file, so the two compare like for like; `cargo bench --bench memory`
//! measures the parallel binary end to end.
//!
//! Run with `cargo bench --bench pipeline`; divan prints MB/s and triggers/s per case.

mod support;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use support::{Kind, Parser};
use triggerlint::config::Config;

// Measure with the allocator the binary ships with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[1, 100, 1_000, 10_000];

fn corpus(kind: Kind, count: usize) -> Vec<(String, String)> {
    support::generated(kind, count)
}

fn bytes(texts: &[(String, String)]) -> usize {
    texts.iter().map(|(_, t)| t.len()).sum()
}

/// The whole pipeline on each text, from where it is written on disk.
fn pipeline(bencher: Bencher, pinned: support::Pinned) {
    let texts = &pinned.texts;
    // BENCH_SELECT=TL001,TL108 runs only those rules: how to see what a rule costs.
    let config = match std::env::var("BENCH_SELECT") {
        Ok(list) => Config {
            select: list.split(',').map(str::to_string).collect(),
            ..support::check_config()
        },
        Err(_) => support::check_config(),
    };
    let triggers: usize = texts
        .iter()
        .map(|(p, t)| triggerlint::engine::report_text(p, t.clone(), &config).trigger_count)
        .sum();
    // The texts are copied outside the timed part: the parse-only baseline reads them in place,
    // and the pipeline takes ownership of its text (as it does of a file read from disk).
    bencher
        .counter(BytesCount::new(bytes(texts)))
        .counter(ItemsCount::new(triggers))
        .with_inputs(|| texts.clone())
        .bench_values(|texts| {
            for (path, text) in texts {
                divan::black_box(triggerlint::engine::report_text(path, text, &config));
            }
        });
}

/// The parser alone, building nothing of ours (see [`support::parse_only`]).
fn parse_only(bencher: Bencher, texts: Vec<(String, String)>, parser: Parser) {
    bencher.counter(BytesCount::new(bytes(&texts))).bench(|| {
        for (_, text) in &texts {
            support::parse_only(parser, text);
        }
    });
}

/// Our spanned tree, without loading: what building the tree costs over the parser.
fn tree_only(bencher: Bencher, texts: Vec<(String, String)>) {
    bencher.counter(BytesCount::new(bytes(&texts))).bench(|| {
        for (path, text) in &texts {
            let path = std::path::Path::new(path);
            if triggerlint::parse::hcl::is_terraform(path) {
                let body =
                    triggerlint::parse::hcl::parse_file(path, text, triggerlint::source::FileId(0));
                divan::black_box(body.is_ok());
                continue;
            }
            let syntax = triggerlint::parse::syntax_of(path, text);
            let tree = triggerlint::parse::parse(text, syntax, triggerlint::source::FileId(0));
            divan::black_box(tree.is_ok());
        }
    });
}

macro_rules! format_benches {
    ($module:ident, $kind:expr, $parser:expr) => {
        mod $module {
            use super::*;

            #[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
            fn pipeline(bencher: Bencher, count: usize) {
                super::pipeline(bencher, support::on_disk(corpus($kind, count)));
            }

            #[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
            fn parse_only(bencher: Bencher, count: usize) {
                super::parse_only(bencher, corpus($kind, count), $parser);
            }

            #[divan::bench(args = SIZES, sample_count = 10, sample_size = 1)]
            fn tree_only(bencher: Bencher, count: usize) {
                super::tree_only(bencher, corpus($kind, count));
            }
        }
    };
}

format_benches!(serverless, Kind::Serverless, Parser::Yaml);
format_benches!(sam, Kind::Sam, Parser::Yaml);
format_benches!(cfn_yaml, Kind::CfnYaml, Parser::Yaml);
format_benches!(cfn_json, Kind::CfnJson, Parser::Json);
format_benches!(terraform, Kind::Terraform, Parser::Hcl);

/// One template of about 10 MB.
mod large_10mb {
    use super::*;

    fn one(kind: Kind) -> Vec<(String, String)> {
        vec![(kind.file_name(0), support::large(kind, 10_000_000))]
    }

    #[divan::bench(args = ["cfn-yaml", "cfn-json"], sample_count = 5, sample_size = 1)]
    fn pipeline(bencher: Bencher, kind: &str) {
        let kind = if kind == "cfn-json" {
            Kind::CfnJson
        } else {
            Kind::CfnYaml
        };
        super::pipeline(bencher, support::on_disk(one(kind)));
    }

    #[divan::bench(args = ["cfn-yaml", "cfn-json"], sample_count = 5, sample_size = 1)]
    fn tree_only(bencher: Bencher, kind: &str) {
        let kind = if kind == "cfn-json" {
            Kind::CfnJson
        } else {
            Kind::CfnYaml
        };
        super::tree_only(bencher, one(kind));
    }

    #[divan::bench(args = ["cfn-yaml", "cfn-json"], sample_count = 5, sample_size = 1)]
    fn parse_only(bencher: Bencher, kind: &str) {
        let (kind, parser) = if kind == "cfn-json" {
            (Kind::CfnJson, Parser::Json)
        } else {
            (Kind::CfnYaml, Parser::Yaml)
        };
        super::parse_only(bencher, one(kind), parser);
    }
}
