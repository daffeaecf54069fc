//! The text a "ignore this rule here" code action inserts: a suppression comment in YAML and
//! HCL, a `Metadata` entry on the resource in JSON (which has no comments).

use crate::model::Trigger;
use crate::parse;
use crate::rules::Finding;
use crate::source::FileId;
use crate::tree::Node;

use super::position::LineIndex;

/// What the author is asked to replace: a suppression without a reason hides the why.
pub const REASON_PLACEHOLDER: &str = "<why this is safe>";

/// Text to insert at a byte offset.
#[derive(Debug, PartialEq, Eq)]
pub struct Insert {
    pub offset: usize,
    pub text: String,
    /// What the action's title says the suppression covers.
    pub scope: &'static str,
}

/// The suppression of `finding`'s rule, written in the document's own syntax; `None` where the
/// document has no place for one (a JSON file that is not a template).
pub fn insert_for(
    text: &str,
    is_json: bool,
    file: FileId,
    finding: &Finding,
    trigger: Option<&Trigger>,
) -> Option<Insert> {
    let trigger = trigger.filter(|t| t.file == file);
    if is_json {
        metadata_insert(text, file, finding)
    } else {
        Some(comment_insert(text, finding, trigger))
    }
}

/// A comment above the trigger's key covers every finding of the trigger; where the finding is
/// not in the trigger's file (a function or queue elsewhere), one at the end of its line.
fn comment_insert(text: &str, finding: &Finding, trigger: Option<&Trigger>) -> Insert {
    let index = LineIndex::new(text);
    let code = finding.rule.code;
    let Some(trigger) = trigger else {
        let line = index.line_of(finding.span.start as usize);
        let end = index.line_start(line) + index.line_text(line).len();
        return Insert {
            offset: end,
            text: format!("  # triggerlint: ignore[{code}] {REASON_PLACEHOLDER}"),
            scope: "on this line",
        };
    };
    let line = index.line_of(trigger.anchor.start as usize);
    if let Some(insert) = line
        .checked_sub(1)
        .and_then(|above| extend_comment(&index, above, code))
    {
        return insert;
    }
    let key_line = index.line_text(line);
    let indent = &key_line[..key_line.len() - key_line.trim_start().len()];
    Insert {
        offset: index.line_start(line),
        text: format!("{indent}# triggerlint: ignore[{code}] {REASON_PLACEHOLDER}\n"),
        scope: "for this trigger",
    }
}

/// Adds the rule to a suppression comment already on the line.
fn extend_comment(index: &LineIndex<'_>, line: usize, code: &str) -> Option<Insert> {
    let text = index.line_text(line);
    let trimmed = text.trim_start();
    let rest = ["#", "//"]
        .iter()
        .find_map(|marker| trimmed.strip_prefix(marker))?
        .trim_start()
        .strip_prefix("triggerlint:")?
        .trim_start()
        .strip_prefix("ignore[")?;
    let close = rest.find(']')?;
    let offset = index.line_start(line) + (text.len() - rest.len()) + close;
    Some(Insert {
        offset,
        text: format!(", {code}"),
        scope: "for this trigger",
    })
}

/// `Metadata: {triggerlint: {ignore: [{rule, reason}]}}` on the resource the finding's trigger
/// belongs to (the mapping, or the SAM function whose event it is), merged into what is there.
fn metadata_insert(text: &str, file: FileId, finding: &Finding) -> Option<Insert> {
    let mut path = finding.path.split('/');
    let (Some("Resources"), Some(logical_id)) = (path.next(), path.next()) else {
        return None;
    };
    let root = parse::json::parse(text, file).ok()??;
    let resource = root.get_path(&["Resources", logical_id])?;
    let entry = format!(
        r#"{{"rule": "{}", "reason": "{REASON_PLACEHOLDER}"}}"#,
        finding.rule.code
    );
    let insert = |offset, text| {
        Some(Insert {
            offset,
            text,
            scope: "for this resource",
        })
    };
    let Some(metadata) = resource.get("Metadata") else {
        let value = format!(r#"{{"triggerlint": {{"ignore": [{entry}]}}}}"#);
        return first_entry(text, resource, "Metadata", &value);
    };
    metadata.as_map()?;
    let Some(triggerlint) = metadata.get("triggerlint") else {
        return first_entry(
            text,
            metadata,
            "triggerlint",
            &format!(r#"{{"ignore": [{entry}]}}"#),
        );
    };
    triggerlint.as_map()?;
    let Some(ignore) = triggerlint.get("ignore") else {
        return first_entry(text, triggerlint, "ignore", &format!("[{entry}]"));
    };
    match ignore.as_seq()? {
        [] => insert(ignore.span.start as usize + 1, entry),
        [.., last] => insert(last.span.end as usize, format!(", {entry}")),
    }
}

/// A new first entry of a JSON object, laid out like the entry it goes before.
fn first_entry(text: &str, object: &Node, key: &str, value: &str) -> Option<Insert> {
    let map = object.as_map()?;
    let (offset, text) = match map.iter().next() {
        None => (
            object.span.start as usize + 1,
            format!(r#""{key}": {value}"#),
        ),
        Some(first) => {
            let at = first.key_span.start as usize;
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let before = &text[line_start..at];
            let separator = if before.trim().is_empty() {
                format!("\n{before}")
            } else {
                " ".to_string()
            };
            (at, format!(r#""{key}": {value},{separator}"#))
        }
    };
    Some(Insert {
        offset,
        text,
        scope: "for this resource",
    })
}
