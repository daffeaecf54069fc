//! The pre-commit hook, run by the real pre-commit tool: a sample repository's
//! `.pre-commit-config.yaml` names this repository's files (committed into a scratch repository,
//! so uncommitted changes are tested too) at a `rev`, the way users write it; pre-commit builds
//! the hook once and runs it on each file. It fails on a risky template and passes on a clean
//! one.
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

/// This repository's files as they are on disk (tracked and untracked, not ignored), committed
/// into a scratch git repository: what pre-commit clones as the hook's repository. One
/// repository and one `rev` for every run, so pre-commit builds the hook once (`try-repo`
/// would clone and build it again for each run).
fn hook_repository(scratch: &Path) -> Result<(PathBuf, String), String> {
    let root = common::project_root();
    let listed = run(Command::new("git").current_dir(&root).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]))?;
    if !listed.status.success() {
        return Err(format!(
            "git ls-files: {}",
            String::from_utf8_lossy(&listed.stderr)
        ));
    }
    let repo = scratch.join("hook-repository");
    if repo.exists() {
        std::fs::remove_dir_all(&repo).map_err(|e| format!("{}: {e}", repo.display()))?;
    }
    for name in String::from_utf8_lossy(&listed.stdout).split('\0') {
        let from = root.join(name);
        // A tracked file deleted in the working tree is not part of what is tested.
        if name.is_empty() || !from.is_file() {
            continue;
        }
        let to = repo.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    git(&repo, &["init", "--quiet"])?;
    git(&repo, &["add", "--all"])?;
    git(
        &repo,
        &[
            "-c",
            "user.name=triggerlint tests",
            "-c",
            "user.email=tests@triggerlint.invalid",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "the hook under test",
        ],
    )?;
    let head = run(Command::new("git")
        .current_dir(&repo)
        .args(["rev-parse", "HEAD"]))?;
    Ok((
        repo,
        String::from_utf8_lossy(&head.stdout).trim().to_string(),
    ))
}

/// Runs the hook through `pre-commit run` on one file of the sample repository.
fn run_hook(pre_commit: &Path, sample: &Path, file: &str) -> Output {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    Command::new(pre_commit)
        .current_dir(sample)
        .args(["run", "triggerlint", "--verbose", "--files", file])
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
        return skip_or_fail("the project is not a git checkout, whose file list the test needs");
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
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let (hook_repo, rev) = match hook_repository(&scratch) {
        Ok(found) => found,
        Err(reason) => return skip_or_fail(&reason),
    };
    std::fs::write(
        sample.path().join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: triggerlint\n",
            hook_repo.display()
        ),
    )
    .unwrap();
    if let Err(reason) =
        git(sample.path(), &["init", "--quiet"]).and_then(|()| git(sample.path(), &["add", "."]))
    {
        return skip_or_fail(&reason);
    }

    let risky = run_hook(&pre_commit, sample.path(), "serverless.yml");
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

    let clean = run_hook(&pre_commit, sample.path(), "template.json");
    let out = String::from_utf8_lossy(&clean.stdout);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(out.contains("Passed"), "{out}");

    // A changed .tf file is linted with its module's other files, and only its findings shown.
    let terraform = run_hook(&pre_commit, sample.path(), "infra/queues.tf");
    let out = String::from_utf8_lossy(&terraform.stdout);
    assert_eq!(terraform.status.code(), Some(1), "{out}");
    assert!(
        out.contains("warning[TL204 sqs-visibility-timeout-margin]")
            && out.contains("infra/queues.tf:26:1"),
        "{out}"
    );
    assert!(!out.contains("streams.tf"), "{out}");

    let other = run_hook(&pre_commit, sample.path(), "notes.yml");
    assert_eq!(
        other.status.code(),
        Some(0),
        "files that are not templates pass"
    );
}
