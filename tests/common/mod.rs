//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// Whether this is the project's own CI (`.ci/run` sets `TRIGGERLINT_CI=1`). Not `CI=true`:
/// GitHub and GitLab set that in every fork, where the shared corpus is absent and the
/// external tools may not be wanted.
pub fn project_ci() -> bool {
    std::env::var("TRIGGERLINT_CI").is_ok_and(|v| v == "1")
}

/// The shared corpus of real templates, `../shared/corpus` from the project root. Absent in a
/// user's clone: tests that need it skip with a message, except in the project's CI, where a
/// missing corpus is a failure.
pub fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    shared_folder_missing(&dir);
    None
}

/// Says that a test skips because a file of `../shared` is absent, or fails in the project's
/// CI, where it must be there.
pub fn shared_folder_missing(path: &std::path::Path) {
    assert!(
        !project_ci(),
        "TRIGGERLINT_CI=1 but {} is missing (the shared folder ships beside the project)",
        path.display()
    );
    eprintln!(
        "skipping: {} is absent (it ships beside the project, not in it)",
        path.display()
    );
}

/// Whether a test that installs or runs an external tool (pre-commit, maturin, Neovim, the
/// Serverless Framework) runs: always in the project's CI, elsewhere only when
/// `TRIGGERLINT_EXTERNAL_TESTS=1` asks for it, since these tests download packages and take
/// minutes. Otherwise the test says how to run it and returns.
pub fn external_tool_test(what: &str) -> bool {
    let wanted =
        project_ci() || std::env::var("TRIGGERLINT_EXTERNAL_TESTS").is_ok_and(|v| v == "1");
    if !wanted {
        eprintln!(
            "skipping: {what}; set TRIGGERLINT_EXTERNAL_TESTS=1 to run it (the project's CI, \
             .ci/run, always does)"
        );
    }
    wanted
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

/// The start of a Python script that loads YAML with PyYAML as a permissive loader: any tag
/// accepted (as cfn-lint reads CloudFormation's short forms). The script's own lines follow
/// it and use `Loader`.
pub const PYYAML_ANY_TAG_LOADER: &str = r#"
import os, sys, yaml
class Loader(yaml.SafeLoader):
    pass
def any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)
Loader.add_multi_constructor("!", any_tag)
Loader.add_multi_constructor("tag:", any_tag)
"#;

/// What `triggerlint ARGS` prints on standard output, run in `dir` without colour.
pub fn stdout_of(dir: &std::path::Path, args: &[&str]) -> String {
    let output = assert_cmd::Command::cargo_bin("triggerlint")
        .expect("the binary is built")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("triggerlint runs");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}
