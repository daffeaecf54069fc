//! The fix writer for CloudFormation, SAM and Serverless YAML: text edits that keep comments,
//! blank lines, key order, quoting, indentation, flow or block style and anchors as written.

use crate::model::{Change, FixValue, SourceTexts, TextEdit, Trigger, Writer};
use crate::parse::Syntax;
use crate::source::Span;
use crate::tree::{Entry, Node};

use super::{
    Target, line_break, line_start, next_line_start, own_entries, parsed, replace, target,
    value_end,
};

pub struct YamlWriter;

impl Writer for YamlWriter {
    fn edits(
        &self,
        texts: &dyn SourceTexts,
        trigger: &Trigger,
        change: &Change,
    ) -> Result<Vec<TextEdit>, String> {
        let file = change.target_file(trigger);
        let (text, root) = parsed(texts, file, Syntax::Yaml)?;
        let style = Style::of(trigger);
        match target(text, root.as_ref(), trigger, change)? {
            Target::Replace { span, value } => Ok(vec![replace_value(text, span, value, style)]),
            Target::Add { map, key, value } => {
                add_key(text, map, &key, &value, style).map(|e| vec![e])
            }
            Target::Expand {
                scalar,
                event_key,
                key,
                value,
            } => expand_short_form(text, scalar, event_key, &key, value, style).map(|e| vec![e]),
            Target::Remove { entry, map } => remove_key(text, entry, map).map(|e| vec![e]),
            Target::Rename { key_span, to } => Ok(vec![rename_key(text, key_span, to)]),
        }
    }
}

/// How a file writes what YAML alone cannot say.
#[derive(Clone, Copy)]
struct Style {
    /// CloudFormation's short tags (`!GetAtt Queue.Arn`); the Serverless Framework's files
    /// take the long form (`Fn::GetAtt: [Queue, Arn]`), as its documentation writes them.
    short_tags: bool,
}

impl Style {
    fn of(trigger: &Trigger) -> Style {
        Style {
            short_tags: trigger.format != crate::model::Format::Serverless,
        }
    }
}

/// A value as YAML on one line (a map in flow style), quoted like `like` (the scalar it
/// replaces) when that was quoted.
fn render(value: &FixValue, like: Option<&str>, style: Style) -> String {
    match value {
        FixValue::Int(n) => n.to_string(),
        FixValue::Bool(b) => b.to_string(),
        FixValue::Str(s) => match like.and_then(|l| l.chars().next()) {
            Some('\'') => format!("'{}'", s.replace('\'', "''")),
            Some('"') => json_quoted(s),
            _ if plain_is_string(s) => s.clone(),
            _ => json_quoted(s),
        },
        FixValue::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", render_key(k), render(v, None, style)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        FixValue::GetAtt(id, attribute) if style.short_tags => format!("!GetAtt {id}.{attribute}"),
        FixValue::GetAtt(id, attribute) => format!("{{Fn::GetAtt: [{id}, {attribute}]}}"),
    }
}

/// `key: value` in block style: a map's entries on the lines below, two spaces deeper than
/// `indent` (the column of `key`); scalars and the long-form `Fn::GetAtt` on the key's line.
fn render_entry(key: &str, value: &FixValue, indent: &str, newline: &str, style: Style) -> String {
    let key = render_key(key);
    match value {
        FixValue::Map(entries) if !entries.is_empty() => {
            let deeper = format!("{indent}  ");
            let lines: String = entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{newline}{deeper}{}",
                        render_entry(k, v, &deeper, newline, style)
                    )
                })
                .collect();
            format!("{key}:{lines}")
        }
        FixValue::GetAtt(id, attribute) if !style.short_tags => {
            format!("{key}:{newline}{indent}  Fn::GetAtt: [{id}, {attribute}]")
        }
        _ => format!("{key}: {}", render(value, None, style)),
    }
}

/// A key as YAML: plain when it reads back as itself (`Fn::GetAtt` does), else quoted.
fn render_key(key: &str) -> String {
    if plain_is_string(key) {
        key.to_string()
    } else {
        json_quoted(key)
    }
}

fn json_quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Whether a string reads back as the same string when written plain (a colon only inside,
/// never before a space: `AWS::SQS::Queue`).
fn plain_is_string(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':'))
        && !s.ends_with(':')
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && matches!(
            crate::tree::resolve_plain_scalar(s),
            crate::tree::Value::Str(_)
        )
}

fn replace_value(text: &str, span: Span, value: &FixValue, style: Style) -> TextEdit {
    let old = &text[span.range()];
    replace(span, render(value, Some(old), style))
}

/// Adds `key: value` as the map's last entry, at its entries' indentation (block), or before
/// the closing brace (flow).
fn add_key(
    text: &str,
    map: &Node,
    key: &str,
    value: &FixValue,
    style: Style,
) -> Result<TextEdit, String> {
    let entries = own_entries(map);
    if is_flow(&text[map.span.range()]) {
        let rendered = format!("{}: {}", render_key(key), render(value, None, style));
        let close = map.span.end as usize - 1;
        if text.as_bytes().get(close) != Some(&b'}') {
            return Err("the trigger's flow map is not closed where expected".into());
        }
        return match entries.last() {
            Some(last) => {
                let end = value_end(text, map, last).ok_or("the map's last value is not found")?;
                Ok(TextEdit::insert(
                    map.span.file,
                    end,
                    format!(", {rendered}"),
                ))
            }
            None => Ok(TextEdit::insert(map.span.file, close, rendered)),
        };
    }
    let last = entries
        .iter()
        .max_by_key(|e| e.key_span.start)
        .ok_or("the trigger's settings map is empty")?;
    let indent = indentation_of(text, last)?;
    let after = last_line_end(text, map, last)?;
    let newline = line_break(text);
    let rendered = render_entry(key, value, &indent, newline, style);
    if after == text.len() && !text.ends_with('\n') {
        return Ok(TextEdit::insert(
            map.span.file,
            after,
            format!("{newline}{indent}{rendered}"),
        ));
    }
    Ok(TextEdit::insert(
        map.span.file,
        after,
        format!("{indent}{rendered}{newline}"),
    ))
}

/// Spaces up to an entry's key: the column of every key of its block map.
fn indentation_of(text: &str, entry: &Entry) -> Result<String, String> {
    let start = entry.key_span.start as usize;
    let prefix = &text[line_start(text, start)..start];
    if prefix.contains('\t') {
        return Err("the map is indented with tabs".into());
    }
    Ok(" ".repeat(prefix.chars().count()))
}

/// Where the line after a block map's last entry starts.
fn last_line_end(text: &str, map: &Node, last: &Entry) -> Result<usize, String> {
    let end = value_end(text, map, last).ok_or("the map's last value is not found")?;
    // A block scalar (`|`) ends with its line break.
    if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        return Ok(end);
    }
    Ok(next_line_start(text, end))
}

/// `- sqs: arn:...` becomes `- sqs:` with `arn: arn:...` and the new key below it.
fn expand_short_form(
    text: &str,
    scalar: &Node,
    event_key: Span,
    key: &str,
    value: &FixValue,
    style: Style,
) -> Result<TextEdit, String> {
    let key_start = event_key.start as usize;
    let prefix = &text[line_start(text, key_start)..key_start];
    if prefix.contains(['{', '[', '\t']) {
        return Err("the event is written in flow style".into());
    }
    let indent = " ".repeat(prefix.chars().count() + 2);
    let written = &text[scalar.span.range()];
    if written.contains('\n') {
        return Err("the event's ARN spans several lines".into());
    }
    let newline = line_break(text);
    let colon = &text[event_key.end as usize..scalar.span.start as usize];
    if !colon.trim_start().starts_with(':') {
        return Err("the event is not written as `key: value`".into());
    }
    // What follows the ARN on its line (spaces, a comment) stays after it.
    let scalar_end = scalar.span.end as usize;
    let line_end = text[scalar_end..]
        .find(['\r', '\n'])
        .map_or(text.len(), |at| scalar_end + at);
    let rest = &text[scalar_end..line_end];
    Ok(replace(
        Span::new(scalar.span.file, event_key.end as usize, line_end),
        format!(
            ":{newline}{indent}arn: {written}{rest}{newline}{indent}{}",
            render_entry(key, value, &indent, newline, style)
        ),
    ))
}

/// Removes an entry: its lines in a block map (when it starts its line), else its text and
/// the separator after it.
fn remove_key(text: &str, entry: &Entry, map: &Node) -> Result<TextEdit, String> {
    let entries = own_entries(map);
    if entries.len() < 2 {
        return Err(format!(
            "`{}` is the map's only key: removing it would leave an empty map",
            entry.key
        ));
    }
    let index = entries
        .iter()
        .position(|e| e.key_span == entry.key_span)
        .ok_or("the key is not written in its map")?;
    let file = entry.key_span.file;
    let key_start = entry.key_span.start as usize;
    let line = line_start(text, key_start);
    let alone = text[line..key_start].trim().is_empty();
    let value_end = value_end(text, map, entry).ok_or("the key's value is not found")?;
    if alone && !is_flow(&text[map.span.range()]) {
        let end = if value_end > 0 && text.as_bytes()[value_end - 1] == b'\n' {
            value_end
        } else {
            next_line_start(text, value_end)
        };
        return Ok(TextEdit::replace(Span::new(file, line, end), ""));
    }
    // Flow style, or the first key after a sequence dash: up to the next key, or from the
    // previous value.
    match entries.get(index + 1) {
        Some(next) => Ok(TextEdit::replace(
            Span::new(file, key_start, next.key_span.start as usize),
            "",
        )),
        None => {
            let previous = super::value_end(text, map, entries[index - 1])
                .ok_or("the previous key's value is not found")?;
            Ok(TextEdit::replace(Span::new(file, previous, value_end), ""))
        }
    }
}

/// Renames a key, quoted as it was.
fn rename_key(text: &str, key_span: Span, to: &str) -> TextEdit {
    let old = &text[key_span.range()];
    let new = match old.chars().next() {
        Some('"') => json_quoted(to),
        Some('\'') => format!("'{to}'"),
        _ => to.to_string(),
    };
    replace(key_span, new)
}

/// Whether a collection is written in flow style (`{...}`), after any anchor or tag.
fn is_flow(written: &str) -> bool {
    let mut rest = written.trim_start();
    while rest.starts_with(['&', '!']) {
        rest = rest
            .find(char::is_whitespace)
            .map_or("", |i| rest[i..].trim_start());
    }
    rest.starts_with('{')
}
