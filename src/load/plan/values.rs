//! A planned value in the template view's shape: converted by its schema field, with what the
//! plan leaves for after apply and the provider's zeros told apart from written values.

use crate::load::terraform::nodes::{entry, map_node};
use crate::load::terraform::schema::{Field, Kind, rfc3339_seconds};
use crate::model::SourceKind;
use crate::source::Span;
use crate::tree::{Entry, Node, Unknown, Value};

use super::Instance;

/// A planned value that is there (not null): its key's span and the value.
pub(super) fn planned<'a>(instance: &Instance<'a>, key: &str) -> Option<(Span, &'a Node)> {
    let entry = instance.values?.entry(key)?;
    (!matches!(entry.value.value, Value::Null)).then_some((entry.key_span, &entry.value))
}

/// Whether the plan leaves an argument out of the planned values (where a `null` would say it
/// is not set): Terraform knows it only after apply.
pub(super) fn after_apply_only(instance: &Instance<'_>, argument: &str) -> bool {
    instance.values.is_some_and(|v| !v.contains_key(argument))
}

/// A value the configuration writes that Terraform knows only after apply.
pub(super) fn after_apply(instance: &Instance<'_>, argument: &str) -> Node {
    Node::new(
        instance.anchor,
        Value::Unknown(Box::new(Unknown {
            text: argument.to_string(),
            why: "Terraform knows it only after apply".to_string(),
        })),
    )
}

/// The provider's value for an argument the source kind does not have: `0` or `false`, on a
/// mapping whose source is not a stream (or not known to be one).
pub(super) fn provider_zero(argument: &str, value: &Node, kind: Option<SourceKind>) -> bool {
    let applies = match argument {
        "maximum_retry_attempts" | "maximum_record_age_in_seconds" => {
            SourceKind::has_retry_controls
        }
        "bisect_batch_on_function_error" => SourceKind::has_retry_controls,
        "parallelization_factor" | "tumbling_window_in_seconds" => SourceKind::is_stream,
        _ => return false,
    };
    let zero = matches!(value.value, Value::Int(0) | Value::Bool(false));
    zero && !kind.is_some_and(applies)
}

/// A planned value in the shape CloudFormation gives the property: nested blocks (lists of
/// objects in the plan) as objects or lists of them, timestamps as seconds, endpoints as a
/// list of servers. `None` for an empty block. `expression` is the configuration's for the
/// value: a nested argument it writes that the plan leaves out is known only after apply.
pub(super) fn convert(field: &Field, value: &Node, expression: Option<&Node>) -> Option<Node> {
    let span = value.span;
    match &field.kind {
        Kind::Value => Some(value.clone()),
        Kind::Timestamp => Some(match value.as_str().and_then(rfc3339_seconds) {
            Some(seconds) => Node::new(span, Value::Int(seconds)),
            None => value.clone(),
        }),
        Kind::Endpoints => {
            let servers = value.get("KAFKA_BOOTSTRAP_SERVERS")?;
            let list = servers
                .as_str()?
                .split(',')
                .map(|s| Node::new(servers.span, Value::Str(s.trim().into())))
                .collect();
            Some(map_node(
                span,
                vec![entry(
                    "KafkaBootstrapServers",
                    servers.span,
                    Node::new(servers.span, Value::Seq(list)),
                )],
            ))
        }
        Kind::Block(fields) => value
            .as_seq()?
            .first()
            .and_then(|b| object(b, fields, nth_block(expression, 0))),
        Kind::Blocks(fields) => {
            let items: Vec<Node> = value
                .as_seq()?
                .iter()
                .enumerate()
                .filter_map(|(i, b)| object(b, fields, nth_block(expression, i)))
                .collect();
            (!items.is_empty()).then(|| Node::new(span, Value::Seq(items)))
        }
        Kind::Nested(_) | Kind::Wrapped(..) => Some(value.clone()),
    }
}

/// The configuration of the `index`th block written under an argument.
fn nth_block(expression: Option<&Node>, index: usize) -> Option<&Node> {
    expression?.as_seq()?.get(index)
}

/// One nested block's planned object, its arguments under CloudFormation's names.
fn object(block: &Node, fields: &'static [Field], expressions: Option<&Node>) -> Option<Node> {
    let map = block.as_map()?;
    let entries: Vec<Entry> = fields
        .iter()
        .filter_map(|field| {
            let expression = expressions.and_then(|e| e.get(field.tf));
            let Some(e) = map.entry(field.tf) else {
                // Written, but left out of the plan: Terraform knows it only after apply.
                return expression.map(|_| {
                    let why = "Terraform knows it only after apply".to_string();
                    let text = field.tf.to_string();
                    entry(
                        field.cfn,
                        block.span,
                        Node::new(block.span, Value::Unknown(Box::new(Unknown { text, why }))),
                    )
                });
            };
            if matches!(e.value.value, Value::Null) {
                return None;
            }
            convert(field, &e.value, expression).map(|v| entry(field.cfn, e.key_span, v))
        })
        .collect();
    (!entries.is_empty()).then(|| map_node(block.span, entries))
}

/// A table's stream, as CloudFormation's `StreamSpecification`, when the plan enables it.
pub(super) fn stream_specification(instance: &Instance<'_>) -> Option<Entry> {
    let (key, enabled) = planned(instance, "stream_enabled")?;
    if !matches!(enabled.value, Value::Bool(true)) {
        return None;
    }
    let view = planned(instance, "stream_view_type")
        .map_or_else(|| Node::new(enabled.span, Value::Null), |(_, v)| v.clone());
    Some(entry(
        "StreamSpecification",
        key,
        map_node(enabled.span, vec![entry("StreamViewType", key, view)]),
    ))
}

pub(super) fn on_demand(instance: &Instance<'_>) -> bool {
    planned(instance, "stream_mode_details")
        .and_then(|(_, v)| v.as_seq()?.first()?.get("stream_mode")?.as_str())
        == Some("ON_DEMAND")
}
