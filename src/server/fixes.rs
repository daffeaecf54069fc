//! Quick fixes: each finding's fix, as the engine resolved it into text edits, offered as a code
//! action; and one action that applies every safe fix of the document at once.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, Diagnostic, Url, WorkspaceEdit};

use crate::config::Config;
use crate::engine::fix::FixMode;
use crate::model::{Applicability, TextEdit};
use crate::rules::Finding;

use super::publish::Converter;

/// The kind of the action that applies every safe fix of a document (editors ask for
/// `source.fixAll` on save).
pub const FIX_ALL: &str = "source.fixAll.triggerlint";

/// The quick fix of a finding, when its fix has edits to make: preferred when it is safe.
pub fn fix_action(
    finding: &Finding,
    diagnostics: Vec<Diagnostic>,
    converter: &Converter<'_>,
) -> Option<CodeAction> {
    let fix = finding
        .fix
        .as_ref()
        .filter(|f| f.applicability != Applicability::Display && !f.edits.is_empty())?;
    Some(CodeAction {
        title: format!("Fix {}: {}", finding.rule.code, fix.title),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(diagnostics),
        edit: Some(workspace_edit(fix.edits.iter(), converter)?),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        ..CodeAction::default()
    })
}

/// The safe fixes of these findings that the configuration lets apply (`[fix]`), as one
/// action. A fix with an edit that touches one already taken is left out, as `--fix` leaves it
/// to a later pass: once the edits are made, the lint of the new text offers it again.
pub fn fix_all(
    findings: &[&Finding],
    config: &Config,
    converter: &Converter<'_>,
) -> Option<CodeAction> {
    let mut taken: Vec<&TextEdit> = Vec::new();
    let safe = findings
        .iter()
        .filter(|f| FixMode::default().applies(f, config))
        .filter_map(|f| f.fix.as_ref());
    for fix in safe {
        if fix.edits.iter().all(|e| !taken.iter().any(|t| touch(t, e))) {
            taken.extend(&fix.edits);
        }
    }
    if taken.is_empty() {
        return None;
    }
    taken.sort_by_key(|e| (e.file, e.start, e.end));
    Some(CodeAction {
        title: "Fix all safe problems in this file".to_string(),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(workspace_edit(taken.into_iter(), converter)?),
        ..CodeAction::default()
    })
}

/// Whether two edits overlap or meet: applied together, which text comes first would be
/// unclear.
fn touch(a: &TextEdit, b: &TextEdit) -> bool {
    a.file == b.file && a.start <= b.end && b.start <= a.end
}

/// Edits in the lint's files as the protocol's edits by document.
fn workspace_edit<'e>(
    edits: impl Iterator<Item = &'e TextEdit>,
    converter: &Converter<'_>,
) -> Option<WorkspaceEdit> {
    let mut changes: HashMap<Url, Vec<lsp_types::TextEdit>> = HashMap::new();
    for edit in edits {
        let (uri, range) = converter.locate(edit.file, edit.start, edit.end)?;
        changes
            .entry(uri)
            .or_default()
            .push(lsp_types::TextEdit::new(range, edit.text.clone()));
    }
    Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
}

/// Whether a request for actions of the kinds `only` (all kinds when absent) wants `kind`:
/// kinds are dotted paths, and asking for one asks for those under it.
pub fn wanted(only: Option<&Vec<CodeActionKind>>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|asked| {
            let asked = asked.as_str();
            kind == asked
                || kind
                    .strip_prefix(asked)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::FileReport;
    use crate::model::Fix;
    use crate::source::{FileId, SourceFile, Span};

    fn fixed(start: u32, end: u32, text: &str, applicability: Applicability) -> Finding {
        let mut finding = crate::rules::invalid_syntax::RULE.at(Span::default(), "bad");
        finding.fix = Some(Fix {
            title: format!("write {text}"),
            applicability,
            edits: vec![TextEdit {
                file: FileId(0),
                start,
                end,
                text: text.to_string(),
            }],
            why_display: None,
        });
        finding
    }

    /// Safe fixes are taken in order while their edits touch none taken; unsafe and display
    /// ones are not taken at all.
    #[test]
    fn fix_all_takes_the_safe_fixes_whose_edits_do_not_meet() {
        let mut report = FileReport::default();
        report
            .sources
            .insert(FileId(0), SourceFile::new("t.yaml", "abcdefghij\n".into()));
        let uri = Url::parse("file:///t.yaml").unwrap();
        let converter = Converter {
            report: &report,
            document: (std::path::Path::new("t.yaml"), &uri),
            encoding: super::super::position::Encoding::Utf16,
        };
        let findings = [
            fixed(2, 4, "X", Applicability::Safe),
            fixed(4, 4, "meets the first", Applicability::Safe),
            fixed(6, 6, "Y", Applicability::Safe),
            fixed(8, 9, "unsafe", Applicability::Unsafe),
        ];
        let findings: Vec<&Finding> = findings.iter().collect();
        let action = fix_all(&findings, &Config::default(), &converter).unwrap();
        assert_eq!(action.kind, Some(CodeActionKind::new(FIX_ALL)));
        let edits = &action.edit.unwrap().changes.unwrap()[&uri];
        let written: Vec<(u32, u32, &str)> = edits
            .iter()
            .map(|e| (e.range.start.character, e.range.end.character, &*e.new_text))
            .collect();
        assert_eq!(written, [(2, 4, "X"), (6, 6, "Y")]);
        assert!(fix_all(&findings[3..], &Config::default(), &converter).is_none());
    }

    #[test]
    fn asking_for_a_kind_asks_for_the_kinds_under_it() {
        let kinds =
            |k: &[&'static str]| k.iter().map(|k| CodeActionKind::new(k)).collect::<Vec<_>>();
        assert!(wanted(None, FIX_ALL));
        assert!(wanted(Some(&kinds(&["source.fixAll"])), FIX_ALL));
        assert!(wanted(Some(&kinds(&["source"])), FIX_ALL));
        assert!(!wanted(Some(&kinds(&["source.fix"])), FIX_ALL));
        assert!(!wanted(Some(&kinds(&["quickfix"])), FIX_ALL));
        assert!(wanted(Some(&kinds(&["quickfix"])), "quickfix"));
    }
}
