//! The fix writer for CloudFormation, SAM and Serverless YAML: text edits that keep comments,
//! blank lines, key order, quoting, indentation, flow or block style and anchors as written.

use crate::model::{Change, FixValue, SourceTexts, TextEdit, Trigger, Writer};
use crate::parse::Syntax;
use crate::source::Span;
use crate::tree::{Entry, Node};

use super::{
    Target, line_break, line_start, next_line_start, own_entries, parsed, replace, target,
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
        match target(text, root.as_ref(), trigger, change)? {
            Target::Replace { span, value } => Ok(vec![replace_value(text, span, value)]),
            Target::Add { map, key, value } => add_key(text, map, &key, value).map(|e| vec![e]),
            Target::Expand {
                scalar,
                event_key,
                key,
                value,
            } => expand_short_form(text, scalar, event_key, &key, value).map(|e| vec![e]),
            Target::Remove { entry, map } => remove_key(text, entry, map).map(|e| vec![e]),
            Target::Rename { key_span, to } => Ok(vec![rename_key(text, key_span, to)]),
        }
    }
}

/// A value as YAML, quoted like `like` (the scalar it replaces) when that was quoted.
fn render(value: &FixValue, like: Option<&str>) -> String {
    match value {
        FixValue::Int(n) => n.to_string(),
        FixValue::Bool(b) => b.to_string(),
        FixValue::Str(s) => match like.and_then(|l| l.chars().next()) {
            Some('\'') => format!("'{}'", s.replace('\'', "''")),
            Some('"') => json_quoted(s),
            _ if plain_is_string(s) => s.clone(),
            _ => json_quoted(s),
        },
    }
}

fn json_quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Whether a string reads back as the same string when written plain.
fn plain_is_string(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && matches!(
            crate::tree::resolve_plain_scalar(s),
            crate::tree::Value::Str(_)
        )
}

fn replace_value(text: &str, span: Span, value: &FixValue) -> TextEdit {
    let old = &text[span.range()];
    replace(span, render(value, Some(old)))
}

/// Adds `key: value` as the map's last entry, at its entries' indentation (block), or before
/// the closing brace (flow).
fn add_key(text: &str, map: &Node, key: &str, value: &FixValue) -> Result<TextEdit, String> {
    let rendered = format!("{key}: {}", render(value, None));
    let entries = own_entries(map);
    if is_flow(&text[map.span.range()]) {
        let close = map.span.end as usize - 1;
        if text.as_bytes().get(close) != Some(&b'}') {
            return Err("the trigger's flow map is not closed where expected".into());
        }
        return Ok(match entries.last() {
            Some(last) => TextEdit::insert(map.span.file, last.value.span.end as usize, {
                format!(", {rendered}")
            }),
            None => TextEdit::insert(map.span.file, close, rendered),
        });
    }
    let last = entries
        .iter()
        .max_by_key(|e| e.key_span.start)
        .ok_or("the trigger's settings map is empty")?;
    let indent = indentation_of(text, last)?;
    let after = last_line_end(text, map, last);
    let newline = line_break(text);
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
fn last_line_end(text: &str, map: &Node, last: &Entry) -> usize {
    let end = (map.span.end as usize).max(last.value.span.end as usize);
    // A block scalar (`|`) ends with its line break.
    if end > 0 && text.as_bytes()[end - 1] == b'\n' {
        return end;
    }
    next_line_start(text, end)
}

/// `- sqs: arn:...` becomes `- sqs:` with `arn: arn:...` and the new key below it.
fn expand_short_form(
    text: &str,
    scalar: &Node,
    event_key: Span,
    key: &str,
    value: &FixValue,
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
    let between = Span::new(
        scalar.span.file,
        event_key.end as usize,
        scalar.span.end as usize,
    );
    let colon = &text[between.range()];
    if !colon.trim_start().starts_with(':') {
        return Err("the event is not written as `key: value`".into());
    }
    Ok(replace(
        between,
        format!(
            ":{newline}{indent}arn: {written}{newline}{indent}{key}: {}",
            render(value, None)
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
    let value_end = entry.value.span.end as usize;
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
            let previous = entries[index - 1].value.span.end as usize;
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
