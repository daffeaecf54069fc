//! TL007: the event source is a URL, a name or an id, not the ARN the mapping needs.

use super::{Finding, Rule, Scope, Severity};
use crate::kind::{arn_service, arn_text};
use crate::model::{Format, Trigger};
use crate::template::{Template, describe, referenced_resource};
use crate::tree::Node;

pub static RULE: Rule = Rule {
    code: "TL007",
    slug: "source-is-not-an-arn",
    summary: "the event source is a URL, name or id instead of an ARN",
    severity: Severity::Error,
    docs: include_str!("../../rules/source-is-not-an-arn.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some(source) = &t.event_source else {
        return Vec::new();
    };
    let Some((what, fix)) = problem(source, scope.template, t.format) else {
        return Vec::new();
    };
    vec![
        RULE.at(
            source.span,
            format!("`{}` {what}: the deploy fails", describe(source)),
        )
        .label("not an ARN")
        .help(fix),
    ]
}

/// What the expression returns instead of an ARN, and the expression to use.
fn problem(source: &Node, template: &Template<'_>, format: Format) -> Option<(String, String)> {
    let Some((id, attribute)) = referenced_resource(source) else {
        let arn = arn_text(source, template)?;
        let table = arn_service(&arn).as_deref() == Some("dynamodb") && !arn.contains("/stream/");
        return table.then(|| {
            (
                "is the ARN of a DynamoDB table, not of its stream".to_string(),
                format!(
                    "use the table's stream ARN (`…:table/<name>/stream/<label>`), or `{}`",
                    format.reference("<table>", "StreamArn")
                ),
            )
        });
    };
    let resource = template.resource(id)?;
    let type_ = resource.type_;
    let (returns, attribute_to_use) = match (type_, attribute) {
        ("AWS::SQS::Queue", None | Some("QueueUrl")) => ("the queue's URL", "Arn"),
        ("AWS::Kinesis::Stream", None) => ("the stream's name", "Arn"),
        ("AWS::DynamoDB::Table", None) => ("the table's name", "StreamArn"),
        ("AWS::DynamoDB::Table", Some("Arn")) => {
            return Some((
                format!("is the ARN of table {id}, not of its stream"),
                format!("use `{}`", format.reference(id, "StreamArn")),
            ));
        }
        ("AWS::AmazonMQ::Broker", None) => ("the broker's id", "Arn"),
        _ => return None,
    };
    // A Terraform address names the type already.
    let what = match format {
        Format::Terraform | Format::TerraformPlan => format!("gives {returns}, not an ARN"),
        _ => format!("gives {returns} ({id} is an {type_}), not an ARN"),
    };
    Some((
        what,
        format!("use `{}`", format.reference(id, attribute_to_use)),
    ))
}
