//! The versioned JSON report. Its shape is a public interface: other tools parse it.

use serde::Serialize;

use super::line_cols;
use crate::Run;
use crate::source::Sources;

#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub findings: Vec<JsonFinding<'a>>,
    pub errors: Vec<JsonError>,
    pub summary: JsonSummary,
}

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: &'static str,
    pub message: &'a str,
    pub help: Option<&'a str>,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub path: &'a str,
    pub function: Option<&'a str>,
    pub source_kind: Option<&'static str>,
}

/// A file that could not be linted; `line` and `column` are null when the problem is not at a
/// position (an unreadable file, say).
#[derive(Serialize)]
pub struct JsonError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

#[derive(Serialize)]
pub struct JsonSummary {
    pub files: usize,
    pub templates: usize,
    pub triggers: usize,
    pub findings: usize,
    pub errors: usize,
    /// Findings hidden by suppression comments or Metadata (shown with `--no-ignore`).
    pub ignored: usize,
    /// Findings hidden because the baseline records them.
    pub baselined: usize,
}

pub fn errors(run: &Run) -> Vec<JsonError> {
    run.errors
        .iter()
        .map(|e| {
            let file = run.sources.get(e.file);
            let position = e.offset.map(|o| file.line_col(o));
            JsonError {
                file: file.path.display().to_string(),
                line: position.map(|p| p.line),
                column: position.map(|p| p.column),
                message: e.message.clone(),
            }
        })
        .collect()
}

pub fn summary(run: &Run) -> JsonSummary {
    JsonSummary {
        files: run.files(),
        templates: run.templates,
        triggers: run.triggers.len(),
        findings: run.findings.len(),
        errors: run.errors.len(),
        ignored: run.ignored.len(),
        baselined: run.baselined.len(),
    }
}

pub fn report(run: &Run) -> JsonReport<'_> {
    JsonReport {
        version: 1,
        findings: run
            .findings
            .iter()
            .map(|f| finding(&run.sources, f))
            .collect(),
        errors: errors(run),
        summary: summary(run),
    }
}

fn finding<'a>(sources: &Sources, f: &'a crate::rules::Finding) -> JsonFinding<'a> {
    let (start, end) = line_cols(sources, f.span);
    JsonFinding {
        code: f.rule.code,
        rule: f.rule.slug,
        severity: f.severity.id(),
        message: &f.message,
        help: f.help.as_deref(),
        file: sources.get(f.span.file).path.display().to_string(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        path: &f.path,
        function: f.function.as_deref(),
        source_kind: f.source_kind,
    }
}

pub fn render(run: &Run) -> String {
    let mut text = serde_json::to_string_pretty(&report(run)).expect("report serialises");
    text.push('\n');
    text
}
