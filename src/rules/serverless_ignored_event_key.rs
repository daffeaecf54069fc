//! TL009: a Serverless event key the framework does not read; the setting is not deployed.

use super::property_not_supported_for_source::accepted_by;
use super::{Finding, Rule, Scope, Severity};
use crate::model::{Applicability, Change, FixPlan, IgnoredKey, MeantSetting, Trigger};

pub static RULE: Rule = Rule {
    code: "TL009",
    slug: "serverless-ignored-event-key",
    summary: "an event key the Serverless Framework does not read is not deployed",
    severity: Severity::Warning,
    docs: include_str!("../../rules/serverless-ignored-event-key.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let event = t.event_type.as_deref().unwrap_or("trigger");
    t.ignored_keys
        .iter()
        .map(|ignored| {
            RULE.at(
                ignored.span,
                format!(
                    "`{}` is not a key of the `{event}` event: the Serverless Framework deploys \
                     the trigger without it",
                    ignored.key
                ),
            )
            .label("not read")
            .help(help(t, event, ignored))
            .fix_opt(rename_fix(t, ignored))
        })
        .collect()
}

fn help(t: &Trigger, event: &str, ignored: &IgnoredKey) -> String {
    match ignored.meant {
        MeantSetting::OtherKey(key) => format!("the `{event}` event reads it as `{key}`"),
        MeantSetting::NotForSource(why) => format!("{why}: remove the key"),
        MeantSetting::NotOnEvent(property) if !accepts(t, property) => format!(
            "{} triggers have no `{property}`: remove the key",
            t.source.family_label()
        ),
        MeantSetting::NotOnEvent(property) => format!(
            "the `{event}` event cannot set `{property}`; to set it, declare the trigger as an \
             `AWS::Lambda::EventSourceMapping` under `resources:` instead of this event"
        ),
        MeantSetting::Unknown => {
            "remove it, or check the event's keys in the framework's documentation".to_string()
        }
    }
}

/// Whether the trigger's source kind has the property at all (true when the kind is unknown).
/// Renames the key to the one the event reads, when there is one and it is not written too.
fn rename_fix(t: &Trigger, ignored: &IgnoredKey) -> Option<FixPlan> {
    let MeantSetting::OtherKey(to) = ignored.meant else {
        return None;
    };
    // A nested key (`destinations.onFailure`) is more than a rename.
    let declared = t.declaration.as_ref().and_then(|d| d.get(to));
    if declared.is_some() || to.contains('.') {
        return None;
    }
    Some(
        FixPlan::new(
            Applicability::Safe,
            format!("Rename `{}` to `{to}`", ignored.key),
        )
        .change(Change::RenameKey {
            key_span: ignored.span,
            to: to.to_string(),
        }),
    )
}

fn accepts(t: &Trigger, property: &str) -> bool {
    t.source == crate::model::SourceKind::Unknown
        || accepted_by(property).is_none_or(|(accepts, _)| accepts(t.source))
}
