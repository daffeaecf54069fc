//! Building template-view nodes: the two helpers both the resource table and the argument
//! schema use, kept below them so neither has to import the other.

use crate::source::Span;
use crate::tree::{Entry, Map, Node, Value};

pub fn entry(key: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: key.to_string().into(),
        key_span,
        value,
    }
}

pub fn map_node(span: Span, entries: Vec<Entry>) -> Node {
    Node::new(span, Value::Map(Map { entries }))
}
