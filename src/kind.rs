//! Working out what a trigger reads from, when the format does not say: the service segment
//! of an ARN, else the type of the resource the source refers to in the same template.

use crate::model::{KindBasis, SourceKind};
use crate::template::{Template, referenced_resource};
use crate::tree::{Node, Value};

mod grants;
pub use grants::kind_from_grants;

/// The kind named by an ARN's service segment. `${...}` placeholders may stand anywhere.
pub fn kind_from_arn(arn: &str) -> Option<SourceKind> {
    let kind = match arn_service(arn)?.as_str() {
        "kinesis" => SourceKind::Kinesis,
        "dynamodb" => SourceKind::DynamoDb,
        "sqs" => SourceKind::Sqs {
            fifo: mask_placeholders(arn).ends_with(".fifo"),
        },
        "kafka" => SourceKind::Msk,
        "mq" => SourceKind::Mq,
        "rds" | "docdb" => SourceKind::DocumentDb,
        _ => return None,
    };
    Some(kind)
}

/// Replaces each `${...}` with `*` so the colons inside `${AWS::Region}` do not split the ARN.
pub fn mask_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        out.push('*');
        rest = match rest[start..].find('}') {
            Some(end) => &rest[start + end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The kind a resource type provides as an event source.
pub fn kind_of_resource_type(type_: &str) -> Option<SourceKind> {
    Some(match type_ {
        "AWS::Kinesis::Stream" | "AWS::Kinesis::StreamConsumer" => SourceKind::Kinesis,
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => SourceKind::DynamoDb,
        "AWS::SQS::Queue" => SourceKind::Sqs { fifo: false },
        "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => SourceKind::Msk,
        "AWS::AmazonMQ::Broker" => SourceKind::Mq,
        "AWS::DocDB::DBCluster" => SourceKind::DocumentDb,
        _ => return None,
    })
}

/// The kind of an event-source expression, with how it was found.
pub fn kind_of_source(node: &Node, template: &Template<'_>) -> Option<(SourceKind, KindBasis)> {
    if let Some(arn) = arn_text(node, template)
        && let Some(kind) = kind_from_arn(&arn)
    {
        return Some((kind, KindBasis::Arn(arn)));
    }
    if let Some((id, _attr)) = referenced_resource(node)
        && let Some(resource) = template.resource(id)
        && let Some(kind) = kind_of_resource_type(resource.type_)
    {
        let kind = match kind {
            SourceKind::Sqs { .. } => SourceKind::Sqs {
                fifo: queue_is_fifo(resource.properties, template),
            },
            other => other,
        };
        let basis = KindBasis::Resource {
            logical_id: id.to_string(),
            type_: resource.type_.to_string(),
        };
        return Some((kind, basis));
    }
    if let Some(intrinsic) = node.as_intrinsic() {
        return match (intrinsic.name.as_str(), intrinsic.arg.as_seq()) {
            ("Ref", _) => kind_of_parameter(node, template),
            // Both branches of a condition agree: the kind does not depend on it.
            ("Fn::If", Some([_, a, b])) => {
                let (ka, basis) = kind_of_source(a, template)?;
                let (kb, _) = kind_of_source(b, template)?;
                (ka == kb).then_some((ka, basis))
            }
            _ => None,
        };
    }
    None
}

fn kind_of_parameter(node: &Node, template: &Template<'_>) -> Option<(SourceKind, KindBasis)> {
    let resolved = template.resolve(node).ok()?;
    let arn = resolved.as_str()?;
    kind_from_arn(arn).map(|k| (k, KindBasis::Arn(arn.to_string())))
}

/// Whether a queue's properties make it FIFO (`FifoQueue: true` or a `.fifo` name).
pub fn queue_is_fifo(properties: Option<&Node>, template: &Template<'_>) -> bool {
    is_fifo(properties, template, "FifoQueue", "QueueName")
}

/// Whether a queue's or topic's properties make it FIFO: the flag written true, or a name
/// ending in `.fifo`.
pub fn is_fifo(properties: Option<&Node>, template: &Template<'_>, flag: &str, name: &str) -> bool {
    let Some(props) = properties else {
        return false;
    };
    let fifo_flag = props
        .get(flag)
        .and_then(|n| template.resolve(n).ok())
        .is_some_and(|n| match &n.value {
            Value::Bool(b) | Value::Yaml11Bool(b, _) => *b,
            Value::Str(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        });
    let fifo_name = props
        .get(name)
        .and_then(|n| arn_text(n, template))
        .is_some_and(|name| name.ends_with(".fifo"));
    fifo_flag || fifo_name
}

/// The service segment of an ARN (`sqs` in `arn:aws:sqs:...`), with `${...}` placeholders
/// masked so their colons do not count; `None` for text that is not an ARN.
pub fn arn_service(arn: &str) -> Option<String> {
    let masked = mask_placeholders(arn);
    let mut parts = masked.split(':');
    (parts.next()? == "arn").then_some(())?;
    parts.nth(1).map(str::to_string)
}

/// The text of an ARN-like expression with unknown parts as `${...}` placeholders: a literal,
/// a parameter default, `Fn::Sub` with any variables, or `Fn::Join` of such parts.
pub fn arn_text(node: &Node, template: &Template<'_>) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.to_string()),
        // A value that stays unknown keeps the parts that did resolve; only an ARN's are worth
        // reading (`var.queue_arn` says nothing about what it holds).
        Value::Unknown(u) => u.text.starts_with("arn:").then(|| u.text.clone()),
        Value::Intrinsic(i) => match i.name.as_str() {
            "Fn::Sub" => match &i.arg.value {
                Value::Str(s) => Some(sub_text(s, template)),
                Value::Seq(items) => items
                    .first()
                    .and_then(Node::as_str)
                    .map(|s| sub_text(s, template)),
                _ => None,
            },
            "Fn::Join" => join_text(&i.arg, template),
            "Ref" => {
                let resolved = template.resolve(node).ok()?;
                resolved.as_str().map(str::to_string)
            }
            _ => None,
        },
        _ => None,
    }
}

/// An `Fn::Sub` template with each `${Parameter}` that has a literal default filled in; pseudo
/// parameters and resource attributes stay as written.
fn sub_text(text: &str, template: &Template<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + end];
        let default = template
            .parameter(name)
            .and_then(|p| p.get("Default"))
            .and_then(Node::as_str);
        match default {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[start..=start + end]),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// `Fn::Join` parts as one text: literals and resolvable references as their text, resource
/// references as `${Id}` / `${Id.Attribute}`, pseudo parameters as `${AWS::Region}`, anything
/// else as `${?}`.
fn join_text(arg: &Node, template: &Template<'_>) -> Option<String> {
    let [delimiter, parts] = arg.as_seq()? else {
        return None;
    };
    let delimiter = delimiter.as_str()?;
    let parts = parts.as_seq()?;
    let texts: Vec<String> = parts
        .iter()
        .map(|p| {
            arn_text(p, template)
                .or_else(|| reference_placeholder(p))
                .unwrap_or_else(|| "${?}".to_string())
        })
        .collect();
    Some(texts.join(delimiter))
}

fn reference_placeholder(node: &Node) -> Option<String> {
    let (id, attribute) = referenced_resource(node)?;
    Some(match attribute {
        Some(attribute) => format!("${{{id}.{attribute}}}"),
        None => format!("${{{id}}}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;
    use crate::parse::yaml;
    use crate::source::FileId;

    #[test]
    fn arn_services_map_to_kinds() {
        assert_eq!(
            kind_from_arn("arn:aws:kinesis:us-east-1:1:stream/s"),
            Some(SourceKind::Kinesis)
        );
        assert_eq!(
            kind_from_arn("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q.fifo"),
            Some(SourceKind::Sqs { fifo: true })
        );
        assert_eq!(
            kind_from_arn("arn:aws:dynamodb:r:1:table/T/stream/2020"),
            Some(SourceKind::DynamoDb)
        );
        assert_eq!(kind_from_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(kind_from_arn("not-an-arn"), None);
    }

    #[test]
    fn references_resolve_through_the_template() {
        let root = yaml::parse(
            "Resources:\n  T: {Type: AWS::DynamoDB::Table}\n  Q: {Type: AWS::SQS::Queue, Properties: {FifoQueue: true}}\nX:\n  a: !GetAtt T.StreamArn\n  b: !GetAtt Q.Arn\n  c: !Join [':', [arn, !Ref AWS::Partition, kinesis, r, a, stream/x]]\n  d: !ImportValue Other\n",
            FileId(0),
        )
        .unwrap()
        .unwrap();
        let resources = root.get("Resources").unwrap();
        let t = Template::new(Format::CloudFormation, FileId(0), &root, &[resources]);
        let x = root.get("X").unwrap();
        let kind = |k: &str| kind_of_source(x.get(k).unwrap(), &t).map(|(k, _)| k);
        assert_eq!(kind("a"), Some(SourceKind::DynamoDb));
        assert_eq!(kind("b"), Some(SourceKind::Sqs { fifo: true }));
        assert_eq!(kind("c"), Some(SourceKind::Kinesis));
        assert_eq!(kind("d"), None);
    }
}
