//! References between plan instances: an expression's references split into names and
//! index, module paths, and the `Ref` or `Fn::GetAtt` the `.tf` loader would write.

use crate::source::Span;
use crate::tree::{Intrinsic, Node, Value};

use super::Instance;

/// A reference to a lowered resource's attribute, as the `.tf` loader writes them: ARNs as
/// `Fn::GetAtt`, names and ids as `Ref`.
pub(super) fn reference(span: Span, target: &Instance<'_>, attribute: &str, written: &str) -> Node {
    let id = Node::new(span, Value::Str(target.address.into()));
    let intrinsic = |name: &str, arg: Node| {
        let mut intrinsic = Intrinsic::new(name, arg);
        intrinsic.written = Some(written.into());
        Node::new(span, Value::Intrinsic(Box::new(intrinsic)))
    };
    let get_att = |name: &str| {
        let attribute = Node::new(span, Value::Str(name.into()));
        intrinsic(
            "Fn::GetAtt",
            Node::new(span, Value::Seq(vec![id.clone(), attribute])),
        )
    };
    match (target.type_, attribute) {
        ("aws_lambda_alias" | "aws_kinesis_stream_consumer" | "aws_sns_topic", "arn") => {
            intrinsic("Ref", id.clone())
        }
        ("aws_msk_cluster" | "aws_msk_serverless_cluster", "arn") => intrinsic("Ref", id.clone()),
        (_, "arn" | "qualified_arn") => get_att("Arn"),
        (_, "stream_arn") => get_att("StreamArn"),
        _ => intrinsic("Ref", id.clone()),
    }
}

/// The `references` of a configuration expression (`aws_sqs_queue.jobs.arn`, then
/// `aws_sqs_queue.jobs`), most precise first.
pub(super) fn references(expression: &Node) -> impl Iterator<Item = &str> {
    expression
        .get("references")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
}

/// `aws_sqs_queue.q["a"].arn` as its names (`aws_sqs_queue`, `q`, `arn`) and its first index
/// as JSON text (`"a"`).
pub(super) fn split_reference(reference: &str) -> (Vec<String>, Option<String>) {
    let mut names = Vec::new();
    let mut index = None;
    let mut current = String::new();
    let mut chars = reference.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => names.push(std::mem::take(&mut current)),
            '[' => {
                let mut inside = String::new();
                let mut quoted = false;
                for c in chars.by_ref() {
                    match c {
                        '"' => quoted = !quoted,
                        ']' if !quoted => break,
                        _ => {}
                    }
                    inside.push(c);
                }
                index.get_or_insert(inside);
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        names.push(current);
    }
    (names, index)
}

/// The call names of a module instance address: `module.a["x.y"].module.b` gives `a`, `b`.
pub(super) fn module_names(module: &str) -> Vec<String> {
    let (names, _) = split_reference(module);
    names
        .into_iter()
        .collect::<Vec<_>>()
        .chunks(2)
        .filter_map(|pair| match pair {
            [keyword, name] if keyword == "module" => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// The module instance that calls `module`, and the call's name.
pub(super) fn parent_module(module: &str) -> Option<(&str, String)> {
    let call = module_names(module).pop()?;
    let start = module.rfind(&format!("module.{call}"))?;
    let parent = module[..start].trim_end_matches('.');
    Some((parent, call))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_names_and_their_index() {
        assert_eq!(
            split_reference("aws_sqs_queue.q[\"a.b\"].arn"),
            (
                vec!["aws_sqs_queue".into(), "q".into(), "arn".into()],
                Some("\"a.b\"".into())
            )
        );
        assert_eq!(
            split_reference("var.queue_arn"),
            (vec!["var".into(), "queue_arn".into()], None)
        );
        assert_eq!(
            module_names("module.a[\"x.y\"].module.b[0]"),
            vec!["a".to_string(), "b".to_string()]
        );
        assert_eq!(
            parent_module("module.a[\"x\"].module.b"),
            Some(("module.a[\"x\"]", "b".to_string()))
        );
        assert_eq!(parent_module("module.a"), Some(("", "a".to_string())));
        assert_eq!(parent_module(""), None);
    }
}
