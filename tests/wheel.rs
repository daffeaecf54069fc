//! The Python package: maturin builds a wheel of the binary from `pyproject.toml`, pip installs
//! it into a fresh virtual environment with no access to an index, and the installed command
//! runs. The wheel is built with the dev profile, which reuses the test build: what is tested is
//! the packaging, not the optimizer.
//!
//! maturin comes from PyPI into a virtual environment under Cargo's test scratch folder, so the
//! test runs in the project's CI (`TRIGGERLINT_CI=1`) or when `TRIGGERLINT_EXTERNAL_TESTS=1`
//! asks for it. Where Python or the network is missing it skips with a message, except in the
//! project's CI.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MATURIN_VERSION: &str = "1.16.0";

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

fn run(cmd: &mut Command) -> Result<Output, String> {
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "{:?} failed: {}{}",
            cmd.get_program(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn venv(path: &Path) -> Result<(), String> {
    run(Command::new("python3").args(["-m", "venv"]).arg(path)).map(drop)
}

/// A virtual environment with maturin, made once and reused.
fn maturin() -> Result<PathBuf, String> {
    let tools = scratch().join("maturin-venv");
    let bin = tools.join("bin/maturin");
    let version = Command::new(&bin).arg("--version").output();
    if version.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(MATURIN_VERSION)) {
        return Ok(bin);
    }
    venv(&tools)?;
    run(Command::new(tools.join("bin/pip")).args([
        "install",
        "--quiet",
        &format!("maturin=={MATURIN_VERSION}"),
    ]))?;
    Ok(bin)
}

#[test]
fn the_wheel_installs_a_working_triggerlint_without_rust() {
    if !common::external_tool_test("the wheel test (installs maturin from PyPI)") {
        return;
    }
    let maturin = match maturin() {
        Ok(maturin) => maturin,
        Err(why) => {
            assert!(
                !common::project_ci(),
                "TRIGGERLINT_CI=1 and the wheel test cannot get maturin: {why}"
            );
            eprintln!("skipping the wheel test: {why}");
            return;
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let wheels = scratch().join("wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    run(Command::new(&maturin)
        .args(["build", "--profile", "dev", "--auditwheel", "skip", "--out"])
        .arg(&wheels)
        .current_dir(&root))
    .unwrap();
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("maturin wrote a wheel");
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        name.starts_with(&format!("triggerlint-{version}-py3-none-")),
        "{name}"
    );

    // A fresh environment, and no index: everything comes from the wheel.
    let env = scratch().join("wheel-venv");
    let _ = std::fs::remove_dir_all(&env);
    venv(&env).unwrap();
    run(Command::new(env.join("bin/pip"))
        .args(["install", "--quiet", "--no-index"])
        .arg(&wheel))
    .unwrap();
    let installed = env.join("bin/triggerlint");
    let shown = run(Command::new(&installed).arg("--version")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout),
        format!("triggerlint {version}\n")
    );
    let example = root.join("fixtures/stream-unbounded-retries/bad.serverless.yml");
    let checked = Command::new(&installed)
        .args(["check", "--format", "concise", "--no-config"])
        .arg(&example)
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(checked.status.code(), Some(1));
    let from_cargo = Command::new(env!("CARGO_BIN_EXE_triggerlint"))
        .args(["check", "--format", "concise", "--no-config"])
        .arg(&example)
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(checked.stdout, from_cargo.stdout);
    assert!(String::from_utf8_lossy(&checked.stdout).contains("TL101"));
}
