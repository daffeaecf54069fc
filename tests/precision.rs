//! Precision on real repositories: each test is a minimal template reproducing one false,
//! misleading or unusable result seen on templates the project had never seen, with what users
//! see instead.

mod common;

use serde_json::Value;
use triggerlint::config::Config;
use triggerlint::report::inspect::trigger_json;
use triggerlint::rules::Finding;

/// Lints a text as if read from `name`, which must parse.
fn lint(name: &str, text: &str) -> triggerlint::Run {
    let run = triggerlint::run_text(name, text.to_string(), &Config::default());
    assert!(run.errors.is_empty(), "{name}: {:?}", run.errors);
    run
}

/// (code, line, severity, message) of every finding.
fn findings(run: &triggerlint::Run) -> Vec<(&'static str, usize, &'static str, String)> {
    run.findings
        .iter()
        .map(|f| {
            (
                f.rule.code,
                line(run, f),
                f.severity.id(),
                f.message.clone(),
            )
        })
        .collect()
}

fn line(run: &triggerlint::Run, f: &Finding) -> usize {
    run.sources
        .get(f.span.file)
        .line_col(f.span.start as usize)
        .line
}

fn of<'r>(run: &'r triggerlint::Run, code: &str) -> Vec<&'r Finding> {
    run.findings
        .iter()
        .filter(|f| f.rule.code == code)
        .collect()
}

fn codes(run: &triggerlint::Run) -> Vec<&'static str> {
    run.findings.iter().map(|f| f.rule.code).collect()
}

fn inspect(run: &triggerlint::Run) -> Vec<Value> {
    run.triggers.iter().map(|t| trigger_json(run, t)).collect()
}

const KINESIS_168H: &str = "Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: consumer
      EventSourceArn: !GetAtt Orders.Arn
      StartingPosition: TRIM_HORIZON
      MaximumRecordAgeInSeconds: AGE
      MaximumRetryAttempts: 3
  Orders:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
      RetentionPeriodHours: 168
";

/// Item 1: TL106: the replay window is the smaller of the retention and the record-age limit.
#[test]
fn trim_horizon_replay_is_bounded_by_the_record_age_limit() {
    let within = lint("t.yaml", &KINESIS_168H.replace("AGE", "3600"));
    assert!(of(&within, "TL106").is_empty(), "{:?}", findings(&within));

    let longer = lint("t.yaml", &KINESIS_168H.replace("AGE", "259200"));
    let tl106 = of(&longer, "TL106");
    assert_eq!(tl106.len(), 1, "{:?}", findings(&longer));
    assert_eq!(line(&longer, tl106[0]), 7);
    assert_eq!(
        tl106[0].message,
        "`StartingPosition` is TRIM_HORIZON on Orders, which keeps 168 hours of records, and \
         `MaximumRecordAgeInSeconds` skips only records older than 72 hours: a new or replaced \
         trigger processes the last 72 hours of records again"
    );
    let related: Vec<&str> = tl106[0]
        .related
        .iter()
        .map(|r| r.message.as_str())
        .collect();
    assert_eq!(
        related,
        [
            "retention of 168 hours",
            "records older than 72 hours are skipped"
        ]
    );

    let unlimited = lint("t.yaml", &KINESIS_168H.replace("AGE", "-1"));
    assert!(of(&unlimited, "TL106")[0].message.ends_with(
        "which keeps 168 hours of records: a new or replaced trigger processes all of them again"
    ));
}

const DYNAMODB_AGE: &str = "Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: consumer
      EventSourceArn: arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024-01-01T00:00:00.000
      StartingPosition: LATEST
      MaximumRecordAgeInSeconds: 604800
";

/// Item 2: TL109: with bounded retries the record-age limit is redundant, not a blocked shard.
#[test]
fn record_age_above_retention_is_only_redundant_with_bounded_retries() {
    let unbounded = lint("t.yaml", DYNAMODB_AGE);
    let tl109 = of(&unbounded, "TL109");
    assert_eq!(tl109[0].severity.id(), "warning");
    assert!(
        tl109[0].message.ends_with(
            "with unlimited retries, a failing batch blocks the shard until its records expire"
        ),
        "{}",
        tl109[0].message
    );

    let bounded = lint(
        "t.yaml",
        &format!("{DYNAMODB_AGE}      MaximumRetryAttempts: 5\n"),
    );
    let tl109 = of(&bounded, "TL109");
    assert_eq!(tl109.len(), 1);
    assert_eq!(tl109[0].severity.id(), "note");
    assert_eq!(
        tl109[0].message,
        "`MaximumRecordAgeInSeconds` is 604800 seconds, but a DynamoDB stream keeps records for \
         only 86400 seconds: records expire before they reach this age, so the limit never \
         applies; `MaximumRetryAttempts` (5) already ends a failing batch, so this setting only \
         has no effect"
    );
    assert!(!tl109[0].message.contains("blocks the shard"));
}

const SAM_SNS: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      FifoTopic: FIFO
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 60
      Events:
        Notified:
          Type: SNS
          Properties:
            Topic: !Ref Topic
            SqsSubscription: true
";

/// Item 3, SAM SNS events with `SqsSubscription`: the queue SAM creates is FIFO with the
/// topic, has the default visibility timeout, and rules advise only what the event can express.
#[test]
fn sam_sns_subscription_queues_are_seen_as_sam_creates_them() {
    let standard = lint("template.yaml", &SAM_SNS.replace("FIFO", "false"));
    let trigger = &inspect(&standard)[0];
    assert_eq!(trigger["source_kind"], "sqs");
    let fifo = lint("template.yaml", &SAM_SNS.replace("FIFO", "true"));
    assert_eq!(inspect(&fifo)[0]["source_kind"], "sqs-fifo");

    // A 60 s function timeout against the 30 s the created queue has: the deploy fails.
    let tl203 = of(&standard, "TL203");
    assert_eq!(tl203.len(), 1, "{:?}", findings(&standard));
    assert_eq!(line(&standard, tl203[0]), 14);
    assert_eq!(
        tl203[0].message,
        "the visibility timeout of queue WorkerNotifiedQueue (30 s, the AWS default) is below \
         the timeout of function Worker (60 s): a message could reappear while it is being \
         processed, so Lambda rejects the trigger"
    );
    assert_eq!(
        tl203[0].help.as_deref(),
        Some(
            "AWS SAM creates queue WorkerNotifiedQueue for the SNS event's `SqsSubscription` and \
             cannot set its `VisibilityTimeout`: declare the queue as an AWS::SQS::Queue with a \
             `VisibilityTimeout` of at least 60 and name it in `SqsSubscription` (`QueueArn` and \
             `QueueUrl`), or lower the function's timeout to 30 s or less"
        )
    );
    // No advice to write keys the event does not have.
    for f in &standard.findings {
        let help = f.help.as_deref().unwrap_or_default();
        if help.contains("MaximumBatchingWindowInSeconds") || help.contains("FunctionResponseTypes")
        {
            assert!(
                help.contains("`SqsSubscription` cannot set"),
                "{}: {help}",
                f.rule.code
            );
        }
    }
    assert!(codes(&standard).contains(&"TL207"));
    assert!(codes(&standard).contains(&"TL205"));
}

/// Item 8: Values from SAM `Globals` and from parameter defaults have their own provenance.
#[test]
fn globals_and_parameter_defaults_have_their_own_provenance() {
    let run = lint(
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31
Parameters:
  BatchSizeParam: {Type: Number, Default: 5}
Globals:
  Function:
    Timeout: 20
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Events:
        Changes:
          Type: Kinesis
          Properties:
            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/s
            StartingPosition: LATEST
            BatchSize: !Ref BatchSizeParam
",
    );
    let trigger = &inspect(&run)[0];
    assert_eq!(
        trigger["settings"]["BatchSize"]["provenance"],
        "parameter-default"
    );
    assert_eq!(trigger["settings"]["BatchSize"]["value"], 5);
    assert_eq!(trigger["function"]["timeout"]["provenance"], "sam-globals");
    assert_eq!(trigger["function"]["timeout"]["value"], 20);
    let tl107 = of(&run, "TL107");
    assert!(
        tl107[0]
            .message
            .starts_with("`BatchSize` is 5, the default of parameter BatchSizeParam,"),
        "{}",
        tl107[0].message
    );
    assert_eq!(
        tl107[0].related[0].message,
        "the value comes from here (the default of parameter BatchSizeParam)"
    );
    let human = triggerlint::report::inspect::render_human(&run);
    assert!(
        human.contains("(timeout: 20 s, from SAM `Globals` (line 6))"),
        "{human}"
    );
    assert!(
        human.contains("the default of parameter BatchSizeParam"),
        "{human}"
    );
}

/// Item 10: One finding per fault.
#[test]
fn one_fault_gives_one_finding() {
    // A pattern and a length error on one value are one finding with both reasons.
    let run = lint(
        "t.yaml",
        "Resources:
  M:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: f
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:q
      DestinationConfig: {OnFailure: {Destination: arn:x}}
",
    );
    let tl001 = of(&run, "TL001");
    assert_eq!(tl001.len(), 1, "{:?}", findings(&run));
    assert_eq!(
        tl001[0].message,
        "`DestinationConfig.OnFailure.Destination` is not a well-formed ARN \
         (arn:<partition>:<service>:<region>:<12-digit account id>:<resource>), and is shorter \
         than 12 characters: the deploy fails"
    );

    // A value TL001 rejects is not reported again by the rule about its risk.
    let stream = "Resources:
  M:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: f
      EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/s
      StartingPosition: LATEST
";
    let zero = lint("t.yaml", &format!("{stream}      BatchSize: 0\n"));
    assert_eq!(
        codes(&zero)
            .iter()
            .filter(|c| **c == "TL107" || **c == "TL001")
            .count(),
        1
    );
    assert!(codes(&zero).contains(&"TL001") && !codes(&zero).contains(&"TL002"));
    let retries = lint(
        "t.yaml",
        &format!("{stream}      MaximumRetryAttempts: 20000\n"),
    );
    assert!(codes(&retries).contains(&"TL001"));
    assert!(
        !codes(&retries).contains(&"TL101"),
        "{:?}",
        findings(&retries)
    );
    let huge = lint("t.yaml", &format!("{stream}      BatchSize: 20000\n"));
    for f in &huge.findings {
        assert!(
            f.rule.code == "TL001" || !f.message.contains("20000"),
            "{} quotes the invalid value: {}",
            f.rule.code,
            f.message
        );
    }

    // A FIFO batch above 10 is TL202's; nothing quotes it as the effective value.
    let fifo = lint(
        "t.yaml",
        "Resources:
  M:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: f
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:q.fifo
      BatchSize: 100
",
    );
    assert_eq!(of(&fifo, "TL202").len(), 1);
    for f in &fifo.findings {
        assert!(
            f.rule.code == "TL202" || !f.message.contains("100"),
            "{}: {}",
            f.rule.code,
            f.message
        );
    }
}

/// Item 10: Messages name keys as the author wrote them.
#[test]
fn messages_name_keys_as_written() {
    let run = lint(
        "serverless.yml",
        "service: s
provider: {name: aws}
functions:
  f:
    handler: h.h
    events:
      - sqs: arn:aws:sqs:us-east-1:123456789012:q
        batchSize: 5
      - sqs: not-an-arn
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/s
          startingPosition: LATEST
          destinations:
            onFailure: arn:aws:sqs:x
",
    );
    let messages: Vec<String> = of(&run, "TL001")
        .iter()
        .map(|f| f.message.clone())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("`sqs` is not a well-formed ARN")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("`destinations.onFailure` is not a well-formed ARN")),
        "{messages:#?}"
    );

    let sqs = lint(
        "t.yaml",
        "Resources:
  M:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: f
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:q.fifo
      DestinationConfig: {OnFailure: {Destination: arn:aws:sqs:us-east-1:123456789012:dlq}}
",
    );
    assert_eq!(
        of(&sqs, "TL003")[0].message,
        "`DestinationConfig` is not accepted on SQS triggers: the deploy fails"
    );
}

/// Item 4: a fallback after a value read at deploy time is only a placeholder.
#[test]
fn deploy_time_values_with_fallbacks_stay_unknown() {
    let run = lint(
        "serverless.yml",
        "service: s
provider: {name: aws}
functions:
  f:
    handler: h.h
    events:
      - sqs:
          arn: ${cf:infra.QueueArn, \"\"}
          batchSize: ${ssm:/batch, 5}
      - stream:
          type: kinesis
          arn: ${cf:infra.StreamArn}
          startingPosition: LATEST
",
    );
    assert!(of(&run, "TL001").is_empty(), "{:?}", findings(&run));
    let triggers = inspect(&run);
    assert_eq!(
        triggers[0]["settings"]["BatchSize"]["provenance"],
        "unknown"
    );
    // An `sqs` event whose queue is not known may read a standard or a FIFO queue.
    assert_eq!(triggers[0]["source_kind"], "sqs-standard-or-fifo");
    // The kind written on the event is enough for the stream rules.
    assert_eq!(triggers[1]["source_kind"], "kinesis");
    let stream_codes: Vec<&str> = run
        .findings
        .iter()
        .filter(|f| &*f.path == "functions/f/events/1/stream")
        .map(|f| f.rule.code)
        .collect();
    for code in ["TL101", "TL103", "TL104"] {
        assert!(stream_codes.contains(&code), "{code}: {stream_codes:?}");
    }
}

/// Item 9: SQS ARNs built from a queue's name link to the queue, so the queue rules run.
#[test]
fn queues_are_linked_by_the_name_in_their_arn() {
    let cfn = "Parameters:
  Name: {Type: String, Default: jobs}
Resources:
  BySub:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !Sub 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Name}'
  ByAttribute:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !Join [':', [arn, aws, sqs, !Ref AWS::Region, !Ref AWS::AccountId, !GetAtt Jobs.QueueName]]
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs, VisibilityTimeout: 10}
  Worker:
    Type: AWS::Lambda::Function
    Properties: {Timeout: 20}
";
    let run = lint("t.yaml", cfn);
    let tl203: Vec<&str> = of(&run, "TL203").iter().map(|f| &*f.path).collect();
    assert_eq!(tl203, ["Resources/BySub", "Resources/ByAttribute"]);

    let serverless = lint(
        "serverless.yml",
        "service: s
provider: {name: aws}
custom:
  queueName: jobs
functions:
  worker:
    handler: h.h
    timeout: 20
    events:
      - sqs: arn:aws:sqs:${aws:region}:${aws:accountId}:${self:custom.queueName}
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: ${self:custom.queueName}
        VisibilityTimeout: 10
",
    );
    let tl203 = of(&serverless, "TL203");
    assert_eq!(tl203.len(), 1, "{:?}", findings(&serverless));
    assert!(
        tl203[0].message.contains("queue Jobs (10 s)"),
        "{}",
        tl203[0].message
    );
}

// ---------------------------------------------------------------------------------------
// The command line on real repositories
// ---------------------------------------------------------------------------------------

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn triggerlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("triggerlint").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

fn json_output(cmd: &mut Command) -> Value {
    serde_json::from_slice(&cmd.output().unwrap().stdout).expect("JSON")
}

const STREAM_SERVICE: &str = "service: orders
provider:
  name: aws
functions:
  consumer:
    handler: h.consume
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          startingPosition: LATEST
          batchSize: BATCH
";

/// Item 6: includes are confined to the service's repository, not the working directory, and
/// each file gets the configuration nearest to it.
#[test]
fn the_project_root_and_the_configuration_follow_each_file() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(
        &repo,
        "services/orders/serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "${file(../../shared/settings.yml):batch}"),
    );
    write(&repo, "shared/settings.yml", "batch: 5\n");
    write(
        &repo,
        "services/orders/triggerlint.toml",
        "[rules]\nselect = [\"TL107\"]\n",
    );
    write(
        &repo,
        "services/billing/serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "7"),
    );
    // Run from outside the repository: the include is read, and orders uses its own
    // configuration (only TL107) while billing uses the defaults.
    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let output = triggerlint(&elsewhere)
        .args(["check", "--format", "json", "-v", "../repo/services"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
    let findings = report["findings"].as_array().unwrap();
    let orders: Vec<&str> = findings
        .iter()
        .filter(|f| f["file"].as_str().unwrap().contains("orders"))
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(orders, ["TL107"], "{report}");
    assert!(
        findings
            .iter()
            .any(|f| f["file"].as_str().unwrap().contains("billing") && f["code"] == "TL108")
    );
    assert!(
        stderr.contains(
            "triggerlint: ../repo/services/orders/serverless.yml: configuration ../repo/services/orders/triggerlint.toml"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "triggerlint: ../repo/services/billing/serverless.yml: default configuration"
        ),
        "{stderr}"
    );
    // Outside the repository nothing is read.
    write(root.path(), "secrets.yml", "batch: 1\n");
    write(
        &repo,
        "services/orders/serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "${file(../../../secrets.yml):batch}"),
    );
    triggerlint(&elsewhere)
        .args(["check", "../repo/services/orders"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "refused to read `../../../secrets.yml`",
        ));
}

/// Item 7: JSON findings carry the related locations the other formats show.
#[test]
fn json_findings_carry_related_locations() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "template.yaml",
        "Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Jobs.Arn
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 10}
  Worker:
    Type: AWS::Lambda::Function
    Properties: {Timeout: 20}
",
    );
    let report = json_output(triggerlint(dir.path()).args([
        "check",
        "--format",
        "json",
        "--select",
        "TL203",
        "template.yaml",
    ]));
    let related = &report["findings"][0]["related"];
    assert_eq!(
        related,
        &serde_json::json!([
            {"file": "template.yaml", "line": 9, "column": 37, "end_line": 9, "end_column": 39,
             "message": "visibility timeout 10 s"},
            {"file": "template.yaml", "line": 12, "column": 27, "end_line": 12, "end_column": 29,
             "message": "function timeout 20 s"}
        ])
    );
}

/// Item 11 and 18: mistyped keys and rule names get the closest valid name, everywhere, and
/// every mistake of a configuration file is reported at once.
#[test]
fn typos_get_the_closest_name() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "10"),
    );
    write(
        dir.path(),
        "triggerlint.toml",
        "[rules]\nselct = [\"TL1\"]\nignore = [\"stream-unbounded-retires\"]\n",
    );
    triggerlint(dir.path())
        .args(["check", "--config", "triggerlint.toml", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`selct` is not a key of `[rules]` (nor a rule); did you mean `select`?",
        ))
        .stderr(predicate::str::contains(
            "`stream-unbounded-retires` names no rule; did you mean `stream-unbounded-retries`?",
        ));
    triggerlint(dir.path())
        .args(["explain", "stream-unbounded-retires"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `stream-unbounded-retries`?",
        ));
    triggerlint(dir.path())
        .args([
            "check",
            "--no-config",
            "--ignore",
            "stream-unbounded-retires",
            ".",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `stream-unbounded-retries`?",
        ));
}

const CDK_TEMPLATE: &str = r#"{
  "Resources": {
    "ConsumerSqsEventSource": {
      "Type": "AWS::Lambda::EventSourceMapping",
      "Properties": {
        "FunctionName": "consumer",
        "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:jobs",
        "BatchSize": 10
      },
      "Metadata": {"aws:cdk:path": "OrdersStack/Consumer/SqsEventSource:Jobs/Resource"}
    }
  }
}
"#;

/// Item 12: CDK output is linted when named even though it is git-ignored, its manifests are
/// passed over, and findings name the construct.
#[test]
fn cdk_output_is_linted_and_findings_name_the_construct() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), ".gitignore", "cdk.out\n");
    write(
        dir.path(),
        "cdk.out/OrdersStack.template.json",
        CDK_TEMPLATE,
    );
    write(dir.path(), "cdk.out/cdk.out", "{\"version\":\"36.0.0\"}\n");
    write(
        dir.path(),
        "cdk.out/manifest.json",
        "{\"version\": \"36.0.0\"}\n",
    );
    write(dir.path(), "cdk.out/tree.json", "{\"tree\": {}}\n");
    write(
        dir.path(),
        "cdk.out/asset.abc123/template.json",
        CDK_TEMPLATE,
    );
    let report =
        json_output(triggerlint(dir.path()).args(["check", "--format", "json", "cdk.out"]));
    assert_eq!(report["summary"]["files"], 1, "{report}");
    let finding = &report["findings"][0];
    assert_eq!(
        finding["construct_path"],
        "OrdersStack/Consumer/SqsEventSource:Jobs/Resource"
    );
    triggerlint(dir.path())
        .args(["check", "cdk.out"])
        .assert()
        .stdout(predicate::str::contains(
            "= note: CDK construct: OrdersStack/Consumer/SqsEventSource:Jobs/Resource",
        ));
    let sarif =
        json_output(triggerlint(dir.path()).args(["check", "--format", "sarif", "cdk.out"]));
    let logical = &sarif["runs"][0]["results"][0]["locations"][0]["logicalLocations"];
    assert_eq!(
        logical[1],
        serde_json::json!({"fullyQualifiedName": "OrdersStack/Consumer/SqsEventSource:Jobs/Resource", "kind": "module"})
    );
    // From the repository root, the git-ignored output is not walked.
    let report = json_output(triggerlint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(report["summary"]["files"], 0);
}

/// Item 13: a folder walk passes over files that neither parse nor look like templates.
#[test]
fn a_walk_passes_over_files_that_are_not_templates() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "tsconfig.json",
        "{\n  // what tsc --init writes\n  \"compilerOptions\": {}\n}\n",
    );
    write(
        dir.path(),
        "chart/templates/deployment.yaml",
        "metadata:\n  name: {{ .Release.Name }}\n  labels: {{- include \"x\" . | nindent 4 }}\n",
    );
    write(
        dir.path(),
        "serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "10"),
    );
    write(
        dir.path(),
        "legacy/serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "1"),
    );
    triggerlint(dir.path())
        .args([
            "check",
            "--fail-on",
            "error",
            "-v",
            "--exclude",
            "legacy/**",
            ".",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "checked 3 files (1 template, 1 trigger)",
        ))
        .stderr(predicate::str::contains(
            "triggerlint: skipped tsconfig.json: not valid JSON",
        ))
        .stderr(predicate::str::contains(
            "triggerlint: skipped chart/templates/deployment.yaml: not valid YAML",
        ));
    // Named, the same file is an invalid-syntax finding.
    triggerlint(dir.path())
        .args(["check", "tsconfig.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error[TL902 invalid-syntax]: not valid JSON",
        ));
}

/// Item 14: findings in included files carry paths relative to the working directory.
#[test]
fn paths_of_included_files_are_relative() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "svc/serverless.yml",
        "service: orders\nprovider: {name: aws}\nfunctions: ${file(./functions.yml)}\n",
    );
    write(
        dir.path(),
        "svc/functions.yml",
        "consumer:\n  handler: h.h\n  events:\n    - stream:\n        arn: arn:aws:kinesis:us-east-1:123456789012:stream/s\n        startingPosition: LATEST\n",
    );
    for format in ["json", "github", "concise", "human"] {
        let output = triggerlint(dir.path())
            .args(["check", "--format", format, "svc"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("svc/functions.yml"), "{format}: {stdout}");
        assert!(
            !stdout.contains(&dir.path().display().to_string()),
            "{format}: an absolute path: {stdout}"
        );
    }
    let sarif = json_output(triggerlint(dir.path()).args(["check", "--format", "sarif", "svc"]));
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"],
        serde_json::json!({"uri": "svc/functions.yml", "uriBaseId": "%SRCROOT%"})
    );
    assert!(
        sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///")
    );
}

/// Item 15: hidden folders are walked, tool folders are not, and an empty walk says so.
#[test]
fn hidden_folders_are_walked_and_an_empty_walk_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".infra/serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "10"),
    );
    write(
        dir.path(),
        ".serverless/serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "10"),
    );
    write(
        dir.path(),
        ".aws-sam/build/template.yaml",
        "Resources: {}\n",
    );
    let report = json_output(triggerlint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(report["summary"]["templates"], 1, "{report}");
    assert!(
        report["findings"][0]["file"]
            .as_str()
            .unwrap()
            .contains(".infra/serverless.yml")
    );
    let empty = tempfile::tempdir().unwrap();
    write(empty.path(), "docker-compose.yml", "services: {}\n");
    triggerlint(empty.path())
        .args(["check", "."])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "no Serverless, SAM, CloudFormation or Terraform file found in .",
        ));
}

/// Item 16: JSON counts findings per severity apart from files that could not be linted.
#[test]
fn the_summary_separates_findings_from_files_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "10"),
    );
    // A broken template is a finding; a file that cannot be read is not linted.
    write(
        dir.path(),
        "broken.yaml",
        "Resources:\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n  a: [\n",
    );
    std::os::unix::fs::symlink("missing.yaml", dir.path().join("dangling.yaml")).unwrap();
    let report = json_output(triggerlint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["summary"]["files_not_linted"], 1);
    assert_eq!(
        report["summary"]["severity"],
        serde_json::json!({"error": 1, "warning": 3, "note": 3})
    );
    triggerlint(dir.path())
        .args(["check", "."])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "1 error, 3 warnings, 3 notes, 0 ignored; 1 file not linted",
        ));
}

/// Item 17: concise output and statistics.
#[test]
fn concise_lines_and_statistics() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "serverless.yml",
        &STREAM_SERVICE.replace("BATCH", "10"),
    );
    triggerlint(dir.path())
        .args(["check", "--format", "concise", "."])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "serverless.yml:8:9: TL101 [warning] `maximumRetryAttempts` is not set",
        ));
    let output = triggerlint(dir.path())
        .args(["check", "--statistics", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "findings per rule:\n1  TL002  missing-batching-window\n1  TL101  stream-unbounded-retries\n1  TL102  stream-unbounded-record-age\n1  TL103  stream-missing-on-failure-destination\n1  TL104  stream-no-bisect-on-error\n1  TL108  stream-missing-iterator-age-alarm\nchecked 1 file (1 template, 1 trigger): 0 errors, 3 warnings, 3 notes, 0 ignored\n5 more fixable with `--fix --unsafe-fixes`\n"
    );
}

/// Item 18: inspect names the file a value comes from when it is not the trigger's.
#[test]
fn inspect_names_the_file_of_values_from_other_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        "serverless.yml",
        "service: orders\nprovider:\n  name: aws\n  timeout: 20\nfunctions: ${file(./functions.yml)}\n",
    );
    write(
        dir.path(),
        "functions.yml",
        "consumer:\n  handler: h.h\n  events:\n    - stream:\n        arn: arn:aws:kinesis:us-east-1:123456789012:stream/s\n        startingPosition: LATEST\n        batchSize: 50\n",
    );
    triggerlint(dir.path())
        .args(["inspect", "serverless.yml"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "functions.yml:4:7  functions/consumer/events/0/stream",
        ))
        .stdout(predicate::str::contains(
            "(timeout: 20 s, written (serverless.yml:4))",
        ))
        .stdout(predicate::str::is_match(r"batchSize\s+50\s+written \(line 7\)").unwrap());
}
