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
use crate::source::{FileId, Span};

use super::position::{Encoding, LineIndex};
use super::worker::RulePages;

/// One diagnostic as JSON text.
pub type Json = Arc<str>;

/// Everything a diagnostic is made of: two equal keys serialize to the same text.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DiagnosticKey {
    range: Range,
    /// Shared with the last lint's key when the finding comes out the same.
    body: Arc<Body>,
}

/// All of a diagnostic but its range: what an edit on a line above leaves as it was.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Body {
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
            body: Arc::new(Body {
                severity: Severity::Error,
                rule: None,
                message,
                related: Vec::new(),
            }),
        }
    }

    fn diagnostic(&self, pages: &mut RulePages) -> Diagnostic {
        let body = &self.body;
        let related = body
            .related
            .iter()
            .map(|(uri, range, message)| DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), *range),
                message: message.clone(),
            })
            .collect::<Vec<_>>();
        Diagnostic {
            range: self.range,
            severity: Some(match body.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Note => DiagnosticSeverity::INFORMATION,
            }),
            code: body
                .rule
                .map(|r| NumberOrString::String(r.0.code.to_string())),
            code_description: body
                .rule
                .and_then(|r| pages.of(r.0))
                .map(|href| CodeDescription { href }),
            source: Some("triggerlint".to_string()),
            message: body.message.clone(),
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

/// The JSON text of one document's diagnostics from its last lint, in the order they came.
#[derive(Default)]
pub struct Serialized {
    last: Vec<(DiagnosticKey, Json)>,
}

impl Serialized {
    /// What the last lint's diagnostic at a place in the list was made of, but its range.
    fn body_at(&self, i: usize) -> Option<&Arc<Body>> {
        self.last.get(i).map(|(key, _)| &key.body)
    }

    /// The texts of this lint's diagnostics, reused from the last lint where it had the same
    /// diagnostic; one that only moved (an edit added or removed lines above it) keeps the text
    /// after its range. Only this lint's are kept for the next.
    ///
    /// A lint reports its findings in a stable order, so the same diagnostic is usually at the
    /// same place in both lists: that is compared first. The last lint's are looked up by what
    /// they are made of once more than a few differ in place (a diagnostic added or removed
    /// before others); until then one that differs is written afresh (the same text, as
    /// `moved` gives the text a fresh one would have), which spares indexing a few thousand
    /// diagnostics for an edit that changed the messages of one trigger.
    pub fn texts(
        &mut self,
        keys: Vec<(Url, DiagnosticKey)>,
        pages: &mut RulePages,
    ) -> Vec<(Url, Json)> {
        let last = std::mem::take(&mut self.last);
        let mut by_body: Option<FxHashMap<&Body, &(DiagnosticKey, Json)>> = None;
        let mut kept = Vec::with_capacity(keys.len());
        let mut out = Vec::with_capacity(keys.len());
        let mut out_of_place = 0;
        for (i, (target, key)) in keys.into_iter().enumerate() {
            let json = match last.get(i) {
                Some((same, json)) if *same == key => json.clone(),
                Some((same, json)) if same.body == key.body => moved(json, same.range, key.range)
                    .unwrap_or_else(|| serialize(&key.diagnostic(pages))),
                _ if by_body.is_none() && out_of_place < LOOKUP_AFTER => {
                    out_of_place += 1;
                    serialize(&key.diagnostic(pages))
                }
                _ => {
                    let by_body = by_body.get_or_insert_with(|| {
                        last.iter().map(|entry| (&*entry.0.body, entry)).collect()
                    });
                    by_body
                        .get(&*key.body)
                        .and_then(|(before, json)| moved(json, before.range, key.range))
                        .unwrap_or_else(|| serialize(&key.diagnostic(pages)))
                }
            };
            kept.push((key, json.clone()));
            out.push((target, json));
        }
        drop(by_body);
        self.last = kept;
        out
    }
}

/// How many diagnostics may differ from the last lint's at their place before the last lint's
/// are looked up by what they are made of.
const LOOKUP_AFTER: usize = 16;

/// The text of a diagnostic at another range (the same text at the same one): serde writes the range first, so the text is
/// `{"range":` and the range, then the rest, which stays.
fn moved(json: &Json, from: Range, to: Range) -> Option<Json> {
    if from == to {
        return Some(json.clone());
    }
    const LEAD: &str = r#"{"range":"#;
    let old = serde_json::to_string(&from).ok()?;
    let rest = json.strip_prefix(LEAD)?.strip_prefix(old.as_str())?;
    let new = serde_json::to_string(&to).ok()?;
    Some(format!("{LEAD}{new}{rest}").into())
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
    /// The diagnostics of the lint's findings and errors. A finding whose diagnostic comes out
    /// as the last lint's at the same place in the list (`last`, whose keys this list's start
    /// at `first`) shares that one's body rather than building it again: its message, help
    /// and related locations are compared where they are, without being put together.
    pub fn diagnostics(
        &self,
        document_text: &str,
        last: &Serialized,
        first: usize,
    ) -> Vec<(Url, DiagnosticKey)> {
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
            let key = match last.body_at(first + out.len()) {
                Some(body) if self.renders_as(f, body) => DiagnosticKey {
                    range,
                    body: Arc::clone(body),
                },
                _ => self.finding(f, range),
            };
            out.push((uri, key));
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
            body: Arc::new(Body {
                severity: f.severity,
                rule: Some(ByCode(f.rule)),
                message,
                related,
            }),
        }
    }

    /// Whether [`Converter::finding`] would make `body` of this finding. Findings of deployed
    /// mappings, plans and module calls, whose messages say more, are built.
    fn renders_as(&self, f: &Finding, body: &Body) -> bool {
        if f.mapping_uuid.is_some() || f.plan_address.is_some() || f.module.is_some() {
            return false;
        }
        let rule = body.rule.map(|r| r.0.code);
        if body.severity != f.severity || rule != Some(f.rule.code) {
            return false;
        }
        let message = match &f.help {
            Some(help) => body
                .message
                .strip_prefix(f.message.as_str())
                .and_then(|rest| rest.strip_prefix("\nhelp: "))
                .is_some_and(|rest| rest == help),
            None => body.message == f.message,
        };
        message
            && body.related.len() == f.related.len()
            && f.related
                .iter()
                .zip(&body.related)
                .all(|(r, (uri, range, text))| {
                    r.message == *text && self.locates_to(r.span, uri, *range)
                })
    }

    /// Whether a span of the lint's files is at this URI and range.
    fn locates_to(&self, span: Span, uri: &Url, range: Range) -> bool {
        let Some(source) = self.report.sources.try_get(span.file) else {
            return false;
        };
        let same_uri = if source.path == self.document.0 {
            self.document.1 == uri
        } else {
            Url::from_file_path(crate::discover::absolute(&source.path)).is_ok_and(|u| &u == uri)
        };
        let index = LineIndex::of(source);
        same_uri && index.range(span.start as usize, span.end as usize, self.encoding) == range
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

    fn at(line: u32) -> Range {
        Range::new(
            lsp_types::Position::new(line, 0),
            lsp_types::Position::new(line, 2),
        )
    }

    fn key(line: u32, message: &str) -> DiagnosticKey {
        DiagnosticKey::plain(at(line), message.to_string())
    }

    /// A diagnostic's text is built once and reused while it stays the same at the same place
    /// in the list; once more than a few are out of place (one added before the others), the
    /// others are found where they went. The texts of findings gone are not kept.
    #[test]
    fn a_diagnostic_that_stays_the_same_keeps_its_text() {
        let uri = Url::parse("file:///t.yaml").unwrap();
        let mut pages = RulePages::default();
        let mut serialized = Serialized::default();
        let keys = |names: &[&str]| -> Vec<(Url, DiagnosticKey)> {
            names
                .iter()
                .enumerate()
                .map(|(line, name)| (uri.clone(), key(line as u32, name)))
                .collect()
        };
        let first = serialized.texts(keys(&["a", "b", "c"]), &mut pages);
        // `a` and `c` stay in place, `b` is gone and `d` is new.
        let second = serialized.texts(keys(&["a", "d", "c"]), &mut pages);
        assert!(Arc::ptr_eq(&first[0].1, &second[0].1));
        assert!(Arc::ptr_eq(&first[2].1, &second[2].1));
        assert_eq!(
            &*second[1].1,
            r#"{"range":{"start":{"line":1,"character":0},"end":{"line":1,"character":2}},"severity":1,"source":"triggerlint","message":"d"}"#
        );
        assert_eq!(serialized.last.len(), 3);
        // Forty diagnostics, then one more before them: all forty move one place down, and
        // past the first few keep their texts.
        let names: Vec<String> = (0..40).map(|i| format!("m{i}")).collect();
        let mut forty: Vec<(Url, DiagnosticKey)> = names
            .iter()
            .map(|name| (uri.clone(), key(9, name)))
            .collect();
        let before = serialized.texts(forty.clone(), &mut pages);
        forty.insert(0, (uri.clone(), key(0, "new")));
        let after = serialized.texts(forty, &mut pages);
        let kept = (0..40)
            .filter(|&i| Arc::ptr_eq(&before[i].1, &after[i + 1].1))
            .count();
        // The new one and the first fifteen moved are written afresh.
        assert_eq!(kept, 40 + 1 - LOOKUP_AFTER);
        for i in 0..40 {
            assert_eq!(before[i].1, after[i + 1].1);
        }
        let body = notification(&uri, Some(3), &[&second[2].1]);
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["params"]["version"], 3);
        assert_eq!(parsed["params"]["uri"], "file:///t.yaml");
        assert_eq!(parsed["params"]["diagnostics"][0]["message"], "c");
    }

    /// A finding that comes out as the last lint's diagnostic at its place shares that one's
    /// body; every key is the one a conversion without the last lint makes.
    #[test]
    fn an_unchanged_finding_shares_the_last_diagnostics_body() {
        let template = |batch: &str| {
            format!(
                "Transform: AWS::Serverless-2016-10-31\nResources:\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Events:\n        Orders:\n          Type: Kinesis\n          Properties:\n            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders\n            StartingPosition: LATEST\n            BatchSize: {batch}\n"
            )
        };
        let uri = Url::parse("file:///t.yaml").unwrap();
        let path = std::path::Path::new("/t.yaml");
        let config = crate::config::Config::default();
        let mut pages = RulePages::default();
        let mut serialized = Serialized::default();
        let mut last_keys: Vec<DiagnosticKey> = Vec::new();
        for batch in ["100", "100", "7", "100"] {
            let text = template(batch);
            let report = crate::engine::report_document(path, text.clone(), &config);
            let converter = Converter {
                report: &report,
                document: (path, &uri),
                encoding: Encoding::Utf16,
            };
            let fresh = converter.diagnostics(&text, &Serialized::default(), 0);
            let keys = converter.diagnostics(&text, &serialized, 0);
            assert!(keys.len() >= 4);
            assert!(keys == fresh);
            for (i, (_, key)) in keys.iter().enumerate() {
                let same = last_keys.get(i).is_some_and(|last| last.body == key.body);
                let shared = last_keys
                    .get(i)
                    .is_some_and(|l| Arc::ptr_eq(&l.body, &key.body));
                assert_eq!(same, shared, "{batch}: {}", key.body.message);
            }
            last_keys = keys.iter().map(|(_, key)| key.clone()).collect();
            serialized.texts(keys, &mut pages);
        }
    }

    /// A diagnostic that only moved (lines added above it) gets the text a fresh one would
    /// have, with its new range.
    #[test]
    fn a_moved_diagnostic_is_written_at_its_new_range() {
        let uri = Url::parse("file:///t.yaml").unwrap();
        let mut pages = RulePages::default();
        let related = |line| {
            let mut k = key(line, "a \"quoted\" message\nhelp: do this");
            let body = Arc::make_mut(&mut k.body);
            body.rule = Some(ByCode(&crate::rules::missing_include::RULE));
            body.related = vec![(uri.clone(), at(line + 10), "the queue".to_string())];
            body.severity = Severity::Warning;
            k
        };
        let mut serialized = Serialized::default();
        let first = serialized.texts(vec![(uri.clone(), related(1))], &mut pages);
        let second = serialized.texts(vec![(uri.clone(), related(5))], &mut pages);
        assert!(!Arc::ptr_eq(&first[0].1, &second[0].1));
        let fresh = serialize(&related(5).diagnostic(&mut pages));
        assert_eq!(second[0].1, fresh);
        assert!(fresh.contains(r#""range":{"start":{"line":5,"#), "{fresh}");
        assert!(fresh.contains(r#""codeDescription":{"href":"#), "{fresh}");
    }
}
