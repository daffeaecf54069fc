//! TL402: the Serverless Framework drops the starting timestamp of a `stream` without `consumer`.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{Format, SourceKind, Trigger};
use crate::tree::Value;

pub static RULE: Rule = Rule {
    code: "TL402",
    slug: "serverless-at-timestamp-dropped",
    summary: "Serverless drops the AT_TIMESTAMP timestamp of a stream without consumer",
    severity: Severity::Error,
    docs: include_str!("../../rules/serverless-at-timestamp-dropped.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let position = &t.settings.starting_position;
    let at_timestamp = position.value().is_some_and(|v| v == "AT_TIMESTAMP");
    let Some(declaration) = &t.declaration else {
        return Vec::new();
    };
    let has_consumer = declaration
        .get("consumer")
        .is_some_and(|c| !matches!(c.value, Value::Null | Value::Bool(false)));
    // DynamoDB has no AT_TIMESTAMP at all (TL003).
    let applies = t.format == Format::Serverless
        && t.event_type.as_deref() == Some("stream")
        && t.source != SourceKind::DynamoDb;
    let (true, true, false, Some(span)) = (applies, at_timestamp, has_consumer, position.span())
    else {
        return Vec::new();
    };
    let mut finding = RULE
        .at(
            span,
            "`startingPosition` is AT_TIMESTAMP on a `stream` without `consumer`: the Serverless \
             Framework passes `startingPositionTimestamp` on only for consumers, so the mapping \
             has no timestamp and the deploy fails",
        )
        .label("timestamp is dropped")
        .help(
            "read the stream through `consumer: true`, or declare the mapping as an \
             AWS::Lambda::EventSourceMapping under `resources` with StartingPositionTimestamp",
        );
    if let Some(timestamp) = declaration.get("startingPositionTimestamp") {
        finding = finding.related(
            timestamp.span,
            "this timestamp never reaches CloudFormation",
        );
    }
    vec![finding]
}
