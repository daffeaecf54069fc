//! The pre-commit hook, run by the real pre-commit tool: `pre-commit try-repo` builds the hook
//! from this repository the way users' pre-commit does and runs it on a sample repository. It
//! fails on a risky template and passes on a clean one.
//!
//! pre-commit comes from PyPI into a virtual environment under Cargo's test scratch folder, and
//! the hook takes minutes to build, so the test runs in the project's CI (`TRIGGERLINT_CI=1`)
//! or when `TRIGGERLINT_EXTERNAL_TESTS=1` asks for it. Where Python, git or the network is
//! missing it skips with a message, except in the project's CI.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PRE_COMMIT_VERSION: &str = "4.7.0";

fn skip_or_fail(reason: &str) {
    if common::project_ci() {
        panic!("TRIGGERLINT_CI=1 and the pre-commit test cannot run: {reason}");
    }
    eprintln!("skipping the pre-commit test: {reason}");
}

fn run(cmd: &mut Command) -> Result<Output, String> {
    cmd.output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))
}

/// A virtual environment with pre-commit, made once and reused.
fn pre_commit() -> Result<PathBuf, String> {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-venv");
    let bin = venv.join("bin").join("pre-commit");
    let version = Command::new(&bin).arg("--version").output();
    if version.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(PRE_COMMIT_VERSION)) {
        return Ok(bin);
    }
    let made = run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    if !made.status.success() {
        return Err(format!(
            "python3 -m venv failed: {}",
            String::from_utf8_lossy(&made.stderr)
        ));
    }
    let pip = venv.join("bin").join("pip");
    let installed = run(Command::new(pip).args([
        "install",
        "--quiet",
        &format!("pre-commit=={PRE_COMMIT_VERSION}"),
    ]))?;
    if !installed.status.success() {
        return Err(format!(
            "pip install pre-commit failed: {}",
            String::from_utf8_lossy(&installed.stderr)
        ));
    }
    Ok(bin)
}

fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    let output = run(Command::new("git").current_dir(dir).args(args))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// A mapping with every stream setting chosen: nothing to report.
const CLEAN: &str = r#"{"Resources": {"Orders": {"Type": "AWS::Lambda::EventSourceMapping",
  "Properties": {"FunctionName": "consumer", "StartingPosition": "LATEST",
    "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
    "BatchSize": 100, "MaximumBatchingWindowInSeconds": 5, "MaximumRetryAttempts": 3,
    "MaximumRecordAgeInSeconds": 3600, "BisectBatchOnFunctionError": true,
    "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failures"}}}}}}"#;

/// Runs the hook through `pre-commit try-repo` on one file of the sample repository.
fn try_repo(pre_commit: &Path, sample: &Path, file: &str) -> Output {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    Command::new(pre_commit)
        .current_dir(sample)
        .arg("try-repo")
        .arg(common::project_root())
        .args(["triggerlint", "--verbose", "--files", file])
        .env("PRE_COMMIT_HOME", scratch.join("pre-commit-home"))
        // The hook is built with `cargo install`; keep its target folder between runs, and
        // build without link-time optimisation, which only slows a test build down.
        .env("CARGO_TARGET_DIR", scratch.join("pre-commit-build"))
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env_remove("NO_COLOR")
        .output()
        .expect("pre-commit runs")
}

#[test]
fn the_hook_fails_on_a_risky_template_and_passes_on_a_clean_one() {
    if !common::external_tool_test(
        "the pre-commit test (installs pre-commit from PyPI, builds the hook)",
    ) {
        return;
    }
    if !common::project_root().join(".git").exists() {
        return skip_or_fail("the project is not a git checkout, which try-repo needs");
    }
    let pre_commit = match pre_commit() {
        Ok(bin) => bin,
        Err(reason) => return skip_or_fail(&reason),
    };
    let sample = tempfile::tempdir().unwrap();
    let root = common::project_root();
    std::fs::copy(
        root.join("examples/serverless/serverless.yml"),
        sample.path().join("serverless.yml"),
    )
    .unwrap();
    std::fs::write(sample.path().join("template.json"), CLEAN).unwrap();
    std::fs::write(sample.path().join("notes.yml"), "title: not a template\n").unwrap();
    std::fs::create_dir(sample.path().join("infra")).unwrap();
    for file in ["queues.tf", "streams.tf", "variables.tf"] {
        std::fs::copy(
            root.join("examples/terraform").join(file),
            sample.path().join("infra").join(file),
        )
        .unwrap();
    }
    if let Err(reason) =
        git(sample.path(), &["init", "--quiet"]).and_then(|()| git(sample.path(), &["add", "."]))
    {
        return skip_or_fail(&reason);
    }

    let risky = try_repo(&pre_commit, sample.path(), "serverless.yml");
    let out = String::from_utf8_lossy(&risky.stdout);
    assert_eq!(
        risky.status.code(),
        Some(1),
        "{out}\n{}",
        String::from_utf8_lossy(&risky.stderr)
    );
    assert!(
        out.contains("triggerlint") && out.contains("Failed"),
        "{out}"
    );
    assert!(
        out.contains("warning[TL101 stream-unbounded-retries]"),
        "{out}"
    );

    let clean = try_repo(&pre_commit, sample.path(), "template.json");
    let out = String::from_utf8_lossy(&clean.stdout);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(out.contains("Passed"), "{out}");

    // A changed .tf file is linted with its module's other files, and only its findings shown.
    let terraform = try_repo(&pre_commit, sample.path(), "infra/queues.tf");
    let out = String::from_utf8_lossy(&terraform.stdout);
    assert_eq!(terraform.status.code(), Some(1), "{out}");
    assert!(
        out.contains("warning[TL204 sqs-visibility-timeout-margin]")
            && out.contains("infra/queues.tf:26:1"),
        "{out}"
    );
    assert!(!out.contains("streams.tf"), "{out}");

    let other = try_repo(&pre_commit, sample.path(), "notes.yml");
    assert_eq!(
        other.status.code(),
        Some(0),
        "files that are not templates pass"
    );
}
