//! TL003: a property the trigger's source kind does not accept; the deploy is rejected.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{Applicability, Change, FixPlan, Prop, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL003",
    slug: "property-not-supported-for-source",
    summary: "a property this kind of source does not accept fails the deploy",
    severity: Severity::Error,
    docs: include_str!("../../rules/property-not-supported-for-source.md"),
    options: &[],
    check,
};

/// Which source kinds accept a property, and how the help names them.
pub(super) type Acceptance = (fn(SourceKind) -> bool, &'static str);

/// The kinds that accept a top-level mapping property; `None` for properties every kind
/// accepts (and for names the schema rule reports).
pub(super) fn accepted_by(property: &str) -> Option<Acceptance> {
    use SourceKind as K;
    Some(match property {
        "StartingPosition" | "StartingPositionTimestamp" => (
            |k| k.has_retry_controls() || k == K::DocumentDb,
            "Kinesis, DynamoDB, Kafka and DocumentDB triggers",
        ),
        "MaximumRetryAttempts"
        | "MaximumRecordAgeInSeconds"
        | "BisectBatchOnFunctionError"
        | "DestinationConfig" => (
            K::has_retry_controls,
            "Kinesis, DynamoDB and Kafka triggers",
        ),
        "ParallelizationFactor" | "TumblingWindowInSeconds" => {
            (K::is_stream, "Kinesis and DynamoDB triggers")
        }
        "FunctionResponseTypes" | "MetricsConfig" => (
            |k| k.has_retry_controls() || k.is_sqs(),
            "Kinesis, DynamoDB, SQS and Kafka triggers",
        ),
        "ScalingConfig" => (K::is_sqs, "SQS triggers"),
        "ProvisionedPollerConfig" => (|k| k.is_kafka() || k.is_sqs(), "Kafka and SQS triggers"),
        "LoggingConfig" => (K::is_kafka, "Kafka triggers"),
        "Topics" => (K::is_kafka, "Kafka triggers"),
        "AmazonManagedKafkaEventSourceConfig" => (|k| k == K::Msk, "MSK triggers"),
        "SelfManagedKafkaEventSourceConfig" | "SelfManagedEventSource" => {
            (|k| k == K::SelfManagedKafka, "self-managed Kafka triggers")
        }
        "Queues" => (|k| k == K::Mq, "Amazon MQ triggers"),
        "DocumentDBEventSourceConfig" => (|k| k == K::DocumentDb, "DocumentDB triggers"),
        "SourceAccessConfigurations" => (
            |k| k.is_kafka() || matches!(k, K::Mq | K::DocumentDb),
            "Kafka, Amazon MQ and DocumentDB triggers",
        ),
        _ => return None,
    })
}

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    if t.source == SourceKind::Unknown {
        return Vec::new();
    }
    let mut findings: Vec<Finding> = t
        .properties
        .iter()
        .filter_map(|p| {
            // A value that may be no value at all may not reach the mapping.
            if p.value.may_be_absent() {
                return None;
            }
            let (accepts, kinds) = accepted_by(&p.name)?;
            (!accepts(t.source)).then(|| {
                unsupported(
                    p.key_span,
                    &p.key,
                    &format!("{} triggers", t.source.family_label()),
                    &format!("remove it; it applies to {kinds} only"),
                )
                .fix(
                    FixPlan::new(Applicability::Safe, format!("Remove `{}`", p.key)).change(
                        Change::RemoveKey {
                            key_span: p.key_span,
                        },
                    ),
                )
            })
        })
        .collect();
    findings.extend(at_timestamp_on_dynamodb(t));
    findings.extend(nested_problems(t));
    findings
}

/// Settings inside a property that only some sources accept. (What only provisioned mode
/// accepts is `kafka-error-handling-without-provisioned-mode`'s.)
fn nested_problems(t: &Trigger) -> Vec<Finding> {
    if t.source == SourceKind::Unknown {
        return Vec::new();
    }
    let kafka = t.source.is_kafka();
    let mut findings = Vec::new();
    for p in t.properties.iter().filter(|p| !p.value.may_be_absent()) {
        match p.name.as_str() {
            "MetricsConfig" if !kafka => findings.extend(kafka_metrics(t, p)),
            "ProvisionedPollerConfig" if !kafka => {
                if let Some(group) = p.nested(&["PollerGroupName"]) {
                    findings.push(unsupported(
                        group.span,
                        &p.display_path(["PollerGroupName"]),
                        &format!("{} triggers", t.source.family_label()),
                        "poller groups are for Kafka triggers only",
                    ));
                }
            }
            _ => {}
        }
    }
    findings
}

/// `ErrorCount` and `KafkaMetrics` are metrics of Kafka triggers; others have `EventCount` only.
fn kafka_metrics(t: &Trigger, p: &crate::model::Property) -> Vec<Finding> {
    let Some(metrics) = p.nested(&["Metrics"]).and_then(crate::tree::Node::as_seq) else {
        return Vec::new();
    };
    metrics
        .iter()
        .filter_map(|m| Some((m.as_str()?, m.span)))
        .filter(|(metric, _)| matches!(*metric, "ErrorCount" | "KafkaMetrics"))
        .map(|(metric, span)| {
            RULE.at(
                span,
                format!(
                    "`{}` lists `{metric}`, a metric {} triggers do not have: the deploy fails",
                    p.display_path(["Metrics"]),
                    t.source.family_label()
                ),
            )
            .label("Kafka only")
            .help("only Kafka triggers have it; keep `EventCount`")
        })
        .collect()
}

/// A property, or a value inside one, that this kind of trigger does not accept.
fn unsupported(span: crate::source::Span, name: &str, where_: &str, help: &str) -> Finding {
    RULE.at(
        span,
        format!("`{name}` is not accepted on {where_}: the deploy fails"),
    )
    .label("not supported here")
    .help(help.to_string())
}

/// DynamoDB streams start at TRIM_HORIZON or LATEST; there is no timestamp to start from.
fn at_timestamp_on_dynamodb(t: &Trigger) -> Option<Finding> {
    let (SourceKind::DynamoDb, Some((position, span))) =
        (t.source, t.settings.starting_position.written_value())
    else {
        return None;
    };
    if position != "AT_TIMESTAMP" {
        return None;
    }
    let key = t.key_name(Prop::StartingPosition);
    Some(
        RULE.at(
            span,
            format!(
                "`{key}` is AT_TIMESTAMP, which DynamoDB streams do not support: the deploy fails"
            ),
        )
        .label("not for DynamoDB")
        .help(format!(
            "use `{}` or `{}`",
            t.format.set_text(key, "LATEST"),
            t.format.set_text(key, "TRIM_HORIZON")
        )),
    )
}
