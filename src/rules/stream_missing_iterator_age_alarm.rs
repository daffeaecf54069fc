//! TL108: nothing in the template alarms when the consumer falls behind.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::{SourceKind, Trigger};

const KINESIS_STREAM_LAG: &str = "GetRecords.IteratorAgeMilliseconds";

pub static RULE: Rule = Rule {
    code: "TL108",
    slug: "stream-missing-iterator-age-alarm",
    summary: "no alarm tells when the consumer falls behind the stream",
    severity: Severity::Note,
    docs: include_str!("../../rules/stream-missing-iterator-age-alarm.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let metric = if t.source.is_stream() {
        "IteratorAge"
    } else if t.source.is_kafka() {
        "OffsetLag"
    } else {
        return Vec::new();
    };
    let Some(function) = &t.function else {
        return Vec::new();
    };
    // Alarm plugins define alarms where no link reads them.
    let alarm_plugin = scope.template.alarms_outside_resources;
    let has_alarm = links::has_alarm_for(scope, function, metric);
    // The stream-side lag of Kinesis (`GetRecords.IteratorAgeMilliseconds`) shows a stuck
    // consumer too; alarms on it have no function dimension, so they cover every function.
    let stream_alarm = t.source == SourceKind::Kinesis
        && links::has_alarm_for(scope, function, KINESIS_STREAM_LAG) == Some(true);
    if alarm_plugin || stream_alarm || has_alarm != Some(false) {
        return Vec::new();
    }
    vec![
        RULE.at(
            t.anchor,
            format!(
                "no CloudWatch alarm in this {} watches `{metric}` of function {}: a \
                 consumer that falls behind or is stuck on a failing batch goes unnoticed",
                t.format.unit(),
                function.name
            ),
        )
        .label(format!("no {metric} alarm"))
        .help(format!(
            "add an {} on the AWS/Lambda metric `{metric}` (statistic Maximum) with the \
             dimension FunctionName set to this function",
            t.format.resource_type("AWS::CloudWatch::Alarm")
        )),
    ]
}
