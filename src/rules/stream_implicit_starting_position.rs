//! TL105: the deploy tool picks TRIM_HORIZON, so a new or replaced trigger replays history.

use super::{Finding, Rule, Scope, Severity, describe_setting};
use crate::links;
use crate::model::{Applicability, FixValue, Prop, Setting, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL105",
    slug: "stream-implicit-starting-position",
    summary: "the deploy tool starts at TRIM_HORIZON and replays the whole retention",
    severity: Severity::Warning,
    docs: include_str!("../../rules/stream-implicit-starting-position.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let setting = &t.settings.starting_position;
    let Setting::ToolDefault { value, .. } = setting else {
        return Vec::new();
    };
    if value != "TRIM_HORIZON" {
        return Vec::new();
    }
    let replay = match t.source {
        SourceKind::Kinesis => match links::kinesis_stream(t, scope)
            .and_then(|stream| stream.retention_hours.value().copied())
        {
            Some(hours) => format!("the {hours} hours of records the stream retains"),
            None => "up to 365 days of records, the stream's whole retention".to_string(),
        },
        SourceKind::DynamoDb => "the last 24 hours of changes".to_string(),
        _ => "every record the topic still retains".to_string(),
    };
    let key = t.key_name(Prop::StartingPosition);
    vec![
        RULE.at(
            t.anchor,
            format!(
                "{}: a new or replaced trigger replays {replay}",
                describe_setting(t, Prop::StartingPosition, setting)
            ),
        )
        .label("implicit TRIM_HORIZON")
        .help(format!(
            "write `{key}: LATEST` to start with new records, or write `{key}: TRIM_HORIZON` \
             if replaying the retained records is intended"
        ))
        .fix_opt(super::set_setting_fix(
            t,
            Applicability::Unsafe,
            Prop::StartingPosition,
            FixValue::Str("LATEST".to_string()),
        )),
    ]
}
