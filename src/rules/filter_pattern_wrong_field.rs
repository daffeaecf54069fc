//! TL011: a filter pattern on fields the source's records do not have never matches.

use super::{Finding, Rule, Scope, Severity};
use crate::filter;
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL011",
    slug: "filter-pattern-wrong-field",
    summary: "a filter on a field this source's records do not have never matches",
    severity: Severity::Warning,
    docs: include_str!("../../rules/filter-pattern-wrong-field.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some((fields, data_field)) = filter::record_fields(t.source) else {
        return Vec::new();
    };
    let patterns = filter::patterns(t, scope.template);
    let alone = patterns.len() == 1;
    patterns
        .into_iter()
        .filter_map(|pattern| {
            let object = filter::parse(pattern.text.as_deref()?).ok()?;
            let (field, _) = object.iter().find(|(key, rule)| {
                key.as_str() != "$or" && !fields.contains(&key.as_str()) && !matches_absence(rule)
            })?;
            let consequence = match (t.source.is_sqs(), alone) {
                (true, true) => "so every message is deleted from the queue unprocessed",
                (true, false) => "so messages no other filter matches are deleted unprocessed",
                (false, true) => "so the function is never invoked",
                (false, false) => "so only the other filters ever let records through",
            };
            Some(
                RULE.at(
                    pattern.span,
                    format!(
                        "the filter matches on `{field}`, which {} records do not have: it never \
                         matches, {consequence}",
                        t.source.family_label()
                    ),
                )
                .label(format!("no `{field}` field"))
                .help(format!(
                    "the record's own data is under `{data_field}` (`{{\"{data_field}\": \
                     {{\"{field}\": ...}}}}` if `{field}` is a field of it); the record's other \
                     fields are {}",
                    other_fields(fields, data_field)
                )),
            )
        })
        .collect()
}

/// `[{"exists": false}]` on a field the record lacks matches every record.
fn matches_absence(rule: &serde_json::Value) -> bool {
    rule.as_array().is_some_and(|values| {
        values
            .iter()
            .any(|v| v.get("exists") == Some(&serde_json::Value::Bool(false)))
    })
}

fn other_fields(fields: &[&str], data_field: &str) -> String {
    fields
        .iter()
        .filter(|f| **f != data_field)
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
