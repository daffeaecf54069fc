//! Terraform end to end: a module is a folder, the same trigger gives the same rule codes as in
//! CloudFormation, the lambda module's entries are triggers, variables come from their default
//! or a `--var-file`, suppression comments and the baseline work by resource address, and bad
//! input is a clear per-file error.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use triggerlint::config::Config;
use triggerlint::report::inspect::trigger_json;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A folder holding the given files.
fn module(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

fn run(paths: &[PathBuf], config: &Config) -> triggerlint::Run {
    let run = triggerlint::run(paths, config);
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    run
}

fn run_dir(dir: &Path) -> triggerlint::Run {
    run(&[dir.to_path_buf()], &Config::default())
}

fn sorted_codes(run: &triggerlint::Run) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = run.findings.iter().map(|f| f.rule.code).collect();
    codes.sort_unstable();
    codes
}

/// (code, file name, line) of every finding.
fn located(run: &triggerlint::Run) -> Vec<(&'static str, String, usize)> {
    run.findings
        .iter()
        .map(|f| {
            let file = run.sources.get(f.span.file);
            let name = file
                .path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (f.rule.code, name, file.line_col(f.span.start as usize).line)
        })
        .collect()
}

fn triggerlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("triggerlint").expect("binary");
    cmd.current_dir(dir);
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let output = cmd.output().unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// One trigger written both ways: (what it is, CloudFormation, Terraform).
const SAME_TRIGGERS: &[(&str, &str, &str)] = &[
    (
        "a Kinesis trigger with nothing but its starting position",
        r#"Resources:
  Orders:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
      RetentionPeriodHours: 168
  Consumer:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: 30
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Orders.Arn
      FunctionName: !Ref Consumer
      StartingPosition: TRIM_HORIZON
"#,
        r#"resource "aws_kinesis_stream" "orders" {
  name             = "orders"
  shard_count      = 1
  retention_period = 168
}

resource "aws_lambda_function" "consumer" {
  function_name = "consumer"
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "mapping" {
  event_source_arn  = aws_kinesis_stream.orders.arn
  function_name     = aws_lambda_function.consumer.arn
  starting_position = "TRIM_HORIZON"
}
"#,
    ),
    (
        "an SQS trigger on a queue without a dead-letter queue and a short visibility timeout, \
         its function limited by reserved concurrency",
        r#"Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: 30
      ReservedConcurrentExecutions: 5
      DeadLetterConfig:
        TargetArn: arn:aws:sqs:eu-west-1:123456789012:worker-dlq
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Jobs.Arn
      FunctionName: !GetAtt Worker.Arn
      BatchSize: 10
"#,
        r#"resource "aws_sqs_queue" "jobs" {
  visibility_timeout_seconds = 60
}

resource "aws_lambda_function" "worker" {
  function_name                  = "worker"
  timeout                        = 30
  reserved_concurrent_executions = 5

  dead_letter_config {
    target_arn = "arn:aws:sqs:eu-west-1:123456789012:worker-dlq"
  }
}

resource "aws_lambda_event_source_mapping" "mapping" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.worker.arn
  batch_size       = 10
}
"#,
    ),
    (
        "a FIFO queue trigger whose dead-letter queue takes a message after one receive",
        r#"Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      VisibilityTimeout: 600
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dead.Arn
        maxReceiveCount: 1
  Dead:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: 60
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Jobs.Arn
      FunctionName: !Ref Worker
      BatchSize: 10
      MaximumBatchingWindowInSeconds: 5
      FunctionResponseTypes: [ReportBatchItemFailures]
"#,
        r#"resource "aws_sqs_queue" "jobs" {
  name                       = "jobs.fifo"
  fifo_queue                 = true
  visibility_timeout_seconds = 600
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead.arn
    maxReceiveCount     = 1
  })
}

resource "aws_sqs_queue" "dead" {
  name       = "dead.fifo"
  fifo_queue = true
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  timeout       = 60
}

resource "aws_lambda_event_source_mapping" "mapping" {
  event_source_arn                   = aws_sqs_queue.jobs.arn
  function_name                      = aws_lambda_function.worker.function_name
  batch_size                         = 10
  maximum_batching_window_in_seconds = 5
  function_response_types            = ["ReportBatchItemFailures"]
}
"#,
    ),
    (
        "a DynamoDB trigger on a table without a stream, with values AWS rejects",
        r#"Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Table.StreamArn
      FunctionName: consumer
      StartingPosition: LATEST
      BatchSize: 20000
      MaximumRetryAttempts: 20000
      ParallelizationFactor: 10
"#,
        r#"resource "aws_dynamodb_table" "table" {
  name     = "table"
  hash_key = "id"
}

resource "aws_lambda_event_source_mapping" "mapping" {
  event_source_arn       = aws_dynamodb_table.table.stream_arn
  function_name          = "consumer"
  starting_position      = "LATEST"
  batch_size             = 20000
  maximum_retry_attempts = 20000
  parallelization_factor = 10
}
"#,
    ),
    (
        "an SQS trigger with batches above 10 and no batching window, on a queue without a \
         dead-letter queue",
        r#"Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 600
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Jobs.Arn
      FunctionName: worker
      BatchSize: 100
      FunctionResponseTypes: [ReportBatchItemFailures]
"#,
        r#"resource "aws_sqs_queue" "jobs" {
  visibility_timeout_seconds = 600
}

resource "aws_lambda_event_source_mapping" "mapping" {
  event_source_arn        = aws_sqs_queue.jobs.arn
  function_name           = "worker"
  batch_size              = 100
  function_response_types = ["ReportBatchItemFailures"]
}
"#,
    ),
    (
        "a Kinesis trigger with every safeguard and an iterator-age alarm",
        r#"Resources:
  Orders:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  Failures:
    Type: AWS::SQS::Queue
  Consumer:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: 30
  Lag:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: IteratorAge
      Statistic: Maximum
      Dimensions:
        - Name: FunctionName
          Value: !Ref Consumer
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Orders.Arn
      FunctionName: !Ref Consumer
      StartingPosition: LATEST
      BatchSize: 100
      MaximumBatchingWindowInSeconds: 5
      MaximumRetryAttempts: 3
      MaximumRecordAgeInSeconds: 3600
      BisectBatchOnFunctionError: true
      FunctionResponseTypes: [ReportBatchItemFailures]
      DestinationConfig:
        OnFailure:
          Destination: !GetAtt Failures.Arn
"#,
        r#"resource "aws_kinesis_stream" "orders" {
  name        = "orders"
  shard_count = 1
}

resource "aws_sqs_queue" "failures" {}

resource "aws_lambda_function" "consumer" {
  function_name = "consumer"
  timeout       = 30
}

resource "aws_cloudwatch_metric_alarm" "lag" {
  namespace   = "AWS/Lambda"
  metric_name = "IteratorAge"
  statistic   = "Maximum"
  dimensions = {
    FunctionName = aws_lambda_function.consumer.function_name
  }
}

resource "aws_lambda_event_source_mapping" "mapping" {
  event_source_arn                   = aws_kinesis_stream.orders.arn
  function_name                      = aws_lambda_function.consumer.arn
  starting_position                  = "LATEST"
  batch_size                         = 100
  maximum_batching_window_in_seconds = 5
  maximum_retry_attempts             = 3
  maximum_record_age_in_seconds      = 3600
  bisect_batch_on_function_error     = true
  function_response_types            = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.failures.arn
    }
  }
}
"#,
    ),
];

#[test]
fn the_same_trigger_gives_the_same_rule_codes_in_cloudformation_and_terraform() {
    for (what, cloudformation, terraform) in SAME_TRIGGERS {
        let cfn = triggerlint::run_text(
            "template.yaml",
            cloudformation.to_string(),
            &Config::default(),
        );
        assert!(cfn.errors.is_empty(), "{what}: {:?}", cfn.errors);
        let dir = module(&[("main.tf", terraform)]);
        let tf = run_dir(dir.path());
        assert_eq!(tf.triggers.len(), 1, "{what}");
        assert_eq!(sorted_codes(&tf), sorted_codes(&cfn), "{what}");
    }
    // The pairs are not vacuous: between them they exercise the links and the validity rules.
    let every: Vec<&str> = SAME_TRIGGERS
        .iter()
        .flat_map(|(_, cfn, _)| {
            sorted_codes(&triggerlint::run_text(
                "t.yaml",
                cfn.to_string(),
                &Config::default(),
            ))
        })
        .collect();
    for code in [
        "TL001", "TL101", "TL106", "TL110", "TL201", "TL204", "TL205", "TL206", "TL208", "TL209",
    ] {
        assert!(every.contains(&code), "no pair reaches {code}: {every:?}");
    }
}

#[test]
fn a_module_is_its_folder_and_findings_point_at_arguments_or_the_resource_line() {
    let dir = module(&[
        (
            "lambda.tf",
            r#"resource "aws_lambda_function" "worker" {
  function_name = "worker"
  timeout       = var.timeout
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn                   = aws_sqs_queue.jobs.arn
  function_name                      = aws_lambda_function.worker.arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]
}
"#,
        ),
        (
            "sqs.tf",
            r#"resource "aws_sqs_queue" "jobs" {
  visibility_timeout_seconds = 120
  redrive_policy = <<-EOT
    {"deadLetterTargetArn": "${aws_sqs_queue.dead.arn}", "maxReceiveCount": 5}
  EOT
}

resource "aws_sqs_queue" "dead" {}
"#,
        ),
        (
            "variables.tf",
            "variable \"timeout\" {\n  type    = number\n  default = 60\n}\n",
        ),
    ]);
    let run = run_dir(dir.path());
    assert_eq!(run.modules, 1);
    assert_eq!(run.files(), 3);
    // A finding about the trigger is on the trigger; the queue's value is a related location.
    assert_eq!(located(&run), [("TL204", "lambda.tf".to_string(), 6)]);
    let related: Vec<(String, usize, &str)> = run.findings[0]
        .related
        .iter()
        .map(|r| {
            let file = run.sources.get(r.span.file);
            let name = file
                .path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                name,
                file.line_col(r.span.start as usize).line,
                r.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            ("sqs.tf".to_string(), 2, "visibility timeout 120 s"),
            ("lambda.tf".to_string(), 3, "function timeout 60 s"),
            (
                "variables.tf".to_string(),
                3,
                "the value comes from here (the default of variable timeout)"
            ),
        ]
    );
    let finding = &run.findings[0];
    assert_eq!(
        finding.message,
        "the visibility timeout of queue aws_sqs_queue.jobs (120 s) is below the recommended \
         361 s, 6 x the timeout of function aws_lambda_function.worker (60 s, the default of \
         variable timeout) plus the 1 s batching window: a batch retried after throttling can become visible again while it \
         is still being processed, and run twice"
    );
    let trigger = &run.triggers[0];
    assert_eq!(&*trigger.path, "aws_lambda_event_source_mapping.jobs");
}

#[test]
fn unset_settings_point_at_the_resource_line_and_use_terraform_names() {
    let dir = module(&[(
        "main.tf",
        r#"# Orders consumer.
resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn  = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"
  function_name     = "consumer"
  starting_position = "LATEST"
  batch_size        = 1
}
"#,
    )]);
    let run = run_dir(dir.path());
    let tl101 = run
        .findings
        .iter()
        .find(|f| f.rule.code == "TL101")
        .expect("TL101");
    assert_eq!(
        tl101.message,
        "`maximum_retry_attempts` is not set, so AWS uses -1: a failing batch is retried until \
         its records expire, and the shard or partition waits"
    );
    assert_eq!(
        tl101.help.as_deref(),
        Some(
            "set `maximum_retry_attempts` to a small number (2 to 10 suits most consumers) and \
             add an on-failure destination for the records that still fail"
        )
    );
    // No TL104: with batches of one record there is nothing to bisect.
    let lines: Vec<(&str, usize)> = located(&run).into_iter().map(|(c, _, l)| (c, l)).collect();
    assert_eq!(
        lines,
        [("TL101", 2), ("TL102", 2), ("TL103", 2), ("TL107", 6),]
    );
}

const LAMBDA_MODULE: &str = r#"module "consumer" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 8.0"

  function_name          = "consumer"
  dead_letter_target_arn = "arn:aws:sqs:eu-west-1:123456789012:consumer-dlq"

  event_source_mapping = {
    inbox = {
      event_source_arn = aws_sqs_queue.inbox.arn
      batch_size       = 10
      scaling_config = {
        maximum_concurrency = 1
      }
    }
    outbox = {
      event_source_arn        = aws_sqs_queue.outbox.arn
      function_response_types = ["ReportBatchItemFailures"]
      maximum_batching_window_in_seconds = 1
    }
  }
}

resource "aws_sqs_queue" "inbox" {}

resource "aws_sqs_queue" "outbox" {
  visibility_timeout_seconds = 18
  redrive_policy = jsonencode({
    deadLetterTargetArn = "arn:aws:sqs:eu-west-1:123456789012:dead"
    maxReceiveCount     = 5
  })
}
"#;

#[test]
fn each_entry_of_the_lambda_modules_map_is_a_trigger_with_the_modules_defaults() {
    let dir = module(&[("main.tf", LAMBDA_MODULE)]);
    let run = run_dir(dir.path());
    let paths: Vec<&str> = run.triggers.iter().map(|t| &*t.path).collect();
    assert_eq!(
        paths,
        [
            "module.consumer.event_source_mapping[\"inbox\"]",
            "module.consumer.event_source_mapping[\"outbox\"]"
        ]
    );
    assert_eq!(
        located(&run),
        [
            ("TL002", "main.tf".to_string(), 9),
            ("TL207", "main.tf".to_string(), 9),
            ("TL208", "main.tf".to_string(), 9),
            ("TL001", "main.tf".to_string(), 13),
            ("TL204", "main.tf".to_string(), 16),
        ]
    );
    let tl001 = run
        .findings
        .iter()
        .find(|f| f.rule.code == "TL001")
        .unwrap();
    assert!(
        tl001
            .message
            .starts_with("`scaling_config.maximum_concurrency` is below the minimum of 2"),
        "{}",
        tl001.message
    );
    let inspected = trigger_json(&run, &run.triggers[0]);
    assert_eq!(inspected["function"]["timeout"]["value"], 3);
    assert_eq!(
        inspected["function"]["timeout"]["provenance"],
        "module-default"
    );
    assert_eq!(
        inspected["settings"]["Enabled"]["provenance"],
        "module-default"
    );
    // The outbox queue's 18 s is 6 x the module's default timeout of 3 s, without the window.
    let tl204 = run
        .findings
        .iter()
        .find(|f| f.rule.code == "TL204")
        .unwrap();
    assert!(
        tl204.message.contains(
            "below the recommended 19 s, 6 x the timeout of function module.consumer (3 s, the \
             default of the terraform-aws-modules Lambda module) plus the 1 s batching window"
        ),
        "{}",
        tl204.message
    );
}

#[test]
fn variables_take_their_default_or_the_value_of_a_var_file() {
    let dir = module(&[
        (
            "main.tf",
            r#"resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn       = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"
  function_name          = "consumer"
  starting_position      = "LATEST"
  batch_size             = var.batch_size
  maximum_retry_attempts = var.retries
}

variable "batch_size" {
  default = 100
}

variable "retries" {
  type = number
}
"#,
        ),
        ("prod.tfvars", "batch_size = 5\n"),
    ]);
    let inspected = |config: &Config| {
        let run = run(&[dir.path().to_path_buf()], config);
        trigger_json(&run, &run.triggers[0])["settings"].clone()
    };
    let defaults = inspected(&Config::default());
    assert_eq!(defaults["BatchSize"]["value"], 100);
    assert_eq!(defaults["BatchSize"]["provenance"], "variable-default");
    assert_eq!(defaults["MaximumRetryAttempts"]["provenance"], "unknown");
    assert_eq!(defaults["MaximumRetryAttempts"]["value"], Value::Null);

    let config = Config {
        var_files: vec![dir.path().join("prod.tfvars")],
        ..Config::default()
    };
    let from_file = inspected(&config);
    assert_eq!(from_file["BatchSize"]["value"], 5);
    assert_eq!(from_file["BatchSize"]["provenance"], "var-file");
}

#[test]
fn an_unknown_for_each_is_one_trigger_and_a_known_count_one_per_index() {
    let dir = module(&[(
        "main.tf",
        r#"variable "queues" {
  type = map(object({ arn = string, batch = number }))
}

resource "aws_lambda_event_source_mapping" "per_queue" {
  for_each         = var.queues
  event_source_arn = each.value.arn
  function_name    = "worker"
  batch_size       = each.value.batch
}

resource "aws_lambda_event_source_mapping" "counted" {
  count             = 2
  event_source_arn  = "arn:aws:kinesis:eu-west-1:123456789012:stream/s-${count.index}"
  function_name     = "worker"
  starting_position = "LATEST"
}
"#,
    )]);
    let run = run_dir(dir.path());
    let paths: Vec<&str> = run.triggers.iter().map(|t| &*t.path).collect();
    assert_eq!(
        paths,
        [
            "aws_lambda_event_source_mapping.per_queue",
            "aws_lambda_event_source_mapping.counted[0]",
            "aws_lambda_event_source_mapping.counted[1]"
        ]
    );
    let per_queue = trigger_json(&run, &run.triggers[0]);
    assert_eq!(per_queue["source_kind"], "unknown");
    assert_eq!(per_queue["settings"]["BatchSize"]["provenance"], "unknown");
    for counted in &run.triggers[1..] {
        assert_eq!(trigger_json(&run, counted)["source_kind"], "kinesis");
    }
    assert_eq!(
        trigger_json(&run, &run.triggers[2])["event_source"],
        "arn:aws:kinesis:eu-west-1:123456789012:stream/s-1"
    );
    // Nothing is guessed about the trigger whose source is unknown: every finding is about
    // an instance of the counted Kinesis trigger (line 12), once per instance.
    let lines: Vec<(&str, usize)> = located(&run).into_iter().map(|(c, _, l)| (c, l)).collect();
    let each = ["TL002", "TL101", "TL102", "TL103", "TL104"];
    let expected: Vec<(&str, usize)> = each.iter().flat_map(|c| [(*c, 12), (*c, 12)]).collect();
    assert_eq!(lines, expected);
}

#[test]
fn json_modules_read_like_hcl() {
    let dir = module(&[(
        "main.tf.json",
        r#"{
  "resource": {
    "aws_lambda_event_source_mapping": {
      "orders": {
        "event_source_arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/orders",
        "function_name": "consumer",
        "starting_position": "LATEST",
        "batch_size": 0
      }
    }
  }
}
"#,
    )]);
    let run = run_dir(dir.path());
    assert_eq!(
        &*run.triggers[0].path,
        "aws_lambda_event_source_mapping.orders"
    );
    let tl001 = run
        .findings
        .iter()
        .find(|f| f.rule.code == "TL001")
        .expect("TL001");
    assert_eq!(
        located(&run)
            .iter()
            .find(|(c, ..)| *c == "TL001")
            .unwrap()
            .2,
        8
    );
    assert!(tl001.message.contains("`batch_size`"), "{}", tl001.message);
}

#[test]
fn suppression_comments_work_with_hash_and_slashes() {
    let dir = module(&[(
        "main.tf",
        r#"# triggerlint: ignore[TL101, TL102] retries are handled by the consumer
resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn  = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"
  function_name     = "consumer"
  starting_position = "LATEST"
  batch_size        = 1 // triggerlint: ignore[TL107] one record per call on purpose
}
"#,
    )]);
    let run = run_dir(dir.path());
    let mut ignored: Vec<&str> = run.ignored.iter().map(|f| f.rule.code).collect();
    ignored.sort_unstable();
    assert_eq!(ignored, ["TL101", "TL102", "TL107"]);
    assert_eq!(sorted_codes(&run), ["TL103"]);
}

#[test]
fn a_named_file_is_linted_with_its_folder_as_context() {
    let dir = module(&[
        (
            "lambda.tf",
            r#"resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = "worker"
}
"#,
        ),
        (
            "sqs.tf",
            r#"resource "aws_sqs_queue" "jobs" {
  visibility_timeout_seconds = 30
}
"#,
        ),
    ]);
    let named = run(&[dir.path().join("lambda.tf")], &Config::default());
    assert_eq!(named.files(), 1);
    assert_eq!(named.triggers[0].source.id(), "sqs");
    assert_eq!(
        located(&named),
        [
            ("TL002", "lambda.tf".to_string(), 1),
            ("TL205", "lambda.tf".to_string(), 1),
            ("TL207", "lambda.tf".to_string(), 1)
        ],
        "the queue in sqs.tf is linked"
    );
    // Naming only the queue's file reports nothing: the trigger is in lambda.tf.
    let queue_only = run(&[dir.path().join("sqs.tf")], &Config::default());
    assert_eq!(queue_only.files(), 1);
    assert!(queue_only.findings.is_empty(), "{:?}", located(&queue_only));
    assert!(queue_only.triggers.is_empty());
}

#[test]
fn the_baseline_keys_findings_by_resource_address() {
    let dir = module(&[("infra/main.tf", LAMBDA_MODULE)]);
    triggerlint(dir.path())
        .args(["check", "--write-baseline", "baseline.json", "infra"])
        .assert()
        .code(0);
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap())
            .unwrap();
    let paths: Vec<&str> = baseline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "module.consumer.event_source_mapping[\"inbox\"]",
            "module.consumer.event_source_mapping[\"inbox\"]",
            "module.consumer.event_source_mapping[\"inbox\"]",
            "module.consumer.event_source_mapping[\"inbox\"]",
            "module.consumer.event_source_mapping[\"outbox\"]",
        ]
    );
    // Moving the module's lines brings nothing back.
    write(
        dir.path(),
        "infra/main.tf",
        &format!("# Consumers.\n\n{LAMBDA_MODULE}"),
    );
    let report = json(triggerlint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--baseline",
        "baseline.json",
        "infra",
    ]));
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["summary"]["baselined"], 5);
    assert_eq!(report["summary"]["modules"], 1);
}

#[test]
fn a_syntax_error_is_a_finding_at_its_line_and_other_modules_are_linted() {
    let dir = module(&[
        (
            "broken/main.tf",
            "resource \"aws_lambda_event_source_mapping\" \"m\" {\n  function_name = \"f\"\n  batch_size = \n}\n",
        ),
        // No sign of a trigger: passed over, as a folder walk passes over what is no template.
        (
            "queues/main.tf",
            "resource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n  visibility_timeout_seconds = \n}\n",
        ),
        (
            "good/main.tf",
            r#"resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:jobs"
  function_name    = "worker"
}
"#,
        ),
    ]);
    let report = json(triggerlint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
    let found: Vec<(&str, &str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("TL902", "broken/main.tf", 3),
            ("TL002", "good/main.tf", 1),
            ("TL207", "good/main.tf", 1),
        ]
    );
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("not valid HCL: invalid expression"),
        "{}",
        report["findings"][0]["message"]
    );
    triggerlint(dir.path())
        .args(["check", "-v", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("--> broken/main.tf:3:16"))
        .stderr(predicate::str::contains(
            "skipped queues/main.tf: not valid HCL (invalid expression",
        ));
}

#[test]
fn downloaded_modules_are_not_walked_and_terraform_without_triggers_is_quiet() {
    let dir = module(&[
        (
            ".terraform/modules/lambda/main.tf",
            r#"resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:jobs"
  function_name    = "worker"
}
"#,
        ),
        (
            "network/main.tf",
            "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
        ),
        (
            "network/versions.tf",
            "terraform {\n  required_version = \">= 1.5\"\n}\n",
        ),
    ]);
    let run = run_dir(dir.path());
    assert!(run.triggers.is_empty());
    assert!(run.findings.is_empty());
    assert_eq!(run.files(), 2);
    triggerlint(dir.path())
        .args(["check", "."])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "checked 2 files (1 Terraform module, 0 triggers)",
        ));
}
