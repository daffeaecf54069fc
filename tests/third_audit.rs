//! The third precision audit (issue 23): each test is a minimal template for one finding that
//! was wrong, misleading or pointed at the wrong place, with what users see instead.

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};
use triggerlint::config::Config;
use triggerlint::rules::Finding;

/// Lints a text as if read from `name`, which must parse.
fn lint(name: &str, text: &str) -> triggerlint::Run {
    let run = triggerlint::run_text(name, text.to_string(), &Config::default());
    assert!(run.errors.is_empty(), "{name}: {:?}", run.errors);
    run
}

fn line(run: &triggerlint::Run, span: triggerlint::source::Span) -> usize {
    run.sources
        .get(span.file)
        .line_col(span.start as usize)
        .line
}

/// (line, severity, message) of each finding of one rule.
fn of(run: &triggerlint::Run, code: &str) -> Vec<(usize, &'static str, String)> {
    run.findings
        .iter()
        .filter(|f| f.rule.code == code)
        .map(|f| (line(run, f.span), f.severity.id(), f.message.clone()))
        .collect()
}

fn only<'r>(run: &'r triggerlint::Run, code: &str) -> &'r Finding {
    let found: Vec<&Finding> = run
        .findings
        .iter()
        .filter(|f| f.rule.code == code)
        .collect();
    assert_eq!(found.len(), 1, "{code}: {:?}", of(run, code));
    found[0]
}

/// (line, message) of a finding's related locations.
fn related(run: &triggerlint::Run, f: &Finding) -> Vec<(usize, String)> {
    f.related
        .iter()
        .map(|r| (line(run, r.span), r.message.clone()))
        .collect()
}

/// An SQS trigger on a queue with `maxReceiveCount: 2`; RESERVED and SCALING are replaced.
const LOW_RECEIVE_COUNT: &str = "Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Jobs.Arn
      FunctionResponseTypes: [ReportBatchItemFailures]
SCALING
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 120
      RedrivePolicy: {deadLetterTargetArn: arn:aws:sqs:us-east-1:123456789012:dlq, maxReceiveCount: 2}
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: 10
RESERVED
";

fn receive_count(scaling: Option<i64>, reserved: Option<i64>) -> triggerlint::Run {
    let scaling = scaling.map_or(String::new(), |n| {
        format!("      ScalingConfig: {{MaximumConcurrency: {n}}}")
    });
    let reserved = reserved.map_or(String::new(), |n| {
        format!("      ReservedConcurrentExecutions: {n}")
    });
    let text = LOW_RECEIVE_COUNT
        .replace("SCALING\n", &format!("{scaling}\n"))
        .replace("RESERVED\n", &format!("{reserved}\n"));
    lint("template.yaml", &text)
}

/// Item 1: a maximum concurrency the function can always run stops Lambda from receiving
/// messages it cannot process, so a low `maxReceiveCount` no longer sends throttled messages
/// to the dead-letter queue.
#[test]
fn tl206_follows_the_maximum_concurrency_and_the_reserved_concurrency() {
    assert_eq!(of(&receive_count(Some(5), Some(10)), "TL206"), []);
    assert_eq!(of(&receive_count(Some(10), Some(10)), "TL206"), []);
    assert_eq!(
        of(&receive_count(Some(20), Some(10)), "TL206"),
        [(
            2,
            "warning",
            "queue Jobs moves a message to its dead-letter queue after 2 receives, and \
             `ScalingConfig.MaximumConcurrency` (20) is above the 10 reserved for function Worker: Lambda \
             receives messages the function cannot take, and throttled messages reach the \
             dead-letter queue without ever failing"
                .to_string()
        )]
    );
    assert_eq!(
        of(&receive_count(Some(5), None), "TL206"),
        [(
            2,
            "note",
            "queue Jobs moves a message to its dead-letter queue after 2 receives; \
             `ScalingConfig.MaximumConcurrency` (5) stops Lambda from receiving more than the function can \
             process, so only running out of the account's unreserved concurrency (shared with \
             other functions) can still send unprocessed messages there"
                .to_string()
        )]
    );
    assert_eq!(
        of(&receive_count(None, Some(10)), "TL206"),
        [(
            2,
            "warning",
            "queue Jobs moves a message to its dead-letter queue after 2 receives: when the \
             function is throttled, Lambda receives messages it cannot process, and they reach \
             the dead-letter queue without ever failing"
                .to_string()
        )]
    );
}

/// Item 1, in the Serverless Framework's spelling.
#[test]
fn tl206_reads_the_serverless_maximum_concurrency() {
    let service = |reserved: &str| {
        format!(
            "service: jobs
provider:
  name: aws
functions:
  worker:
    handler: h.h
{reserved}    events:
      - sqs:
          arn: !GetAtt Jobs.Arn
          maximumConcurrency: 5
          functionResponseType: ReportBatchItemFailures
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 120
        RedrivePolicy: {{deadLetterTargetArn: arn:aws:sqs:us-east-1:123456789012:dlq, maxReceiveCount: 1}}
"
        )
    };
    let within = lint("serverless.yml", &service("    reservedConcurrency: 5\n"));
    assert_eq!(of(&within, "TL206"), []);
    let unreserved = lint("serverless.yml", &service(""));
    let found = of(&unreserved, "TL206");
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].0, found[0].1), (8, "note"));
    assert!(
        found[0].2.contains("`maximumConcurrency` (5) stops Lambda"),
        "{}",
        found[0].2
    );
}

const CONSUMER: &str = "service: orders
provider:
  name: aws
functions:
  reader:
    handler: h.h
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          consumer: CONSUMER
          startingPosition: LATEST
          batchSize: 100
          batchWindow: 1
          maximumRetryAttempts: 3
resources:
  Resources:
    Orders:
      Type: AWS::Kinesis::Stream
      Properties: {Name: orders, ShardCount: 1}
";

/// Item 2: with `consumer` set to a string the framework deploys that string as the
/// mapping's source, so it is what TL001 and TL007 check, and `arn` is not blamed.
#[test]
fn a_serverless_consumer_string_is_the_source() {
    let run = lint(
        "serverless.yml",
        &CONSUMER.replace("CONSUMER", "preExistingName"),
    );
    assert_eq!(
        of(&run, "TL001"),
        [(
            10,
            "error",
            "`consumer` is not a well-formed ARN (arn:<partition>:<service>:<region>:<12-digit \
             account id>:<resource>): the deploy fails"
                .to_string()
        )]
    );
    let arn = CONSUMER
        .replace("stream/orders\n", "stream/${self:custom.missing, 'x'}\n")
        .replace(
            "CONSUMER",
            "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/reader:1558544531",
        );
    assert_eq!(of(&lint("serverless.yml", &arn), "TL001"), []);
    let name = lint(
        "serverless.yml",
        &CONSUMER.replace("CONSUMER", "!Ref Orders"),
    );
    let tl007 = of(&name, "TL007");
    assert_eq!(tl007.len(), 1, "{tl007:?}");
    assert_eq!((tl007[0].0, tl007[0].1), (10, "error"));
    assert!(
        tl007[0]
            .2
            .starts_with("`!Ref Orders` gives the stream's name"),
        "{}",
        tl007[0].2
    );
    // `consumer: true` reads the stream through a consumer of `arn`: `arn` stays the source.
    let created = lint("serverless.yml", &CONSUMER.replace("CONSUMER", "true"));
    assert_eq!(of(&created, "TL001"), []);
    assert_eq!(
        created.triggers[0]
            .event_source
            .as_ref()
            .and_then(|n| n.as_str()),
        Some("arn:aws:kinesis:us-east-1:123456789012:stream/orders")
    );
}

const SNS_SUBSCRIPTION: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Events:
        Orders:
          Type: SNS
          Properties:
            Topic: arn:aws:sns:us-east-1:123456789012:orders
            SqsSubscription: SUBSCRIPTION
";

/// Item 3: for an existing queue (`QueueArn`, `QueueUrl`) the advice is a subscription of that
/// queue and an SQS event, not a second queue; `SqsSubscription: true` keeps its advice.
#[test]
fn sqs_subscription_help_depends_on_whether_sam_creates_the_queue() {
    let existing = lint(
        "template.yaml",
        &SNS_SUBSCRIPTION.replace(
            "SUBSCRIPTION",
            "{QueueArn: arn:aws:sqs:us-east-1:123456789012:jobs, QueueUrl: https://sqs.us-east-1.amazonaws.com/123456789012/jobs, BatchSize: 10}",
        ),
    );
    for code in ["TL002", "TL207"] {
        let help = only(&existing, code).help.clone().unwrap();
        assert!(
            help.starts_with(
                "an SNS event's `SqsSubscription` cannot set `MaximumBatchingWindowInSeconds`"
            ) || help
                .starts_with("an SNS event's `SqsSubscription` cannot set `FunctionResponseTypes`"),
            "{help}"
        );
        assert!(
            help.contains(
                ": in place of `SqsSubscription`, subscribe the existing queue to the topic with \
                 an AWS::SNS::Subscription (`Protocol: sqs`) and read it with an SQS event of the \
                 function, and "
            ),
            "{help}"
        );
    }
    let created = lint(
        "template.yaml",
        &SNS_SUBSCRIPTION.replace("SUBSCRIPTION", "true"),
    );
    let help = only(&created, "TL207").help.clone().unwrap();
    assert!(
        help.starts_with(
            "an SNS event's `SqsSubscription` cannot set `FunctionResponseTypes`: declare the \
             queue as an AWS::SQS::Queue subscribed to the topic"
        ),
        "{help}"
    );
}

const KAFKA_TF: &str = r#"resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn  = "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abcd1234-ab12-cd34-ef56-abcdef123456-1"
  function_name     = "orders"
  starting_position = "LATEST"
  topics            = ["orders", "refunds"]
  batch_size        = 20000
  parallelization_factor = 11
}

resource "aws_lambda_event_source_mapping" "mq" {
  event_source_arn = "arn:aws:mq:us-east-1:123456789012:broker:jobs:b-1234a5b6-78cd-901e-2fgh-3i45j6k178l9"
  function_name    = "jobs"
  queues           = ["a", "b"]
  source_access_configuration {
    type = "BASIC_AUTH"
    uri  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mq"
  }
}
"#;

/// Item 4: the provider refuses only what its schema validates (`queues` has one item at most,
/// `parallelization_factor` a range); Lambda refuses the rest at apply (`topics` has no limit
/// in the provider, `batch_size` no range).
#[test]
fn plan_time_only_for_what_the_provider_validates() {
    let run = lint("main.tf", KAFKA_TF);
    let messages: Vec<(usize, String)> = of(&run, "TL001")
        .into_iter()
        .map(|(line, _, message)| (line, message))
        .collect();
    let apply = "Lambda rejects it when `terraform apply` creates the mapping";
    let plan = "the Terraform AWS provider rejects it at plan time";
    let ends = |line: usize, subject: &str, tail: &str| {
        messages
            .iter()
            .any(|(l, m)| *l == line && m.starts_with(subject) && m.ends_with(tail))
    };
    assert!(ends(5, "`topics`", apply), "{messages:#?}");
    assert!(ends(6, "`batch_size`", apply), "{messages:#?}");
    assert!(ends(7, "`parallelization_factor`", plan), "{messages:#?}");
    assert!(ends(13, "`queues`", plan), "{messages:#?}");
}

/// Item 4, the table itself: every entry checked against the provider's schema.
#[test]
fn the_provider_validated_list_matches_the_provider_schema() {
    use triggerlint::model::{Violation, terraform_provider_validates as plan};
    assert!(plan("/MaximumRetryAttempts", Violation::Above));
    assert!(plan("/MaximumRecordAgeInSeconds", Violation::Below));
    assert!(plan("/Queues", Violation::Count));
    assert!(plan("/Topics/0", Violation::Length));
    assert!(!plan("/Topics", Violation::Count));
    assert!(!plan("/Topics/0", Violation::Pattern));
    assert!(!plan("/BatchSize", Violation::Above));
    assert!(!plan("/MaximumBatchingWindowInSeconds", Violation::Above));
    assert!(plan("/ScalingConfig/MaximumConcurrency", Violation::Below));
    assert!(!plan("/ScalingConfig/MaximumConcurrency", Violation::Above));
    assert!(plan(
        "/DestinationConfig/OnFailure/Destination",
        Violation::Pattern
    ));
    assert!(!plan(
        "/DestinationConfig/OnFailure/Destination",
        Violation::Length
    ));
    assert!(plan("/FilterCriteria/Filters", Violation::Count));
    assert!(plan("/SourceAccessConfigurations/3/Type", Violation::Enum));
    assert!(!plan(
        "/SourceAccessConfigurations/3/URI",
        Violation::Pattern
    ));
    assert!(!plan("/ProvisionedPollerConfig", Violation::Other));
    assert!(plan("/BatchSize", Violation::Type));
}

const MSK: &str = "Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: orders
      EventSourceArn: arn:aws:kafka:us-east-1:123456789012:cluster/orders/abcd1234-ab12-cd34-ef56-abcdef123456-1
      Topics: [orders]
      StartingPosition: LATEST
      AmazonManagedKafkaEventSourceConfig: {ConsumerGroupId: orders}
EXTRA";

/// Item 5: Kafka in on-demand mode has no retry or record-age limit: nothing is discarded, the
/// failing batch blocks its partition. In provisioned mode the limits apply.
#[test]
fn kafka_failures_are_worded_for_on_demand_and_provisioned_mode() {
    let on_demand = lint("template.yaml", &MSK.replace("EXTRA", ""));
    assert_eq!(
        of(&on_demand, "TL101"),
        [(
            2,
            "warning",
            "`MaximumRetryAttempts` is not set, so AWS uses -1: a failing batch is retried until \
             the function succeeds, and its partition waits behind it"
                .to_string()
        )]
    );
    assert_eq!(
        of(&on_demand, "TL103"),
        [(
            2,
            "warning",
            "this MSK trigger has no on-failure destination (`DestinationConfig.OnFailure`): in \
             on-demand mode a failing batch is retried until the function succeeds and its \
             partition waits behind it, with no way to set the batch aside"
                .to_string()
        )]
    );
    let provisioned = lint(
        "template.yaml",
        &MSK.replace(
            "EXTRA",
            "      ProvisionedPollerConfig: {MinimumPollers: 1, MaximumPollers: 3}\n      MaximumRecordAgeInSeconds: 3600\n",
        ),
    );
    assert_eq!(
        of(&provisioned, "TL101"),
        [(
            2,
            "warning",
            "`MaximumRetryAttempts` is not set, so AWS uses -1: a failing batch is retried until \
             its records are older than `MaximumRecordAgeInSeconds` (3600 seconds), and its \
             partition waits behind it"
                .to_string()
        )]
    );
    assert_eq!(
        of(&provisioned, "TL103"),
        [(
            2,
            "warning",
            "this MSK trigger has no on-failure destination (`DestinationConfig.OnFailure`): \
             records that run out of retries or age are discarded without a trace"
                .to_string()
        )]
    );
}

const KINESIS: &str = "Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: orders
      EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
      StartingPosition: LATEST
      BatchSize: 1
  Jobs:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: jobs
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs
";

/// Item 6: batch size 1 is an invocation for every record; without a batching window a stream
/// is polled about once a second, a queue's messages are sent as soon as a poll returns them.
#[test]
fn batch_wording_says_what_lambda_does() {
    let run = lint("template.yaml", KINESIS);
    assert_eq!(
        of(&run, "TL107"),
        [(
            8,
            "warning",
            "`BatchSize` is 1, below the 10 that triggerlint's `min-batch-size` setting asks for: \
             a busy stream costs an invocation for every record"
                .to_string()
        )]
    );
    assert_eq!(
        of(&run, "TL002"),
        [(
            9,
            "note",
            "`MaximumBatchingWindowInSeconds` is not set, so AWS uses 0: Lambda invokes the \
             function as soon as a poll returns messages, so at low traffic a batch of up to 10 \
             usually holds a single message"
                .to_string()
        )]
    );
    let batch = lint(
        "template.yaml",
        &KINESIS.replace("BatchSize: 1", "BatchSize: 50"),
    );
    assert_eq!(
        of(&batch, "TL002")[0],
        (
            2,
            "note",
            "`MaximumBatchingWindowInSeconds` is not set, so AWS uses 0: Lambda polls each shard \
             about once a second and invokes the function with whatever arrived since, so at low \
             traffic a batch of up to 50 holds only the few records of that second"
                .to_string()
        )
    );
}

/// Item 7: a related value that comes from a parameter's default points at that default too.
#[test]
fn related_values_point_at_a_parameter_default() {
    let run = lint(
        "template.yaml",
        "Parameters:
  RetentionHours:
    Type: Number
    Default: 48
Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: orders
      EventSourceArn: !GetAtt Orders.Arn
      StartingPosition: LATEST
      MaximumRecordAgeInSeconds: 604800
      MaximumRetryAttempts: 3
  Orders:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
      RetentionPeriodHours: !Ref RetentionHours
",
    );
    let tl109 = only(&run, "TL109");
    assert_eq!(
        related(&run, tl109),
        [
            (18, "the stream's retention".to_string()),
            (
                4,
                "the value comes from here (the default of parameter RetentionHours)".to_string()
            ),
        ]
    );
}

/// Item 7: in Terraform, the variable's default (the example of the issue).
#[test]
fn related_values_point_at_a_variable_default() {
    let run = lint(
        "main.tf",
        r#"variable "retention_period" {
  default = 48
}

resource "aws_kinesis_stream" "orders" {
  name             = "orders"
  shard_count      = 1
  retention_period = var.retention_period
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn              = aws_kinesis_stream.orders.arn
  function_name                 = "orders"
  starting_position             = "LATEST"
  maximum_record_age_in_seconds = 604800
  maximum_retry_attempts        = 3
}
"#,
    );
    let tl109 = only(&run, "TL109");
    assert_eq!(
        related(&run, tl109),
        [
            (8, "the stream's retention".to_string()),
            (
                2,
                "the value comes from here (the default of variable retention_period)".to_string()
            ),
        ]
    );
}

/// Item 7: reserved concurrency from SAM `Globals` is shown where `Globals` sets it, and a
/// queue's `maxReceiveCount` from a parameter's default points at the default.
#[test]
fn related_values_point_at_sam_globals_and_receive_count_defaults() {
    let run = lint(
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31
Parameters:
  Receives: {Type: Number, Default: 2}
Globals:
  Function:
    ReservedConcurrentExecutions: 5
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 10
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            ScalingConfig: {MaximumConcurrency: 20}
            FunctionResponseTypes: [ReportBatchItemFailures]
            MaximumBatchingWindowInSeconds: 1
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 120
      RedrivePolicy:
        deadLetterTargetArn: arn:aws:sqs:us-east-1:123456789012:dlq
        maxReceiveCount: !Ref Receives
",
    );
    assert_eq!(
        related(&run, only(&run, "TL209")),
        [(6, "reserved concurrency 5".to_string())]
    );
    assert_eq!(
        related(&run, only(&run, "TL206")),
        [
            (28, "maxReceiveCount 2".to_string()),
            (
                3,
                "the value comes from here (the default of parameter Receives)".to_string()
            ),
        ]
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Item 7: a related value that comes from an included file points into that file.
#[test]
fn related_values_point_into_included_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "serverless.yml",
        "service: jobs
provider:
  name: aws
functions:
  worker:
    handler: h.h
    timeout: ${file(./settings.yml):timeout}
    events:
      - sqs:
          arn: !GetAtt Jobs.Arn
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
      Properties: {VisibilityTimeout: 10}
",
    );
    write(dir.path(), "settings.yml", "timeout: 30\n");
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "TL203",
            "serverless.yml",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let related: Vec<Value> = report["findings"][0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!([r["file"], r["line"], r["message"]]))
        .collect();
    assert_eq!(
        related,
        [
            json!(["serverless.yml", 15, "visibility timeout 10 s"]),
            json!(["serverless.yml", 7, "function timeout 30 s"]),
            json!([
                "settings.yml",
                1,
                "`./settings.yml:timeout` is defined here"
            ]),
        ]
    );
}
