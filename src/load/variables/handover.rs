//! The service as the Serverless Framework resolved it, handed over by the plugin: reading it,
//! and finding in it the value at the place of a string of the service file.

use std::collections::HashMap;
use std::path::Path;

use crate::source::{FileId, SourceFile, Span};
use crate::tree::{Entry, Intrinsic, Map, Node, Value};

/// Reads the configuration the Serverless Framework resolved (JSON, as the plugin writes it).
pub fn read_resolved_service(path: &Path) -> Result<Node, String> {
    let failed =
        |why: String| format!("cannot read the resolved service {}: {why}", path.display());
    let bytes = std::fs::read(path).map_err(|e| failed(crate::discover::io_message(&e)))?;
    if bytes.len() as u64 > crate::parse::MAX_FILE_BYTES {
        return Err(failed("it is larger than the 64 MiB limit".to_string()));
    }
    let text = crate::parse::decode(&bytes).map_err(|e| failed(e.message))?;
    match crate::parse::parse(&text, crate::parse::Syntax::Json, FileId::default()) {
        Ok(Some(root)) if root.as_map().is_some() => Ok(root),
        Ok(_) => Err(failed("it is not a JSON object".to_string())),
        Err(e) => {
            let at = SourceFile::new(path.to_path_buf(), text).line_col(e.offset);
            Err(failed(format!(
                "invalid JSON at line {}, column {}: {}",
                at.line, at.column, e.message
            )))
        }
    }
}

/// One step from a node to a child: a map key (or an intrinsic function's name), or an index.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Step {
    Key(String),
    Index(usize),
}

/// Where each string of the service file that holds a variable is written, as steps from the
/// root, so the framework's value for it can be found in the resolved service.
pub(super) fn variable_places(root: &Node) -> HashMap<Span, Vec<Step>> {
    fn visit(node: &Node, steps: &mut Vec<Step>, out: &mut HashMap<Span, Vec<Step>>) {
        match &node.value {
            Value::Str(text) if text.contains("${") => {
                out.insert(node.span, steps.clone());
            }
            Value::Seq(items) => {
                for (index, item) in items.iter().enumerate() {
                    steps.push(Step::Index(index));
                    visit(item, steps, out);
                    steps.pop();
                }
            }
            Value::Map(map) => {
                for entry in map.iter() {
                    steps.push(Step::Key(entry.key.to_string()));
                    visit(&entry.value, steps, out);
                    steps.pop();
                }
            }
            Value::Intrinsic(i) => {
                steps.push(Step::Key(i.name.clone()));
                visit(&i.arg, steps, out);
                steps.pop();
            }
            _ => {}
        }
    }
    let mut out = HashMap::new();
    visit(root, &mut Vec::new(), &mut out);
    out
}

/// The node at these steps, through maps, sequences and intrinsic functions alike.
pub(super) fn node_at<'n>(root: &'n Node, steps: &[Step]) -> Option<&'n Node> {
    steps
        .iter()
        .try_fold(root, |node, step| match (&node.value, step) {
            (Value::Map(map), Step::Key(key)) => map.get(key),
            (Value::Intrinsic(i), Step::Key(name)) if &i.name == name => Some(&i.arg),
            (Value::Seq(items), Step::Index(index)) => items.get(*index),
            _ => None,
        })
}

/// A copy of a handed-over value placed at `span`: findings about it point where it is used,
/// since the resolved service is not a file anyone edits.
pub(super) fn placed_at(node: &Node, span: Span) -> Node {
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|n| placed_at(n, span)).collect()),
        Value::Map(map) => Value::Map(Map {
            entries: map
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_span: span,
                    value: placed_at(&e.value, span),
                })
                .collect(),
        }),
        Value::Intrinsic(i) => Value::Intrinsic(Box::new(Intrinsic {
            arg: placed_at(&i.arg, span),
            ..(**i).clone()
        })),
        other => other.clone(),
    };
    Node::new(span, value)
}
