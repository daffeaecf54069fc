//! Fix writers: each turns a [`Change`](crate::model::Change) into text edits in one format's
//! syntax, keeping everything else of the file as the author wrote it. They sit beside the
//! loaders (they read a format's syntax) and below the engine, which resolves each finding's
//! plan with the writer of its file.
//!
//! - `yaml.rs`: CloudFormation, SAM and Serverless YAML.
//! - `json.rs`: CloudFormation and SAM JSON, `serverless.json`.
//! - `terraform.rs`: Terraform `.tf` (helper fixb).

mod json;
mod terraform;
mod yaml;

use std::path::Path;

use crate::model::{Format, Trigger, Writer};
use crate::parse::{self, Syntax};

/// The writer for the file a trigger is fixed in, or why the trigger's fixes are display only
/// (a plan, a deployed listing, a synthesized `cdk.out` template).
pub fn writer_for(
    trigger: &Trigger,
    path: &Path,
    text: &str,
) -> Result<&'static dyn Writer, String> {
    if let Some(construct) = &trigger.construct_path {
        return Err(format!(
            "the template is synthesized by the CDK: change the construct `{construct}` and \
             synthesize again"
        ));
    }
    if path.components().any(|c| c.as_os_str() == "cdk.out") {
        return Err(
            "the template is synthesized by the CDK (`cdk.out`): change the construct that \
             declares the mapping and synthesize again"
                .to_string(),
        );
    }
    match trigger.format {
        Format::TerraformPlan => Err(
            "a Terraform plan is generated: change the configuration it was planned from"
                .to_string(),
        ),
        Format::Deployed => Err(
            "a deployed mapping is read from AWS: change the template or module that deploys it"
                .to_string(),
        ),
        Format::Terraform => Ok(&terraform::TerraformWriter),
        Format::CloudFormation | Format::Sam | Format::Serverless => {
            match parse::syntax_of(path, text) {
                Syntax::Json => Ok(&json::JsonWriter),
                Syntax::Yaml => Ok(&yaml::YamlWriter),
            }
        }
    }
}

use crate::model::{Change, FixValue, SourceTexts, TextEdit};
use crate::source::{FileId, Span};
use crate::tree::{Entry, Node, Value};

/// The file a change edits, parsed again (the loader's tree may have variables resolved into
/// it; spans still point at the text).
fn parsed(
    texts: &dyn SourceTexts,
    file: FileId,
    syntax: Syntax,
) -> Result<(&str, std::borrow::Cow<'_, Node>), String> {
    let text = texts
        .text(file)
        .ok_or("the value to change is in a file that is not being fixed")?;
    if let Some(root) = texts.tree(file) {
        return Ok((text, std::borrow::Cow::Borrowed(root)));
    }
    match parse::parse(text, syntax, file) {
        Ok(Some(root)) => Ok((text, std::borrow::Cow::Owned(root))),
        _ => Err("the file does not parse".to_string()),
    }
}

/// The node written exactly at `span`, with its ancestors (outermost first). Children are
/// searched only where their span holds the target, so the copy an alias expands to is found
/// at the alias, not at the anchor it copies.
fn node_at(root: &Node, span: Span) -> Option<(&Node, Vec<&Node>)> {
    let mut ancestors = Vec::new();
    let mut node = root;
    loop {
        if node.span == span {
            return Some((node, ancestors));
        }
        let next = children(node).find(|c| contains(c.span, span))?;
        ancestors.push(node);
        node = next;
    }
}

/// The entry whose key is at `key_span`, its map, and the map's ancestors.
fn entry_at(root: &Node, key_span: Span) -> Option<(&Entry, &Node, Vec<&Node>)> {
    let mut ancestors = Vec::new();
    let mut node = root;
    loop {
        if let Value::Map(map) = &node.value
            && let Some(entry) = map.entries.iter().find(|e| e.key_span == key_span)
        {
            return Some((entry, node, ancestors));
        }
        let next = children(node).find(|c| contains(c.span, key_span))?;
        ancestors.push(node);
        node = next;
    }
}

fn children(node: &Node) -> Box<dyn Iterator<Item = &Node> + '_> {
    match &node.value {
        Value::Map(map) => Box::new(map.entries.iter().map(|e| &e.value)),
        Value::Seq(items) => Box::new(items.iter()),
        Value::Intrinsic(i) => Box::new(std::iter::once(&i.arg)),
        _ => Box::new(std::iter::empty()),
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}

/// The map's entries written inside it (not merged in from an anchor with `<<`).
fn own_entries(map_node: &Node) -> Vec<&Entry> {
    match &map_node.value {
        Value::Map(map) => map
            .entries
            .iter()
            .filter(|e| contains(map_node.span, e.key_span))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a map is the copy an alias expands to: its entries are written elsewhere.
fn is_alias_copy(map_node: &Node) -> bool {
    match &map_node.value {
        Value::Map(map) => !map.entries.is_empty() && own_entries(map_node).is_empty(),
        _ => false,
    }
}

/// A YAML anchor (`&name`) on one of these nodes that an alias (`*name`) elsewhere reads:
/// editing inside it would change every trigger that shares it.
fn shared_anchor(text: &str, nodes: &[&Node]) -> Option<String> {
    nodes.iter().find_map(|node| {
        let written = text.get(node.span.range())?;
        let name: String = written
            .strip_prefix('&')?
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '{' | '[' | ']' | '}'))
            .collect();
        let alias = format!("*{name}");
        let used = text.match_indices(&alias).any(|(i, _)| {
            let after = text[i + alias.len()..].chars().next();
            after.is_none_or(|c| c.is_whitespace() || matches!(c, ',' | ']' | '}'))
        });
        used.then_some(name)
    })
}

fn shared_anchor_error(name: &str) -> String {
    format!(
        "the value is in the YAML anchor `&{name}`, which other places read through `*{name}`: \
         change it by hand where this trigger alone is affected"
    )
}

/// The start of the line holding `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The offset just past the line break of the line holding `offset` (the text's end on the
/// last line).
fn next_line_start(text: &str, offset: usize) -> usize {
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// The file's line break (`\r\n` when its first line ends so).
fn line_break(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// What a change asks for, found in the tree: used by both the YAML and the JSON writer,
/// which differ only in how they write it.
enum Target<'a> {
    /// Replace this scalar (or alias, or expression) at `span` with the value.
    Replace {
        span: Span,
        value: &'a FixValue,
    },
    /// Add `key: value` to this map.
    Add {
        map: &'a Node,
        key: String,
        value: &'a FixValue,
    },
    /// Turn the Serverless short form (`- sqs: arn`) into a map with `arn` and the key.
    Expand {
        scalar: &'a Node,
        event_key: Span,
        key: String,
        value: &'a FixValue,
    },
    Remove {
        entry: &'a Entry,
        map: &'a Node,
    },
    Rename {
        key_span: Span,
        to: &'a str,
    },
}

/// Finds what a change edits in the parsed file.
fn target<'a>(
    text: &str,
    root: &'a Node,
    trigger: &crate::model::Trigger,
    change: &'a Change,
) -> Result<Target<'a>, String> {
    match change {
        Change::SetSetting { prop, value } => {
            let key = trigger.format_key(*prop).ok_or_else(|| {
                format!(
                    "the format has no key for `{}` on this trigger",
                    prop.cfn_name()
                )
            })?;
            let key = trigger
                .property(prop.cfn_name())
                .filter(|_| !prop.cfn_name().contains('.'))
                .map_or(key, |p| p.key.as_str());
            set_in_settings(text, root, trigger, key.to_string(), value)
        }
        Change::AddEventKey { key, value } => {
            set_in_settings(text, root, trigger, key.clone(), value)
        }
        Change::RemoveKey { key_span } => {
            let (entry, map, mut ancestors) =
                entry_at(root, *key_span).ok_or("the key to remove is not found")?;
            ancestors.push(map);
            if let Some(name) = shared_anchor(text, &ancestors) {
                return Err(shared_anchor_error(&name));
            }
            Ok(Target::Remove { entry, map })
        }
        Change::RenameKey { key_span, to } => {
            let (_, map, mut ancestors) =
                entry_at(root, *key_span).ok_or("the key to rename is not found")?;
            ancestors.push(map);
            if let Some(name) = shared_anchor(text, &ancestors) {
                return Err(shared_anchor_error(&name));
            }
            Ok(Target::Rename {
                key_span: *key_span,
                to,
            })
        }
        Change::SetResourceProperty {
            container,
            key,
            value_at,
            value,
        } => {
            if let Some(at) = value_at {
                let (node, mut ancestors) =
                    node_at(root, *at).ok_or("the value to change is not found")?;
                ancestors.push(node);
                if let Some(name) = shared_anchor(text, &ancestors) {
                    return Err(shared_anchor_error(&name));
                }
                if !matches!(node.value, Value::Int(_) | Value::Float(_)) {
                    return Err(format!(
                        "`{key}` is not written as a plain number (a reference, a variable or a \
                         JSON string): change it where it is defined, if nothing else uses it"
                    ));
                }
                return Ok(Target::Replace { span: *at, value });
            }
            let (map, mut ancestors) =
                node_at(root, *container).ok_or("the resource's properties are not found")?;
            ancestors.push(map);
            if let Some(name) = shared_anchor(text, &ancestors) {
                return Err(shared_anchor_error(&name));
            }
            if !matches!(map.value, Value::Map(_)) || is_alias_copy(map) {
                return Err("the resource's properties are not written as a map".into());
            }
            Ok(Target::Add {
                map,
                key: key.clone(),
                value,
            })
        }
    }
}

fn is_scalar(node: &Node) -> bool {
    matches!(
        node.value,
        Value::Null
            | Value::Bool(_)
            | Value::Yaml11Bool(..)
            | Value::Int(_)
            | Value::Float(_)
            | Value::Str(_)
    )
}

/// Gives a key of the trigger's own settings a value: replaces it where the trigger writes
/// it, adds it otherwise (overriding a value merged from an anchor, or from SAM `Globals`).
fn set_in_settings<'a>(
    text: &str,
    root: &'a Node,
    trigger: &crate::model::Trigger,
    key: String,
    value: &'a FixValue,
) -> Result<Target<'a>, String> {
    let at = trigger
        .settings_at
        .ok_or("the trigger has no map of settings to add the key to")?;
    let (node, mut ancestors) = node_at(root, at).ok_or("the trigger's settings are not found")?;
    if let Some(name) = shared_anchor(text, &ancestors) {
        return Err(shared_anchor_error(&name));
    }
    ancestors.push(node);
    if is_scalar(node) || matches!(node.value, Value::Intrinsic(_) | Value::Unknown(_)) {
        // The Serverless short form: `- sqs: arn`.
        return Ok(Target::Expand {
            scalar: node,
            event_key: trigger.anchor,
            key,
            value,
        });
    }
    if !matches!(node.value, Value::Map(_)) {
        return Err("the trigger's settings are not written as a map".into());
    }
    if is_alias_copy(node) {
        return Err(
            "the trigger's settings are a YAML alias of a map other triggers may share: write \
             them out at the trigger first"
                .into(),
        );
    }
    if let Some(name) = shared_anchor(text, &ancestors) {
        return Err(shared_anchor_error(&name));
    }
    match own_entries(node).into_iter().find(|e| e.key == key) {
        Some(entry) => {
            let written_here = contains(node.span, entry.value.span) && is_scalar(&entry.value);
            if written_here {
                return Ok(Target::Replace {
                    span: entry.value.span,
                    value,
                });
            }
            // An alias, a reference or a variable: replaced where the trigger uses it.
            let span =
                used_value_span(text, entry).ok_or("the value is not written on the key's line")?;
            Ok(Target::Replace { span, value })
        }
        None => Ok(Target::Add {
            map: node,
            key,
            value,
        }),
    }
}

/// The text after `key:` on the key's line (an alias `*x`, `!Ref P`, `${self:custom.x}`),
/// without an end-of-line comment.
fn used_value_span(text: &str, entry: &Entry) -> Option<Span> {
    let after_key = entry.key_span.end as usize;
    let line_end = text[after_key..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| after_key + i);
    let rest = &text[after_key..line_end];
    let colon = rest.find(':')?;
    let value_start = after_key + colon + 1;
    let value = &text[value_start..line_end];
    let value = match value.find(" #") {
        Some(i) => &value[..i],
        None => value,
    };
    let value = value.trim_end().trim_end_matches(',').trim_end();
    let lead = value.len() - value.trim_start().len();
    let start = value_start + lead;
    let end = value_start + value.len();
    (end > start).then(|| Span::new(entry.key_span.file, start, end))
}

/// An edit that replaces `span`.
fn replace(span: Span, text: String) -> TextEdit {
    TextEdit::replace(span, text)
}
