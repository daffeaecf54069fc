//! How Terraform arguments and nested blocks become CloudFormation properties: a table per
//! resource, read the same way whether a nested block is written as a block (`.tf`), an object
//! (`.tf.json`, or the lambda module's map entries) or a `dynamic` block.

use super::expr::Lowerer;
use super::nodes::{entry, map_node};
use crate::hcl::{Attribute, Block, Body, Expr, ExprKind, Item};
use crate::source::Span;
use crate::tree::{Entry, Node, Value};

/// One argument or nested block, and the property it becomes.
pub struct Field {
    pub tf: &'static str,
    pub cfn: &'static str,
    pub kind: Kind,
    /// How messages name it when that is not `tf`: the whole path of a nested value
    /// (`destination_config.on_failure.destination_arn`).
    pub key: Option<&'static str>,
}

pub enum Kind {
    Value,
    /// An RFC 3339 time, which the API takes as seconds since the epoch.
    Timestamp,
    /// `endpoints = { KAFKA_BOOTSTRAP_SERVERS = "a:9092,b:9092" }`.
    Endpoints,
    /// A nested block written at most once.
    Block(&'static [Field]),
    /// A nested block written any number of times: a list.
    Blocks(&'static [Field]),
    /// A value that CloudFormation nests under further keys.
    Nested(&'static [&'static str]),
    /// A list of objects that CloudFormation wraps in an object under one key.
    Wrapped(&'static str, &'static [Field]),
}

pub const fn value(tf: &'static str, cfn: &'static str) -> Field {
    Field {
        tf,
        cfn,
        kind: Kind::Value,
        key: None,
    }
}

pub const fn block(tf: &'static str, cfn: &'static str, fields: &'static [Field]) -> Field {
    Field {
        tf,
        cfn,
        kind: Kind::Block(fields),
        key: None,
    }
}

pub const fn blocks(tf: &'static str, cfn: &'static str, fields: &'static [Field]) -> Field {
    Field {
        tf,
        cfn,
        kind: Kind::Blocks(fields),
        key: None,
    }
}

pub const fn with(tf: &'static str, cfn: &'static str, kind: Kind) -> Field {
    Field {
        tf,
        cfn,
        kind,
        key: None,
    }
}

impl Field {
    pub const fn named(mut self, key: &'static str) -> Field {
        self.key = Some(key);
        self
    }

    pub fn key(&self) -> &'static str {
        self.key.unwrap_or(self.tf)
    }
}

/// A body's properties, and the arguments no field describes.
pub struct LoweredBody {
    pub entries: Vec<Entry>,
    /// The field each entry came from, in the same order.
    pub fields: Vec<&'static Field>,
    pub unknown: Vec<(String, Span, Node)>,
}

/// Lowers the arguments and nested blocks of `body` that `fields` describe.
pub fn lower_body(
    lowerer: &Lowerer<'_, '_>,
    body: &'_ Body,
    fields: &'static [Field],
) -> LoweredBody {
    let (entries, described) = described_fields(lowerer, body, fields);
    let mut lowered = LoweredBody {
        entries,
        fields: described,
        unknown: Vec::new(),
    };
    for attribute in body.attributes() {
        if !fields.iter().any(|f| f.tf == attribute.name) {
            lowered.unknown.push((
                attribute.name.clone(),
                attribute.name_span,
                lowerer.node(&attribute.value),
            ));
        }
    }
    for block in body.blocks() {
        let name = dynamic_label(block).unwrap_or(&block.kind);
        if !fields.iter().any(|f| f.tf == name) {
            lowered.unknown.push((
                name.to_string(),
                block.kind_span,
                Node::new(block.span, Value::Null),
            ));
        }
    }
    lowered
}

/// The properties `fields` describe, without lowering the arguments they do not describe:
/// only a mapping reports those, and lowering them (a function's tags, the Lambda module's
/// whole `event_source_mapping` map) for the other resources was wasted.
pub fn lower_properties(
    lowerer: &Lowerer<'_, '_>,
    body: &'_ Body,
    fields: &'static [Field],
) -> Vec<Entry> {
    described_fields(lowerer, body, fields).0
}

/// The entries of the arguments and blocks `fields` describe, and the field of each.
fn described_fields(
    lowerer: &Lowerer<'_, '_>,
    body: &'_ Body,
    fields: &'static [Field],
) -> (Vec<Entry>, Vec<&'static Field>) {
    let mut entries = Vec::new();
    let mut described = Vec::new();
    for field in fields {
        if let Some(entry) = lower_field(lowerer, body, field) {
            entries.push(entry);
            described.push(field);
        }
    }
    (entries, described)
}

fn dynamic_label(block: &Block) -> Option<&str> {
    (block.kind == "dynamic").then(|| block.label(0)).flatten()
}

fn lower_field(lowerer: &Lowerer<'_, '_>, body: &'_ Body, field: &'static Field) -> Option<Entry> {
    let written = Written::of(body, field.tf);
    if let Some(attribute) = written.attribute {
        let value = lower_value(lowerer, &attribute.value, field);
        // Terraform reads an argument set to null as not written at all.
        let is_null = match &value.value {
            Value::Null => true,
            Value::Intrinsic(_) => matches!(lowerer.concrete(value.clone()).value, Value::Null),
            _ => false,
        };
        if is_null {
            return None;
        }
        return Some(entry(field.cfn, attribute.name_span, value));
    }
    if let Some(first) = written.blocks.first() {
        let value = match &field.kind {
            Kind::Block(fields) => lower_block_body(lowerer, &first.body, fields, first.span),
            Kind::Blocks(fields) | Kind::Wrapped(_, fields) => {
                let items = written
                    .blocks
                    .iter()
                    .map(|b| lower_block_body(lowerer, &b.body, fields, b.span))
                    .collect();
                wrap(field, Node::new(first.span, Value::Seq(items)))
            }
            _ => return None,
        };
        return Some(entry(field.cfn, first.kind_span, value));
    }
    let dynamic = written.dynamic?;
    Some(entry(
        field.cfn,
        dynamic.kind_span,
        dynamic_value(lowerer, dynamic, field)?,
    ))
}

/// How a body writes one field: as an argument, as blocks, or as a `dynamic` block. Found in
/// one look at the body's items: a resource's schema has dozens of fields and its body few
/// items, and looking for each field three times was most of lowering a body.
struct Written<'b> {
    attribute: Option<&'b Attribute>,
    blocks: Vec<&'b Block>,
    dynamic: Option<&'b Block>,
}

impl<'b> Written<'b> {
    fn of(body: &'b Body, name: &str) -> Written<'b> {
        let mut written = Written {
            attribute: None,
            blocks: Vec::new(),
            dynamic: None,
        };
        for item in &body.items {
            match item {
                Item::Attribute(a) if a.name == name => {
                    written.attribute.get_or_insert(a);
                }
                Item::Block(b) if b.kind == name => written.blocks.push(b),
                Item::Block(b) if written.dynamic.is_none() && dynamic_label(b) == Some(name) => {
                    written.dynamic = Some(b);
                }
                _ => {}
            }
        }
        written
    }
}

/// A `dynamic` block: absent when its `for_each` is a literal empty collection, its content
/// when a literal non-empty one, else unknown (known only at plan time).
fn dynamic_value(
    lowerer: &Lowerer<'_, '_>,
    dynamic: &Block,
    field: &'static Field,
) -> Option<Node> {
    let for_each = dynamic
        .body
        .attribute("for_each")
        .map(|a| lowerer.node(&a.value));
    let content = dynamic.body.blocks().find(|b| b.kind == "content");
    let known_count = match for_each.as_ref().map(|n| &n.value) {
        Some(Value::Seq(items)) => Some(items.len()),
        Some(Value::Map(map)) => Some(map.len()),
        Some(Value::Null) => Some(0),
        _ => None,
    };
    match (known_count, content, &field.kind) {
        (Some(0), _, _) => None,
        (Some(_), Some(content), Kind::Block(fields)) => Some(lower_block_body(
            lowerer,
            &content.body,
            fields,
            content.span,
        )),
        (Some(_), Some(content), Kind::Blocks(fields) | Kind::Wrapped(_, fields)) => {
            let item = lower_block_body(lowerer, &content.body, fields, content.span);
            Some(wrap(field, Node::new(content.span, Value::Seq(vec![item]))))
        }
        _ => Some(Node::unknown(
            dynamic.span,
            format!("dynamic \"{}\"", field.tf),
            "is set by a dynamic block whose for_each is known only at plan time",
        )),
    }
}

fn lower_block_body(
    lowerer: &Lowerer<'_, '_>,
    body: &'_ Body,
    fields: &'static [Field],
    span: Span,
) -> Node {
    map_node(span, lower_properties(lowerer, body, fields))
}

/// An attribute's value as the field wants it.
fn lower_value(lowerer: &Lowerer<'_, '_>, expr: &'_ Expr, field: &'static Field) -> Node {
    match &field.kind {
        Kind::Value => lowerer.node(expr),
        Kind::Timestamp => timestamp(lowerer.node(expr)),
        Kind::Endpoints => endpoints(lowerer.node(expr)),
        Kind::Nested(path) => nest(path, lowerer.node(expr)),
        Kind::Block(fields) => match &expr.kind {
            ExprKind::Object(_) => lower_object(lowerer, expr, fields),
            // A one-item list of objects is how the lambda module passes some blocks.
            ExprKind::Array(items) if items.len() == 1 => lower_value(lowerer, &items[0], field),
            _ => lowerer.node(expr),
        },
        Kind::Blocks(fields) | Kind::Wrapped(_, fields) => {
            let list = match &expr.kind {
                ExprKind::Array(items) => Node::new(
                    expr.span,
                    Value::Seq(
                        items
                            .iter()
                            .map(|i| lower_object(lowerer, i, fields))
                            .collect(),
                    ),
                ),
                ExprKind::Object(_) => Node::new(
                    expr.span,
                    Value::Seq(vec![lower_object(lowerer, expr, fields)]),
                ),
                _ => return lowerer.node(expr),
            };
            wrap(field, list)
        }
    }
}

/// An object expression standing for a block.
fn lower_object(lowerer: &Lowerer<'_, '_>, expr: &'_ Expr, fields: &'static [Field]) -> Node {
    let ExprKind::Object(items) = &expr.kind else {
        return lowerer.node(expr);
    };
    let entries = fields
        .iter()
        .filter_map(|field| {
            let item = items.iter().find(|i| i.key.as_deref() == Some(field.tf))?;
            Some(entry(
                field.cfn,
                item.key_span,
                lower_value(lowerer, &item.value, field),
            ))
        })
        .collect();
    map_node(expr.span, entries)
}

fn wrap(field: &Field, list: Node) -> Node {
    match field.kind {
        Kind::Wrapped(key, _) => map_node(list.span, vec![entry(key, list.span, list)]),
        _ => list,
    }
}

fn nest(path: &[&str], value: Node) -> Node {
    path.iter().rev().fold(value, |inner, key| {
        map_node(inner.span, vec![entry(key, inner.span, inner)])
    })
}

/// `KAFKA_BOOTSTRAP_SERVERS = "a,b"` becomes `KafkaBootstrapServers: [a, b]`.
fn endpoints(node: Node) -> Node {
    let servers = node.get("KAFKA_BOOTSTRAP_SERVERS").cloned();
    let Some(servers) = servers else {
        return node;
    };
    let list = match servers.as_str() {
        Some(text) => Node::new(
            servers.span,
            Value::Seq(
                text.split(',')
                    .map(|s| Node::new(servers.span, Value::Str(s.trim().into())))
                    .collect(),
            ),
        ),
        None => servers,
    };
    map_node(
        node.span,
        vec![entry("KafkaBootstrapServers", list.span, list)],
    )
}

/// An RFC 3339 time (`2024-01-31T12:00:00Z`) as seconds since the epoch; anything else as it
/// is, for validity rules to report.
fn timestamp(node: Node) -> Node {
    match node.as_str().and_then(rfc3339_seconds) {
        Some(seconds) => Node::new(node.span, Value::Int(seconds)),
        None => node,
    }
}

/// Seconds since 1970 of an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`).
pub fn rfc3339_seconds(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(i, c)| bytes[i] != c) {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if !valid {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            sign * (rest[1..3].parse::<i64>().ok()? * 3600 + rest[4..6].parse::<i64>().ok()? * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_become_epoch_seconds() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2024-01-31T12:00:00Z"), Some(1_706_702_400));
        assert_eq!(
            rfc3339_seconds("2024-01-31T13:00:00+01:00"),
            Some(1_706_702_400)
        );
        assert_eq!(
            rfc3339_seconds("2024-01-31T12:00:00.250Z"),
            Some(1_706_702_400)
        );
        assert_eq!(rfc3339_seconds("2024-01-31"), None);
        assert_eq!(rfc3339_seconds("2024-13-01T00:00:00Z"), None);
        assert_eq!(rfc3339_seconds("1706702400"), None);
    }
}
