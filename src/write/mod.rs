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

pub use terraform::reconcile_shared as reconcile_shared_terraform_fixes;

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
        // A module `terraform init` downloaded is not the author's to edit.
        Format::Terraform if path.components().any(|c| c.as_os_str() == ".terraform") => Err(
            "the mapping is in a module `terraform init` downloaded (`.terraform/modules`): \
             change it where the module is published, or pass the value in the module call"
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
    /// Add `key: value` to this map (a value of the change, or one built around it: the
    /// `Resources:` map a Serverless service without one is given).
    Add {
        map: &'a Node,
        key: String,
        value: std::borrow::Cow<'a, FixValue>,
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
                if !contains(*container, *at) {
                    return Err(format!(
                        "`{key}` takes its value from elsewhere (a parameter or a variable): \
                         change it where it is defined, if nothing else uses it"
                    ));
                }
                if let Some(default) = sole_parameter_default(text, root, node) {
                    return Ok(Target::Replace {
                        span: default,
                        value,
                    });
                }
                if !matches!(node.value, Value::Int(_) | Value::Float(_)) {
                    return Err(format!(
                        "`{key}` is not written as a plain number (a reference used elsewhere \
                         too, a variable or a JSON string): change it where it is defined, if \
                         nothing else uses it"
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
                value: std::borrow::Cow::Borrowed(value),
            })
        }
        Change::AddResource { id, resource } => add_resource(text, root, trigger, id, resource),
    }
}

/// Where a new resource goes: the last of `Resources` (a Serverless service's
/// `resources.Resources`, with `resources:` or `Resources:` added when absent).
fn add_resource<'a>(
    text: &str,
    root: &'a Node,
    trigger: &crate::model::Trigger,
    id: &str,
    resource: &'a FixValue,
) -> Result<Target<'a>, String> {
    use std::borrow::Cow;
    let (map, key, value) = if trigger.format == crate::model::Format::Serverless {
        match root.get("resources") {
            None => (
                root,
                "resources",
                FixValue::map([("Resources", FixValue::map([(id, resource.clone())]))]),
            ),
            Some(resources) => match resources.get("Resources") {
                None => (
                    resources,
                    "Resources",
                    FixValue::map([(id, resource.clone())]),
                ),
                Some(resources) => (resources, id, resource.clone()),
            },
        }
    } else {
        let resources = root
            .get("Resources")
            .ok_or("the template has no `Resources` to add the resource to")?;
        (resources, id, resource.clone())
    };
    let ancestors = [root, map];
    if let Some(name) = shared_anchor(text, &ancestors) {
        return Err(shared_anchor_error(&name));
    }
    let Value::Map(entries) = &map.value else {
        return Err(format!(
            "`{key}`'s parent is not written as a map here (an include or a variable): add the \
             resource by hand"
        ));
    };
    if is_alias_copy(map) || !contains(root.span, map.span) || own_entries(map).is_empty() {
        return Err(
            "the resources are not written as a map in this file (an include or a variable): \
             add the resource by hand"
                .into(),
        );
    }
    if entries.entries.iter().any(|e| e.key == key) {
        return Err(format!("`{key}` is already declared"));
    }
    Ok(Target::Add {
        map,
        key: key.to_string(),
        value: Cow::Owned(value),
    })
}

/// Where to change a value written as `!Ref Parameter`: the parameter's numeric `Default`, when
/// nothing else in the file names the parameter (its name appears only as its own key and in
/// this reference), so no other resource changes with it.
fn sole_parameter_default(text: &str, root: &Node, value: &Node) -> Option<Span> {
    let intrinsic = value.as_intrinsic().filter(|i| i.name == "Ref")?;
    let name = intrinsic.arg.as_str()?;
    let default = root.get_path(&["Parameters", name, "Default"])?;
    if !matches!(default.value, Value::Int(_) | Value::Float(_)) {
        return None;
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let mentions = text
        .match_indices(name)
        .filter(|(i, _)| {
            !is_word(text[..*i].chars().next_back())
                && !is_word(text[i + name.len()..].chars().next())
        })
        .count();
    (mentions == 2).then_some(default.span)
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
    if trigger.format == crate::model::Format::Serverless && !follows_key(text, trigger.anchor, at)
    {
        return Err(
            "the event's settings come from a variable: change them where they are defined, if \
             nothing else uses them"
                .into(),
        );
    }
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
            "the trigger's settings are a map written elsewhere (read through a YAML alias or a \
             variable) that other triggers may share: write them out at the trigger first"
                .into(),
        );
    }
    if let Some(name) = shared_anchor(text, &ancestors) {
        return Err(shared_anchor_error(&name));
    }
    match own_entries(node).into_iter().find(|e| e.key == key) {
        Some(entry) if matches!(value, FixValue::Map(_)) => add_to_written_map(node, entry, value),
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
            value: std::borrow::Cow::Borrowed(value),
        }),
    }
}

/// A map the trigger already writes under the key (`DestinationConfig: {}`) takes the new
/// map's one entry when it lacks that key; anything else is the author's to merge.
fn add_to_written_map<'a>(
    settings: &Node,
    entry: &'a Entry,
    value: &'a FixValue,
) -> Result<Target<'a>, String> {
    let already = || {
        Err(format!(
            "the trigger already writes `{}`: add what it lacks by hand",
            entry.key
        ))
    };
    let (FixValue::Map(new), Value::Map(written)) = (value, &entry.value.value) else {
        return already();
    };
    let [(key, inner)] = new.as_slice() else {
        return already();
    };
    let own = contains(settings.span, entry.value.span) && !is_alias_copy(&entry.value);
    if !own || written.entries.iter().any(|e| e.key == *key) {
        return already();
    }
    Ok(Target::Add {
        map: &entry.value,
        key: key.clone(),
        value: std::borrow::Cow::Borrowed(inner),
    })
}

/// Whether `value` is written right after the key at `key` (`sqs:` then the event's map or
/// ARN), with only the colon, blank space, comments, an anchor or a tag between: not a value a
/// variable brought from elsewhere in the file.
fn follows_key(text: &str, key: Span, value: Span) -> bool {
    if key.file != value.file || value.start < key.end {
        return false;
    }
    let between = &text[key.end as usize..value.start as usize];
    let Some(rest) = between
        .trim_start_matches(['"', '\''])
        .trim_start()
        .strip_prefix(':')
    else {
        return false;
    };
    rest.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line.starts_with(['&', '!'])
    })
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

/// Where an entry's value ends as written in its map: the value's own end, or, for a value a
/// variable brought from elsewhere (its span is where it is defined), the end of what is
/// written after the key on the key's line.
fn value_end(text: &str, map: &Node, entry: &Entry) -> Option<usize> {
    if contains(map.span, entry.value.span) {
        return Some(entry.value.span.end as usize);
    }
    used_value_span(text, entry).map(|span| span.end as usize)
}

/// An edit that replaces `span`.
fn replace(span: Span, text: String) -> TextEdit {
    TextEdit::replace(span, text)
}
