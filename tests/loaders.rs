//! Loader behaviour: equal models whatever the syntax, SAM globals, the Serverless
//! Framework's own defaults, and source kinds resolved through the template.

mod common;

use serde_json::{Value, json};
use triggerlint::config::Config;
use triggerlint::report::inspect::trigger_json;

/// Every trigger of a file as JSON, without positions (those differ between syntaxes).
fn models(path: &str) -> Vec<Value> {
    let run = common::lint_clean(&common::project_root().join(path), &Config::default());
    run.triggers
        .iter()
        .map(|t| without_positions(trigger_json(&run, t)))
        .collect()
}

fn without_positions(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| !matches!(k.as_str(), "line" | "column" | "file"))
                .map(|(k, v)| (k, without_positions(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_positions).collect()),
        other => other,
    }
}

fn inline(name: &str, text: &str) -> Vec<Value> {
    let run = triggerlint::run_text(name, text.to_string(), &Config::default());
    assert!(run.errors.is_empty(), "{name}: {:?}", run.errors);
    run.triggers.iter().map(|t| trigger_json(&run, t)).collect()
}

fn setting<'a>(trigger: &'a Value, name: &str) -> &'a Value {
    &trigger["settings"][name]
}

#[test]
fn short_tags_long_form_and_json_give_equal_models() {
    let short = models("fixtures/_load/same-trigger.short.yaml");
    let long = models("fixtures/_load/same-trigger.long.yaml");
    let json = models("fixtures/_load/same-trigger.json");
    assert_eq!(short.len(), 3);
    assert_eq!(short, long);
    assert_eq!(short, json);
}

#[test]
fn serverless_yaml_and_json_give_equal_models() {
    let yaml = models("fixtures/_load/service.yml");
    let json = models("fixtures/_load/service.json");
    assert_eq!(yaml.len(), 7);
    assert_eq!(yaml, json);
}

#[test]
fn intrinsic_values_resolve_or_stay_unknown() {
    let triggers = models("fixtures/_load/same-trigger.short.yaml");
    let orders = &triggers[0];
    assert_eq!(
        orders["path"],
        "Resources/Consumer/Properties/Events/Orders"
    );
    // `!Ref Window` takes the parameter's literal default.
    assert_eq!(
        setting(orders, "MaximumBatchingWindowInSeconds")["value"],
        5
    );
    // `!If` depends on a condition: unknown, with the reason.
    let retries = setting(orders, "MaximumRetryAttempts");
    assert_eq!(retries["provenance"], "unknown");
    assert_eq!(
        retries["reason"],
        "unknown: depends on the condition IsProd"
    );
    // A destination is set whatever expression names it.
    assert_eq!(
        setting(orders, "DestinationConfig.OnFailure.Destination")["provenance"],
        "written"
    );
    let jobs = &triggers[2];
    assert_eq!(jobs["source_kind"], "sqs-fifo");
}

#[test]
fn sam_globals_apply_unless_the_function_overrides_them() {
    let triggers = inline(
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 45
    ReservedConcurrentExecutions: 5
Resources:
  FromGlobals:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: arn:aws:sqs:us-east-1:123456789012:a
  Own:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 90
      Events:
        Q:
          Type: SQS
          Properties:
            Queue: arn:aws:sqs:us-east-1:123456789012:b
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
  PlainMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Plain
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:c
",
    );
    let timeouts: Vec<(Value, Value)> = triggers
        .iter()
        .map(|t| {
            let timeout = &t["function"]["timeout"];
            (timeout["value"].clone(), timeout["provenance"].clone())
        })
        .collect();
    assert_eq!(
        timeouts,
        vec![
            (json!(45), json!("sam-globals")),
            (json!(90), json!("written")),
            // Globals apply to SAM functions only.
            (json!(3), json!("aws-default")),
        ]
    );
    assert_eq!(triggers[0]["function"]["timeout"]["line"], 4);
    assert_eq!(triggers[0]["function"]["reserved_concurrency"]["value"], 5);
    assert_eq!(triggers[1]["function"]["reserved_concurrency"]["value"], 5);
}

#[test]
fn serverless_defaults_are_the_frameworks_own() {
    let triggers = models("fixtures/_load/service.yml");
    let provenance = |t: &Value, name: &str| {
        let s = setting(t, name);
        (s["value"].clone(), s["provenance"].clone())
    };
    let stream = &triggers[0];
    assert_eq!(
        provenance(stream, "BatchSize"),
        (json!(10), json!("serverless-default"))
    );
    assert_eq!(
        provenance(stream, "StartingPosition"),
        (json!("TRIM_HORIZON"), json!("serverless-default"))
    );
    assert_eq!(
        provenance(stream, "Enabled"),
        (json!(true), json!("serverless-default"))
    );
    assert_eq!(
        provenance(stream, "MaximumRetryAttempts"),
        (json!(-1), json!("aws-default"))
    );
    assert_eq!(stream["function"]["timeout"]["value"], 25);

    // `batchSize: 0` is replaced by the framework's 10; `maximumRecordAgeInSeconds: 0` is
    // dropped, so AWS's -1 applies; both are noted.
    let dynamo = &triggers[1];
    assert_eq!(
        provenance(dynamo, "BatchSize"),
        (json!(10), json!("serverless-default"))
    );
    assert_eq!(
        provenance(dynamo, "MaximumRecordAgeInSeconds"),
        (json!(-1), json!("aws-default"))
    );
    assert_eq!(dynamo["notes"].as_array().unwrap().len(), 2);
    assert_eq!(
        provenance(dynamo, "FunctionResponseTypes"),
        (json!(["ReportBatchItemFailures"]), json!("written"))
    );

    let sqs = &triggers[2];
    assert_eq!(sqs["function"]["timeout"]["value"], 12, "provider.timeout");
    assert_eq!(
        provenance(sqs, "BatchSize"),
        (json!(10), json!("serverless-default"))
    );
    // `maximumBatchingWindow: 0` is copied for sqs (`!= null`)...
    assert_eq!(
        provenance(sqs, "MaximumBatchingWindowInSeconds"),
        (json!(0), json!("written"))
    );
    assert_eq!(
        provenance(sqs, "ScalingConfig.MaximumConcurrency"),
        (json!(5), json!("written"))
    );
    // ...but dropped for msk (`if (x)`), leaving AWS's half second.
    let msk = &triggers[3];
    assert_eq!(
        provenance(msk, "MaximumBatchingWindowInSeconds"),
        (json!(0.5), json!("aws-default"))
    );
    assert_eq!(
        provenance(msk, "StartingPosition"),
        (json!("TRIM_HORIZON"), json!("serverless-default"))
    );
    assert_eq!(
        provenance(msk, "BatchSize"),
        (json!(100), json!("aws-default"))
    );
    let kafka = &triggers[4];
    assert_eq!(kafka["source_kind"], "self-managed-kafka");
    assert_eq!(
        provenance(kafka, "StartingPosition"),
        (json!("LATEST"), json!("written"))
    );
    let mq = &triggers[5];
    assert_eq!(mq["source_kind"], "mq");
    // `batchSize: ${self:custom.batch}` resolves to the value under `custom`.
    assert_eq!(provenance(mq, "BatchSize"), (json!(50), json!("written")));
    // A mapping under `resources` names the framework's function by its logical id.
    let audit = &triggers[6];
    assert_eq!(audit["path"], "resources/Resources/AuditMapping");
    assert_eq!(audit["function"]["name"], "consumer");
    assert_eq!(audit["format"], "cloudformation");
}

#[test]
fn source_kinds_resolve_through_get_att_and_ref() {
    let triggers = inline(
        "template.yaml",
        "Resources:
  Stream: {Type: AWS::Kinesis::Stream}
  Consumer: {Type: AWS::Kinesis::StreamConsumer}
  Table: {Type: AWS::DynamoDB::Table, Properties: {StreamSpecification: {StreamViewType: KEYS_ONLY}}}
  Queue: {Type: AWS::SQS::Queue, Properties: {FifoQueue: true}}
  Named: {Type: AWS::SQS::Queue, Properties: {QueueName: orders.fifo}}
  Plain: {Type: AWS::SQS::Queue}
  Cluster: {Type: AWS::MSK::Cluster}
  Broker: {Type: AWS::AmazonMQ::Broker}
  M1: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !GetAtt Stream.Arn}}
  M2: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !Ref Consumer}}
  M3: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !GetAtt Table.StreamArn}}
  M4: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !GetAtt Queue.Arn}}
  M5: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !GetAtt Named.Arn}}
  M6: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !GetAtt Plain.Arn}}
  M7: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !Ref Cluster, Topics: [t]}}
  M8: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !GetAtt Broker.Arn, Queues: [q]}}
  M9: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !Sub '${Table.StreamArn}'}}
  M10: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, SelfManagedEventSource: {Endpoints: {KafkaBootstrapServers: ['b:9092']}}, Topics: [t]}}
  M11: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !ImportValue shared-stream}}
  M12: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: !Sub 'arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:cluster:docs'}}
",
    );
    let kinds: Vec<(&str, &str)> = triggers
        .iter()
        .map(|t| {
            (
                t["path"].as_str().unwrap(),
                t["source_kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("Resources/M1", "kinesis"),
            ("Resources/M2", "kinesis"),
            ("Resources/M3", "dynamodb"),
            ("Resources/M4", "sqs-fifo"),
            ("Resources/M5", "sqs-fifo"),
            ("Resources/M6", "sqs"),
            ("Resources/M7", "msk"),
            ("Resources/M8", "mq"),
            ("Resources/M9", "dynamodb"),
            ("Resources/M10", "self-managed-kafka"),
            ("Resources/M11", "unknown"),
            ("Resources/M12", "documentdb"),
        ]
    );
    // An unknown kind leaves kind-dependent defaults unknown rather than guessed.
    assert_eq!(setting(&triggers[10], "BatchSize")["provenance"], "unknown");
}

#[test]
fn sam_dlq_and_destination_queues_are_not_triggers() {
    let triggers = inline(
        "template.yaml",
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      DeadLetterQueue:
        Type: SQS
        TargetArn: arn:aws:sqs:us-east-1:123456789012:dlq
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: SQS
            Destination: arn:aws:sqs:us-east-1:123456789012:failures
      Events:
        Api:
          Type: Api
          Properties: {Path: /, Method: get}
        Topic:
          Type: SNS
          Properties:
            Topic: arn:aws:sns:us-east-1:123456789012:t
        Subscribed:
          Type: SNS
          Properties:
            Topic: arn:aws:sns:us-east-1:123456789012:t
            SqsSubscription:
              BatchSize: 5
",
    );
    // Only the SNS event with SqsSubscription makes a mapping (from the queue SAM creates).
    assert_eq!(triggers.len(), 1);
    assert_eq!(
        triggers[0]["path"],
        "Resources/Fn/Properties/Events/Subscribed"
    );
    assert_eq!(triggers[0]["source_kind"], "sqs");
    assert_eq!(setting(&triggers[0], "BatchSize")["value"], 5);
    assert_eq!(
        setting(&triggers[0], "Enabled")["provenance"],
        "sam-default"
    );
}

#[test]
fn files_that_are_not_templates_are_skipped_quietly() {
    for (name, text) in [
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
        ),
        (
            "docker-compose.yml",
            "services:\n  web:\n    image: nginx\n",
        ),
        (
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n---\nkind: Service\n",
        ),
        ("package.json", "{\"name\": \"x\", \"version\": \"1.0.0\"}"),
        ("empty.yml", ""),
    ] {
        let run = triggerlint::run_text(name, text.to_string(), &Config::default());
        assert!(run.errors.is_empty(), "{name}: {:?}", run.errors);
        assert_eq!(run.templates, 0, "{name}");
    }
}

#[test]
fn format_is_decided_by_content_not_name() {
    let serverless = triggerlint::run_text(
        "template.yaml",
        "service: x\nprovider: {name: aws}\nfunctions:\n  f:\n    events:\n      - sqs: arn:aws:sqs:us-east-1:1:q\n".to_string(),
        &Config::default(),
    );
    assert_eq!(serverless.triggers[0].format.id(), "serverless");
    let fragment = triggerlint::run_text(
        "functions.yml",
        "functions:\n  f:\n    events:\n      - sqs: arn:aws:sqs:us-east-1:1:q\n".to_string(),
        &Config::default(),
    );
    assert_eq!(fragment.triggers.len(), 1, "a functions fragment");
    let cfn = triggerlint::run_text(
        "serverless.yml",
        "Resources:\n  M: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: 'arn:aws:sqs:us-east-1:1:q'}}\n".to_string(),
        &Config::default(),
    );
    assert_eq!(cfn.triggers[0].format.id(), "cloudformation");
}

#[test]
fn yaml_11_booleans_are_booleans_for_cloudformation_only() {
    let cfn = inline(
        "t.yaml",
        "Resources:\n  M: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: f, EventSourceArn: 'arn:aws:kinesis:us-east-1:1:stream/s', StartingPosition: LATEST, Enabled: no, BisectBatchOnFunctionError: 'True'}}\n",
    );
    assert_eq!(setting(&cfn[0], "Enabled")["value"], false);
    assert_eq!(
        setting(&cfn[0], "BisectBatchOnFunctionError")["value"],
        true
    );
    let sls = inline(
        "serverless.yml",
        "service: x\nprovider: {name: aws}\nfunctions:\n  f:\n    events:\n      - stream: {arn: 'arn:aws:kinesis:us-east-1:1:stream/s', enabled: no}\n",
    );
    assert_eq!(setting(&sls[0], "Enabled")["provenance"], "invalid");
}
