//! TL109: a record-age limit at or above the stream's retention never takes effect.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::{Prop, Setting, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL109",
    slug: "stream-record-age-exceeds-retention",
    summary: "the record-age limit is at or above the stream's retention and never applies",
    severity: Severity::Warning,
    docs: include_str!("../../rules/stream-record-age-exceeds-retention.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Setting::Written {
        value: age, span, ..
    } = t.settings.maximum_record_age
    else {
        return Vec::new();
    };
    if age == -1 {
        return Vec::new();
    }
    let Some((retention_seconds, what, related)) = retention(t, scope) else {
        return Vec::new();
    };
    if age < retention_seconds {
        return Vec::new();
    }
    let key = t.key_name(Prop::MaximumRecordAgeInSeconds);
    let retries = t.key_name(Prop::MaximumRetryAttempts);
    let never = format!(
        "`{key}` is {age} seconds, but {what} keeps records for only {retention_seconds} \
         seconds: records expire before they reach this age"
    );
    let mut finding = match t.settings.maximum_retry_attempts.value() {
        // With bounded retries a failing batch ends anyway: the limit is only redundant.
        Some(&limit) if limit >= 0 => RULE
            .at(
                span,
                format!(
                    "{never}, so the limit never applies; `{retries}` ({limit}) already ends a \
                     failing batch, so this setting only has no effect"
                ),
            )
            .severity(Severity::Note)
            .label("never reached")
            .help(format!(
                "remove `{key}`, or set it well below {retention_seconds} to skip records older \
                 than that"
            )),
        Some(_) => RULE
            .at(
                span,
                format!(
                    "{never}, so the limit never applies and, with unlimited retries, a failing \
                     batch blocks the shard until its records expire"
                ),
            )
            .label("never reached")
            .help(format!(
                "set `{key}` well below {retention_seconds} (for example an hour, 3600) so stale \
                 records are skipped while they still exist, and limit `{retries}`"
            )),
        None => RULE
            .at(span, format!("{never}, so the limit never applies"))
            .label("never reached")
            .help(format!(
                "set `{key}` well below {retention_seconds} (for example an hour, 3600) so stale \
                 records are skipped while they still exist"
            )),
    };
    if let Some(retention) = related {
        let span = retention.span().unwrap_or(t.anchor);
        finding = finding.related_value(span, "the stream's retention", &retention);
    }
    vec![finding]
}

/// The stream's retention in seconds, how to name the stream, and the written retention.
fn retention(t: &Trigger, scope: &Scope<'_>) -> Option<(i64, String, Option<Setting<i64>>)> {
    match t.source {
        SourceKind::DynamoDb => Some((86_400, "a DynamoDB stream".to_string(), None)),
        SourceKind::Kinesis => {
            let stream = links::kinesis_stream(t, scope)?;
            let hours = &stream.retention_hours;
            let name = format!("stream {}", stream.resource.logical_id);
            let written = hours.span().is_some().then(|| hours.clone());
            Some((*hours.value()? * 3600, name, written))
        }
        _ => None,
    }
}
