//! TL004: CloudFormation and SAM require a starting position for stream and Kafka triggers.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{Format, Setting, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL004",
    slug: "missing-starting-position",
    summary: "a Kinesis, DynamoDB or MSK trigger without StartingPosition fails to deploy",
    severity: Severity::Error,
    docs: include_str!("../../rules/missing-starting-position.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    // The Serverless Framework writes TRIM_HORIZON itself (TL105 reports that). Self-managed
    // Kafka mappings deploy without one.
    let required = t.format != Format::Serverless
        && matches!(
            t.source,
            SourceKind::Kinesis
                | SourceKind::DynamoDb
                | SourceKind::KinesisOrDynamoDb
                | SourceKind::Msk
        );
    if !required || !matches!(t.settings.starting_position, Setting::Unset) {
        return Vec::new();
    }
    let key = t.key_name(crate::model::Prop::StartingPosition);
    vec![
        RULE.at(
            t.anchor,
            format!(
                "no `{key}` on this {} trigger: it is required, and {}",
                t.source.label(),
                t.format.rejecter()
            ),
        )
        .label(format!("{key} missing"))
        .help(format!(
            "add `{}` to read new records only, or `TRIM_HORIZON` to read everything still \
             retained",
            t.format.set_text(key, "LATEST")
        )),
    ]
}
