//! The diagnostics the server publishes, kept as JSON text. An edit changes few findings, so a
//! finding whose diagnostic comes out as it was (same rule, message, range and related
//! locations) takes its text from the lint before instead of being built and serialized again;
//! and a publication is written from those texts as they are, without building a JSON tree of
//! a few thousand diagnostics first.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Range, Url,
};

use crate::engine::FileReport;
use crate::fxhash::FxHashMap;
use crate::rules::{Finding, Rule, Severity};
use crate::source::FileId;

use super::position::{Encoding, LineIndex};
use super::worker::RulePages;

/// One diagnostic as JSON text.
pub type Json = Arc<str>;

/// Everything a diagnostic is made of: two equal keys serialize to the same text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DiagnosticKey {
    range: Range,
    severity: Severity,
    /// The rule, for the code and the link to its page; `None` for a file's error.
    rule: Option<ByCode>,
    /// The finding's message with its help and where it was found.
    message: String,
    related: Vec<(Url, Range, String)>,
}

impl DiagnosticKey {
    /// A diagnostic that is not a finding: a syntax error, an unusable configuration.
    pub fn plain(range: Range, message: String) -> DiagnosticKey {
        DiagnosticKey {
            range,
            severity: Severity::Error,
            rule: None,
            message,
            related: Vec::new(),
        }
    }

    fn diagnostic(&self, pages: &mut RulePages) -> Diagnostic {
        let related = self
            .related
            .iter()
            .map(|(uri, range, message)| DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), *range),
                message: message.clone(),
            })
            .collect::<Vec<_>>();
        Diagnostic {
            range: self.range,
            severity: Some(match self.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Note => DiagnosticSeverity::INFORMATION,
            }),
            code: self
                .rule
                .map(|r| NumberOrString::String(r.0.code.to_string())),
            code_description: self
                .rule
                .and_then(|r| pages.of(r.0))
                .map(|href| CodeDescription { href }),
            source: Some("triggerlint".to_string()),
            message: self.message.clone(),
            related_information: (!related.is_empty()).then_some(related),
            ..Diagnostic::default()
        }
    }
}

/// A rule, compared by its code.
#[derive(Clone, Copy)]
struct ByCode(&'static Rule);

impl PartialEq for ByCode {
    fn eq(&self, other: &ByCode) -> bool {
        self.0.code == other.0.code
    }
}

impl Eq for ByCode {}

impl Hash for ByCode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.code.hash(state);
    }
}

/// The JSON text of one document's diagnostics from its last lint, by what they are made of.
#[derive(Default)]
pub struct Serialized {
    texts: FxHashMap<DiagnosticKey, Json>,
}

impl Serialized {
    /// The texts of this lint's diagnostics: reused where the last lint had the same one. Only
    /// this lint's are kept for the next.
    pub fn texts(
        &mut self,
        keys: Vec<(Url, DiagnosticKey)>,
        pages: &mut RulePages,
    ) -> Vec<(Url, Json)> {
        let mut kept = FxHashMap::default();
        let mut out = Vec::with_capacity(keys.len());
        for (target, key) in keys {
            let json = match self.texts.remove(&key) {
                Some(json) => json,
                None => serialize(&key.diagnostic(pages)),
            };
            kept.insert(key, json.clone());
            out.push((target, json));
        }
        self.texts = kept;
        out
    }
}

fn serialize(diagnostic: &Diagnostic) -> Json {
    serde_json::to_string(diagnostic)
        .unwrap_or_else(|_| "{}".to_string())
        .into()
}

/// The `textDocument/publishDiagnostics` notification, as the JSON text sent.
pub fn notification(uri: &Url, version: Option<i32>, diagnostics: &[&Json]) -> String {
    let length: usize = diagnostics.iter().map(|d| d.len() + 1).sum();
    let mut out = String::with_capacity(length + 200);
    out.push_str(r#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#);
    out.push_str(&serde_json::to_string(uri.as_str()).unwrap_or_default());
    if let Some(version) = version {
        out.push_str(&format!(r#","version":{version}"#));
    }
    out.push_str(r#","diagnostics":["#);
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(diagnostic);
    }
    out.push_str("]}}");
    out
}

/// Turns one lint's findings and errors into what the diagnostics of the files they are in are
/// made of.
pub struct Converter<'r> {
    pub report: &'r FileReport,
    /// The document linted: its path and URI.
    pub document: (&'r Path, &'r Url),
    pub encoding: Encoding,
}

impl Converter<'_> {
    pub fn diagnostics(&self, document_text: &str) -> Vec<(Url, DiagnosticKey)> {
        let report = self.report;
        // Syntax errors are ours to report only in files that are templates (or Terraform): a
        // YAML or JSON file of another kind has its own tools.
        let ours = report.is_template
            || report.is_module
            || report.is_deployed
            || crate::parse::hcl::is_terraform(self.document.0)
            || crate::load::looks_like_template(document_text)
            || crate::load::may_hold_trigger(document_text);
        let syntax = &crate::rules::invalid_syntax::RULE;
        let shown = report
            .findings
            .iter()
            .filter(|f| ours || !std::ptr::eq(f.rule, syntax));
        let mut out = Vec::new();
        for f in shown {
            let Some((uri, range)) = self.locate(f.span.file, f.span.start, f.span.end) else {
                continue;
            };
            out.push((uri, self.finding(f, range)));
        }
        for e in report.errors.iter().filter(|_| ours) {
            let offset = e.offset.unwrap_or(0) as u32;
            let Some((uri, range)) = self.locate(e.file, offset, offset) else {
                continue;
            };
            out.push((uri, DiagnosticKey::plain(range, e.message.clone())));
        }
        out
    }

    fn finding(&self, f: &Finding, range: Range) -> DiagnosticKey {
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        if let Some(uuid) = &f.mapping_uuid {
            message.push_str(&format!("\ndeployed mapping {uuid}"));
        }
        if let Some(address) = &f.plan_address {
            message.push_str(&format!("\nTerraform resource {address}"));
        }
        // Each call of a module gives its own findings at the same lines: the call tells them
        // apart, as the CLI's note does.
        if let Some(call) = &f.module {
            message.push_str(&format!(
                "\nin {}",
                crate::report::module_call_text(&self.report.sources, call)
            ));
        }
        let related = f
            .related
            .iter()
            .filter_map(|r| {
                let (uri, range) = self.locate(r.span.file, r.span.start, r.span.end)?;
                Some((uri, range, r.message.clone()))
            })
            .collect();
        DiagnosticKey {
            range,
            severity: f.severity,
            rule: Some(ByCode(f.rule)),
            message,
            related,
        }
    }

    /// The URI and range of a span in one of the lint's files.
    pub fn locate(&self, file: FileId, start: u32, end: u32) -> Option<(Url, Range)> {
        let source = self.report.sources.try_get(file)?;
        let uri = if source.path == self.document.0 {
            self.document.1.clone()
        } else {
            Url::from_file_path(crate::discover::absolute(&source.path)).ok()?
        };
        let index = LineIndex::of(source);
        Some((
            uri,
            index.range(start as usize, end as usize, self.encoding),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A diagnostic's text is built once and reused while it stays the same; one that changed
    /// (here its range) is built anew, and the texts of findings gone are not kept.
    #[test]
    fn a_diagnostic_that_stays_the_same_keeps_its_text() {
        let uri = Url::parse("file:///t.yaml").unwrap();
        let key = |line| DiagnosticKey::plain(Range::default(), format!("bad at {line}"));
        let moved = DiagnosticKey {
            range: Range::new(
                lsp_types::Position::new(1, 0),
                lsp_types::Position::new(1, 2),
            ),
            ..key(1)
        };
        let mut pages = RulePages::default();
        let mut serialized = Serialized::default();
        let first = serialized.texts(
            vec![(uri.clone(), key(1)), (uri.clone(), key(2))],
            &mut pages,
        );
        let second = serialized.texts(
            vec![(uri.clone(), key(1)), (uri.clone(), moved)],
            &mut pages,
        );
        assert!(Arc::ptr_eq(&first[0].1, &second[0].1));
        assert!(!Arc::ptr_eq(&first[1].1, &second[1].1));
        assert_eq!(
            &*second[1].1,
            r#"{"range":{"start":{"line":1,"character":0},"end":{"line":1,"character":2}},"severity":1,"source":"triggerlint","message":"bad at 1"}"#
        );
        assert_eq!(serialized.texts.len(), 2);
        let body = notification(&uri, Some(3), &[&second[0].1]);
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["params"]["version"], 3);
        assert_eq!(parsed["params"]["uri"], "file:///t.yaml");
        assert_eq!(parsed["params"]["diagnostics"][0]["message"], "bad at 1");
    }
}
