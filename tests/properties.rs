//! Properties over generated input (proptest):
//!
//! - loading never panics, on arbitrary bytes nor on text assembled from template-like pieces
//!   (tags, anchors, merge keys, variables, brackets), whatever file name it is given;
//! - a generated CloudFormation or SAM template written as JSON, as YAML with long-form
//!   intrinsics and as YAML with short tags gives the same triggers and the same findings.

mod common;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use triggerlint::config::Config;
use triggerlint::report::inspect::trigger_json;

const NAMES: [&str; 4] = [
    "serverless.yml",
    "template.yaml",
    "template.json",
    "stack.template",
];

/// Lints bytes under every name and checks the run held together: a panic inside the engine
/// becomes an "internal error" (so the other files are still linted); here it fails the test.
fn assert_lints_without_panic(bytes: &[u8]) {
    for name in NAMES {
        let run = triggerlint::run_bytes(name, bytes, &Config::default());
        let internal: Vec<_> = run
            .errors
            .iter()
            .filter(|e| e.message.contains("internal error"))
            .collect();
        assert!(internal.is_empty(), "{name}: {internal:?}");
        common::render_every_format(&run);
    }
}

/// Pieces real templates are made of, so generated text reaches deep into the loaders rather
/// than failing at the first byte.
const PIECES: &[&str] = &[
    "\n",
    "\n  ",
    "\n    ",
    "\n      ",
    "  ",
    "- ",
    ": ",
    ", ",
    "{",
    "}",
    "[",
    "]",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "<<: *a",
    "!Ref ",
    "!GetAtt ",
    "!Sub ",
    "!If ",
    "!Join ",
    "!Select ",
    "Fn::GetAtt",
    "Resources:",
    "Type: ",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Serverless::Function",
    "AWS::Kinesis::Stream",
    "AWS::SQS::Queue",
    "Properties:",
    "Events:",
    "Type: Kinesis",
    "Type: SQS",
    "EventSourceArn: ",
    "BatchSize: ",
    "Stream.Arn",
    "Queue.Arn",
    "arn:aws:kinesis:us-east-1:1:stream/s",
    "arn:aws:sqs:us-east-1:1:q",
    "StartingPosition: ",
    "LATEST",
    "DestinationConfig:",
    "OnFailure:",
    "Destination: ",
    "MaximumRetryAttempts: ",
    "-1",
    "0",
    "10",
    "10000",
    "1e9",
    "true",
    "null",
    "~",
    "service: s",
    "functions:",
    "events:",
    "stream:",
    "sqs:",
    "arn: ",
    "batchSize: ",
    "${self:custom.x}",
    "${opt:stage, 'dev'}",
    "${file(./x.yml):y}",
    "custom:",
    "x: ",
    "Transform: AWS::Serverless-2016-10-31",
    "Globals:",
    "Function:",
    "Metadata:",
    "triggerlint:",
    "ignore:",
    "# triggerlint: ignore[TL101]",
    "\t",
    "é",
    "\u{feff}",
];

fn template_like_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        assert_lints_without_panic(&bytes);
    }

    #[test]
    fn template_like_text_never_panics(text in template_like_text()) {
        assert_lints_without_panic(text.as_bytes());
    }
}

// ---------------------------------------------------------------------------------------------
// One template, three renderings.

/// An intrinsic function, kept abstract so each rendering writes it its own way.
#[derive(Clone, Debug)]
enum Intrinsic {
    Ref(&'static str),
    GetAtt(&'static str, &'static str),
}

/// A template value: JSON data or an intrinsic.
#[derive(Clone, Debug)]
enum Tv {
    Data(Value),
    Fn(Intrinsic),
    Map(Vec<(String, Tv)>),
}

fn event_source() -> impl Strategy<Value = Tv> {
    prop_oneof![
        Just(Tv::Fn(Intrinsic::GetAtt("Stream", "Arn"))),
        Just(Tv::Fn(Intrinsic::GetAtt("Table", "StreamArn"))),
        Just(Tv::Fn(Intrinsic::GetAtt("Queue", "Arn"))),
        Just(Tv::Fn(Intrinsic::GetAtt("FifoQueue", "Arn"))),
        Just(Tv::Fn(Intrinsic::Ref("SourceArn"))),
        Just(Tv::Data(json!(
            "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"
        ))),
        Just(Tv::Data(json!(
            "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2024-01-01T00:00:00.000"
        ))),
        Just(Tv::Data(json!("arn:aws:sqs:eu-west-1:123456789012:jobs"))),
        Just(Tv::Data(json!(
            "arn:aws:kafka:eu-west-1:123456789012:cluster/c/abc"
        ))),
    ]
}

fn int_value(range: std::ops::RangeInclusive<i64>) -> impl Strategy<Value = Tv> {
    prop_oneof![
        4 => range.clone().prop_map(|n| Tv::Data(json!(n))),
        1 => range.prop_map(|n| Tv::Data(json!(n.to_string()))),
    ]
}

fn bool_value() -> impl Strategy<Value = Tv> {
    prop_oneof![
        any::<bool>().prop_map(|b| Tv::Data(json!(b))),
        any::<bool>().prop_map(|b| Tv::Data(json!(b.to_string()))),
    ]
}

/// Optional trigger properties, by their CloudFormation names.
fn properties() -> impl Strategy<Value = Vec<(String, Tv)>> {
    let starting = prop::sample::select(vec!["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", "Latest"])
        .prop_map(|s| Tv::Data(json!(s)));
    let destination = prop_oneof![
        Just(Tv::Fn(Intrinsic::GetAtt("Dlq", "Arn"))),
        Just(Tv::Data(json!(
            "arn:aws:sns:eu-west-1:123456789012:failures"
        ))),
    ]
    .prop_map(|d| {
        Tv::Map(vec![(
            "OnFailure".to_string(),
            Tv::Map(vec![("Destination".to_string(), d)]),
        )])
    });
    (
        prop::option::of(int_value(0..=12_000)),
        prop::option::of(starting),
        prop::option::of(int_value(-1..=12_000)),
        prop::option::of(int_value(-1..=700_000)),
        prop::option::of(bool_value()),
        prop::option::of(int_value(0..=400)),
        prop::option::of(destination),
        prop::option::of(Just(Tv::Data(json!(["ReportBatchItemFailures"])))),
        prop::option::of(bool_value()),
    )
        .prop_map(
            |(batch, start, retries, age, bisect, window, dest, responses, enabled)| {
                [
                    ("BatchSize", batch),
                    ("StartingPosition", start),
                    ("MaximumRetryAttempts", retries),
                    ("MaximumRecordAgeInSeconds", age),
                    ("BisectBatchOnFunctionError", bisect),
                    ("MaximumBatchingWindowInSeconds", window),
                    ("DestinationConfig", dest),
                    ("FunctionResponseTypes", responses),
                    ("Enabled", enabled),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
                .collect()
            },
        )
}

#[derive(Clone, Debug)]
struct Trigger {
    source: Tv,
    properties: Vec<(String, Tv)>,
}

fn triggers() -> impl Strategy<Value = Vec<Trigger>> {
    prop::collection::vec(
        (event_source(), properties())
            .prop_map(|(source, properties)| Trigger { source, properties }),
        1..4,
    )
}

fn data(v: Value) -> Tv {
    Tv::Data(v)
}

fn map(entries: Vec<(&str, Tv)>) -> Tv {
    Tv::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// Resources every generated template shares: what the event sources point at.
fn shared_resources() -> Vec<(String, Tv)> {
    vec![
        (
            "Stream".into(),
            map(vec![("Type", data(json!("AWS::Kinesis::Stream")))]),
        ),
        (
            "Table".into(),
            map(vec![
                ("Type", data(json!("AWS::DynamoDB::Table"))),
                (
                    "Properties",
                    map(vec![(
                        "StreamSpecification",
                        map(vec![("StreamViewType", data(json!("NEW_IMAGE")))]),
                    )]),
                ),
            ]),
        ),
        (
            "Queue".into(),
            map(vec![("Type", data(json!("AWS::SQS::Queue")))]),
        ),
        (
            "FifoQueue".into(),
            map(vec![
                ("Type", data(json!("AWS::SQS::Queue"))),
                ("Properties", map(vec![("FifoQueue", data(json!(true)))])),
            ]),
        ),
        (
            "Dlq".into(),
            map(vec![("Type", data(json!("AWS::SQS::Queue")))]),
        ),
    ]
}

fn parameters() -> Tv {
    map(vec![(
        "SourceArn",
        map(vec![("Type", data(json!("String")))]),
    )])
}

/// A CloudFormation template with one mapping per trigger.
fn cloudformation(triggers: &[Trigger]) -> Tv {
    let mut resources = shared_resources();
    resources.push((
        "Worker".into(),
        map(vec![
            ("Type", data(json!("AWS::Lambda::Function"))),
            ("Properties", map(vec![("Timeout", data(json!(30)))])),
        ]),
    ));
    for (i, t) in triggers.iter().enumerate() {
        let mut props = vec![
            ("FunctionName".to_string(), Tv::Fn(Intrinsic::Ref("Worker"))),
            ("EventSourceArn".to_string(), t.source.clone()),
        ];
        props.extend(t.properties.iter().cloned());
        resources.push((
            format!("Mapping{i}"),
            map(vec![
                ("Type", data(json!("AWS::Lambda::EventSourceMapping"))),
                ("Properties", Tv::Map(props)),
            ]),
        ));
    }
    map(vec![
        ("AWSTemplateFormatVersion", data(json!("2010-09-09"))),
        ("Parameters", parameters()),
        ("Resources", Tv::Map(resources)),
    ])
}

/// A SAM template: one function, one event per trigger, typed by its source where the
/// source says (SAM needs a Type); a literal Kafka ARN becomes an MSK event.
fn sam(triggers: &[Trigger]) -> Tv {
    let events = triggers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let event_type = match &t.source {
                Tv::Fn(Intrinsic::GetAtt("Table", _)) => "DynamoDB",
                Tv::Fn(Intrinsic::GetAtt("Queue" | "FifoQueue", _)) => "SQS",
                Tv::Data(Value::String(arn)) if arn.contains(":dynamodb:") => "DynamoDB",
                Tv::Data(Value::String(arn)) if arn.contains(":sqs:") => "SQS",
                Tv::Data(Value::String(arn)) if arn.contains(":kafka:") => "MSK",
                _ => "Kinesis",
            };
            let arn_key = if event_type == "SQS" {
                "Queue"
            } else {
                "Stream"
            };
            let mut props = vec![(arn_key.to_string(), t.source.clone())];
            props.extend(t.properties.iter().cloned());
            (
                format!("Event{i}"),
                map(vec![
                    ("Type", data(json!(event_type))),
                    ("Properties", Tv::Map(props)),
                ]),
            )
        })
        .collect();
    let mut resources = shared_resources();
    resources.push((
        "Worker".into(),
        map(vec![
            ("Type", data(json!("AWS::Serverless::Function"))),
            (
                "Properties",
                map(vec![
                    ("Handler", data(json!("index.handler"))),
                    ("Runtime", data(json!("python3.12"))),
                    ("Events", Tv::Map(events)),
                ]),
            ),
        ]),
    ));
    map(vec![
        ("Transform", data(json!("AWS::Serverless-2016-10-31"))),
        (
            "Globals",
            map(vec![("Function", map(vec![("Timeout", data(json!(20)))]))]),
        ),
        ("Parameters", parameters()),
        ("Resources", Tv::Map(resources)),
    ])
}

// Renderings.

fn to_json(tv: &Tv) -> Value {
    match tv {
        Tv::Data(v) => v.clone(),
        Tv::Fn(Intrinsic::Ref(name)) => json!({ "Ref": name }),
        Tv::Fn(Intrinsic::GetAtt(resource, attribute)) => {
            json!({ "Fn::GetAtt": [resource, attribute] })
        }
        Tv::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect::<Map<String, Value>>(),
        ),
    }
}

/// Block-style YAML. Scalars are written as JSON (a subset of YAML flow syntax), so quoting is
/// never in doubt; intrinsics in long form or as short tags.
fn to_yaml(tv: &Tv, short_tags: bool) -> String {
    let mut out = String::new();
    write_yaml_entries(tv, short_tags, 0, &mut out);
    out
}

fn write_yaml_entries(tv: &Tv, short: bool, indent: usize, out: &mut String) {
    let Tv::Map(entries) = tv else {
        unreachable!("documents are maps")
    };
    for (key, value) in entries {
        out.push_str(&" ".repeat(indent));
        out.push_str(key);
        out.push(':');
        match value {
            Tv::Map(inner) if inner.is_empty() => out.push_str(" {}\n"),
            Tv::Map(_) => {
                out.push('\n');
                write_yaml_entries(value, short, indent + 2, out);
            }
            Tv::Fn(Intrinsic::Ref(name)) if short => out.push_str(&format!(" !Ref {name}\n")),
            Tv::Fn(Intrinsic::GetAtt(r, a)) if short => {
                out.push_str(&format!(" !GetAtt {r}.{a}\n"));
            }
            Tv::Fn(_) => {
                out.push('\n');
                let long = json_to_tv(&to_json(value));
                write_yaml_entries(&long, short, indent + 2, out);
            }
            Tv::Data(v) => out.push_str(&format!(" {v}\n")),
        }
    }
}

/// An intrinsic's JSON form as a map of data, for the long-form YAML rendering.
fn json_to_tv(v: &Value) -> Tv {
    match v {
        Value::Object(m) => Tv::Map(m.iter().map(|(k, v)| (k.clone(), json_to_tv(v))).collect()),
        other => Tv::Data(other.clone()),
    }
}

/// Everything about a trigger and its findings that does not depend on the layout of the text.
fn layout_free(name: &str, text: &str) -> (Vec<Value>, Vec<String>) {
    let run = triggerlint::run_text(name, text.to_string(), &Config::default());
    assert!(run.errors.is_empty(), "{name}: {:?}\n{text}", run.errors);
    let triggers = run
        .triggers
        .iter()
        .map(|t| without_positions(trigger_json(&run, t)))
        .collect();
    let mut findings: Vec<String> = run
        .findings
        .iter()
        .map(|f| format!("{} {} {} {:?}", f.rule.code, f.path, f.message, f.help))
        .collect();
    findings.sort();
    (triggers, findings)
}

fn without_positions(mut v: Value) -> Value {
    match &mut v {
        Value::Object(m) => {
            for key in ["line", "column", "file"] {
                m.remove(key);
            }
            for value in m.values_mut() {
                *value = without_positions(value.take());
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = without_positions(item.take());
            }
        }
        _ => {}
    }
    v
}

fn assert_renderings_agree(document: &Tv) {
    let json_text = serde_json::to_string_pretty(&to_json(document)).unwrap();
    let long_yaml = to_yaml(document, false);
    let short_yaml = to_yaml(document, true);
    let reference = layout_free("template.json", &json_text);
    assert!(!reference.0.is_empty(), "no trigger found in\n{json_text}");
    assert_eq!(
        layout_free("template.yaml", &long_yaml),
        reference,
        "long-form YAML:\n{long_yaml}"
    );
    assert_eq!(
        layout_free("template.yaml", &short_yaml),
        reference,
        "short-tag YAML:\n{short_yaml}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn cloudformation_renderings_give_the_same_triggers(triggers in triggers()) {
        assert_renderings_agree(&cloudformation(&triggers));
    }

    #[test]
    fn sam_renderings_give_the_same_triggers(triggers in triggers()) {
        assert_renderings_agree(&sam(&triggers));
    }
}
