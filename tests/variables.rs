//! Serverless Framework variables and includes, resolved statically: every form, the security
//! refusals, and findings that point at the use with a related label at the definition.

mod common;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::{Value, json};
use triggerlint::config::Config;
use triggerlint::load::variables::ServerlessOptions;
use triggerlint::report::inspect::trigger_json;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A git repository (the project root) with a service at `svc/serverless.yml`.
fn project(service: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "svc/serverless.yml", service);
    dir
}

fn triggers_with(dir: &Path, options: ServerlessOptions) -> (triggerlint::Run, Vec<Value>) {
    let config = Config {
        serverless: options,
        ..Config::default()
    };
    let run = triggerlint::run(&[dir.join("svc")], &config);
    let triggers = run.triggers.iter().map(|t| trigger_json(&run, t)).collect();
    (run, triggers)
}

fn triggers(dir: &Path) -> (triggerlint::Run, Vec<Value>) {
    triggers_with(dir, ServerlessOptions::default())
}

fn value(trigger: &Value, setting: &str) -> Value {
    trigger["settings"][setting]["value"].clone()
}

fn reason(trigger: &Value, setting: &str) -> String {
    trigger["settings"][setting]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

const HEADER: &str = "service: orders\nprovider:\n  name: aws\n";

#[test]
fn self_references_resolve_recursively_and_findings_point_at_the_use() {
    let dir = project(&format!(
        "{HEADER}custom:
  base: 5
  batchSize: ${{self:custom.base}}
  streamArn: arn:aws:kinesis:${{self:provider.region, 'us-east-1'}}:123456789012:stream/orders
functions:
  consumer:
    handler: h.consume
    events:
      - stream:
          arn: ${{self:custom.streamArn}}
          startingPosition: LATEST
          batchSize: ${{self:custom.batchSize}}
"
    ));
    let (run, triggers) = triggers(dir.path());
    let t = &triggers[0];
    assert_eq!(
        t["source_kind"], "kinesis",
        "the ARN resolved through two variables"
    );
    assert_eq!(value(t, "BatchSize"), 5);
    let batch = &t["settings"]["BatchSize"];
    assert_eq!(batch["line"], 15, "the use, not the definition");
    let via = &batch["via"];
    assert_eq!(via["expression"], "${self:custom.batchSize}");
    let chain: Vec<(Value, Value)> = via["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["what"].clone(), d["line"].clone()))
        .collect();
    assert_eq!(
        chain,
        [
            (json!("custom.batchSize"), json!(6)),
            (json!("custom.base"), json!(5))
        ]
    );

    let small = run
        .findings
        .iter()
        .find(|f| f.rule.code == "TL107")
        .expect("TL107 on a batch of 5");
    let related: Vec<&str> = small.related.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        related,
        [
            "`custom.batchSize` is defined here",
            "`custom.base` is defined here"
        ]
    );
    let human = triggerlint::report::human::render(
        &run,
        triggerlint::report::human::Style {
            color: false,
            unicode: false,
        },
    );
    assert!(
        human.contains("15 |           batchSize: ${self:custom.batchSize}"),
        "{human}"
    );
    assert!(
        human.contains("`custom.batchSize` is defined here"),
        "{human}"
    );
}

#[test]
fn fallbacks_apply_to_missing_values_but_not_to_deploy_time_sources() {
    let dir = project(&format!(
        "{HEADER}custom:
  size: ${{env:BATCH_SIZE, 7}}
functions:
  consumer:
    handler: h.consume
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          startingPosition: ${{self:custom.position, 'LATEST'}}
          batchSize: ${{self:custom.size}}
          maximumRetryAttempts: ${{ssm:/orders/retries}}
          batchWindow: ${{opt:window, \"3\"}}
"
    ));
    let (_, triggers) = triggers(dir.path());
    let t = &triggers[0];
    assert_eq!(value(t, "StartingPosition"), "LATEST");
    assert_eq!(value(t, "MaximumBatchingWindowInSeconds"), 3);
    let assumption = t["settings"]["StartingPosition"]["via"]["assumption"]
        .as_str()
        .unwrap();
    assert!(assumption.contains("custom.position"), "{assumption}");
    // What the deploy reads from the environment decides: the fallback is a placeholder.
    assert_eq!(t["settings"]["BatchSize"]["provenance"], "unknown");
    assert!(
        reason(t, "BatchSize").contains(
            "the environment variable BATCH_SIZE is resolved at deploy time, and the fallback \
             written after it is only a placeholder"
        ),
        "{}",
        reason(t, "BatchSize")
    );
    assert_eq!(
        t["settings"]["MaximumRetryAttempts"]["provenance"],
        "unknown"
    );
    assert!(
        reason(t, "MaximumRetryAttempts")
            .contains("`${ssm:/orders/retries}` is resolved at deploy time"),
        "{}",
        reason(t, "MaximumRetryAttempts")
    );
}

#[test]
fn stage_region_and_params_follow_the_command_line_then_the_file() {
    let service = format!(
        "{HEADER}  stage: ${{opt:stage, 'qa'}}
params:
  default:
    size: 20
  prod:
    size: 200
stages:
  staging:
    params:
      size: 50
custom:
  queues:
    qa: arn:aws:sqs:us-east-1:123456789012:jobs-qa
    prod: arn:aws:sqs:us-east-1:123456789012:jobs-prod.fifo
functions:
  worker:
    handler: h.work
    events:
      - sqs:
          arn: ${{self:custom.queues.${{sls:stage}}}}
          batchSize: ${{param:size}}
"
    );
    let dir = project(&service);
    let (_, t) = triggers(dir.path());
    assert_eq!(
        t[0]["source_kind"], "sqs",
        "provider.stage falls back to qa"
    );
    assert_eq!(value(&t[0], "BatchSize"), 20, "the default params");

    let prod = ServerlessOptions {
        stage: Some("prod".into()),
        ..ServerlessOptions::default()
    };
    let (_, t) = triggers_with(dir.path(), prod);
    assert_eq!(t[0]["source_kind"], "sqs-fifo");
    assert_eq!(value(&t[0], "BatchSize"), 200);

    let staging = ServerlessOptions {
        stage: Some("staging".into()),
        params: vec![],
        ..ServerlessOptions::default()
    };
    let (_, t) = triggers_with(dir.path(), staging);
    assert_eq!(value(&t[0], "BatchSize"), 50, "v4 stages.<stage>.params");
    assert_eq!(
        t[0]["event_source"], "${self:custom.queues.${sls:stage}}",
        "custom.queues.staging is not defined"
    );

    let cli = ServerlessOptions {
        stage: Some("prod".into()),
        params: vec![("size".into(), "5".into())],
        ..ServerlessOptions::default()
    };
    let (_, t) = triggers_with(dir.path(), cli);
    assert_eq!(value(&t[0], "BatchSize"), 5, "--param wins");
}

#[test]
fn the_default_stage_is_dev_and_opt_stage_without_a_fallback_uses_it() {
    let dir = project(&format!(
        "{HEADER}custom:
  queue:
    dev: arn:aws:sqs:us-east-1:123456789012:jobs-dev.fifo
functions:
  worker:
    handler: h.work
    events:
      - sqs: ${{self:custom.queue.${{opt:stage}}}}
"
    ));
    let (_, t) = triggers(dir.path());
    assert_eq!(t[0]["source_kind"], "sqs-fifo");
}

#[test]
fn files_are_included_relative_to_the_file_that_names_them() {
    let dir = project(&format!(
        "{HEADER}custom: ${{file(./config/custom.yml)}}
functions: ${{file(./functions/all.yml)}}
resources:
  - ${{file(./resources/queues.yml)}}
"
    ));
    write(
        dir.path(),
        "svc/config/custom.yml",
        "batch: ${file(./batch.json):value}\n",
    );
    write(dir.path(), "svc/config/batch.json", "{\"value\": 4}\n");
    write(
        dir.path(),
        "svc/functions/all.yml",
        "worker:
  handler: h.work
  events:
    - sqs:
        arn: !GetAtt Jobs.Arn
        batchSize: ${self:custom.batch}
",
    );
    write(
        dir.path(),
        "svc/resources/queues.yml",
        "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      FifoQueue: true\n",
    );
    let (run, t) = triggers(dir.path());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    assert_eq!(t.len(), 1, "the fragment is linted with its service, once");
    assert!(
        t[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("svc/functions/all.yml")
    );
    assert_eq!(
        t[0]["line"], 4,
        "the trigger's own line in the included file"
    );
    assert_eq!(
        t[0]["source_kind"], "sqs-fifo",
        "GetAtt resolves into the included resources"
    );
    assert_eq!(value(&t[0], "BatchSize"), 4);
    let chain: Vec<Value> = t[0]["settings"]["BatchSize"]["via"]["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["what"].clone())
        .collect();
    assert_eq!(
        chain,
        [
            json!("custom.batch"),
            json!("./config/custom.yml"),
            json!("./batch.json:value")
        ]
    );
    assert_eq!(
        run.files(),
        5,
        "every yml and json file of the folder was considered"
    );
}

#[test]
fn a_per_stage_file_falls_back_when_missing_and_is_read_when_present() {
    let service = format!(
        "{HEADER}functions:
  worker:
    handler: h.work
    events:
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:jobs
          batchSize: ${{file(./env.${{opt:stage, 'dev'}}.json):SIZE, 9}}
"
    );
    let dir = project(&service);
    let (run, t) = triggers(dir.path());
    assert!(
        run.errors.is_empty(),
        "a fallback makes a missing file fine: {:?}",
        run.errors
    );
    assert_eq!(value(&t[0], "BatchSize"), 9);
    write(dir.path(), "svc/env.prod.json", "{\"SIZE\": 6}");
    let prod = ServerlessOptions {
        stage: Some("prod".into()),
        ..ServerlessOptions::default()
    };
    let (_, t) = triggers_with(dir.path(), prod);
    assert_eq!(value(&t[0], "BatchSize"), 6);
}

#[test]
fn a_missing_included_file_is_a_note_and_every_service_is_linted() {
    let dir = project(&format!("{HEADER}functions: ${{file(./functions.yml)}}\n"));
    write(
        dir.path(),
        "other/serverless.yml",
        &format!(
            "{HEADER}functions:\n  f:\n    handler: h\n    events:\n      - sqs: arn:aws:sqs:us-east-1:1:q\n"
        ),
    );
    let mut cmd = Command::cargo_bin("triggerlint").unwrap();
    cmd.current_dir(dir.path())
        .args(["check", "--format", "json", "svc", "other"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "`./functions.yml` does not exist, so the values read from it are unknown",
        ))
        .stdout(predicate::str::contains("\"code\": \"TL901\""))
        .stdout(predicate::str::contains("\"errors\": []"))
        .stdout(predicate::str::contains("\"TL002\""));
}

#[test]
fn cycles_and_missing_keys_stay_unknown_with_the_reason() {
    let dir = project(&format!(
        "{HEADER}custom:
  a: ${{self:custom.b}}
  b: ${{self:custom.a}}
functions:
  worker:
    handler: h.work
    events:
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:jobs
          batchSize: ${{self:custom.a}}
          maximumBatchingWindow: ${{self:custom.nope}}
"
    ));
    let (run, t) = triggers(dir.path());
    assert!(run.errors.is_empty());
    assert!(
        reason(&t[0], "BatchSize").contains("cycle"),
        "{}",
        reason(&t[0], "BatchSize")
    );
    assert!(
        reason(&t[0], "MaximumBatchingWindowInSeconds").contains("`custom.nope` is not defined"),
        "{}",
        reason(&t[0], "MaximumBatchingWindowInSeconds")
    );
    assert!(
        run.findings.iter().all(|f| f.rule.code != "TL002"),
        "unknown: no guess"
    );
}

#[test]
fn files_outside_the_project_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.yml", "batch: 3\n");
    let secret = outside.path().join("secret.yml");
    let dir = project(&format!(
        "{HEADER}custom:
  a: ${{file({})}}
  b: ${{file(../../{}/secret.yml):batch}}
  c: ${{file(/etc/passwd)}}
functions:
  worker:
    handler: h.work
    events:
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:jobs
          batchSize: ${{self:custom.b}}
",
        secret.display(),
        outside.path().file_name().unwrap().to_str().unwrap()
    ));
    let (run, t) = triggers(dir.path());
    let messages: Vec<&str> = run.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .filter(|m| m.contains("outside the project root"))
            .count()
            >= 2,
        "{messages:?}"
    );
    assert!(
        !messages.iter().any(|m| m.contains("root:")),
        "nothing of /etc/passwd is shown"
    );
    assert_eq!(t[0]["settings"]["BatchSize"]["provenance"], "unknown");
    assert!(run.sources.iter().all(|(_, f)| !f.text.contains("root:x")));
}

#[test]
fn include_chains_are_bounded() {
    let dir = project(&format!(
        "{HEADER}custom: ${{file(./loop.yml)}}
functions:
  worker:
    handler: h.work
    events:
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:jobs
          batchSize: ${{self:custom.x}}
"
    ));
    write(dir.path(), "svc/loop.yml", "x: ${file(./loop.yml):x}\n");
    let (_, t) = triggers(dir.path());
    assert!(
        reason(&t[0], "BatchSize").contains("nest deeper than"),
        "{}",
        reason(&t[0], "BatchSize")
    );
}

#[test]
fn a_fragment_alone_leaves_what_the_service_provides_unknown() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "functions.yml",
        "worker:
  handler: h.work
  events:
    - sqs:
        arn: arn:aws:sqs:us-east-1:123456789012:jobs
        batchSize: ${self:custom.batch}
",
    );
    let run = triggerlint::run(&[dir.path().join("functions.yml")], &Config::default());
    assert_eq!(run.triggers.len(), 1);
    let t = trigger_json(&run, &run.triggers[0]);
    assert!(
        reason(&t, "BatchSize").contains("the service that includes this fragment"),
        "{}",
        reason(&t, "BatchSize")
    );
}

#[test]
fn cloudformation_placeholders_in_serverless_files_are_left_alone() {
    let dir = project(&format!(
        "{HEADER}functions:
  worker:
    handler: h.work
    events:
      - sqs:
          arn: arn:aws:sqs:${{AWS::Region}}:${{AWS::AccountId}}:jobs.fifo
"
    ));
    let (_, t) = triggers(dir.path());
    assert_eq!(t[0]["source_kind"], "sqs-fifo");
    assert_eq!(
        t[0]["event_source"],
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs.fifo"
    );
}

#[test]
fn the_command_line_takes_stage_region_and_params() {
    let dir = project(&format!(
        "{HEADER}functions:
  worker:
    handler: h.work
    events:
      - sqs:
          arn: arn:aws:sqs:${{opt:region}}:123456789012:jobs-${{sls:stage}}
          batchSize: ${{param:size}}
"
    ));
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "inspect",
            "--format",
            "json",
            "--stage",
            "prod",
            "--region",
            "eu-west-1",
            "--param",
            "size=8",
            "svc",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let t = &report["triggers"][0];
    assert_eq!(
        t["event_source"],
        "arn:aws:sqs:eu-west-1:123456789012:jobs-prod"
    );
    assert_eq!(t["settings"]["BatchSize"]["value"], 8);
    Command::cargo_bin("triggerlint")
        .unwrap()
        .args(["check", "--param", "nokey"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not KEY=VALUE"));
}

/// `--resolved-service`: what the Serverless Framework resolved (the plugin hands it over) is
/// taken for the variables resolved at deploy time or by other plugins, in the service file
/// and through `${self:...}`; values resolved here keep their own chain.
#[test]
fn values_the_framework_resolved_fill_in_what_cannot_be_resolved_here() {
    let dir = project(&format!(
        "{HEADER}custom:
  batch: ${{ssm:/orders/batch}}
  size: 7
functions:
  worker:
    handler: h.work
    events:
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:jobs
          batchSize: ${{self:custom.batch}}
      - sqs:
          arn: ${{tlvalues:queueArn}}
          batchSize: ${{self:custom.size}}
          maximumBatchingWindow: ${{env:WINDOW, 0}}
"
    ));
    // What the framework resolved, as the plugin writes it (JSON, intrinsics in long form).
    write(
        dir.path(),
        "resolved.json",
        r#"{"service": "orders", "custom": {"batch": "20000", "size": 9999},
            "functions": {"worker": {"handler": "h.work", "events": [
              {"sqs": {"arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "batchSize": "20000"}},
              {"sqs": {"arn": "arn:aws:sqs:us-east-1:123456789012:jobs.fifo", "batchSize": 9999,
                       "maximumBatchingWindow": 5}}]}}}"#,
    );
    let check = |extra: &[&str]| {
        let output = Command::cargo_bin("triggerlint")
            .unwrap()
            .current_dir(dir.path())
            .args(["check", "--format", "concise", "--select", "TL001,TL202"])
            .args(extra)
            .arg("svc/serverless.yml")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    let (code, alone) = check(&[]);
    assert_eq!(code, Some(0), "unknown values are not guessed: {alone}");
    let (code, handed_over) = check(&["--resolved-service", "resolved.json"]);
    assert_eq!(code, Some(1), "{handed_over}");
    let lines: Vec<&str> = handed_over.lines().collect();
    assert_eq!(
        lines,
        [
            "svc/serverless.yml:13:22: TL001 [error] `batchSize` is above the maximum of 10000: the deploy fails",
            "svc/serverless.yml:17:34: TL202 [error] `maximumBatchingWindow` is 5, but FIFO queues do not support a batching window: the deploy fails",
            "checked 1 file (1 template, 2 triggers): 2 errors, 0 warnings, 0 notes, 0 ignored",
        ],
        "the ARN and window come from the framework; the batch of 7 resolved here is kept"
    );
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .current_dir(dir.path())
        .args(["inspect", "--format", "json", "--resolved-service"])
        .args(["resolved.json", "svc/serverless.yml"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let second = &report["triggers"][1];
    assert_eq!(
        second["event_source"],
        "arn:aws:sqs:us-east-1:123456789012:jobs.fifo"
    );
    assert_eq!(second["settings"]["BatchSize"]["value"], 7);
    assert_eq!(
        second["settings"]["MaximumBatchingWindowInSeconds"]["via"]["assumption"],
        "the value the Serverless Framework resolved for this run (--resolved-service)"
    );
}

#[test]
fn a_resolved_service_that_is_not_a_json_object_is_an_error_naming_it() {
    let dir = project(&format!("{HEADER}functions: {{}}\n"));
    write(dir.path(), "broken.json", "{\"service\":\n  [1,\n");
    write(dir.path(), "list.json", "[]");
    let run = |file: &str| {
        Command::cargo_bin("triggerlint")
            .unwrap()
            .current_dir(dir.path())
            .args(["check", "--resolved-service", file, "svc"])
            .assert()
            .code(2)
    };
    run("broken.json").stderr(predicate::str::starts_with(
        "error: cannot read the resolved service broken.json: invalid JSON at line 3, column 1:",
    ));
    run("list.json")
        .stderr("error: cannot read the resolved service list.json: it is not a JSON object\n");
    run("absent.json").stderr(predicate::str::starts_with(
        "error: cannot read the resolved service absent.json: ",
    ));
}
