//! AWS SAM: `AWS::Serverless::Function` events that create event source mappings, translated
//! into CloudFormation's shape the way the SAM translator does it, plus plain mapping resources.

use super::settings::DefaultValue;
use super::{Draft, cloudformation};
use crate::model::{Format, LoaderNote, MetadataIgnore, Prop, Property, SourceKind, Tool, Trigger};
use crate::source::Span;
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
    draft.settings_at = properties.map(|p| p.span);
    if type_ == "SNS" {
        return sns_subscription_draft(draft, function, event, properties?);
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
            let mut property = Property::new(name, &e.key, e.key_span, value);
            // Keys SAM lifts out of a nested mapping property name themselves.
            property.flattened = name != e.key && name.ends_with("Config");
            Some(property)
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
                    key: (*key).to_string().into(),
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

/// The logical id of the queue SAM creates for an SNS event with `SqsSubscription: true`.
fn subscription_queue_id(function: &str, event: &str) -> String {
    format!("{function}{event}Queue")
}

/// Adds to `Resources` the queues SAM creates for SNS events with `SqsSubscription: true`, as
/// the translated template will have them (no properties but `FifoQueue` for a FIFO topic), so
/// the queue rules see them. Each is marked as created by SAM, with spans at the
/// `SqsSubscription` key that causes it.
pub fn add_subscription_queues(mut root: Node) -> Node {
    let queues = subscription_queues(&root);
    if queues.is_empty() {
        return root;
    }
    if let Some(Value::Map(resources)) = root_resources_mut(&mut root) {
        for (id, span, fifo) in queues {
            if !resources.contains_key(&id) {
                resources.entries.push(created_queue(id, span, fifo));
            }
        }
    }
    root
}

fn root_resources_mut(root: &mut Node) -> Option<&mut Value> {
    let Value::Map(map) = &mut root.value else {
        return None;
    };
    map.entries
        .iter_mut()
        .find(|e| e.key == "Resources")
        .map(|e| &mut e.value.value)
}

/// (queue id, span of `SqsSubscription`, whether the topic is FIFO) for every SNS event that
/// has SAM create its queue.
fn subscription_queues(root: &Node) -> Vec<(String, Span, bool)> {
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return Vec::new();
    };
    let mut queues = Vec::new();
    for function in resources.iter() {
        if function.value.get("Type").and_then(Node::as_str) != Some("AWS::Serverless::Function") {
            continue;
        }
        let events = function.value.get_path(&["Properties", "Events"]);
        for event in events
            .and_then(Node::as_map)
            .into_iter()
            .flat_map(Map::iter)
        {
            let properties = event.value.get("Properties");
            let subscription = properties.and_then(|p| p.as_map()?.entry("SqsSubscription"));
            let (Some("SNS"), Some(subscription)) =
                (event.value.get("Type").and_then(Node::as_str), subscription)
            else {
                continue;
            };
            if !matches!(subscription.value.value, Value::Bool(true)) {
                continue;
            }
            let topic = properties.and_then(|p| p.get("Topic"));
            queues.push((
                subscription_queue_id(&function.key, &event.key),
                subscription.key_span,
                topic.is_some_and(|t| topic_is_fifo(root, resources, t)),
            ));
        }
    }
    queues
}

/// Whether the topic an SNS event names is FIFO: `FifoTopic: true` (SAM reads it, resolving
/// parameters) or a name ending in `.fifo`, on the topic resource or in a literal ARN.
fn topic_is_fifo(root: &Node, resources: &Map, topic: &Node) -> bool {
    if let Some(arn) = topic.as_str() {
        return arn.ends_with(".fifo");
    }
    let Some((id, _)) = crate::template::referenced_resource(topic) else {
        return false;
    };
    let Some(properties) = resources.get(id).and_then(|r| r.get("Properties")) else {
        return false;
    };
    let parameter_default = |node: &Node| -> Option<Node> {
        let name = node
            .as_intrinsic()
            .filter(|i| i.name == "Ref")?
            .arg
            .as_str()?;
        root.get_path(&["Parameters", name, "Default"]).cloned()
    };
    let resolve = |node: &Node| parameter_default(node).unwrap_or_else(|| node.clone());
    let flag = properties
        .get("FifoTopic")
        .map(resolve)
        .is_some_and(|n| match &n.value {
            Value::Bool(b) | Value::Yaml11Bool(b, _) => *b,
            Value::Str(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        });
    let name = properties
        .get("TopicName")
        .map(resolve)
        .is_some_and(|n| n.as_str().is_some_and(|s| s.ends_with(".fifo")));
    flag || name
}

fn created_queue(id: String, span: Span, fifo: bool) -> Entry {
    let scalar = |value: Value| Node::new(span, value);
    let entry = |key: &str, value: Node| Entry {
        key: key.to_string().into(),
        key_span: span,
        value,
    };
    let mut properties = Vec::new();
    if fifo {
        properties.push(entry("FifoQueue", scalar(Value::Bool(true))));
    }
    let resource = Map {
        entries: vec![
            entry("Type", scalar(Value::Str("AWS::SQS::Queue".into()))),
            entry(
                "Properties",
                scalar(Value::Map(Map {
                    entries: properties,
                })),
            ),
            entry(
                crate::template::CREATED_BY,
                scalar(Value::Str(SUBSCRIPTION_QUEUE.into())),
            ),
        ],
    };
    Entry {
        key: id.into(),
        key_span: span,
        value: scalar(Value::Map(resource)),
    }
}

/// How resources that SAM creates for `SqsSubscription` are marked in the template view.
pub const SUBSCRIPTION_QUEUE: &str = "the SNS event's `SqsSubscription`";

/// An SNS event with `SqsSubscription` makes SAM create (or use) a queue subscribed to the
/// topic, and a mapping from that queue with `BatchSize` 10 unless written. SAM always creates
/// that mapping enabled: it does not pass `Enabled` on.
fn sns_subscription_draft(
    mut draft: Draft,
    function: &Resource<'_>,
    event: &Entry,
    properties: &Node,
) -> Option<Draft> {
    let subscription = properties.get("SqsSubscription")?;
    let creates_queue = match &subscription.value {
        Value::Bool(b) => *b,
        Value::Map(_) => false,
        _ => return None,
    };
    if !creates_queue && subscription.as_map().is_none() {
        return None;
    }
    // Settings of the created queue's mapping are written in the `SqsSubscription` map.
    draft.settings_at = subscription.as_map().map(|_| subscription.span);
    draft.declared = Some((
        SourceKind::Sqs { fifo: false },
        "SAM SNS event with SqsSubscription".to_string(),
    ));
    draft.tool = Some(Tool::Sam);
    draft.tool_defaults = vec![
        (Prop::BatchSize, DefaultValue::Int(10)),
        (Prop::Enabled, DefaultValue::Bool(true)),
    ];
    if creates_queue {
        let queue = subscription_queue_id(function.logical_id, &event.key);
        let arn = get_att(&queue, "Arn", subscription.span);
        draft.properties.push(Property::new(
            "EventSourceArn",
            "SqsSubscription",
            subscription.span,
            arn.clone(),
        ));
        draft.event_source = Some(arn);
        return Some(draft);
    }
    for entry in subscription.as_map().into_iter().flat_map(Map::iter) {
        let name = match entry.key.as_str() {
            "BatchSize" => "BatchSize",
            "QueueArn" => "EventSourceArn",
            "Enabled" => {
                draft.notes.push(LoaderNote {
                    span: entry.value.span,
                    message: "AWS SAM does not pass `Enabled` under `SqsSubscription` on: the \
                              mapping it creates is always enabled"
                        .to_string(),
                });
                continue;
            }
            _ => continue,
        };
        draft.properties.push(Property::new(
            name,
            &entry.key,
            entry.key_span,
            entry.value.clone(),
        ));
    }
    draft.event_source = subscription.get("QueueArn").cloned();
    Some(draft)
}

/// `!GetAtt Id.Attribute` as a node at `span`.
fn get_att(id: &str, attribute: &str, span: Span) -> Node {
    let text = |t: &str| Node::new(span, Value::Str(t.into()));
    Node::new(
        span,
        Value::Intrinsic(Box::new(crate::tree::Intrinsic::new(
            "Fn::GetAtt",
            Node::new(span, Value::Seq(vec![text(id), text(attribute)])),
        ))),
    )
}
