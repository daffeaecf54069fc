//! The versioned JSON report. Its shape is a public interface: other tools parse it.
//!
//! Findings are written as they arrive; errors and the summary at the end.

use std::io::Write;

use serde::Serialize;

use super::{Batch, Render, Rendered, Summary, Writer, line_cols};
use crate::Run;
use crate::engine::FileError;
use crate::rules::Finding;
use crate::source::Sources;

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
    /// The CDK construct that synthesized the trigger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub construct_path: Option<&'a str>,
    /// The UUID of a deployed mapping (the Lambda API's description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_uuid: Option<&'a str>,
    /// The Terraform module call the finding was evaluated for, in a called module.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<JsonModule>,
    /// The other places a finding relies on (the queue, the function's timeout...).
    pub related: Vec<JsonRelated>,
    /// What `check --fix` would change (absent when the rule proposes nothing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<JsonFix>,
}

/// A finding's fix: how safe it is, and its edits (none when it is shown only).
#[derive(Serialize)]
pub struct JsonFix {
    pub applicability: &'static str,
    pub title: String,
    pub edits: Vec<JsonEdit>,
    /// Why the fix is shown only, when a rule proposed one that cannot be written here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_display: Option<String>,
}

/// Replace the text from `start` to `end` (1-based lines and columns) of `path` by `content`.
#[derive(Serialize)]
pub struct JsonEdit {
    pub path: String,
    pub start: JsonLineCol,
    pub end: JsonLineCol,
    pub content: String,
}

#[derive(Serialize)]
pub struct JsonLineCol {
    pub line: usize,
    pub column: usize,
}

/// A Terraform module call: the instance's address and the `module` blocks that call it,
/// outermost first.
#[derive(Serialize)]
pub struct JsonModule {
    pub address: String,
    pub called_at: Vec<JsonPosition>,
}

/// A place in a file.
#[derive(Serialize)]
pub struct JsonPosition {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// A secondary location of a finding.
#[derive(Serialize)]
pub struct JsonRelated {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
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

/// Findings per severity.
#[derive(Serialize)]
pub struct JsonSeverities {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

#[derive(Serialize)]
pub struct JsonSummary {
    pub files: usize,
    pub templates: usize,
    /// Terraform modules: folders whose `.tf` files are read as one unit.
    pub modules: usize,
    /// Files describing deployed mappings (the Lambda API's JSON).
    pub deployed: usize,
    pub triggers: usize,
    pub findings: usize,
    /// Findings per severity.
    pub severity: JsonSeverities,
    /// Problems that kept files from being linted (read errors, an invalid configuration
    /// file's problems), not findings.
    pub errors: usize,
    /// Files that could not be linted: unreadable, or under an invalid configuration file.
    pub files_not_linted: usize,
    /// Findings hidden by suppression comments or Metadata (shown with `--no-ignore`).
    pub ignored: usize,
    /// Findings hidden because the baseline records them.
    pub baselined: usize,
}

impl From<&Summary> for JsonSummary {
    fn from(s: &Summary) -> Self {
        JsonSummary {
            files: s.files,
            templates: s.templates,
            modules: s.modules,
            deployed: s.deployed,
            triggers: s.triggers,
            findings: s.findings.total(),
            severity: JsonSeverities {
                error: s.findings.errors,
                warning: s.findings.warnings,
                note: s.findings.notes,
            },
            errors: s.errors,
            files_not_linted: s.not_linted.files,
            ignored: s.ignored,
            baselined: s.baselined,
        }
    }
}

pub fn error(sources: &Sources, e: &FileError) -> JsonError {
    let file = sources.get(e.file);
    let position = e.offset.map(|o| file.line_col(o));
    JsonError {
        file: super::display_path(&file.path),
        line: position.map(|p| p.line),
        column: position.map(|p| p.column),
        message: e.message.clone(),
    }
}

pub fn errors(run: &Run) -> Vec<JsonError> {
    run.errors.iter().map(|e| error(&run.sources, e)).collect()
}

pub fn summary(run: &Run) -> JsonSummary {
    JsonSummary::from(&Summary::of(run))
}

fn finding<'a>(sources: &Sources, f: &'a Finding) -> JsonFinding<'a> {
    let (start, end) = line_cols(sources, f.span);
    JsonFinding {
        code: f.rule.code,
        rule: f.rule.slug,
        severity: f.severity.id(),
        message: &f.message,
        help: f.help.as_deref(),
        file: super::display_path(&sources.get(f.span.file).path),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        path: &f.path,
        function: f.function.as_deref(),
        source_kind: f.source_kind,
        construct_path: f.construct_path.as_deref(),
        mapping_uuid: f.mapping_uuid.as_deref(),
        module: f.module.as_ref().map(|call| JsonModule {
            address: call.address.clone(),
            called_at: call
                .sites
                .iter()
                .map(|site| {
                    let (start, _) = line_cols(sources, *site);
                    JsonPosition {
                        file: super::display_path(&sources.get(site.file).path),
                        line: start.line,
                        column: start.column,
                    }
                })
                .collect(),
        }),
        related: f
            .related
            .iter()
            .map(|r| {
                let (start, end) = line_cols(sources, r.span);
                JsonRelated {
                    file: super::display_path(&sources.get(r.span.file).path),
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    message: r.message.clone(),
                }
            })
            .collect(),
        fix: f.fix.as_ref().map(|fix| json_fix(sources, fix)),
    }
}

/// Pretty JSON of a value, each line indented by `depth` levels (to nest inside the report).
pub(super) fn indented<T: Serialize>(value: &T, depth: usize) -> String {
    let text = serde_json::to_string_pretty(value).expect("serialises");
    let pad = "  ".repeat(depth);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// Findings as JSON objects; errors kept for the end.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonRender;

impl Render for JsonRender {
    fn render(&self, batch: Batch<'_>) -> Rendered {
        Rendered {
            items: batch
                .findings
                .iter()
                .map(|f| indented(&finding(batch.sources, f), 2))
                .collect(),
            deferred: batch
                .errors
                .iter()
                .map(|e| indented(&error(batch.sources, e), 2))
                .collect(),
        }
    }
}

/// Writes `{"version": 1, "findings": [...], "errors": [...], "summary": {...}}`.
pub struct JsonWriter<W: Write> {
    out: W,
    findings: super::StreamedArray,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(out: W) -> Self {
        JsonWriter {
            out,
            findings: super::StreamedArray::default(),
        }
    }

    fn start(&mut self) -> std::io::Result<()> {
        let header = || "{\n  \"version\": 1,\n  \"findings\": [".to_string();
        self.findings.start(&mut self.out, header)
    }
}

impl<W: Write> Writer for JsonWriter<W> {
    fn write(&mut self, rendered: Rendered) -> std::io::Result<()> {
        self.start()?;
        self.findings.write(&mut self.out, rendered)
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.start()?;
        let close = self.findings.close("  ");
        let errors = &self.findings.deferred;
        let errors = if errors.is_empty() {
            "[]".to_string()
        } else {
            format!("[\n{}\n  ]", errors.join(",\n"))
        };
        let summary = indented(&JsonSummary::from(summary), 1)
            .trim_start()
            .to_string();
        write!(
            self.out,
            "{close},\n  \"errors\": {errors},\n  \"summary\": {summary}\n}}\n"
        )?;
        self.out.flush()
    }
}

pub fn render(run: &Run) -> String {
    let buffer = super::Buffer::default();
    super::render_run(&JsonRender, &mut JsonWriter::new(buffer.clone()), run);
    buffer.text()
}

fn json_fix(sources: &Sources, fix: &crate::model::Fix) -> JsonFix {
    JsonFix {
        applicability: fix.applicability.id(),
        title: fix.title.clone(),
        edits: fix
            .edits
            .iter()
            .filter_map(|edit| {
                let file = sources.try_get(edit.file)?;
                let start = file.line_col(edit.start as usize);
                let end = file.line_col(edit.end as usize);
                Some(JsonEdit {
                    path: super::display_path(&file.path),
                    start: JsonLineCol {
                        line: start.line,
                        column: start.column,
                    },
                    end: JsonLineCol {
                        line: end.line,
                        column: end.column,
                    },
                    content: edit.text.clone(),
                })
            })
            .collect(),
        why_display: fix.why_display.clone(),
    }
}
