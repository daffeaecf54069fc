//! TL008: AT_TIMESTAMP needs the timestamp to start from.

use super::{Finding, Rule, Scope, Severity, span_of};
use crate::model::{Format, Prop, Trigger};

pub static RULE: Rule = Rule {
    code: "TL008",
    slug: "missing-starting-position-timestamp",
    summary: "StartingPosition AT_TIMESTAMP without StartingPositionTimestamp fails to deploy",
    severity: Severity::Error,
    docs: include_str!("../../rules/missing-starting-position-timestamp.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let position = &t.settings.starting_position;
    let at_timestamp = position.value().is_some_and(|v| v == "AT_TIMESTAMP");
    if !at_timestamp
        || !t.settings.starting_position_timestamp.is_unset()
        || dropped_by_framework(t)
    {
        return Vec::new();
    }
    let key = t.key_name(Prop::StartingPosition);
    let timestamp = t.key_name(Prop::StartingPositionTimestamp);
    vec![
        RULE.at(
            span_of(t, position),
            format!("`{key}` is AT_TIMESTAMP but `{timestamp}` is not set: the deploy fails"),
        )
        .label("no timestamp to start from")
        .help(format!(
            "add `{timestamp}` ({}, not in the future), or start at LATEST or TRIM_HORIZON",
            match t.format {
                Format::Terraform | Format::TerraformPlan =>
                    "an RFC 3339 time such as 2024-01-31T12:00:00Z",
                _ => "Unix time in seconds",
            }
        )),
    ]
}

/// A Serverless `stream` without `consumer` loses its timestamp in the framework whether or
/// not one is written; TL402 reports that case.
fn dropped_by_framework(t: &Trigger) -> bool {
    t.format == Format::Serverless
        && t.event_type.as_deref() == Some("stream")
        && t.declaration
            .as_ref()
            .and_then(|d| d.get("consumer"))
            .is_none_or(|c| {
                matches!(
                    c.value,
                    crate::tree::Value::Null | crate::tree::Value::Bool(false)
                )
            })
}
