//! TL404: the Serverless Framework grants SQS permissions for an S3 on-failure destination.

use super::{Finding, Rule, Scope, Severity};
use crate::kind::{arn_service, arn_text};
use crate::model::{Format, Trigger};
use crate::template::{Template, referenced_resource};
use crate::tree::Node;

pub static RULE: Rule = Rule {
    code: "TL404",
    slug: "serverless-s3-destination-gets-sqs-iam",
    summary: "an S3 on-failure destination gets SQS permissions from Serverless",
    severity: Severity::Warning,
    docs: include_str!("../../rules/serverless-s3-destination-gets-sqs-iam.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let on_failure = t
        .declaration
        .as_ref()
        .and_then(|d| d.get_path(&["destinations", "onFailure"]));
    let Some(on_failure) = on_failure else {
        return Vec::new();
    };
    let destination = on_failure.get("arn").unwrap_or(on_failure);
    let applies = t.format == Format::Serverless && t.event_type.as_deref() == Some("stream");
    if !applies || !is_bucket(destination, scope.template) {
        return Vec::new();
    }
    vec![
        RULE.at(
            destination.span,
            "the on-failure destination is an S3 bucket, but the Serverless Framework grants the \
             function SQS permissions for any destination that is not SNS: records of failed \
             batches cannot be written and are lost",
        )
        .label("S3 destination")
        .help(
            "grant `s3:PutObject` and `s3:ListBucket` on the bucket yourself \
             (`provider.iam.role.statements`), or send failures to an SQS queue or SNS topic",
        ),
    ]
}

fn is_bucket(node: &Node, template: &Template<'_>) -> bool {
    if let Some((id, _)) = referenced_resource(node) {
        return template
            .resource(id)
            .is_some_and(|r| r.type_ == "AWS::S3::Bucket");
    }
    arn_text(node, template).is_some_and(|arn| arn_service(&arn).as_deref() == Some("s3"))
}
