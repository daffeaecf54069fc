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

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Setting::Written { value, span } = &t.settings.starting_position else {
        return Vec::new();
    };
    if t.source != SourceKind::Kinesis || value != "TRIM_HORIZON" {
        return Vec::new();
    }
    let Some(stream) = links::kinesis_stream(t, scope) else {
        return Vec::new();
    };
    let retention = &stream.retention_hours;
    let (Some(&hours), Some(retention_span)) = (retention.value(), retention.span()) else {
        return Vec::new();
    };
    if hours <= 24 {
        return Vec::new();
    }
    let key = t.key_name(Prop::StartingPosition);
    vec![
        RULE.at(
            *span,
            format!(
                "`{key}` is TRIM_HORIZON on {}, which keeps {hours} hours of records: a new or \
                 replaced trigger processes all of them again",
                stream.resource.logical_id
            ),
        )
        .label("starts at the oldest record")
        .related(retention_span, format!("retention of {hours} hours"))
        .help(format!(
            "use `{key}: LATEST` unless reprocessing the retained records is intended, and make \
             the consumer idempotent either way"
        )),
    ]
}
