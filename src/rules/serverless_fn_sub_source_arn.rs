//! TL401: the Serverless Framework crashes packaging an `sqs` or `stream` ARN given as `Fn::Sub`.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{Format, Trigger};

pub static RULE: Rule = Rule {
    code: "TL401",
    slug: "serverless-fn-sub-source-arn",
    summary: "an Fn::Sub source ARN crashes Serverless packaging",
    severity: Severity::Error,
    docs: include_str!("../../rules/serverless-fn-sub-source-arn.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let event = t.event_type.as_deref().unwrap_or_default();
    let Some(source) = &t.event_source else {
        return Vec::new();
    };
    let is_sub = source.as_intrinsic().is_some_and(|i| i.name == "Fn::Sub");
    if t.format != Format::Serverless || !matches!(event, "sqs" | "stream") || !is_sub {
        return Vec::new();
    }
    vec![
        RULE.at(
            source.span,
            format!(
                "the `{event}` ARN is an `Fn::Sub`: the Serverless Framework derives the {} name \
                 by splitting the ARN as a string, and packaging stops with \
                 `EventSourceArn.split is not a function`",
                if event == "sqs" { "queue" } else { "stream" }
            ),
        )
        .label("Fn::Sub here")
        .help(
            "write the ARN with `Fn::Join` (or `!GetAtt <Resource>.Arn` for a resource of this \
             service), which the framework understands",
        ),
    ]
}
