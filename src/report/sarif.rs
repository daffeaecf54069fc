//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: the rules come from the
//! registry with their pages as help, regions are 1-based, and `partialFingerprints` derive from
//! the trigger's logical path, so alerts survive edits that move lines.

use serde_json::{Value, json};

use super::line_cols;
use crate::Run;
use crate::rules::{ALL, Finding, Severity};
use crate::source::{Sources, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(run: &Run) -> String {
    let mut text = serde_json::to_string_pretty(&log(run)).expect("SARIF serialises");
    text.push('\n');
    text
}

pub fn log(run: &Run) -> Value {
    let mut results: Vec<Value> = run
        .findings
        .iter()
        .map(|f| result(&run.sources, f, None))
        .collect();
    results.extend(
        run.ignored
            .iter()
            .map(|f| result(&run.sources, f, Some("inSource"))),
    );
    results.extend(
        run.baselined
            .iter()
            .map(|f| result(&run.sources, f, Some("external"))),
    );
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver()},
            "invocations": [invocation(run)],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
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

fn invocation(run: &Run) -> Value {
    let notifications: Vec<Value> = run
        .errors
        .iter()
        .map(|e| {
            let file = run.sources.get(e.file);
            let mut physical =
                json!({"artifactLocation": {"uri": uri(&file.path.to_string_lossy())}});
            if let Some(offset) = e.offset {
                let lc = file.line_col(offset);
                physical["region"] = json!({"startLine": lc.line, "startColumn": lc.column});
            }
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": physical}],
            })
        })
        .collect();
    json!({
        "executionSuccessful": run.errors.is_empty(),
        "toolExecutionNotifications": notifications,
    })
}

fn location(sources: &Sources, span: Span) -> Value {
    let (start, end) = line_cols(sources, span);
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(&sources.get(span.file).path.to_string_lossy())},
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
    if !f.path.is_empty() {
        primary["logicalLocations"] = json!([{"fullyQualifiedName": f.path}]);
    }
    let mut result = json!({
        "ruleId": f.rule.code,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": message_text(f)},
        "locations": [primary],
        "partialFingerprints": {"triggerlint/v1": fingerprint(sources, f)},
    });
    if !f.related.is_empty() {
        result["relatedLocations"] = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut l = location(sources, r.span);
                l["id"] = json!(i);
                l["message"] = json!({"text": r.message});
                l
            })
            .collect();
    }
    if let Some(kind) = suppression {
        result["suppressions"] = json!([{"kind": kind}]);
    }
    result
}

fn message_text(f: &Finding) -> String {
    match &f.help {
        Some(help) => format!("{}\nHelp: {help}", f.message),
        None => f.message.clone(),
    }
}

/// A stable fingerprint from what identifies a finding: file, logical path, rule.
fn fingerprint(sources: &Sources, f: &Finding) -> String {
    let file = sources
        .get(f.span.file)
        .path
        .to_string_lossy()
        .replace('\\', "/");
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
