//! TL110: a DynamoDB trigger on a table that has no stream.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::{Format, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL110",
    slug: "dynamodb-stream-not-enabled",
    summary: "the DynamoDB table the trigger reads has no stream",
    severity: Severity::Error,
    docs: include_str!("../../rules/dynamodb-stream-not-enabled.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    if t.source != SourceKind::DynamoDb {
        return Vec::new();
    }
    let Some(table) = links::source_of_type(t, scope, "AWS::DynamoDB::Table") else {
        return Vec::new();
    };
    if table.property("StreamSpecification").is_some() {
        return Vec::new();
    }
    let id = table.logical_id;
    let (what, fix) = match t.format {
        Format::Terraform | Format::TerraformPlan => (
            "`stream_enabled = true`",
            "set `stream_enabled = true` and `stream_view_type = \"NEW_AND_OLD_IMAGES\"` (or the \
             view the consumer needs) on",
        ),
        _ => (
            "`StreamSpecification`",
            "add `StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}` (or the view the \
             consumer needs) to",
        ),
    };
    vec![
        RULE.at(
            t.event_source.as_ref().map_or(t.anchor, |n| n.span),
            format!("table {id} has no {what}, so it has no stream to read: the deploy fails"),
        )
        .label("table without a stream")
        .related(table.id_span, format!("no {what} here"))
        .help(format!("{fix} {id}")),
    ]
}
