//! The Serverless Framework plugin (`serverless-plugin/`), run by the real framework:
//! `serverless package` on the fixture services of `serverless-plugin/test/fixtures/`, copied
//! into Cargo's test scratch folder, with the plugin linked into their `node_modules` as an
//! installed package would be and this build's binary as `TRIGGERLINT_PATH`.
//!
//! The frameworks come from npm, pinned (`serverless` 3.40.0, the last v3, and its fork `osls`
//! when it installs), into one scratch folder under `target/`, once: later runs reuse them.
//! Under `TRIGGERLINT_CI=1` (`.ci/run`) these tests must run: npm unreachable or serverless not
//! installing is a failure. Elsewhere they run only with `TRIGGERLINT_EXTERNAL_TESTS=1`, and
//! skip with a message when npm cannot reach the registry. The plugin's own unit tests
//! (`node --test`) need only Node and run whenever it is there.
//!
//! `serverless package` needs no AWS account: credentials are fake, telemetry and
//! notifications are off, and nothing is deployed. Unix only: the plugin is linked into the
//! services' `node_modules` with a symbolic link, and a test binary is a shell script.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SERVERLESS_VERSION: &str = "3.40.0";
const OSLS_VERSION: &str = "4.3.1";

const HOW_TO_RUN: &str = "set TRIGGERLINT_EXTERNAL_TESTS=1 to run; installs serverless@3 from npm";

#[derive(Clone, Copy, PartialEq, Debug)]
enum Policy {
    /// `TRIGGERLINT_CI=1`: nothing may be skipped.
    Required,
    /// `TRIGGERLINT_EXTERNAL_TESTS=1`: run when npm can reach the registry.
    Wanted,
    Off,
}

fn policy() -> Policy {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| v == "1");
    if common::project_ci() {
        Policy::Required
    } else if set("TRIGGERLINT_EXTERNAL_TESTS") {
        Policy::Wanted
    } else {
        Policy::Off
    }
}

/// Why the frameworks are not there.
#[derive(Debug)]
enum Problem {
    /// The machine cannot get them (no Node or npm, the registry unreachable): a skip unless
    /// required.
    Unavailable(String),
    /// npm reached the registry and the install still failed.
    Failed(String),
}

struct Frameworks {
    node: PathBuf,
    /// `bin/serverless.js` of each framework.
    serverless: PathBuf,
    osls: Result<PathBuf, String>,
}

/// The installed frameworks, or `None` after saying why the test is skipped.
fn frameworks() -> Option<&'static Frameworks> {
    let policy = policy();
    if policy == Policy::Off {
        eprintln!("skipping the Serverless plugin test: {HOW_TO_RUN}");
        return None;
    }
    static INSTALLED: OnceLock<Result<Frameworks, Problem>> = OnceLock::new();
    match INSTALLED.get_or_init(install) {
        Ok(frameworks) => Some(frameworks),
        Err(Problem::Unavailable(why)) if policy == Policy::Wanted => {
            eprintln!("skipping the Serverless plugin test: {why}");
            None
        }
        Err(Problem::Unavailable(why) | Problem::Failed(why)) => {
            panic!("the Serverless plugin test cannot run ({policy:?}): {why}")
        }
    }
}

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serverless-plugin")
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Installs the pinned frameworks once; a lock file keeps two test runs from installing into
/// the same folder at the same time.
fn install() -> Result<Frameworks, Problem> {
    let node =
        on_path("node").ok_or_else(|| Problem::Unavailable("node is not on the PATH".into()))?;
    let npm =
        on_path("npm").ok_or_else(|| Problem::Unavailable("npm is not on the PATH".into()))?;
    std::fs::create_dir_all(scratch()).expect("the scratch folder");
    let lock = std::fs::File::create(scratch().join("install.lock")).expect("the lock file");
    lock.lock().expect("the install lock");
    let serverless = installed(&npm, "serverless", SERVERLESS_VERSION)?;
    let osls = installed(&npm, "osls", OSLS_VERSION).map_err(|problem| match problem {
        Problem::Unavailable(why) | Problem::Failed(why) => why,
    });
    Ok(Frameworks {
        node,
        serverless,
        osls,
    })
}

/// `bin/serverless.js` of the pinned package, installed unless that version is there.
fn installed(npm: &Path, package: &str, version: &str) -> Result<PathBuf, Problem> {
    let dir = scratch().join(format!("{package}-{version}"));
    let home = dir.join("node_modules").join(package);
    let bin = home.join("bin").join("serverless.js");
    let manifest = std::fs::read_to_string(home.join("package.json")).unwrap_or_default();
    if bin.is_file() && manifest.contains(&format!("\"version\": \"{version}\"")) {
        return Ok(bin);
    }
    let ping = Command::new(npm)
        .args(["ping", "--fetch-timeout=20000", "--fetch-retries=1"])
        .output();
    if !ping.is_ok_and(|o| o.status.success()) {
        return Err(Problem::Unavailable(format!(
            "npm cannot reach the registry to install {package}@{version}"
        )));
    }
    std::fs::create_dir_all(&dir).expect("the install folder");
    std::fs::write(dir.join("package.json"), "{\"private\": true}\n").expect("package.json");
    let output = Command::new(npm)
        .current_dir(&dir)
        .args(["install", "--no-audit", "--no-fund", "--ignore-scripts"])
        .arg(format!("{package}@{version}"))
        .output()
        .map_err(|e| Problem::Failed(format!("cannot run npm: {e}")))?;
    if output.status.success() && bin.is_file() {
        Ok(bin)
    } else {
        Err(Problem::Failed(format!(
            "npm install {package}@{version} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A fresh copy of a fixture service (named after the test, so tests never share one), with
/// the plugin linked in as an installed package.
fn service(fixture: &str, name: &str) -> PathBuf {
    let plugin = common::project_root().join("serverless-plugin");
    let dir = scratch().join("runs").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&plugin.join("test/fixtures").join(fixture), &dir);
    std::fs::create_dir_all(dir.join("node_modules")).unwrap();
    std::os::unix::fs::symlink(&plugin, dir.join("node_modules/serverless-triggerlint")).unwrap();
    dir
}

/// Rewrites one line of a copied service (its `custom.triggerlint` setting).
fn replace(dir: &Path, from: &str, to: &str) {
    let file = dir.join("serverless.yml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from} is not in {}", file.display());
    std::fs::write(&file, text.replace(from, to)).unwrap();
}

struct Ran {
    code: Option<i32>,
    /// Standard output and error: the framework logs to standard error.
    text: String,
}

impl Ran {
    fn lines_with(&self, needle: &str) -> Vec<&str> {
        self.text.lines().filter(|l| l.contains(needle)).collect()
    }

    /// Asserts that the output holds `text`, showing the output when it does not.
    fn says(&self, text: &str) {
        assert!(self.text.contains(text), "no {text:?} in:\n{}", self.text);
    }
}

/// Runs a framework in a service folder with an environment of its own: no AWS account, this
/// build's binary unless `configure` says otherwise.
fn run(
    node: &Path,
    framework: &Path,
    dir: &Path,
    args: &[&str],
    configure: impl FnOnce(&mut Command),
) -> Ran {
    let home = scratch().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut command = Command::new(node);
    command
        .arg(framework)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("SLS_TELEMETRY_DISABLED", "1")
        .env("SLS_NOTIFICATIONS_MODE", "off")
        .env("SLS_INTERACTIVE_SETUP_DISABLE", "1")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_REGION", "eu-west-1")
        .env("TRIGGERLINT_PATH", env!("CARGO_BIN_EXE_triggerlint"));
    configure(&mut command);
    let started = std::time::Instant::now();
    let output = command.output().expect("node runs");
    eprintln!(
        "{} {} in {}: {:.1} s",
        framework.display(),
        args.join(" "),
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ran {
        code: output.status.code(),
        text,
    }
}

/// The Serverless Framework v3.
fn serverless(
    frameworks: &Frameworks,
    dir: &Path,
    args: &[&str],
    configure: impl FnOnce(&mut Command),
) -> Ran {
    run(
        &frameworks.node,
        &frameworks.serverless,
        dir,
        args,
        configure,
    )
}

/// `serverless package` (v3) with extra arguments.
fn package(frameworks: &Frameworks, dir: &Path, args: &[&str]) -> Ran {
    serverless(frameworks, dir, &[&["package"], args].concat(), |_| {})
}

const FIFO_ERROR: &str = "serverless.yml:33:22: TL202 [error] `batchSize` is 50, but a FIFO queue delivers at most 10 messages per batch: the deploy fails; rule page: https://github.com/triggerlint/triggerlint/blob/main/rules/sqs-fifo-batch-limits.md";

/// The command failed, and the prod stage's error was printed once, as an error.
fn stopped_on_the_fifo_error(ran: &Ran) {
    assert_ne!(ran.code, Some(0), "{}", ran.text);
    assert_eq!(
        ran.lines_with("TL202"),
        [format!("× {FIFO_ERROR}")],
        "{}",
        ran.text
    );
}

/// The warning on the value another plugin's variable source gave (30 s): only the framework
/// resolves it, and the plugin hands it over.
const VISIBILITY_WARNING: &str = "serverless.yml:31:9: TL204 [warning] the visibility timeout of queue JobsQueue (30 s) is below the recommended 60 s, 6 x the timeout of function worker (10 s)";

#[test]
fn an_error_stops_package_with_its_code_and_line_for_the_stage_of_the_run() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let dir = service("orders", "error");
    let ran = package(frameworks, &dir, &["--stage", "prod"]);
    stopped_on_the_fifo_error(&ran);
    assert_eq!(ran.lines_with("TL204").len(), 1, "{}", ran.text);
    ran.says("triggerlint: 1 error, 1 warning, 0 notes in serverless.yml\n");
    ran.says(
        "triggerlint found 1 error (custom.triggerlint.failOn: error); see the findings above.",
    );
}

/// `deploy` packages first, so the same check stops it before anything reaches AWS.
#[test]
fn an_error_stops_deploy_before_anything_is_uploaded() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let dir = service("orders", "deploy");
    let ran = serverless(frameworks, &dir, &["deploy", "--stage", "prod"], |_| {});
    stopped_on_the_fifo_error(&ran);
    ran.says("triggerlint found 1 error (custom.triggerlint.failOn: error)");
    assert!(!ran.text.contains("Uploading"), "{}", ran.text);
}

#[test]
fn warnings_alone_let_package_succeed_and_are_printed() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let dir = service("orders", "warnings");
    // The dev stage: `${param:batch, 10}` takes its fallback, which a FIFO queue accepts.
    let ran = package(frameworks, &dir, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.text);
    let warnings = ran.lines_with("TL204");
    assert_eq!(warnings.len(), 1, "{}", ran.text);
    assert!(
        warnings[0].starts_with(&format!("Warning: {VISIBILITY_WARNING}")),
        "{}",
        ran.text
    );
    assert!(ran.lines_with("TL202").is_empty(), "{}", ran.text);
    ran.says("triggerlint: 0 errors, 1 warning, 0 notes in serverless.yml\n");
    ran.says("Service packaged");
}

#[test]
fn fail_on_warning_stops_package_on_a_warning() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let dir = service("orders", "fail-on-warning");
    replace(&dir, "failOn: error", "failOn: warning");
    let ran = package(frameworks, &dir, &[]);
    assert_ne!(ran.code, Some(0), "{}", ran.text);
    ran.says("triggerlint found 0 errors, 1 warning (custom.triggerlint.failOn: warning)");
    assert!(!ran.text.contains("Service packaged"), "{}", ran.text);
}

#[test]
fn a_mapping_another_plugin_added_to_the_compiled_template_is_reported_once() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let dir = service("plugin-mapping", "plugin-mapping");
    let ran = package(frameworks, &dir, &[]);
    assert_ne!(ran.code, Some(0), "{}", ran.text);
    let template = ".serverless/cloudformation-template-update-stack.json";
    let from_template = ran.lines_with(template);
    assert_eq!(from_template.len(), 2, "{}", ran.text);
    let added_by =
        "(mapping AuditMapping, added to the compiled template by the plugin ./tl-extra-mapping)";
    assert!(
        from_template.iter().all(|l| l.contains(added_by)),
        "the framework's own mapping is reported from the service file only: {}",
        ran.text
    );
    let error = ran.lines_with("TL001");
    assert_eq!(error.len(), 1, "{}", ran.text);
    assert!(
        error[0].contains(&format!(
            ": TL001 [error] `BatchSize` is above the maximum of 10000: the deploy fails {added_by}; rule page: "
        )),
        "{}",
        ran.text
    );
    // The line is the one of `BatchSize` in the template the framework wrote.
    let written = std::fs::read_to_string(dir.join(template)).unwrap();
    let line = written
        .lines()
        .position(|l| l.contains("\"BatchSize\": 20000"))
        .unwrap()
        + 1;
    assert!(
        error[0].starts_with(&format!("× {template}:{line}:22: ")),
        "{}",
        error[0]
    );
    assert_eq!(
        ran.lines_with("serverless.yml:20:9: TL204 [warning]").len(),
        1,
        "{}",
        ran.text
    );
    ran.says("triggerlint: 1 error, 2 warnings, 1 note in serverless.yml and in 1 mapping that other plugins added to the compiled template");
}

#[test]
fn a_missing_binary_is_a_clear_error_and_a_warning_with_fail_on_never() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    // Nothing on the PATH: no `triggerlint`, and no Python to ask for its package.
    let empty = scratch().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let without_binary = |command: &mut Command| {
        command.env_remove("TRIGGERLINT_PATH").env("PATH", &empty);
    };
    let hint = "Install it with `cargo install --locked --git https://github.com/triggerlint/triggerlint triggerlint` or `pip install triggerlint`";
    let dir = service("orders", "missing-binary");
    let ran = serverless(frameworks, &dir, &["package"], without_binary);
    assert_ne!(ran.code, Some(0), "{}", ran.text);
    ran.says(&format!("triggerlint was not found. {hint}"));
    replace(&dir, "failOn: error", "failOn: never");
    let ran = serverless(frameworks, &dir, &["package"], without_binary);
    assert_eq!(ran.code, Some(0), "{}", ran.text);
    ran.says(&format!(
        "Warning: triggerlint: not run: triggerlint was not found. {hint}"
    ));
    ran.says("Service packaged");
}

#[test]
fn a_binary_older_than_the_plugin_expects_is_named() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let dir = service("orders", "old-binary");
    let old = dir.join("old-triggerlint");
    std::fs::write(
        &old,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'triggerlint 0.0.9'; exit 0; fi\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_triggerlint")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
    let ran = serverless(frameworks, &dir, &["package"], |command| {
        command.env("TRIGGERLINT_PATH", &old);
    });
    assert_eq!(ran.code, Some(0), "{}", ran.text);
    ran.says(&format!(
        "Warning: triggerlint 0.0.9 ({}) is older than this plugin expects (0.1.0 or newer)",
        old.display()
    ));
    assert_eq!(ran.lines_with("TL204").len(), 1, "{}", ran.text);
}

#[test]
fn the_triggerlint_command_checks_the_service_without_packaging() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let dir = service("orders", "command");
    let ran = serverless(
        frameworks,
        &dir,
        &["triggerlint", "--stage", "prod"],
        |_| {},
    );
    stopped_on_the_fifo_error(&ran);
    assert!(!dir.join(".serverless").exists(), "nothing was packaged");
}

#[test]
fn osls_runs_the_plugin_the_same_way() {
    let Some(frameworks) = frameworks() else {
        return;
    };
    let osls = match &frameworks.osls {
        Ok(osls) => osls,
        Err(why) => {
            eprintln!("skipping the osls case: osls@{OSLS_VERSION} did not install: {why}");
            return;
        }
    };
    let dir = service("orders", "osls");
    let ran = run(
        &frameworks.node,
        osls,
        &dir,
        &["package", "--stage", "prod"],
        |_| {},
    );
    stopped_on_the_fifo_error(&ran);
    assert!(
        ran.lines_with(VISIBILITY_WARNING).len() == 1,
        "the other plugin's value is handed over under osls too: {}",
        ran.text
    );
}

/// The plugin's unit tests, with Node's own test runner: no npm, no framework.
#[test]
fn the_plugin_unit_tests_pass() {
    let Some(node) = on_path("node") else {
        assert_ne!(
            policy(),
            Policy::Required,
            "TRIGGERLINT_CI=1 and node is not on the PATH"
        );
        eprintln!("skipping the plugin's unit tests: node is not on the PATH");
        return;
    };
    let output = Command::new(node)
        .current_dir(common::project_root().join("serverless-plugin"))
        .args(["--test", "test/unit.test.js"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("# fail 0"), "{text}");
}
