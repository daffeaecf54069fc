//! TL006: an on-failure destination the mapping cannot deliver to.

use super::{Finding, Rule, Scope, Severity};
use crate::kind::{arn_service, arn_text, is_fifo, queue_is_fifo};
use crate::model::{Format, SourceKind, Trigger};
use crate::template::{Template, describe, referenced_resource};
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    code: "TL006",
    slug: "invalid-on-failure-destination",
    summary: "the on-failure destination is not a standard queue, topic or bucket ARN",
    severity: Severity::Error,
    docs: include_str!("../../rules/invalid-on-failure-destination.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let destination = t
        .property("DestinationConfig")
        .and_then(|p| p.value.get_path(&["OnFailure", "Destination"]));
    let Some(destination) = destination else {
        return Vec::new();
    };
    let Some((problem, fix)) = problem(destination, t, scope.template) else {
        return Vec::new();
    };
    vec![
        RULE.at(
            destination.span,
            format!(
                "the on-failure destination `{}` {problem}: the deploy fails",
                describe(destination)
            ),
        )
        .label("invalid destination")
        .help(fix),
    ]
}

/// Where failures can go, with the expression for a queue's ARN in the author's format.
fn kinds_help(format: Format) -> String {
    format!(
        "send failures to a standard SQS queue (`{}`), a standard SNS topic, or an S3 bucket",
        format.reference("<queue>", "Arn")
    )
}

/// What is wrong with a destination, and how to fix it; `None` when it is valid or unknown.
fn problem(node: &Node, t: &Trigger, template: &Template<'_>) -> Option<(String, String)> {
    let (kind, format) = (t.source, t.format);
    if let Some((id, attribute)) = referenced_resource(node) {
        return resource_problem(id, attribute, template, format);
    }
    let text = match &node.value {
        Value::Str(s) => s.clone(),
        _ => arn_text(node, template)?.into(),
    };
    if let Some(topic) = text.strip_prefix("kafka://") {
        return (!kind.is_kafka() && kind != SourceKind::Unknown).then(|| {
            (
                format!("is the Kafka topic `{topic}`, which only Kafka triggers can use"),
                kinds_help(format),
            )
        });
    }
    // Text that is no ARN at all is TL001's: the schema's pattern rejects it.
    let service = arn_service(&text)?;
    let service = service.as_str();
    match service {
        "sqs" | "sns" if text.ends_with(".fifo") => Some((
            format!(
                "is a FIFO {}, which cannot receive failure records",
                service.to_uppercase()
            ),
            "use a standard (non-FIFO) queue or topic".to_string(),
        )),
        "sqs" | "sns" | "s3" | "*" => None,
        other => Some((
            format!(
                "is an ARN of the `{other}` service; only SQS queues, SNS topics and S3 buckets can be destinations"
            ),
            kinds_help(format),
        )),
    }
}

fn resource_problem(
    id: &str,
    attribute: Option<&str>,
    template: &Template<'_>,
    format: Format,
) -> Option<(String, String)> {
    let resource = template.resource(id)?;
    let fix = format!("use `{}`", format.reference(id, "Arn"));
    match (resource.type_, attribute) {
        ("AWS::SQS::Queue", None | Some("QueueUrl")) => {
            Some((format!("gives the URL of queue {id}, not its ARN"), fix))
        }
        ("AWS::SQS::Queue", _) if queue_is_fifo(resource.properties, template) => Some((
            format!("is the FIFO queue {id}, which cannot receive failure records"),
            "use a standard (non-FIFO) queue".to_string(),
        )),
        ("AWS::SNS::Topic", _)
            if is_fifo(resource.properties, template, "FifoTopic", "TopicName") =>
        {
            Some((
                format!("is the FIFO topic {id}, which cannot receive failure records"),
                "use a standard (non-FIFO) topic".to_string(),
            ))
        }
        ("AWS::S3::Bucket", None) => {
            Some((format!("gives the name of bucket {id}, not its ARN"), fix))
        }
        ("AWS::SQS::Queue" | "AWS::SNS::Topic" | "AWS::S3::Bucket", _) => None,
        // Nested stacks and custom resources may output any ARN.
        (other, _) if passes_anything_through(other) => None,
        (other, _) => Some((
            format!(
                "is {id}, an {other}; only SQS queues, SNS topics and S3 buckets can be destinations"
            ),
            kinds_help(format),
        )),
    }
}

fn passes_anything_through(type_: &str) -> bool {
    matches!(
        type_,
        "AWS::CloudFormation::Stack"
            | "AWS::CloudFormation::CustomResource"
            | "AWS::Serverless::Application"
    ) || type_.starts_with("Custom::")
        || type_.ends_with("::MODULE")
}
