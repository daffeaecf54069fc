//! The fix writer for CloudFormation and SAM JSON and `serverless.json`: text edits that keep
//! the file's indentation, key order and trailing commas as written.

use crate::model::{Change, FixValue, SourceTexts, TextEdit, Trigger, Writer};
use crate::parse::Syntax;
use crate::source::Span;
use crate::tree::{Entry, Node};

use super::{
    Target, line_break, line_start, next_line_start, own_entries, parsed, replace, target,
};

pub struct JsonWriter;

impl Writer for JsonWriter {
    fn edits(
        &self,
        texts: &dyn SourceTexts,
        trigger: &Trigger,
        change: &Change,
    ) -> Result<Vec<TextEdit>, String> {
        let file = change.target_file(trigger);
        let (text, root) = parsed(texts, file, Syntax::Json)?;
        match target(text, root.as_ref(), trigger, change)? {
            Target::Replace { span, value } => Ok(vec![replace(span, render(value))]),
            Target::Add { map, key, value } => Ok(vec![add_key(text, map, &key, value)]),
            Target::Expand { .. } => {
                Err("the event is written as a string: write it as an object first".into())
            }
            Target::Remove { entry, map } => remove_key(text, entry, map).map(|e| vec![e]),
            Target::Rename { key_span, to } => Ok(vec![replace(key_span, render_str(to))]),
        }
    }
}

fn render(value: &FixValue) -> String {
    match value {
        FixValue::Int(n) => n.to_string(),
        FixValue::Bool(b) => b.to_string(),
        FixValue::Str(s) => render_str(s),
    }
}

fn render_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Adds `"key": value` after the object's last member, on its own line at the members'
/// indentation when the object spans lines, after a trailing comma when there is one.
fn add_key(text: &str, object: &Node, key: &str, value: &FixValue) -> TextEdit {
    let member = format!("{}: {}", render_str(key), render(value));
    let file = object.span.file;
    let close = object.span.end as usize - 1;
    let entries = own_entries(object);
    let Some(last) = entries.last() else {
        return TextEdit::insert(file, close, member);
    };
    let multiline = text[object.span.range()].contains('\n');
    let after_value = last.value.span.end as usize;
    let rest = &text[after_value..close];
    let trailing_comma = rest.trim_start().starts_with(',');
    if !multiline {
        return TextEdit::insert(file, after_value, format!(", {member}"));
    }
    let indent = indentation_of(text, last);
    let newline = line_break(text);
    if trailing_comma {
        let comma = after_value + rest.find(',').unwrap_or(0) + 1;
        return TextEdit::insert(file, comma, format!("{newline}{indent}{member},"));
    }
    TextEdit::insert(file, after_value, format!(",{newline}{indent}{member}"))
}

fn indentation_of(text: &str, entry: &Entry) -> String {
    let start = entry.key_span.start as usize;
    text[line_start(text, start)..start]
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect()
}

/// Removes a member and one comma beside it; its whole line when it is alone on it.
fn remove_key(text: &str, entry: &Entry, object: &Node) -> Result<TextEdit, String> {
    let entries = own_entries(object);
    let index = entries
        .iter()
        .position(|e| e.key_span == entry.key_span)
        .ok_or("the key is not written in its object")?;
    let file = entry.key_span.file;
    let key_start = entry.key_span.start as usize;
    let value_end = entry.value.span.end as usize;
    let after = &text[value_end..];
    let comma_after = after
        .trim_start_matches([' ', '\t'])
        .starts_with(',')
        .then(|| value_end + after.find(',').unwrap_or(0) + 1);
    let line = line_start(text, key_start);
    let alone = text[line..key_start].trim().is_empty();
    match (comma_after, index) {
        (Some(end), _) => {
            let end_line = next_line_start(text, end);
            let rest_blank = text[end..end_line].trim().is_empty();
            if alone && rest_blank {
                Ok(TextEdit::replace(Span::new(file, line, end_line), ""))
            } else {
                let skip = text[end..].len() - text[end..].trim_start_matches([' ', '\t']).len();
                Ok(TextEdit::replace(
                    Span::new(file, key_start, end + skip),
                    "",
                ))
            }
        }
        (None, 0) => Err(format!(
            "`{}` is the object's only member: removing it would leave it empty",
            entry.key
        )),
        (None, _) => {
            // The last member: remove from the previous member's end (its comma goes too).
            let previous = entries[index - 1].value.span.end as usize;
            Ok(TextEdit::replace(Span::new(file, previous, value_end), ""))
        }
    }
}
