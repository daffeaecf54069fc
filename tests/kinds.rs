//! Every trigger kind in depth: how the rules for Kafka, Amazon MQ, DocumentDB, filters and
//! keys the Serverless Framework ignores work together on whole templates.

use triggerlint::config::Config;

fn lint(name: &str, text: &str) -> triggerlint::Run {
    let run = triggerlint::run_text(name, text.to_string(), &Config::default());
    assert!(run.errors.is_empty(), "{name}: {:?}", run.errors);
    run
}

/// (code, line) of every finding, in report order.
fn codes_and_lines(run: &triggerlint::Run) -> Vec<(&'static str, usize)> {
    run.findings
        .iter()
        .map(|f| {
            let line = run
                .sources
                .get(f.span.file)
                .line_col(f.span.start as usize)
                .line;
            (f.rule.code, line)
        })
        .collect()
}

fn has(run: &triggerlint::Run, code: &str) -> bool {
    run.findings.iter().any(|f| f.rule.code == code)
}

#[test]
fn an_ignored_serverless_key_leaves_its_setting_unset_for_the_other_rules() {
    let run = lint(
        "serverless.yml",
        "service: s
provider: {name: aws, runtime: nodejs20.x}
functions:
  worker:
    handler: h.main
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          startingPosition: LATEST
          batchSize: 100
          maximumBatchingWindow: 10
",
    );
    let found = codes_and_lines(&run);
    assert!(found.contains(&("TL009", 11)), "{found:?}");
    // The batching window did not reach the mapping, so the rule about its absence fires.
    assert!(found.contains(&("TL002", 7)), "{found:?}");
    let inspect = triggerlint::report::inspect::trigger_json(&run, &run.triggers[0]);
    let window = &inspect["settings"]["MaximumBatchingWindowInSeconds"];
    assert_eq!(window["provenance"], "aws-default", "{window}");
    assert_eq!(window["key"], "batchWindow", "{window}");
}

#[test]
fn the_serverless_key_list_follows_each_event() {
    let run = lint(
        "serverless.yml",
        "service: s
provider: {name: aws, runtime: nodejs20.x}
functions:
  worker:
    handler: h.main
    events:
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:jobs
          maximumBatchingWindow: 5
          maximumConcurrency: 5
          functionResponseType: ReportBatchItemFailures
      - msk:
          arn: arn:aws:kafka:us-east-1:123456789012:cluster/c/1
          topic: t
          startingPosition: LATEST
          consumerGroupId: g
          saslScram512: arn:aws:secretsmanager:us-east-1:123456789012:secret:s
      - kafka:
          topic: t
          bootstrapServers: [b:9092]
          accessConfigurations: {saslScram512Auth: arn:aws:secretsmanager:us-east-1:1:secret:s}
          consumerGroupId: g
          startingPosition: LATEST
          batchWindow: 3
",
    );
    let ignored: Vec<_> = run
        .findings
        .iter()
        .filter(|f| f.rule.code == "TL009")
        .map(|f| (f.message.as_str(), f.help.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(
        ignored,
        [(
            "`batchWindow` is not a key of the `kafka` event: the Serverless Framework deploys \
             the trigger without it",
            "the `kafka` event reads it as `maximumBatchingWindow`"
        )]
    );
}

#[test]
fn a_filter_on_the_wrong_field_is_reported_once_and_a_broken_one_only_as_invalid() {
    let run = lint(
        "template.yaml",
        r#"Resources:
  Jobs:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: worker
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs
      FunctionResponseTypes: [ReportBatchItemFailures]
      FilterCriteria:
        Filters:
          - Pattern: '{"data": {"kind": ["order"]}}'
          - Pattern: '{"kind": "order"}'
          - Pattern: !Ref PatternParameter
Parameters:
  PatternParameter:
    Type: String
"#,
    );
    let found: Vec<_> = codes_and_lines(&run)
        .into_iter()
        .filter(|(code, _)| code.starts_with("TL01"))
        .collect();
    assert_eq!(found, [("TL011", 10), ("TL010", 11)]);
    let wrong_field = run
        .findings
        .iter()
        .find(|f| f.rule.code == "TL011")
        .unwrap();
    assert_eq!(
        wrong_field.message,
        "the filter matches on `data`, which SQS records do not have: it never matches, so \
         messages no other filter matches are deleted unprocessed"
    );
}

#[test]
fn kafka_in_provisioned_mode_is_quiet_about_its_error_handling() {
    let template = |pollers: &str| {
        format!(
            "Resources:
  Orders:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: consumer
      EventSourceArn: arn:aws:kafka:us-east-1:123456789012:cluster/orders/1
      Topics: [orders]
      StartingPosition: LATEST
      MaximumRetryAttempts: 3
      DestinationConfig:
        OnFailure:
          Destination: kafka://failed-orders
      AmazonManagedKafkaEventSourceConfig:
        ConsumerGroupId: orders
{pollers}"
        )
    };
    let without = lint("a.yaml", &template(""));
    assert_eq!(
        codes_and_lines(&without)
            .into_iter()
            .filter(|(c, _)| c.starts_with("TL3"))
            .collect::<Vec<_>>(),
        [("TL301", 9)],
        "the destination alone needs no provisioned mode"
    );
    let with = lint(
        "b.yaml",
        &template(
            "      ProvisionedPollerConfig:\n        MinimumPollers: 1\n        MaximumPollers: 4\n",
        ),
    );
    assert!(!has(&with, "TL301") && !has(&with, "TL012") && !has(&with, "TL006"));
}

#[test]
fn a_broker_without_credentials_fails_and_one_with_them_passes() {
    let broker = |access: &str| {
        format!(
            "Resources:
  Orders:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: consumer
      EventSourceArn: arn:aws:mq:us-east-1:123456789012:broker:orders:b-1
      Queues: [orders]
{access}"
        )
    };
    let missing = lint("a.yaml", &broker(""));
    assert_eq!(codes_and_lines(&missing), [("TL303", 2)]);
    let unknown = lint(
        "b.yaml",
        &broker("      SourceAccessConfigurations: !Ref Access\n"),
    );
    assert!(!has(&unknown, "TL303"), "an unknown list is not guessed");
    let given = lint(
        "c.yaml",
        &broker(
            "      SourceAccessConfigurations:\n        - {Type: BASIC_AUTH, URI: arn:aws:secretsmanager:us-east-1:1:secret:s}\n",
        ),
    );
    assert!(!has(&given, "TL303"));
}
