//! IAM policy documents, lowered into the template view with CloudFormation's shape
//! (`PolicyDocument.Statement[].Effect / Action / Resource`), so that the grants a module
//! writes can tell what an event source is when its ARN is an input or another module's
//! output: a statement that allows `sqs:ReceiveMessage` on `module.jobs.queue_arn` names a
//! queue. Read from `data "aws_iam_policy_document"` blocks and from the `policy` of
//! `aws_iam_policy`, `aws_iam_role_policy` and a role's `inline_policy` blocks.

use super::expr::Lowerer;
use super::nodes::{entry, map_node};
use super::resources::{Lowered, declaration_span};
use crate::hcl::{Block, Body};
use crate::tree::{Entry, Node, Value};

/// The CloudFormation type policies are lowered as; a role's inline policies are lowered as
/// one policy each, so that readers only know this one shape.
const POLICY: &str = "AWS::IAM::Policy";

/// Whether blocks of this kind (`resource` or `data`, and its type) hold a policy document.
pub fn is_policy(kind: &str, type_: &str) -> bool {
    matches!(
        (kind, type_),
        ("data", "aws_iam_policy_document")
            | (
                "resource",
                "aws_iam_policy" | "aws_iam_role_policy" | "aws_iam_role"
            )
    )
}

/// The policies a block holds, under `address` (a role's inline policies get `/inline_policy/N`).
pub fn lower(lowerer: &Lowerer<'_, '_>, block: &Block, address: &str) -> Vec<Lowered> {
    let anchor = declaration_span(block);
    let policy = |address: String, document: Node| Lowered {
        address,
        anchor,
        type_: POLICY,
        properties: vec![entry("PolicyDocument", document.span, document)],
    };
    match (block.kind.as_str(), block.label(0)) {
        ("data", _) => vec![policy(
            address.to_string(),
            document_of_blocks(lowerer, block),
        )],
        (_, Some("aws_iam_role")) => block
            .body
            .blocks()
            .filter(|b| b.kind == "inline_policy")
            .filter_map(|b| written_document(lowerer, &b.body))
            .enumerate()
            .map(|(i, document)| policy(format!("{address}/inline_policy/{i}"), document))
            .collect(),
        _ => written_document(lowerer, &block.body)
            .map(|document| policy(address.to_string(), document))
            .into_iter()
            .collect(),
    }
}

/// A `policy = jsonencode({ Statement = [...] })` argument as the document it encodes. A
/// heredoc or a reference to a `data "aws_iam_policy_document"` gives nothing here: the data
/// block is lowered on its own, and JSON text is not read.
fn written_document(lowerer: &Lowerer<'_, '_>, body: &Body) -> Option<Node> {
    let policy = body.attribute("policy")?;
    let node = lowerer.node(&policy.value);
    match node.value {
        Value::Intrinsic(intrinsic) if intrinsic.name == "Fn::ToJsonString" => Some(intrinsic.arg),
        _ => None,
    }
}

/// The `statement` blocks of a `data "aws_iam_policy_document"` as a document's statements.
/// `dynamic "statement"` blocks are left out: their content depends on a collection.
fn document_of_blocks(lowerer: &Lowerer<'_, '_>, block: &Block) -> Node {
    let statements = block
        .body
        .blocks()
        .filter(|b| b.kind == "statement")
        .map(|statement| {
            let body = &statement.body;
            let mut fields: Vec<Entry> = Vec::new();
            for (argument, key) in [
                ("effect", "Effect"),
                ("actions", "Action"),
                ("resources", "Resource"),
            ] {
                if let Some(attribute) = body.attribute(argument) {
                    fields.push(entry(
                        key,
                        attribute.name_span,
                        lowerer.node(&attribute.value),
                    ));
                }
            }
            map_node(statement.span, fields)
        })
        .collect();
    map_node(
        block.span,
        vec![entry(
            "Statement",
            block.kind_span,
            Node::new(block.span, Value::Seq(statements)),
        )],
    )
}
