//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared corpus of real templates, `../shared/corpus` from the project root. Absent in a
/// user's clone: tests that need it skip with a message, except under `CI=true`, where a
/// missing corpus is a failure.
pub fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but the corpus is missing at {}", dir.display());
    }
    eprintln!(
        "skipping: the corpus folder {} is absent (it ships beside the project, not in it)",
        dir.display()
    );
    None
}

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lints one file, which must parse.
pub fn lint_clean(
    path: &std::path::Path,
    config: &triggerlint::config::Config,
) -> triggerlint::Run {
    let run = triggerlint::run(&[path.to_path_buf()], config);
    assert!(
        run.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        run.errors
    );
    run
}

/// Renders a run in every output format, for tests that only need rendering not to panic.
pub fn render_every_format(run: &triggerlint::Run) {
    use triggerlint::report;
    let style = report::human::Style {
        color: false,
        unicode: true,
    };
    report::human::render(run, style);
    report::json::render(run);
    report::sarif::render(run);
    report::github::render(run);
    report::inspect::render_human(run);
    report::inspect::render_json(run);
}
