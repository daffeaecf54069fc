//! The command line as users run it: exit codes, every output format, and a folder where a
//! malformed file sits beside good ones.

mod common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn triggerlint() -> Command {
    let mut cmd = Command::cargo_bin("triggerlint").expect("binary");
    cmd.current_dir(common::project_root());
    cmd.env_remove("NO_COLOR");
    cmd
}

fn write(dir: &Path, name: &str, text: &[u8]) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const RISKY_STREAM: &str = "service: orders
provider:
  name: aws
functions:
  consumer:
    handler: h.consume
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          startingPosition: LATEST
";

const NOTE_ONLY: &str = "Resources:
  Jobs:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: worker
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs
      FunctionResponseTypes: [ReportBatchItemFailures]
";

fn json_of(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("valid JSON")
}

#[test]
fn exit_code_1_for_findings_at_or_above_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "serverless.yml", RISKY_STREAM.as_bytes());
    triggerlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "warning[TL101 stream-unbounded-retries]",
        ))
        .stdout(predicate::str::contains("serverless.yml:8:9"));
    triggerlint()
        .args(["check", "--exit-zero"])
        .arg(dir.path())
        .assert()
        .code(0);
    triggerlint()
        .args(["check", "--fail-on", "error"])
        .arg(dir.path())
        .assert()
        .code(0);
}

#[test]
fn notes_fail_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "template.yaml", NOTE_ONLY.as_bytes());
    triggerlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "note[TL002 missing-batching-window]",
        ))
        .stdout(predicate::str::contains(
            "checked 1 file (1 template, 1 trigger): 0 errors, 0 warnings, 1 note, 0 ignored",
        ));
    triggerlint()
        .args(["check", "--fail-on", "note"])
        .arg(dir.path())
        .assert()
        .code(1);
}

#[test]
fn a_malformed_template_is_a_finding_and_the_others_are_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/serverless.yml", RISKY_STREAM.as_bytes());
    write(
        dir.path(),
        "b/broken.yaml",
        b"Resources:\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    X: [1, 2\n  Y: 3\n",
    );
    write(
        dir.path(),
        "c/template.json",
        b"{\"Resources\": {\"M\": {\"Type\": \"AWS::Lambda::EventSourceMapping\",}}}",
    );
    // No sign of a trigger: passed over, as any file that is not a template.
    write(
        dir.path(),
        "d/api.yaml",
        b"Resources:\n  X: [1, 2\n  Y: 3\n",
    );
    let output = triggerlint()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json_of(&output);
    assert_eq!(report["errors"], serde_json::json!([]));
    let syntax: Vec<(String, u64, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "TL902")
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let name = file.rsplit('/').next().unwrap().to_string();
            let message = f["message"].as_str().unwrap().to_string();
            let (line, column) = (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap());
            (name, line, column, message)
        })
        .collect();
    assert_eq!(
        syntax,
        [
            (
                "broken.yaml".to_string(),
                5,
                4,
                "not valid YAML: invalid indentation, so this file's triggers cannot be checked"
                    .to_string()
            ),
            (
                "template.json".to_string(),
                1,
                64,
                "not valid JSON: trailing commas are not allowed, so this file's triggers cannot \
                 be checked"
                    .to_string()
            ),
        ]
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "TL902")
            .all(|f| f["severity"] == "error")
    );
    // The good file was still linted.
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "TL101")
    );
    assert_eq!(report["summary"]["files"], 4);
    // A finding like any other: --exit-zero and --fail-on apply.
    triggerlint()
        .args(["check", "--exit-zero"])
        .arg(dir.path())
        .assert()
        .code(0);
}

#[test]
fn json_output_has_the_documented_shape() {
    let output = triggerlint()
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "TL101",
            "fixtures/stream-unbounded-retries/bad.serverless.yml",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json_of(&output);
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["version", "findings", "errors", "summary"]);
    assert_eq!(report["version"], 1);
    let first = &report["findings"][0];
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "code",
            "rule",
            "severity",
            "message",
            "help",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "path",
            "function",
            "source_kind",
            "related",
            "fix"
        ]
    );
    assert_eq!(
        first["fix"],
        serde_json::json!({
            "applicability": "unsafe",
            "title": "Set `maximumRetryAttempts` to 10",
            "edits": [{
                "path": "fixtures/stream-unbounded-retries/bad.serverless.yml",
                "start": {"line": 15, "column": 1},
                "end": {"line": 15, "column": 1},
                "content": "          maximumRetryAttempts: 10\n",
            }],
        })
    );
    assert_eq!(first["code"], "TL101");
    assert_eq!(first["rule"], "stream-unbounded-retries");
    assert_eq!(first["severity"], "warning");
    assert_eq!(
        first["file"],
        "fixtures/stream-unbounded-retries/bad.serverless.yml"
    );
    assert_eq!(
        (first["line"].clone(), first["column"].clone()),
        (12.into(), 9.into())
    );
    assert_eq!(
        (first["end_line"].clone(), first["end_column"].clone()),
        (12.into(), 15.into())
    );
    assert_eq!(first["path"], "functions/consumer/events/0/stream");
    assert_eq!(first["function"], "consumer");
    assert_eq!(first["source_kind"], "kinesis");
    assert_eq!(
        report["summary"],
        serde_json::json!({
            "files": 1, "templates": 1, "modules": 0, "deployed": 0, "triggers": 3, "findings": 3,
            "severity": {"error": 0, "warning": 3, "note": 0}, "errors": 0,
            "files_not_linted": 0, "ignored": 0, "baselined": 0
        })
    );
}

#[test]
fn missing_named_paths_exit_2_and_undecodable_files_follow_the_syntax_model() {
    triggerlint()
        .args(["check", "no/such/dir"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("no such file or directory"));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "binary.yaml", b"\x00\x01\x02garbage");
    write(
        dir.path(),
        "latin1.yaml",
        b"Resources:\n  caf\xe9:\n    Type: AWS::Lambda::EventSourceMapping\n",
    );
    let output = triggerlint()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report = json_of(&output);
    assert_eq!(report["errors"], serde_json::json!([]));
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["code"], "TL902");
    assert!(
        findings[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("latin1.yaml")
    );
    assert_eq!(
        (findings[0]["line"].clone(), findings[0]["column"].clone()),
        (2.into(), 6.into())
    );
    assert_eq!(
        findings[0]["message"],
        "not valid text: invalid UTF-8, so this file's triggers cannot be checked"
    );
    // Named, a binary file is reported too.
    triggerlint()
        .args(["check", "--format", "concise"])
        .arg(dir.path().join("binary.yaml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "TL902 [error] not valid text: binary file (contains NUL bytes)",
        ));
}

#[test]
fn an_alias_bomb_is_an_error_for_that_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..20 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    // A template that is a bomb is an invalid-syntax finding; named on the command line, so is
    // any file.
    write(
        dir.path(),
        "bomb.yaml",
        format!("Resources:\n  X:\n    Type: AWS::Lambda::EventSourceMapping\n{bomb}").as_bytes(),
    );
    write(dir.path(), "other/bomb.yaml", bomb.as_bytes());
    write(dir.path(), "serverless.yml", RISKY_STREAM.as_bytes());
    triggerlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("an alias bomb?"))
        .stdout(predicate::str::contains("error[TL902 invalid-syntax]"))
        .stdout(predicate::str::contains("bomb.yaml:"))
        .stdout(predicate::str::contains("other/bomb.yaml").not())
        .stdout(predicate::str::contains("TL101"));
    triggerlint()
        .arg("check")
        .arg(dir.path().join("other/bomb.yaml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("an alias bomb?"));
}

#[test]
fn colour_only_on_request_or_a_terminal_and_never_with_no_color() {
    let path = "fixtures/stream-unbounded-retries/bad.cfn.json";
    let plain = triggerlint().args(["check", path]).output().unwrap();
    assert!(!plain.stdout.contains(&0x1b), "no colour when piped");
    let forced = triggerlint()
        .args(["check", "--color", "always", path])
        .output()
        .unwrap();
    assert!(forced.stdout.contains(&0x1b), "colour when asked");
    let no_color = triggerlint()
        .env("NO_COLOR", "1")
        .args(["check", "--color", "auto", path])
        .output()
        .unwrap();
    assert!(!no_color.stdout.contains(&0x1b));
}

#[test]
fn rules_lists_every_rule_in_both_formats() {
    triggerlint().arg("rules").assert().code(0).stdout(
        predicate::str::is_match(r"(?m)^TL101  stream-unbounded-retries +warning  ").unwrap(),
    );
    let output = triggerlint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules = json_of(&output.stdout);
    let codes: Vec<&str> = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    let registry: Vec<&str> = triggerlint::rules::ALL.iter().map(|r| r.code).collect();
    assert_eq!(codes, registry);
    assert!(codes.len() >= 36 && codes.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn explain_prints_the_rule_page_by_code_or_slug() {
    for name in ["TL104", "tl104", "stream-no-bisect-on-error"] {
        triggerlint()
            .args(["explain", name])
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with(
                "# stream-no-bisect-on-error (TL104)",
            ));
    }
    triggerlint()
        .args(["explain", "TL999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule is called `TL999`"));
}

#[test]
fn inspect_shows_effective_values_and_who_chose_them() {
    triggerlint()
        .args(["inspect", "fixtures/stream-small-batch-size/bad.serverless.yml"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "fixtures/stream-small-batch-size/bad.serverless.yml:12:9  functions/consumer/events/0/stream",
        ))
        .stdout(
            predicate::str::is_match(r"\n    batchSize +10 +default of the Serverless Framework\n")
                .unwrap(),
        )
        .stdout(predicate::str::is_match(r"\n    maximumRetryAttempts +-1 +AWS default\n").unwrap())
        .stdout(predicate::str::is_match(r"\n    batchSize +2 +written \(line 19\)\n").unwrap());
    let output = triggerlint()
        .args([
            "inspect",
            "--format",
            "json",
            "fixtures/stream-small-batch-size/bad.serverless.yml",
        ])
        .output()
        .unwrap();
    let report = json_of(&output.stdout);
    let batch = &report["triggers"][0]["settings"]["BatchSize"];
    assert_eq!(batch["key"], "batchSize");
    assert_eq!(batch["value"], 10);
    assert_eq!(batch["provenance"], "serverless-default");
    assert_eq!(batch["line"], Value::Null);
    let written = &report["triggers"][1]["settings"]["BatchSize"];
    assert_eq!(
        (written["value"].clone(), written["line"].clone()),
        (2.into(), 19.into())
    );
}

#[test]
fn usage_errors_exit_2() {
    triggerlint()
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
    triggerlint()
        .args(["check", "--select", "TL999", "fixtures"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`TL999` names no rule"));
    triggerlint().assert().code(2);
    triggerlint().arg("--version").assert().code(0);
}

#[test]
fn select_and_ignore_take_codes_slugs_and_prefixes() {
    let path = "fixtures/stream-unbounded-retries/bad.serverless.yml";
    let codes = |args: &[&str]| -> Vec<String> {
        let output = triggerlint()
            .args(["check", "--format", "json"])
            .args(args)
            .arg(path)
            .output()
            .unwrap();
        let mut codes: Vec<String> = json_of(&output.stdout)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    assert_eq!(codes(&["--select", "stream-unbounded-retries"]), ["TL101"]);
    assert_eq!(
        codes(&["--select", "TL10", "--ignore", "TL101,TL103,TL104"]),
        ["TL102", "TL107", "TL108"]
    );
    // The MSK event names no consumer group (TL302).
    assert_eq!(codes(&["--ignore", "TL1"]), ["TL002", "TL302"]);
}

/// The README's sample sessions are real: every line shown (`...` marks an elision) appears in
/// the output of the command shown.
#[test]
fn readme_samples_match_real_output() {
    let readme = std::fs::read_to_string(common::project_root().join("README.md")).unwrap();
    let mut checked = 0;
    for block in readme.split("```text\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let mut lines = block.lines();
        let Some(command) = lines.next().and_then(|l| l.strip_prefix("$ triggerlint ")) else {
            continue;
        };
        let output = triggerlint()
            .args(command.split_whitespace())
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        // Runs of lines between `...` must be printed as they are, in the README's order.
        let printed: Vec<&str> = stdout.lines().collect();
        let mut from = 0;
        let sample: Vec<&str> = lines.collect();
        for run in sample
            .split(|l| l.trim() == "...")
            .filter(|r| !r.is_empty())
        {
            let at = printed[from..]
                .windows(run.len())
                .position(|w| w == run)
                .unwrap_or_else(|| {
                    panic!(
                        "README lines not printed in this order by `triggerlint {command}`:\n{}\n---\n{stdout}",
                        run.join("\n")
                    )
                });
            from += at + run.len();
        }
        checked += 1;
    }
    assert_eq!(checked, 2, "README sample sessions");
}

/// The first run on a real repository: files that do not parse and hold no trigger, and Jinja
/// templates, do not turn CI red; a broken template that holds a trigger is a finding at its
/// line, which a baseline records like any other.
#[test]
fn a_repository_with_broken_files_adopts_the_linter_with_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "services/orders/serverless.yml",
        RISKY_STREAM.as_bytes(),
    );
    // An API Gateway stack with a duplicate key: no trigger, passed over.
    write(
        dir.path(),
        "api/template.yaml",
        b"Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: a\n      Name: b\n",
    );
    // A Jinja template, in a cookiecutter folder and by its text.
    write(
        dir.path(),
        "{{cookiecutter.name}}/template.yaml",
        b"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n{% if dlq %}\n",
    );
    write(
        dir.path(),
        "iam/policy.yaml",
        b"Resources:\n  {% for role in roles %}\n  {{ role }}: {}\n  {% endfor %}\n",
    );
    let walked = triggerlint()
        .args(["check", "--format", "concise", "-v"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(walked.status.code(), Some(1));
    let stdout = String::from_utf8(walked.stdout).unwrap();
    let files: std::collections::BTreeSet<&str> = stdout
        .lines()
        .filter(|l| l.contains(": TL"))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{stdout}");
    assert!(
        files
            .iter()
            .all(|f| f.ends_with("services/orders/serverless.yml"))
    );
    let stderr = String::from_utf8(walked.stderr).unwrap();
    assert!(
        stderr.contains(
            "template.yaml: not valid YAML (duplicate mapping key `Name`) and no sign of a trigger"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("template.yaml: a cookiecutter or Jinja template (`{{` in its path)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("policy.yaml: not valid YAML")
            && stderr.contains("a Jinja or cookiecutter template"),
        "{stderr}"
    );
    triggerlint()
        .args(["check", "--exit-zero"])
        .arg(dir.path())
        .assert()
        .code(0);
    // Named, the Jinja template is a finding that says what it is.
    triggerlint()
        .args(["check", "--format", "concise"])
        .arg(dir.path().join("iam/policy.yaml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("this is a Jinja template"));

    // A broken template that holds a trigger: a finding at its line, then recorded.
    write(
        dir.path(),
        "jobs/template.yaml",
        b"Resources:\n  Jobs:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      BatchSize: 10\n      BatchSize: 20\n",
    );
    triggerlint()
        .args(["check", "--format", "concise"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "jobs/template.yaml:6:7: TL902 [error] not valid YAML: duplicate mapping key `BatchSize`",
        ));
    let baseline = dir.path().join("baseline.json");
    triggerlint()
        .args(["check", "--write-baseline"])
        .arg(&baseline)
        .arg(dir.path())
        .assert()
        .code(0);
    assert!(
        std::fs::read_to_string(&baseline)
            .unwrap()
            .contains("TL902")
    );
    triggerlint()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("TL902").not());
}

/// The top-level help says how to adopt the linter and what the exit status means.
#[test]
fn the_top_level_help_names_baselines_configuration_and_exit_statuses() {
    let output = triggerlint().arg("--help").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "triggerlint check --write-baseline tl.json",
        "triggerlint check --baseline tl.json",
        "nearest triggerlint.toml",
        "Exit status: 0",
        "2 the linter could not run",
    ] {
        assert!(help.contains(expected), "{expected}: {help}");
    }
    let check = triggerlint().args(["check", "--help"]).output().unwrap();
    let check = String::from_utf8(check.stdout).unwrap();
    assert!(check.contains("`{a,b}` either"), "{check}");
}

/// `inspect FILE:LINE` shows the trigger declared at that line (or the nearest above it), and
/// `--trigger` those whose logical path contains the text; a template that does not parse is
/// said to, with exit status 1.
#[test]
fn inspect_shows_one_trigger_by_line_or_logical_path() {
    let headers = |args: &[&str]| -> (i32, Vec<String>) {
        let output = triggerlint().arg("inspect").args(args).output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        let headers = stdout
            .lines()
            .filter(|l| l.starts_with("examples/") || l.starts_with("error:"))
            .map(str::to_string)
            .collect();
        (output.status.code().unwrap(), headers)
    };
    let service = "examples/serverless/serverless.yml";
    assert_eq!(headers(&[service]).1.len(), 3);
    let project = [
        "examples/serverless/serverless.yml:21:9  functions/project/events/0/stream".to_string(),
    ];
    assert_eq!(headers(&[&format!("{service}:21")]), (0, project.to_vec()));
    // A line inside the trigger's block picks it too.
    assert_eq!(headers(&[&format!("{service}:25")]), (0, project.to_vec()));
    assert_eq!(
        headers(&["--trigger", "functions/project", service]),
        (0, project.to_vec())
    );
    let (code, broken) = headers(&["fixtures/invalid-syntax/bad.cfn.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        broken,
        [
            "error: fixtures/invalid-syntax/bad.cfn.yaml:8:7: not valid YAML: duplicate mapping key `BatchSize`, so this file's triggers cannot be checked"
        ]
    );
}

/// A key glued to its value (`MappingRestEdge:curc`) is reported on its own line, where the
/// parser would only notice it on the next.
#[test]
fn a_key_without_a_space_after_its_colon_is_reported_at_the_key() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "template.yaml",
        b"Resources:\n  Edge:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      MappingRestEdge:curc\n      BatchSize: 10\n",
    );
    triggerlint()
        .args(["check", "--format", "concise"])
        .arg(dir.path().join("template.yaml"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "template.yaml:5:22: TL902 [error] not valid YAML: `MappingRestEdge:curc` has no space after its colon",
        ));
}
