//! The fix writer for CloudFormation and SAM JSON and `serverless.json`: text edits that keep
//! the file's indentation, key order and trailing commas as written.

use crate::model::{Change, FixValue, SourceTexts, TextEdit, Trigger, Writer};
use crate::parse::Syntax;
use crate::source::Span;
use crate::tree::{Entry, Node};

use super::{
    Target, line_break, line_start, next_line_start, own_entries, parsed, replace, target,
    value_end,
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
            Target::Add { map, key, value } => add_key(text, map, &key, &value).map(|e| vec![e]),
            Target::Expand {
                scalar, key, value, ..
            } => Ok(vec![expand_short_form(text, scalar, &key, value)]),
            Target::Remove { entry, map } => remove_key(text, entry, map).map(|e| vec![e]),
            Target::Rename { key_span, to } => Ok(vec![replace(key_span, render_str(to))]),
        }
    }
}

/// A value as JSON on one line.
fn render(value: &FixValue) -> String {
    match value {
        FixValue::Int(n) => n.to_string(),
        FixValue::Bool(b) => b.to_string(),
        FixValue::Str(s) => render_str(s),
        FixValue::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", render_str(k), render(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        FixValue::GetAtt(id, attribute) => {
            format!(
                "{{\"Fn::GetAtt\": [{}, {}]}}",
                render_str(id),
                render_str(attribute)
            )
        }
    }
}

/// A value as JSON across lines: an object's members one `unit` deeper than `indent` (the
/// indentation of the member that holds it), its closing brace at `indent`; the rest as
/// [`render`] writes it.
fn render_block(value: &FixValue, indent: &str, unit: &str, newline: &str) -> String {
    match value {
        FixValue::Map(entries) if !entries.is_empty() => {
            let deeper = format!("{indent}{unit}");
            let members: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{deeper}{}: {}",
                        render_str(k),
                        render_block(v, &deeper, unit, newline)
                    )
                })
                .collect();
            let separator = format!(",{newline}");
            format!("{{{newline}{}{newline}{indent}}}", members.join(&separator))
        }
        _ => render(value),
    }
}

/// One step of the file's indentation: what its first indented line starts with (two
/// spaces when no line is indented).
fn indent_unit(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect::<String>()
        })
        .find(|lead| !lead.is_empty())
        .unwrap_or_else(|| "  ".to_string())
}

fn render_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Adds `"key": value` after the object's last member, on its own line at the members'
/// indentation when the object spans lines, after a trailing comma when there is one.
fn add_key(text: &str, object: &Node, key: &str, value: &FixValue) -> Result<TextEdit, String> {
    let file = object.span.file;
    let close = object.span.end as usize - 1;
    let entries = own_entries(object);
    let Some(last) = entries.last() else {
        return Ok(TextEdit::insert(
            file,
            close,
            format!("{}: {}", render_str(key), render(value)),
        ));
    };
    let multiline = text[object.span.range()].contains('\n');
    let Some(after_value) = value_end(text, object, last) else {
        return Err("the object's last value is not found".to_string());
    };
    let rest = &text[after_value..close];
    let trailing_comma = rest.trim_start().starts_with(',');
    if !multiline {
        let member = format!("{}: {}", render_str(key), render(value));
        return Ok(TextEdit::insert(file, after_value, format!(", {member}")));
    }
    let indent = indentation_of(text, last);
    let newline = line_break(text);
    let member = format!(
        "{}: {}",
        render_str(key),
        render_block(value, &indent, &indent_unit(text), newline)
    );
    if trailing_comma {
        let comma = after_value + rest.find(',').unwrap_or(0) + 1;
        return Ok(TextEdit::insert(
            file,
            comma,
            format!("{newline}{indent}{member},"),
        ));
    }
    Ok(TextEdit::insert(
        file,
        after_value,
        format!(",{newline}{indent}{member}"),
    ))
}

/// `"sqs": "arn:..."` becomes an object with `arn` and the new member, on lines one level
/// deeper than the event's key when the file spans lines.
fn expand_short_form(text: &str, scalar: &Node, key: &str, value: &FixValue) -> TextEdit {
    let written = &text[scalar.span.range()];
    if !text.contains('\n') {
        let member = format!("{}: {}", render_str(key), render(value));
        return replace(scalar.span, format!("{{\"arn\": {written}, {member}}}"));
    }
    let start = scalar.span.start as usize;
    let outer: String = text[line_start(text, start)..start]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let inner = format!("{outer}  ");
    let newline = line_break(text);
    let member = format!(
        "{}: {}",
        render_str(key),
        render_block(value, &inner, &indent_unit(text), newline)
    );
    replace(
        scalar.span,
        format!("{{{newline}{inner}\"arn\": {written},{newline}{inner}{member}{newline}{outer}}}"),
    )
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
    let value_end = value_end(text, object, entry).ok_or("the member's value is not found")?;
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
            let previous = super::value_end(text, object, entries[index - 1])
                .ok_or("the previous member's value is not found")?;
            Ok(TextEdit::replace(Span::new(file, previous, value_end), ""))
        }
    }
}
