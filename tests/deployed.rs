//! Deployed mappings: the Lambda API's description of what runs in an account, read as a fifth
//! input format (`aws lambda list-event-source-mappings` and `get-event-source-mapping`).

mod common;

use std::collections::BTreeSet;

use assert_cmd::Command;
use serde_json::Value;
use triggerlint::config::Config;
use triggerlint::report::inspect::trigger_json;

fn lint(path: &str) -> triggerlint::Run {
    common::lint_clean(&common::project_root().join(path), &Config::default())
}

fn lint_text(name: &str, text: &str) -> triggerlint::Run {
    let run = triggerlint::run_text(name, text.to_string(), &Config::default());
    assert!(run.errors.is_empty(), "{name}: {:?}", run.errors);
    run
}

fn line(run: &triggerlint::Run, f: &triggerlint::rules::Finding) -> usize {
    run.sources
        .get(f.span.file)
        .line_col(f.span.start as usize)
        .line
}

/// (code, line) of every finding.
fn found(run: &triggerlint::Run) -> Vec<(&'static str, usize)> {
    run.findings
        .iter()
        .map(|f| (f.rule.code, line(run, f)))
        .collect()
}

#[test]
fn a_listing_gives_every_source_kind_with_every_value_as_deployed() {
    let run = lint("fixtures/_deployed/mappings.json");
    let kinds: Vec<(&str, &str)> = run
        .triggers
        .iter()
        .map(|t| (&*t.path, t.source.id()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("EventSourceMappings/0", "kinesis"),
            ("EventSourceMappings/1", "dynamodb"),
            ("EventSourceMappings/2", "sqs"),
            ("EventSourceMappings/3", "msk"),
            ("EventSourceMappings/4", "self-managed-kafka"),
            ("EventSourceMappings/5", "mq"),
            ("EventSourceMappings/6", "documentdb"),
        ]
    );
    for t in &run.triggers {
        let json = trigger_json(&run, t);
        assert_eq!(json["format"], "deployed");
        for (name, setting) in json["settings"].as_object().unwrap() {
            let provenance = setting["provenance"].as_str().unwrap();
            assert!(
                matches!(provenance, "deployed" | "unset"),
                "{} {name}: {provenance} (no default is guessed)",
                t.path
            );
        }
    }
    // The API's endpoint key reaches the Kafka trigger under CloudFormation's name.
    let kafka = &run.triggers[4];
    let servers = kafka
        .property("SelfManagedEventSource")
        .and_then(|p| p.nested(&["Endpoints", "KafkaBootstrapServers"]))
        .and_then(|n| n.as_seq())
        .map(<[_]>::len);
    assert_eq!(servers, Some(2));
}

#[test]
fn findings_point_at_the_field_or_the_uuid_and_name_the_mapping() {
    let run = lint("fixtures/_deployed/mappings.json");
    let codes = found(&run);
    for expected in [
        ("TL103", 4),  // Kinesis without a destination: at its UUID
        ("TL013", 12), // PROBLEM: Function call failed
        ("TL101", 20), // MaximumRetryAttempts -1, at the value
        ("TL005", 55), // State Disabled
        ("TL302", 63), // the consumer group is the mapping's UUID
        ("TL013", 85),
        ("TL107", 114), // a batch size of 1 on a broker queue
        ("TL106", 132), // TRIM_HORIZON on DocumentDB
    ] {
        assert!(codes.contains(&expected), "{expected:?} in {codes:?}");
    }
    let problem = run
        .findings
        .iter()
        .find(|f| f.rule.code == "TL013")
        .unwrap();
    assert_eq!(
        problem.message,
        "the mapping's last processing result is a problem: \"Function call failed\""
    );
    assert_eq!(
        problem.mapping_uuid.as_deref(),
        Some("6d9bce8e-836b-442c-8070-74e77903c815")
    );
    assert_eq!(problem.function.as_deref(), Some("orders-consumer"));
    let human = triggerlint::report::human::render(
        &run,
        triggerlint::report::human::Style {
            color: false,
            unicode: false,
        },
    );
    assert!(human.contains(
        "note: deployed mapping 6d9bce8e-836b-442c-8070-74e77903c815 of function orders-consumer"
    ));
    let json: Value = serde_json::from_str(&triggerlint::report::json::render(&run)).unwrap();
    assert_eq!(
        json["findings"][0]["mapping_uuid"],
        "6d9bce8e-836b-442c-8070-74e77903c815"
    );
    // Rules that need the queue, stream or function stay quiet.
    for quiet in ["TL108", "TL110", "TL203", "TL204", "TL205"] {
        assert!(!codes.iter().any(|(c, _)| *c == quiet), "{quiet}");
    }
}

#[test]
fn a_single_mapping_is_read_like_one_of_a_listing() {
    let run = lint("fixtures/_deployed/one.json");
    assert_eq!(run.triggers.len(), 1);
    assert_eq!(&*run.triggers[0].path, "EventSourceMapping");
    assert_eq!(run.triggers[0].source.id(), "sqs-fifo");
    assert_eq!(found(&run), [("TL207", 10), ("TL210", 11), ("TL011", 14)]);
}

#[test]
fn inspect_shows_the_state_and_what_cannot_be_checked() {
    let run = lint("fixtures/_deployed/mappings.json");
    let updating = trigger_json(&run, &run.triggers[3]);
    let notes: Vec<&str> = updating["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "deployed, state Updating (USER_INITIATED): a change is being applied, so the \
             settings shown may not be running yet",
            "last processing result: No records processed",
            "the queue, stream, table and function are not part of a mapping's description: \
             rules about their settings stay quiet",
        ]
    );
    assert_eq!(updating["deployed"]["state"], "Updating");
    // A state in transition is shown, not reported.
    assert!(!run.findings.iter().any(|f| {
        f.span.start
            == run.triggers[3]
                .deployed
                .as_ref()
                .unwrap()
                .state
                .as_ref()
                .unwrap()
                .1
                .start
    }));
}

/// The same Kinesis mapping, written in a template with every value the API shows, and
/// described by the API: the rules about the mapping's own settings agree.
#[test]
fn a_template_and_the_api_give_the_same_findings_for_the_same_mapping() {
    let template = lint_text(
        "template.yaml",
        "Resources:
  Orders:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: arn:aws:lambda:us-east-1:123456789012:function:orders-consumer
      EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
      StartingPosition: TRIM_HORIZON
      BatchSize: 100
      MaximumBatchingWindowInSeconds: 0
      ParallelizationFactor: 1
      MaximumRecordAgeInSeconds: -1
      BisectBatchOnFunctionError: false
      MaximumRetryAttempts: -1
      TumblingWindowInSeconds: 0
      FunctionResponseTypes: []
",
    );
    let deployed = lint("fixtures/_deployed/mappings.json");
    let codes = |run: &triggerlint::Run, path: &str| -> BTreeSet<&'static str> {
        run.findings
            .iter()
            .filter(|f| &*f.path == path)
            .map(|f| f.rule.code)
            .collect()
    };
    let from_template = codes(&template, &template.triggers[0].path);
    let mut from_api = codes(&deployed, "EventSourceMappings/0");
    // Only the API knows how the last batch went.
    assert!(from_api.remove("TL013"));
    assert_eq!(from_template, from_api);
    assert!(from_api.contains("TL101") && from_api.contains("TL104"));
}

#[test]
fn standard_input_takes_an_account_listing() {
    let text =
        std::fs::read_to_string(common::project_root().join("fixtures/_deployed/mappings.json"))
            .unwrap();
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .args([
            "check",
            "--format",
            "json",
            "-",
            "--stdin-filename",
            "prod-us-east-1.json",
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["file"], "prod-us-east-1.json");
    assert_eq!(report["summary"]["triggers"], 7);
}
