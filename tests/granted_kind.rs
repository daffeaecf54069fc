//! A source nothing else names (an input without a default, another module's output), whose
//! kind the template's own IAM grants tell: a policy statement that allows `sqs:ReceiveMessage`
//! or `kinesis:GetRecords` on that very expression. A queue known only this way is "SQS,
//! standard or FIFO not known": rules that hold for every queue run, the ones that differ stay
//! quiet. Grants that disagree, mix services or deny decide nothing.

use std::path::Path;

use serde_json::Value;
use triggerlint::config::Config;

mod common;

use common::stdout_of as run_cli;

const ASSUMED_FROM_RECEIVE: &str = "The source is taken to be SQS: assumed from the IAM policy \
     statement that allows `sqs:ReceiveMessage` on it (standard or FIFO is not known).";

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn lint(dir: &Path) -> triggerlint::Run {
    let run = triggerlint::run(&[dir.to_path_buf()], &Config::default());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    run
}

/// The first trigger's kind and why.
fn kind_of(files: &[(&str, &str)]) -> (String, String) {
    let dir = tree(files);
    let run = lint(dir.path());
    let t = &run.triggers[0];
    (t.source.id().to_string(), t.kind_basis.to_string())
}

/// A module that reads `var.queue_arn` (no default) with a function of 30 s, beside `extra`.
fn module(arguments: &str) -> String {
    format!(
        r#"variable "queue_arn" {{
  type = string
}}

resource "aws_lambda_function" "worker" {{
  function_name = "worker"
  timeout       = 30
}}

resource "aws_lambda_event_source_mapping" "jobs" {{
  event_source_arn = var.queue_arn
  function_name    = aws_lambda_function.worker.arn
{arguments}}}
"#
    )
}

/// A policy document data source with one statement per (actions, resources, effect).
fn policy_document(statements: &[(&str, &str, &str)]) -> String {
    let mut text = String::from("data \"aws_iam_policy_document\" \"worker\" {\n");
    for (actions, resources, effect) in statements {
        text.push_str(&format!(
            "  statement {{\n    effect    = \"{effect}\"\n    actions   = [{actions}]\n    \
             resources = [{resources}]\n  }}\n"
        ));
    }
    text.push_str("}\n");
    text
}

const RECEIVE: &str = r#""sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes""#;

#[test]
fn a_statement_that_grants_sqs_actions_on_the_source_makes_it_a_queue() {
    let iam = policy_document(&[(RECEIVE, "var.queue_arn", "Allow")]);
    assert_eq!(
        kind_of(&[("main.tf", &module("")), ("iam.tf", &iam)]),
        (
            "sqs-standard-or-fifo".into(),
            "assumed from the IAM policy statement that allows `sqs:ReceiveMessage` on it \
             (standard or FIFO is not known)"
                .into()
        )
    );
}

#[test]
fn grants_on_a_module_output_in_a_jsonencoded_policy_count_too() {
    let main = r#"module "events" {
  source = "git::https://example.com/streams.git"
}

resource "aws_lambda_event_source_mapping" "events" {
  event_source_arn  = module.events.stream_arn
  function_name     = "consumer"
  starting_position = "LATEST"
}

resource "aws_iam_role_policy" "read" {
  role = "consumer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kinesis:DescribeStream", "kinesis:GetRecords", "kinesis:GetShardIterator"]
      Resource = "${module.events.stream_arn}"
    }]
  })
}
"#;
    // `starting_position` alone leaves Kinesis or DynamoDB; the grant says which.
    assert_eq!(
        kind_of(&[("main.tf", main)]),
        (
            "kinesis".into(),
            "assumed from the IAM policy statement that allows `kinesis:GetRecords` on it".into()
        )
    );
}

#[test]
fn grants_that_disagree_mix_services_deny_or_name_something_else_decide_nothing() {
    let cases = [
        // Two statements, two services.
        policy_document(&[
            (RECEIVE, "var.queue_arn", "Allow"),
            (r#""kinesis:GetRecords""#, "var.queue_arn", "Allow"),
        ]),
        // One statement with actions of two source services: its resources may be either.
        policy_document(&[(
            r#""sqs:ReceiveMessage", "dynamodb:GetRecords""#,
            "var.queue_arn",
            "Allow",
        )]),
        policy_document(&[(RECEIVE, "var.queue_arn", "Deny")]),
        policy_document(&[(RECEIVE, "\"*\"", "Allow")]),
        // Actions of no source service.
        policy_document(&[(r#""kms:Decrypt""#, "var.queue_arn", "Allow")]),
    ];
    for iam in cases {
        let (kind, _) = kind_of(&[("main.tf", &module("")), ("iam.tf", &iam)]);
        assert_eq!(kind, "unknown", "{iam}");
    }
    // A service whose actions only touch other resources (KMS) beside the queue's decides
    // nothing against it.
    let iam = policy_document(&[(
        r#""kms:Decrypt", "sqs:ReceiveMessage""#,
        "\"arn:aws:kms:eu-west-1:123456789012:key/k\", var.queue_arn",
        "Allow",
    )]);
    let (kind, _) = kind_of(&[("main.tf", &module("")), ("iam.tf", &iam)]);
    assert_eq!(kind, "sqs-standard-or-fifo");
}

#[test]
fn rules_for_every_queue_run_and_rules_that_differ_for_fifo_stay_quiet() {
    let iam = policy_document(&[(RECEIVE, "var.queue_arn", "Allow")]);
    let dir = tree(&[("main.tf", &module("")), ("iam.tf", &iam)]);
    let run = lint(dir.path());
    let codes: Vec<&str> = run.findings.iter().map(|f| f.rule.code).collect();
    // TL207 (no partial batch response) holds for standard and FIFO queues alike; TL002's
    // batching window is not supported on FIFO queues, so it says nothing here.
    assert_eq!(codes, ["TL207"]);
    let finding = &run.findings[0];
    assert!(
        finding
            .help
            .as_deref()
            .unwrap()
            .ends_with(ASSUMED_FROM_RECEIVE),
        "{:?}",
        finding.help
    );
}

#[test]
fn a_scaling_config_leaves_standard_or_fifo_open_too() {
    let (kind, basis) = kind_of(&[(
        "main.tf",
        &module("  scaling_config {\n    maximum_concurrency = 5\n  }\n"),
    )]);
    assert_eq!(kind, "sqs-standard-or-fifo");
    assert_eq!(
        basis,
        "assumed from `scaling_config`, which only SQS mappings take (standard or FIFO is not \
         known)"
    );
}

#[test]
fn cloudformation_grants_on_a_parameter_tell_the_kind() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  QueueArn:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sqs:ReceiveMessage
                Resource: !Ref QueueArn
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !Ref QueueArn
      FunctionName: worker
"#;
    let (kind, basis) = kind_of(&[("template.yaml", template)]);
    assert_eq!(kind, "sqs-standard-or-fifo");
    assert!(basis.contains("`sqs:ReceiveMessage`"), "{basis}");
}

/// Every output says what was assumed; JSON and SARIF point at the statement it rests on.
#[test]
fn every_output_names_the_grant() {
    let iam = policy_document(&[(RECEIVE, "var.queue_arn", "Allow")]);
    let dir = tree(&[("main.tf", &module("")), ("iam.tf", &iam)]);
    let root = dir.path();

    let inspect: Value =
        serde_json::from_str(&run_cli(root, &["inspect", "--format", "json", "."])).unwrap();
    assert_eq!(
        inspect["triggers"][0]["source_kind"],
        "sqs-standard-or-fifo"
    );

    let json: Value =
        serde_json::from_str(&run_cli(root, &["check", "--format", "json", "."])).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "TL207");
    assert_eq!(
        (finding["file"].as_str(), finding["line"].as_u64()),
        (Some("main.tf"), Some(10))
    );
    assert_eq!(finding["source_kind"], "sqs-standard-or-fifo");
    let related = &finding["related"][0];
    assert_eq!(
        (
            related["file"].as_str(),
            related["line"].as_u64(),
            related["message"].as_str()
        ),
        (
            Some("iam.tf"),
            Some(2),
            Some("the policy statement the source's kind is taken from")
        )
    );

    let sarif: Value =
        serde_json::from_str(&run_cli(root, &["check", "--format", "sarif", "."])).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with(ASSUMED_FROM_RECEIVE)
    );
    let location = &result["relatedLocations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "iam.tf");
    assert_eq!(location["region"]["startLine"], 2);

    let human = run_cli(root, &["check", "."]);
    assert!(human.contains("TL207"), "{human}");
    assert!(human.contains("iam.tf:2"), "{human}");
    assert!(human.contains(ASSUMED_FROM_RECEIVE), "{human}");
}
