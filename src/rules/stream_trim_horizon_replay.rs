//! TL106: TRIM_HORIZON on a Kinesis stream with long retention replays days of records.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::{Prop, Setting, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL106",
    slug: "stream-trim-horizon-replay",
    summary: "TRIM_HORIZON on a long-retention Kinesis stream replays days of records",
    severity: Severity::Note,
    docs: include_str!("../../rules/stream-trim-horizon-replay.md"),
    options: &[],
    check,
};

/// Replays of a day or less are what a DynamoDB stream always has; only longer ones are noted.
const THRESHOLD_HOURS: i64 = 24;

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Setting::Written { value, span, .. } = &t.settings.starting_position else {
        return Vec::new();
    };
    if value != "TRIM_HORIZON" {
        return Vec::new();
    }
    if t.source == SourceKind::DocumentDb {
        return vec![document_db_replay(t, *span)];
    }
    if t.source != SourceKind::Kinesis {
        return Vec::new();
    }
    let Some(stream) = links::kinesis_stream(t, scope) else {
        return Vec::new();
    };
    let retention = &stream.retention_hours;
    let (Some(&hours), Some(retention_span)) = (retention.value(), retention.span()) else {
        return Vec::new();
    };
    // Records older than the record-age limit are discarded, not replayed.
    let age = &t.settings.maximum_record_age;
    let age_limit = match age.value() {
        Some(-1) => None,
        Some(&seconds) => Some(seconds),
        None => return Vec::new(),
    };
    let window_seconds = age_limit.map_or(hours * 3600, |s| s.min(hours * 3600));
    if window_seconds <= THRESHOLD_HOURS * 3600 {
        return Vec::new();
    }
    let key = t.key_name(Prop::StartingPosition);
    let id = stream.resource.logical_id;
    let replay = match age_limit {
        Some(seconds) if seconds < hours * 3600 => format!(
            "{id}, which keeps {hours} hours of records, and `{}` skips only records older than \
             {}: a new or replaced trigger processes the last {} of records again",
            t.key_name(Prop::MaximumRecordAgeInSeconds),
            duration(seconds),
            duration(seconds)
        ),
        _ => format!(
            "{id}, which keeps {hours} hours of records: a new or replaced trigger processes all \
             of them again"
        ),
    };
    let mut finding = RULE
        .at(*span, format!("`{key}` is TRIM_HORIZON on {replay}"))
        .label("starts at the oldest record")
        .related_value(
            retention_span,
            format!("retention of {hours} hours"),
            retention,
        )
        .help(format!(
            "use `{}` unless reprocessing the retained records is intended, and make the \
             consumer idempotent either way",
            t.format.set_text(key, "LATEST")
        ));
    if let (Some(seconds), Some(age_span)) = (age_limit, age.span()) {
        finding = finding.related(
            age_span,
            format!("records older than {} are skipped", duration(seconds)),
        );
    }
    vec![finding]
}

/// A DocumentDB change stream keeps its log for the cluster's
/// `change_stream_log_retention_duration` (3 hours unless raised, up to 7 days), which lives in a
/// cluster parameter group the trigger cannot see; the note names both.
fn document_db_replay(t: &Trigger, span: crate::source::Span) -> Finding {
    let key = t.key_name(Prop::StartingPosition);
    RULE.at(
        span,
        format!(
            "`{key}` is TRIM_HORIZON on a DocumentDB change stream: a new or replaced trigger \
             processes every change the cluster's change stream log still holds again (3 hours \
             by default, up to 7 days with `change_stream_log_retention_duration`)"
        ),
    )
    .label("starts at the oldest change")
    .help(format!(
        "use `{}` unless reprocessing the retained changes is intended, and make the consumer \
         idempotent either way",
        t.format.set_text(key, "LATEST")
    ))
}

/// "72 hours", "90 minutes", "45 seconds".
fn duration(seconds: i64) -> String {
    if seconds % 3600 == 0 {
        format!("{} hours", seconds / 3600)
    } else if seconds % 60 == 0 {
        format!("{} minutes", seconds / 60)
    } else {
        format!("{seconds} seconds")
    }
}
