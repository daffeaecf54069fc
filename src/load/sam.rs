//! AWS SAM: `AWS::Serverless::Function` events that create event source mappings, translated
//! into CloudFormation's shape the way the SAM translator does it, plus plain mapping resources.

use super::settings::DefaultValue;
use super::{Draft, cloudformation};
use crate::model::{Format, MetadataIgnore, Prop, Property, SourceKind, Tool, Trigger};
use crate::template::{Resource, Template};
use crate::tree::{Entry, Map, Node, Value};

/// Whether the template declares the SAM transform (a string or a list of transforms).
pub fn has_serverless_transform(root: &Node) -> bool {
    let is_sam = |n: &Node| n.as_str() == Some("AWS::Serverless-2016-10-31");
    match root.get("Transform") {
        Some(t) => is_sam(t) || t.as_seq().is_some_and(|items| items.iter().any(is_sam)),
        None => false,
    }
}

pub fn load(template: &Template<'_>) -> Vec<Trigger> {
    let mut triggers = Vec::new();
    for function in template
        .resources
        .iter()
        .filter(|r| r.type_ == "AWS::Serverless::Function")
    {
        let events = function.property("Events").and_then(Node::as_map);
        for event in events.into_iter().flat_map(Map::iter) {
            if let Some(draft) = event_draft(template, function, event) {
                triggers.push(draft.finish(template));
            }
        }
    }
    triggers.extend(cloudformation::load(template, "Resources"));
    triggers
}

/// The kind each pull event type creates.
fn kind_of_event_type(type_: &str) -> Option<SourceKind> {
    Some(match type_ {
        "Kinesis" => SourceKind::Kinesis,
        "DynamoDB" => SourceKind::DynamoDb,
        "SQS" => SourceKind::Sqs { fifo: false },
        "MSK" => SourceKind::Msk,
        "SelfManagedKafka" => SourceKind::SelfManagedKafka,
        "MQ" => SourceKind::Mq,
        "DocumentDB" => SourceKind::DocumentDb,
        _ => return None,
    })
}

fn event_draft(template: &Template<'_>, function: &Resource<'_>, event: &Entry) -> Option<Draft> {
    let type_ = event.value.get("Type").and_then(Node::as_str)?;
    let properties = event.value.get("Properties");
    let mut draft = Draft::new(
        Format::Sam,
        event.key_span,
        format!(
            "Resources/{}/Properties/Events/{}",
            function.logical_id, event.key
        ),
    );
    draft.event_type = Some(type_.to_string());
    draft.function = Some(cloudformation::function_resource_info(template, function));
    draft.metadata_ignores = MetadataIgnore::of_resource(function.node);
    if type_ == "SNS" {
        return sns_subscription_draft(draft, properties?);
    }
    let kind = kind_of_event_type(type_)?;
    draft.declared = Some((kind, format!("SAM event Type {type_}")));
    draft.properties = properties
        .and_then(Node::as_map)
        .map(|m| translate(m, kind))
        .unwrap_or_default();
    draft.event_source = draft
        .properties
        .iter()
        .find(|p| p.name == "EventSourceArn")
        .map(|p| p.value.clone());
    Some(draft)
}

/// Renames and nests SAM event properties as the translator does (`pull.py`).
fn translate(props: &Map, kind: SourceKind) -> Vec<Property> {
    props
        .iter()
        .filter_map(|e| {
            let (name, value) = match (e.key.as_str(), kind) {
                ("Stream" | "Queue" | "Broker" | "Cluster", _) => {
                    ("EventSourceArn", e.value.clone())
                }
                ("KafkaBootstrapServers", _) => (
                    "SelfManagedEventSource",
                    nest(&["Endpoints", "KafkaBootstrapServers"], e),
                ),
                ("ConsumerGroupId" | "SchemaRegistryConfig", SourceKind::Msk) => {
                    ("AmazonManagedKafkaEventSourceConfig", nest(&[&e.key], e))
                }
                ("ConsumerGroupId" | "SchemaRegistryConfig", _) => {
                    ("SelfManagedKafkaEventSourceConfig", nest(&[&e.key], e))
                }
                ("DatabaseName" | "CollectionName" | "FullDocument", _) => {
                    ("DocumentDBEventSourceConfig", nest(&[&e.key], e))
                }
                // SAM-only: they drive IAM policies, not the mapping.
                ("SecretsManagerKmsKeyId" | "DynamicPolicyName", _) => return None,
                (other, _) => (other, e.value.clone()),
            };
            Some(Property {
                name: name.to_string(),
                key: e.key.clone(),
                key_span: e.key_span,
                value,
            })
        })
        .fold(Vec::new(), merge_nested)
}

/// Wraps a value in mappings along `path`, keeping the written spans.
fn nest(path: &[&str], entry: &Entry) -> Node {
    path.iter().rev().fold(entry.value.clone(), |inner, key| {
        Node::new(
            entry.value.span,
            Value::Map(Map {
                entries: vec![Entry {
                    key: (*key).to_string(),
                    key_span: entry.key_span,
                    value: inner,
                }],
            }),
        )
    })
}

/// Properties that nest under the same CloudFormation property (DocumentDB's three) merge.
fn merge_nested(mut acc: Vec<Property>, prop: Property) -> Vec<Property> {
    if let Some(existing) = acc.iter_mut().find(|p| p.name == prop.name)
        && let (Value::Map(into), Value::Map(from)) = (&mut existing.value.value, &prop.value.value)
    {
        into.entries.extend(from.entries.iter().cloned());
        return acc;
    }
    acc.push(prop);
    acc
}

/// An SNS event with `SqsSubscription` makes SAM create (or use) a queue subscribed to the
/// topic, and a mapping from that queue with `BatchSize` 10 and `Enabled` true unless written.
fn sns_subscription_draft(mut draft: Draft, properties: &Node) -> Option<Draft> {
    let subscription = properties.get("SqsSubscription")?;
    let enabled = match &subscription.value {
        Value::Bool(b) => *b,
        Value::Map(_) => true,
        _ => false,
    };
    if !enabled {
        return None;
    }
    draft.declared = Some((
        SourceKind::Sqs { fifo: false },
        "SAM SNS event with SqsSubscription".to_string(),
    ));
    draft.tool = Some(Tool::Sam);
    draft.tool_defaults = vec![
        (Prop::BatchSize, DefaultValue::Int(10)),
        (Prop::Enabled, DefaultValue::Bool(true)),
    ];
    if let Some(map) = subscription.as_map() {
        for entry in map.iter() {
            let name = match entry.key.as_str() {
                "BatchSize" | "Enabled" => entry.key.as_str(),
                "QueueArn" => "EventSourceArn",
                _ => continue,
            };
            draft.properties.push(Property {
                name: name.to_string(),
                key: entry.key.clone(),
                key_span: entry.key_span,
                value: entry.value.clone(),
            });
        }
        draft.event_source = map.get("QueueArn").cloned();
    }
    Some(draft)
}
