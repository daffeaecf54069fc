//! A source nothing names, narrowed to "a Kinesis or DynamoDB stream" by the mapping's own
//! stream settings (Terraform, CloudFormation with an ARN that cannot be resolved) or by a
//! Serverless `stream` event whose ARN does not say which. The rules that hold for both kinds
//! run and say what they assumed; the rules that differ between them stay quiet; every output
//! names the narrowed kind.

use std::path::Path;

use serde_json::Value;
use triggerlint::config::Config;

mod common;

use common::stdout_of as run_cli;

const ASSUMED_FROM_STARTING_POSITION: &str = "The source is taken to be a Kinesis or DynamoDB \
     stream: assumed from `starting_position` on a mapping without the topic every Kafka \
     mapping names (Kinesis or DynamoDB is not known).";

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn lint(dir: &Path) -> triggerlint::Run {
    let run = triggerlint::run(&[dir.to_path_buf()], &Config::default());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    run
}

/// (code, line, message) of every finding, sorted by line then code.
fn findings(run: &triggerlint::Run) -> Vec<(&'static str, usize, String)> {
    let mut found: Vec<_> = run
        .findings
        .iter()
        .map(|f| {
            let file = run.sources.get(f.span.file);
            let line = file.line_col(f.span.start as usize).line;
            (f.rule.code, line, f.message.clone())
        })
        .collect();
    found.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
    found
}

fn codes(run: &triggerlint::Run) -> Vec<&'static str> {
    let mut codes: Vec<_> = run.findings.iter().map(|f| f.rule.code).collect();
    codes.sort();
    codes
}

/// A mapping whose stream comes from a variable without a default, with `arguments`.
fn mapping(arguments: &str) -> String {
    format!(
        r#"variable "stream_arn" {{}}

resource "aws_lambda_function" "consumer" {{
  function_name = "consumer"
  timeout       = 30
}}

resource "aws_lambda_event_source_mapping" "m" {{
  event_source_arn = var.stream_arn
  function_name    = aws_lambda_function.consumer.arn
{arguments}}}
"#
    )
}

/// The mapping's kind and why, with nothing but `arguments` to go on.
fn kind_of(arguments: &str) -> (String, String) {
    let dir = tree(&[("main.tf", &mapping(arguments))]);
    let run = lint(dir.path());
    let t = &run.triggers[0];
    (t.source.id().to_string(), t.kind_basis.to_string())
}

#[test]
fn stream_settings_narrow_an_unknown_source_to_kinesis_or_dynamodb() {
    assert_eq!(
        kind_of("  parallelization_factor = 2\n"),
        (
            "kinesis-or-dynamodb".into(),
            "assumed from `parallelization_factor`, which only Kinesis and DynamoDB mappings \
             take (which of the two is not known)"
                .into()
        )
    );
    assert_eq!(
        kind_of("  tumbling_window_in_seconds = 60\n").0,
        "kinesis-or-dynamodb"
    );
    for shared in [
        "  starting_position = \"LATEST\"\n",
        "  maximum_retry_attempts = 3\n",
        "  maximum_record_age_in_seconds = 3600\n",
        "  bisect_batch_on_function_error = true\n",
        "  destination_config {\n    on_failure {\n      destination_arn = \"arn:aws:sqs:eu-west-1:123456789012:dlq\"\n    }\n  }\n",
    ] {
        let (kind, basis) = kind_of(shared);
        assert_eq!(kind, "kinesis-or-dynamodb", "{shared}");
        assert!(
            basis.ends_with(
                "on a mapping without the topic every Kafka mapping names (Kinesis or \
                 DynamoDB is not known)"
            ),
            "{basis}"
        );
    }
}

#[test]
fn a_sign_of_another_kind_or_a_setting_that_may_be_absent_narrows_nothing() {
    // Kafka names topics; MSK is what a topic read through an ARN leaves.
    assert_eq!(
        kind_of("  topics = [\"orders\"]\n  starting_position = \"LATEST\"\n").0,
        "msk"
    );
    // Topics that may be absent: Kafka is still possible, so the kind stays unknown.
    assert_eq!(
        kind_of("  topics = var.topics\n  starting_position = \"LATEST\"\n").0,
        "unknown"
    );
    // Only Kafka, MQ and DocumentDB take source access configurations.
    assert_eq!(
        kind_of(
            "  starting_position = \"LATEST\"\n  source_access_configuration {\n    type = \"BASIC_AUTH\"\n    uri  = \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:s\"\n  }\n"
        )
        .0,
        "unknown"
    );
    // A value known only at apply may be null, which leaves the argument out.
    assert_eq!(kind_of("  starting_position = var.position\n").0, "unknown");
    // Settings every kind takes say nothing.
    assert_eq!(
        kind_of("  batch_size = 10\n  enabled = true\n").0,
        "unknown"
    );
}

#[test]
fn a_source_that_names_its_kind_is_not_narrowed() {
    let text = r#"resource "aws_kinesis_stream" "s" {
  name        = "s"
  shard_count = 1
}

resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn       = aws_kinesis_stream.s.arn
  function_name          = "consumer"
  starting_position      = "LATEST"
  parallelization_factor = 2
}
"#;
    let dir = tree(&[("main.tf", text)]);
    let run = lint(dir.path());
    assert_eq!(run.triggers[0].source.id(), "kinesis");
}

/// The stream rules that hold for Kinesis and DynamoDB alike run on the narrowed kind, at
/// the usual places, and say what they assumed.
#[test]
fn rules_that_hold_for_both_kinds_run_and_say_what_they_assumed() {
    let dir = tree(&[(
        "main.tf",
        &mapping("  starting_position = \"LATEST\"\n  batch_size        = 5\n"),
    )]);
    let run = lint(dir.path());
    assert_eq!(
        findings(&run),
        [
            (
                "TL002",
                8,
                "`maximum_batching_window_in_seconds` is not set, so AWS uses 0: Lambda polls \
                 each shard about once a second and invokes the function with whatever arrived \
                 since, so at low traffic a batch of up to 5 holds only the few records of that \
                 second"
                    .to_string()
            ),
            (
                "TL101",
                8,
                "`maximum_retry_attempts` is not set, so AWS uses -1: a failing batch is retried \
                 until its records expire, and the shard or partition waits"
                    .to_string()
            ),
            (
                "TL102",
                8,
                "`maximum_record_age_in_seconds` is not set, so AWS uses -1: records are \
                 processed however old they are, up to the stream's retention"
                    .to_string()
            ),
            (
                "TL103",
                8,
                "this Kinesis or DynamoDB stream trigger has no on-failure destination \
                 (`destination_config.on_failure.destination_arn`): records that run out of \
                 retries or age are discarded without a trace"
                    .to_string()
            ),
            (
                "TL104",
                8,
                "`bisect_batch_on_function_error` is not set, so AWS uses false and the function \
                 does not report batch item failures: one bad record fails and retries the \
                 whole batch of up to 5"
                    .to_string()
            ),
            (
                "TL108",
                8,
                "no CloudWatch alarm in this module watches `IteratorAge` of function \
                 aws_lambda_function.consumer: a consumer that falls behind or is stuck on a \
                 failing batch goes unnoticed"
                    .to_string()
            ),
            (
                "TL107",
                12,
                "`batch_size` is 5, below the 10 that triggerlint's `min-batch-size` setting \
                 asks for: a busy stream costs an invocation for every 5 records"
                    .to_string()
            ),
        ]
    );
    for f in &run.findings {
        let help = f.help.as_deref().unwrap_or_default();
        assert!(
            help.ends_with(ASSUMED_FROM_STARTING_POSITION),
            "{}: {help}",
            f.rule.code
        );
        assert_eq!(f.source_kind, Some("kinesis-or-dynamodb"));
    }
}

/// Written settings that both kinds accept are not findings; the ones the rules check against
/// a limit still are.
#[test]
fn written_stream_settings_are_checked_as_on_either_kind() {
    let dir = tree(&[(
        "main.tf",
        &mapping(
            "  starting_position              = \"AT_TIMESTAMP\"\n  starting_position_timestamp    = \"2026-01-01T00:00:00Z\"\n  batch_size                     = 100\n  maximum_batching_window_in_seconds = 5\n  maximum_retry_attempts         = 500\n  maximum_record_age_in_seconds  = 90000\n  bisect_batch_on_function_error = true\n  parallelization_factor         = 11\n  destination_config {\n    on_failure {\n      destination_arn = \"arn:aws:sqs:eu-west-1:123456789012:dlq\"\n    }\n  }\n",
        ),
    )]);
    let run = lint(dir.path());
    // AT_TIMESTAMP is Kinesis's (TL003 would be DynamoDB's), and a record age above a
    // DynamoDB stream's 24 hours may be below a Kinesis stream's retention (TL109): both
    // differ between the two kinds, so neither is reported. A parallelization factor above 10
    // and retries above the configured limit are wrong on either.
    assert_eq!(codes(&run), ["TL001", "TL101", "TL108"]);
    let found = findings(&run);
    let retries = found.iter().find(|f| f.0 == "TL101").unwrap();
    assert_eq!(
        (retries.1, retries.2.as_str()),
        (
            15,
            "`maximum_retry_attempts` is 500: more retries than the 100 that triggerlint's \
             `max-retry-attempts` setting allows"
        )
    );
    let factor = found.iter().find(|f| f.0 == "TL001").unwrap();
    assert_eq!(factor.1, 18, "{factor:?}");
}

/// Rules about one of the two kinds only (TL106 Kinesis retention, TL110 and TL112 DynamoDB
/// tables, TL011 the fields of each kind's records) stay quiet on the narrowed kind.
#[test]
fn rules_that_differ_between_the_kinds_stay_quiet() {
    let readers: String = (0..3)
        .map(|i| {
            format!(
                r#"resource "aws_lambda_event_source_mapping" "r{i}" {{
  event_source_arn                   = var.stream_arn
  function_name                      = "consumer"
  starting_position                  = "TRIM_HORIZON"
  batch_size                         = 100
  maximum_batching_window_in_seconds = 5
  maximum_retry_attempts             = 3
  maximum_record_age_in_seconds      = 3600
  bisect_batch_on_function_error     = true
  destination_config {{
    on_failure {{
      destination_arn = "arn:aws:sqs:eu-west-1:123456789012:dlq"
    }}
  }}
  filter_criteria {{
    filter {{
      pattern = jsonencode({{ body = {{ status = ["done"] }} }})
    }}
  }}
}}
"#
            )
        })
        .collect();
    let dir = tree(&[(
        "main.tf",
        &format!("variable \"stream_arn\" {{}}\n\n{readers}"),
    )]);
    let run = lint(dir.path());
    assert_eq!(run.triggers.len(), 3);
    assert!(
        run.triggers
            .iter()
            .all(|t| t.source.id() == "kinesis-or-dynamodb")
    );
    // Three readers of one stream would be TL112 on DynamoDB; `body` is no field of either
    // kind's records, but which fields are is not known (TL011).
    assert_eq!(codes(&run), Vec::<&str>::new());
}

/// CloudFormation: an ARN imported from another stack says nothing; `StartingPosition`
/// without `Topics` narrows it, and what both kinds require (TL004) is checked too.
#[test]
fn cloudformation_with_an_imported_arn_is_narrowed_too() {
    let template = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reader:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !ImportValue orders-stream-arn
      FunctionName: consumer
      StartingPosition: LATEST
      MaximumRetryAttempts: 3
      MaximumRecordAgeInSeconds: 3600
      BisectBatchOnFunctionError: true
      MaximumBatchingWindowInSeconds: 5
      DestinationConfig:
        OnFailure:
          Destination: arn:aws:sqs:eu-west-1:123456789012:dlq
  Parallel:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !ImportValue orders-stream-arn
      FunctionName: consumer
      ParallelizationFactor: 2
      MaximumRetryAttempts: 3
      MaximumRecordAgeInSeconds: 3600
      BisectBatchOnFunctionError: true
      MaximumBatchingWindowInSeconds: 5
      DestinationConfig:
        OnFailure:
          Destination: arn:aws:sqs:eu-west-1:123456789012:dlq
"#;
    let dir = tree(&[("template.yaml", template)]);
    let run = lint(dir.path());
    let kinds: Vec<&str> = run.triggers.iter().map(|t| t.source.id()).collect();
    assert_eq!(kinds, ["kinesis-or-dynamodb", "kinesis-or-dynamodb"]);
    assert_eq!(
        findings(&run),
        [(
            "TL004",
            16,
            "no `StartingPosition` on this Kinesis or DynamoDB stream trigger: it is required, \
             and CloudFormation rejects the mapping"
                .to_string()
        )]
    );
    let help = run.findings[0].help.as_deref().unwrap();
    assert!(
        help.ends_with(
            "The source is taken to be a Kinesis or DynamoDB stream: assumed from \
             `ParallelizationFactor`, which only Kinesis and DynamoDB mappings take (which of \
             the two is not known)."
        ),
        "{help}"
    );
}

/// Serverless: a `stream` event is Kinesis or DynamoDB by definition; without `type`, the
/// framework reads which from the ARN, and an ARN not known here leaves both.
#[test]
fn a_serverless_stream_whose_arn_is_not_known_is_either_kind() {
    let service = r#"service: orders
provider:
  name: aws
  runtime: nodejs20.x
functions:
  consumer:
    handler: index.handler
    events:
      - stream:
          arn: ${ssm:/orders/stream-arn}
          maximumRetryAttempts: 3
          maximumRecordAgeInSeconds: 3600
          bisectBatchOnFunctionError: true
          batchSize: 100
          batchWindow: 5
          destinations:
            onFailure: arn:aws:sqs:eu-west-1:123456789012:dlq
      - stream:
          arn: arn:aws:kinesis:eu-west-1:123456789012:stream/orders
          startingPosition: LATEST
          maximumRetryAttempts: 3
          maximumRecordAgeInSeconds: 3600
          bisectBatchOnFunctionError: true
          batchSize: 100
          batchWindow: 5
          destinations:
            onFailure: arn:aws:sqs:eu-west-1:123456789012:dlq
"#;
    let dir = tree(&[("serverless.yml", service)]);
    let run = lint(dir.path());
    let kinds: Vec<(String, String)> = run
        .triggers
        .iter()
        .map(|t| (t.source.id().to_string(), t.kind_basis.to_string()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "kinesis-or-dynamodb".to_string(),
                "declared by the Serverless `stream` event, whose `arn` does not say which"
                    .to_string()
            ),
            (
                "kinesis".to_string(),
                "from the ARN arn:aws:kinesis:eu-west-1:123456789012:stream/orders".to_string()
            ),
        ]
    );
    let implicit: Vec<_> = findings(&run)
        .into_iter()
        .filter(|(code, _, _)| *code == "TL105")
        .collect();
    assert_eq!(
        implicit,
        [(
            "TL105",
            9,
            "`startingPosition` is not set, so the Serverless Framework writes TRIM_HORIZON: a \
             new or replaced trigger replays everything the stream retains (the last 24 hours \
             of a DynamoDB stream, up to 365 days of a Kinesis stream)"
                .to_string()
        )]
    );
}

/// inspect (text and JSON), JSON findings, SARIF, GitHub annotations and the human format all
/// name the narrowed kind or the assumption.
#[test]
fn every_output_names_the_narrowed_kind() {
    let dir = tree(&[(
        "main.tf",
        &mapping("  starting_position = \"LATEST\"\n  maximum_retry_attempts = -1\n"),
    )]);
    let root = dir.path();

    let inspect = run_cli(root, &["inspect", "main.tf"]);
    assert!(
        inspect.contains(
            "  source    kinesis-or-dynamodb (assumed from `starting_position` on a mapping \
             without the topic every Kafka mapping names (Kinesis or DynamoDB is not known))\n"
        ),
        "{inspect}"
    );
    let inspect: Value =
        serde_json::from_str(&run_cli(root, &["inspect", "--format", "json", "main.tf"])).unwrap();
    assert_eq!(inspect["triggers"][0]["source_kind"], "kinesis-or-dynamodb");
    // The stream settings are shown with their AWS defaults, as for either kind.
    assert_eq!(
        inspect["triggers"][0]["settings"]["ParallelizationFactor"]["value"],
        1
    );

    let json: Value =
        serde_json::from_str(&run_cli(root, &["check", "--format", "json", "."])).unwrap();
    let retries = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TL101")
        .expect("TL101");
    assert_eq!(retries["source_kind"], "kinesis-or-dynamodb");
    assert_eq!(retries["line"], 12);
    assert!(
        retries["help"]
            .as_str()
            .unwrap()
            .ends_with(ASSUMED_FROM_STARTING_POSITION)
    );

    let sarif: Value =
        serde_json::from_str(&run_cli(root, &["check", "--format", "sarif", "."])).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "TL101")
        .expect("TL101 in SARIF");
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with(ASSUMED_FROM_STARTING_POSITION)
    );

    let github = run_cli(root, &["check", "--format", "github", "."]);
    let line = github
        .lines()
        .find(|l| l.contains("TL101"))
        .expect("TL101 annotation");
    assert!(line.contains("line=12"), "{line}");
    assert!(
        line.contains("The source is taken to be a Kinesis or DynamoDB stream"),
        "{line}"
    );

    let human = run_cli(root, &["check", "."]);
    assert!(
        human.contains("The source is taken to be a Kinesis or DynamoDB stream"),
        "{human}"
    );
}
