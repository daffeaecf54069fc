//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: the rules come from the
//! registry with their pages as help, regions are 1-based, and `partialFingerprints` derive from
//! the trigger's logical path, so alerts survive edits that move lines.

use serde_json::{Value, json};

use std::io::Write;

use super::json::indented;
use super::{Batch, Render, Rendered, Summary, Writer, line_cols};
use crate::Run;
use crate::engine::FileError;
use crate::rules::{ALL, Finding, Severity};
use crate::source::{Sources, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Results as SARIF objects; notifications of unreadable files kept for the end.
#[derive(Clone, Copy, Debug, Default)]
pub struct SarifRender;

impl Render for SarifRender {
    fn render(&self, batch: Batch<'_>) -> Rendered {
        let sets = [
            (batch.findings, None),
            (batch.ignored, Some("inSource")),
            (batch.baselined, Some("external")),
        ];
        let items = sets
            .iter()
            .flat_map(|(findings, suppression)| {
                findings
                    .iter()
                    .map(|f| indented(&result(batch.sources, f, *suppression), 4))
            })
            .collect();
        Rendered {
            items,
            deferred: batch
                .errors
                .iter()
                .map(|e| {
                    serde_json::to_string(&notification(batch.sources, e)).expect("serialises")
                })
                .collect(),
        }
    }
}

/// Writes one SARIF run: the tool and its rules, results as they come, then the invocation
/// with the files that could not be linted.
pub struct SarifWriter<W: Write> {
    out: W,
    results: super::StreamedArray,
}

impl<W: Write> SarifWriter<W> {
    pub fn new(out: W) -> Self {
        SarifWriter {
            out,
            results: super::StreamedArray::default(),
        }
    }

    fn start(&mut self) -> std::io::Result<()> {
        let header = || {
            let tool = indented(&json!({"driver": driver()}), 3);
            format!(
                "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": {},\n      \"originalUriBaseIds\": {},\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [",
                tool.trim_start(),
                base_ids()
            )
        };
        self.results.start(&mut self.out, header)
    }
}

impl<W: Write> Writer for SarifWriter<W> {
    fn write(&mut self, rendered: Rendered) -> std::io::Result<()> {
        self.start()?;
        self.results.write(&mut self.out, rendered)
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.start()?;
        let close = self.results.close("      ");
        let notifications: Vec<Value> = std::mem::take(&mut self.results.deferred)
            .iter()
            .map(|n| serde_json::from_str(n).expect("rendered JSON"))
            .collect();
        let invocation = json!({
            "executionSuccessful": summary.errors == 0,
            "toolExecutionNotifications": notifications,
        });
        write!(
            self.out,
            "{close},\n      \"invocations\": [\n{}\n      ]\n    }}\n  ]\n}}\n",
            indented(&invocation, 4)
        )?;
        self.out.flush()
    }
}

pub fn render(run: &Run) -> String {
    let buffer = super::Buffer::default();
    super::render_run(&SarifRender, &mut SarifWriter::new(buffer.clone()), run);
    buffer.text()
}

fn driver() -> Value {
    let rules: Vec<Value> = ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.slug,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": first_paragraph(r.docs, "## What it does")},
                "help": {"text": r.docs, "markdown": r.docs},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"tags": ["lambda", "event-source-mapping"]},
            })
        })
        .collect();
    json!({
        "name": "triggerlint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    })
}

/// The first paragraph under a heading of a rule page.
fn first_paragraph(docs: &str, heading: &str) -> String {
    docs.split(heading)
        .nth(1)
        .and_then(|rest| rest.trim_start().split("\n\n").next())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn notification(sources: &Sources, e: &FileError) -> Value {
    let file = sources.get(e.file);
    let mut physical = json!({"artifactLocation": artifact(&file.path)});
    if let Some(offset) = e.offset {
        let lc = file.line_col(offset);
        physical["region"] = json!({"startLine": lc.line, "startColumn": lc.column});
    }
    json!({
        "level": "error",
        "message": {"text": e.message},
        "locations": [{"physicalLocation": physical}],
    })
}

fn location(sources: &Sources, span: Span) -> Value {
    let (start, end) = line_cols(sources, span);
    json!({
        "physicalLocation": {
            "artifactLocation": artifact(&sources.get(span.file).path),
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            },
        },
    })
}

fn result(sources: &Sources, f: &Finding, suppression: Option<&str>) -> Value {
    let rule_index = ALL.iter().position(|r| r.code == f.rule.code).unwrap_or(0);
    let mut primary = location(sources, f.span);
    let mut logical = Vec::new();
    if !f.path.is_empty() {
        logical.push(json!({"fullyQualifiedName": f.path}));
    }
    if let Some(construct) = &f.construct_path {
        logical.push(json!({"fullyQualifiedName": construct, "kind": "module"}));
    }
    if let Some(uuid) = &f.mapping_uuid {
        logical.push(json!({"fullyQualifiedName": uuid, "kind": "resource"}));
    }
    if let Some(call) = &f.module {
        logical.push(json!({"fullyQualifiedName": call.address, "kind": "module"}));
    }
    if !logical.is_empty() {
        primary["logicalLocations"] = Value::Array(logical);
    }
    let mut result = json!({
        "ruleId": f.rule.code,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": message_text(f)},
        "locations": [primary],
        "partialFingerprints": {"triggerlint/v1": fingerprint(sources, f)},
    });
    // A called module's call sites follow the related places, so a viewer can go to the call.
    let call_sites = f.module.iter().flat_map(|call| {
        call.sites
            .iter()
            .map(move |site| (*site, format!("{} is called here", call.address)))
    });
    let related: Vec<(Span, String)> = f
        .related
        .iter()
        .map(|r| (r.span, r.message.clone()))
        .chain(call_sites)
        .collect();
    if !related.is_empty() {
        result["relatedLocations"] = related
            .iter()
            .enumerate()
            .map(|(i, (span, message))| {
                let mut l = location(sources, *span);
                l["id"] = json!(i);
                l["message"] = json!({"text": message});
                l
            })
            .collect();
    }
    if let Some(kind) = suppression {
        result["suppressions"] = json!([{"kind": kind}]);
    }
    if let Some(fix) = f.fix.as_ref().and_then(|fix| sarif_fix(sources, fix)) {
        result["fixes"] = json!([fix]);
    }
    result
}

/// A written fix as SARIF's `fix`: one artifact change per file, its replacements in order.
fn sarif_fix(sources: &Sources, fix: &crate::model::Fix) -> Option<Value> {
    if fix.edits.is_empty() {
        return None;
    }
    let mut by_file: std::collections::BTreeMap<crate::source::FileId, Vec<Value>> =
        std::collections::BTreeMap::new();
    for edit in &fix.edits {
        let file = sources.try_get(edit.file)?;
        let start = file.line_col(edit.start as usize);
        let end = file.line_col(edit.end as usize);
        by_file.entry(edit.file).or_default().push(json!({
            "deletedRegion": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            },
            "insertedContent": {"text": edit.text},
        }));
    }
    let changes: Vec<Value> = by_file
        .into_iter()
        .map(|(file, replacements)| {
            json!({
                "artifactLocation": artifact(&sources.get(file).path),
                "replacements": replacements,
            })
        })
        .collect();
    Some(json!({
        "description": {"text": format!("{} ({})", fix.title, fix.applicability.id())},
        "artifactChanges": changes,
    }))
}

fn message_text(f: &Finding) -> String {
    match &f.help {
        Some(help) => format!("{}\nHelp: {help}", f.message),
        None => f.message.clone(),
    }
}

/// A stable fingerprint from what identifies a finding: file, logical path, rule.
fn fingerprint(sources: &Sources, f: &Finding) -> String {
    let path = &sources.get(f.span.file).path;
    let file = root_relative(path).unwrap_or_else(|| path.to_string_lossy().replace('\\', "/"));
    let file = file.trim_start_matches("./");
    let identity = format!("{file}\u{0}{}\u{0}{}", f.path, f.rule.code);
    format!("{:016x}", fnv1a(identity.as_bytes()))
}

/// FNV-1a, 64 bits: stable across Rust versions, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The root that artifact URIs are relative to (`%SRCROOT%`): the git repository holding the
/// working directory, else the working directory. Code scanning resolves them against the
/// checkout, whatever folder the linter ran in.
fn source_root() -> &'static std::path::Path {
    static ROOT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let cwd = crate::discover::absolute(std::path::Path::new("."));
        crate::discover::project_root(&cwd, &cwd)
    })
}

/// A file's path relative to [`source_root`], when it is inside it.
fn root_relative(path: &std::path::Path) -> Option<String> {
    let absolute = crate::discover::absolute(path);
    absolute
        .strip_prefix(source_root())
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// An `artifactLocation`: relative to `%SRCROOT%` when inside it, else an absolute URI.
fn artifact(path: &std::path::Path) -> Value {
    match root_relative(path) {
        Some(relative) => json!({"uri": uri(&relative), "uriBaseId": "%SRCROOT%"}),
        None => json!({"uri": uri(&crate::discover::absolute(path).to_string_lossy())}),
    }
}

/// `originalUriBaseIds` for the run: where `%SRCROOT%` is.
fn base_ids() -> Value {
    let mut root = source_root().to_string_lossy().replace('\\', "/");
    if !root.ends_with('/') {
        root.push('/');
    }
    json!({"%SRCROOT%": {"uri": uri(&root)}})
}

/// A relative URI reference for a path: forward slashes, and percent-encoding for anything
/// outside the unreserved set.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("./a/b c/{x}.yml"), "a/b%20c/%7Bx%7D.yml");
        assert_eq!(uri("/abs/t.yaml"), "file:///abs/t.yaml");
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(format!("{:016x}", fnv1a(b"")), "cbf29ce484222325");
        assert_eq!(format!("{:016x}", fnv1a(b"a")), "af63dc4c8601ec8c");
    }
}
