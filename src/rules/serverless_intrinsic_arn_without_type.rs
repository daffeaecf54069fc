//! TL403: a `stream` ARN computed by an intrinsic needs `type:` in the Serverless Framework.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{Applicability, Change, FixPlan, FixValue, Format, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL403",
    slug: "serverless-intrinsic-arn-without-type",
    summary: "a stream ARN given as an intrinsic function needs `type:`",
    severity: Severity::Error,
    docs: include_str!("../../rules/serverless-intrinsic-arn-without-type.md"),
    options: &[],
    check,
};

/// Adds the `type:` of the stream the ARN's resource is, when the template says.
fn type_fix(t: &Trigger) -> Option<FixPlan> {
    let type_ = match t.source {
        SourceKind::Kinesis => "kinesis",
        SourceKind::DynamoDb => "dynamodb",
        _ => return None,
    };
    Some(
        FixPlan::new(Applicability::Safe, format!("Add `type: {type_}`")).change(
            Change::AddEventKey {
                key: "type".to_string(),
                value: FixValue::Str(type_.to_string()),
            },
        ),
    )
}

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let Some(declaration) = &t.declaration else {
        return Vec::new();
    };
    let Some(arn) = declaration.get("arn") else {
        return Vec::new();
    };
    let applies = t.format == Format::Serverless && t.event_type.as_deref() == Some("stream");
    if !applies || arn.as_intrinsic().is_none() || declaration.get("type").is_some() {
        return Vec::new();
    }
    vec![
        RULE.at(
            arn.span,
            "the `stream` ARN is an intrinsic function and `type:` is missing: the Serverless \
             Framework cannot tell Kinesis from DynamoDB and rejects the event",
        )
        .label("needs `type:`")
        .help("add `type: kinesis` or `type: dynamodb` beside `arn`")
        .fix_opt(type_fix(t)),
    ]
}
