//! Compiling one event key's value into CloudFormation's shape, as the framework's compile
//! step writes it.

use crate::load::Draft;
use crate::model::{LoaderNote, Property, SourceKind};
use crate::source::Span;
use crate::template::Template;
use crate::tree::{Entry, Map, Node, Value};

use super::keys::{Emit, KAFKA_ACCESS, KeyRule, Shape};

/// Whether JavaScript would treat a value as false. Unresolved values count as present.
fn is_falsy(template: &Template<'_>, node: &Node) -> bool {
    let Ok(resolved) = template.resolve(node) else {
        return false;
    };
    match &resolved.value {
        Value::Null | Value::Bool(false) => true,
        Value::Int(0) => true,
        Value::Float(f) => *f == 0.0 || f.is_nan(),
        Value::Str(s) => s.is_empty(),
        _ => false,
    }
}

pub(super) fn compile_key(
    template: &Template<'_>,
    draft: &mut Draft,
    rule: &KeyRule,
    entry: &Entry,
) {
    let absent = matches!(entry.value.value, Value::Null);
    let dropped = match rule.emit {
        Emit::Written => absent,
        Emit::Truthy | Emit::OrDefault => is_falsy(template, &entry.value),
    };
    if dropped {
        if !absent {
            let replaced_by = match rule.emit {
                Emit::OrDefault => "writes its own default instead",
                _ => "leaves it out, so the AWS default applies",
            };
            draft.notes.push(LoaderNote {
                span: entry.value.span,
                message: format!(
                    "the Serverless Framework ignores this falsy `{}` and {replaced_by}",
                    rule.key
                ),
            });
        }
        return;
    }
    let value = match rule.shape {
        Shape::Plain => entry.value.clone(),
        Shape::List => list_of(entry),
        Shape::Nested(path) => nested(path, entry),
        Shape::Filters => filters(entry),
        Shape::OnFailure => on_failure(entry),
        Shape::Access(type_) => {
            let item = access_item(type_, "", &entry.value, entry.key_span);
            push_access(&mut draft.properties, rule.key, vec![item]);
            return;
        }
    };
    // Messages name a nested key by its whole path.
    let has_on_failure = entry.value.get("onFailure").is_some();
    let key = match rule.shape {
        Shape::OnFailure if has_on_failure => "destinations.onFailure",
        _ => rule.key,
    };
    draft
        .properties
        .push(property(rule.cfn, key, entry.key_span, value));
}

/// The framework copies `startingPositionTimestamp` only for Kinesis streams read through a
/// `consumer`; anywhere else the written timestamp never reaches CloudFormation.
pub(super) fn stream_timestamp(template: &Template<'_>, draft: &mut Draft, settings: &Map) {
    let Some(entry) = settings.entry("startingPositionTimestamp") else {
        return;
    };
    let consumer = settings
        .get("consumer")
        .is_some_and(|c| !is_falsy(template, c));
    let kinesis = matches!(draft.declared, Some((SourceKind::Kinesis, _)))
        || draft
            .event_source
            .as_ref()
            .and_then(|n| crate::kind::kind_of_source(n, template))
            .is_some_and(|(k, _)| k == SourceKind::Kinesis);
    if consumer && kinesis && !is_falsy(template, &entry.value) {
        draft.properties.push(property(
            "StartingPositionTimestamp",
            "startingPositionTimestamp",
            entry.key_span,
            entry.value.clone(),
        ));
    } else {
        draft.notes.push(LoaderNote {
            span: entry.value.span,
            message: "the Serverless Framework passes `startingPositionTimestamp` on only for \
                      Kinesis streams read through a `consumer`; here it is dropped"
                .to_string(),
        });
    }
}

pub(super) fn property(cfn: &str, key: &str, key_span: Span, value: Node) -> Property {
    Property::new(cfn, key, key_span, value)
}

fn map_node(span: Span, entries: Vec<(&str, Span, Node)>) -> Node {
    Node::new(
        span,
        Value::Map(Map {
            entries: entries
                .into_iter()
                .map(|(key, key_span, value)| Entry {
                    key: key.to_string().into(),
                    key_span,
                    value,
                })
                .collect(),
        }),
    )
}

fn list_of(entry: &Entry) -> Node {
    Node::new(entry.value.span, Value::Seq(vec![entry.value.clone()]))
}

fn nested(path: &[&str], entry: &Entry) -> Node {
    path.iter().rev().fold(entry.value.clone(), |inner, key| {
        map_node(entry.value.span, vec![(key, entry.key_span, inner)])
    })
}

/// Each pattern becomes `{Pattern: "<the pattern as JSON>"}`; a value that is not a list
/// (a variable, say) is kept as written and stays unknown.
fn filters(entry: &Entry) -> Node {
    let Some(patterns) = entry.value.as_seq() else {
        return entry.value.clone();
    };
    let items = patterns
        .iter()
        .map(|p| {
            let json = Node::new(p.span, Value::Str(p.to_json().to_string().into()));
            map_node(p.span, vec![("Pattern", p.span, json)])
        })
        .collect();
    let filters = Node::new(entry.value.span, Value::Seq(items));
    map_node(entry.value.span, vec![("Filters", entry.key_span, filters)])
}

fn on_failure(entry: &Entry) -> Node {
    let on_failure = entry.value.as_map().and_then(|m| m.entry("onFailure"));
    let Some(on_failure) = on_failure else {
        return entry.value.clone();
    };
    let destination = match on_failure.value.get("arn") {
        Some(arn) if on_failure.value.as_map().is_some() => arn.clone(),
        _ => on_failure.value.clone(),
    };
    let inner = map_node(
        on_failure.value.span,
        vec![("Destination", on_failure.key_span, destination)],
    );
    map_node(
        entry.value.span,
        vec![("OnFailure", on_failure.key_span, inner)],
    )
}

fn access_item(type_: &str, prefix: &str, uri: &Node, key_span: Span) -> Node {
    let uri = match (&uri.value, prefix) {
        (Value::Str(s), p) if !p.is_empty() => {
            Node::new(uri.span, Value::Str(format!("{p}{s}").into()))
        }
        _ => uri.clone(),
    };
    map_node(
        uri.span,
        vec![
            (
                "Type",
                key_span,
                Node::new(key_span, Value::Str(type_.into())),
            ),
            ("URI", key_span, uri),
        ],
    )
}

/// Kafka `accessConfigurations`: each key holds one value or a list of them.
pub(super) fn kafka_access(access: &Node) -> Vec<Node> {
    let Some(map) = access.as_map() else {
        return Vec::new();
    };
    let mut items = Vec::new();
    for entry in map.iter() {
        let (type_, prefix) = KAFKA_ACCESS
            .iter()
            .find(|(k, _, _)| *k == entry.key)
            .map_or((entry.key.as_str(), ""), |(_, t, p)| (*t, *p));
        items.extend(
            crate::tree::one_or_many(&entry.value)
                .map(|v| access_item(type_, prefix, v, entry.key_span)),
        );
    }
    items
}

/// Access configurations from several keys share one `SourceAccessConfigurations` list.
pub(super) fn push_access(properties: &mut Vec<Property>, key: &str, items: Vec<Node>) {
    let Some(first) = items.first() else {
        return;
    };
    if let Some(existing) = properties
        .iter_mut()
        .find(|p| p.name == "SourceAccessConfigurations")
        && let Value::Seq(list) = &mut existing.value.value
    {
        list.extend(items);
        return;
    }
    let span = first.span;
    properties.push(property(
        "SourceAccessConfigurations",
        key,
        span,
        Node::new(span, Value::Seq(items)),
    ));
}
