//! Diagnostics for people: the snippet, a label at the span, `help:`, and a summary line.

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{Batch, Render, Rendered, Summary, plural};
use crate::rules::{Finding, Severity};
use crate::source::{SourceFile, Sources, Span};
use crate::{FileError, Run};

/// How diagnostics are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
}

fn renderer(style: Style) -> Renderer {
    let renderer = if style.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.decor_style(if style.unicode {
        DecorStyle::Unicode
    } else {
        DecorStyle::Ascii
    })
}

/// Draws diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct HumanRender {
    pub style: Style,
}

impl HumanRender {
    fn errors(&self, renderer: &Renderer, sources: &Sources, errors: &[FileError]) -> Vec<String> {
        errors
            .iter()
            .map(|e| format!("{}\n\n", renderer.render(&error_report(sources, e))))
            .collect()
    }
}

impl Render for HumanRender {
    /// Errors first, then findings, each drawn with its snippet.
    fn render(&self, batch: Batch<'_>) -> Rendered {
        let renderer = renderer(self.style);
        let mut items = self.errors(&renderer, batch.sources, batch.errors);
        items.extend(
            batch
                .findings
                .iter()
                .map(|f| format!("{}\n\n", renderer.render(&finding_report(batch.sources, f)))),
        );
        Rendered {
            items,
            deferred: Vec::new(),
        }
    }
}

/// The whole report of a collected run: errors and findings, then the summary line.
pub fn render(run: &Run, style: Style) -> String {
    let buffer = super::Buffer::default();
    super::render_run(
        &HumanRender { style },
        &mut super::TextWriter::new(buffer.clone()),
        run,
    );
    buffer.text()
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

/// A window of whole lines around some spans, so rendering cost does not grow with file size.
struct Excerpt<'a> {
    text: &'a str,
    first_line: usize,
    base: usize,
}

impl<'a> Excerpt<'a> {
    fn around(file: &'a SourceFile, spans: &[Span]) -> Excerpt<'a> {
        let start = spans.iter().map(|s| s.start as usize).min().unwrap_or(0);
        let end = spans.iter().map(|s| s.end as usize).max().unwrap_or(0);
        let text = file.text.as_str();
        let start = floor_boundary(text, start.min(text.len()));
        let end = floor_boundary(text, end.min(text.len()));
        let line_start = text[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let line_end = text[end..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| end + i);
        Excerpt {
            text: &text[line_start..line_end],
            first_line: file.line_col(line_start).line,
            base: line_start,
        }
    }

    /// A span relative to the excerpt, never empty, never outside it.
    fn range(&self, span: Span) -> std::ops::Range<usize> {
        let clamp = |offset: u32| {
            let relative = (offset as usize)
                .saturating_sub(self.base)
                .min(self.text.len());
            floor_boundary(self.text, relative)
        };
        let (start, end) = (clamp(span.start), clamp(span.end));
        let end = if end > start {
            end
        } else {
            next_boundary(self.text, start)
        };
        start..end
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn next_boundary(text: &str, i: usize) -> usize {
    text[i..].chars().next().map_or(i, |c| i + c.len_utf8())
}

fn finding_report<'a>(sources: &'a Sources, finding: &'a Finding) -> Vec<Group<'a>> {
    let file = sources.get(finding.span.file);
    let path = display_path(file);
    let same_file: Vec<&crate::rules::Related> = finding
        .related
        .iter()
        .filter(|r| r.span.file == finding.span.file)
        .collect();
    let spans: Vec<Span> = std::iter::once(finding.span)
        .chain(same_file.iter().map(|r| r.span))
        .collect();
    let excerpt = Excerpt::around(file, &spans);
    let mut snippet = Snippet::source(excerpt.text)
        .line_start(excerpt.first_line)
        .path(path)
        .fold(true)
        .annotation(
            AnnotationKind::Primary
                .span(excerpt.range(finding.span))
                .label(finding.label.as_deref().unwrap_or_default()),
        );
    for related in same_file {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(excerpt.range(related.span))
                .label(related.message.as_str()),
        );
    }
    let title = level(finding.severity)
        .primary_title(finding.message.as_str())
        .id(format!(
            "{} {}{}",
            finding.rule.code,
            finding.rule.slug,
            fix_mark(finding)
        ));
    let mut group = title.element(snippet);
    for related in finding
        .related
        .iter()
        .filter(|r| r.span.file != finding.span.file)
    {
        let other = sources.get(related.span.file);
        let excerpt = Excerpt::around(other, &[related.span]);
        group = group.element(
            Snippet::source(excerpt.text)
                .line_start(excerpt.first_line)
                .path(display_path(other))
                .annotation(
                    AnnotationKind::Context
                        .span(excerpt.range(related.span))
                        .label(related.message.as_str()),
                ),
        );
    }
    if let Some(construct) = &finding.construct_path {
        group = group.element(Level::NOTE.message(format!("CDK construct: {construct}")));
    }
    if let Some(call) = &finding.module {
        group = group
            .element(Level::NOTE.message(format!("in {}", super::module_call_text(sources, call))));
    }
    if let Some(uuid) = &finding.mapping_uuid {
        let function = finding.function.as_deref().unwrap_or("an unknown function");
        group = group.element(
            Level::NOTE.message(format!("deployed mapping {uuid} of function {function}")),
        );
    }
    if let Some(address) = &finding.plan_address {
        group = group.element(Level::NOTE.message(format!("Terraform resource {address}")));
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    if let Some(fix) = finding.fix.as_ref().filter(|f| !f.edits.is_empty()) {
        group = group.element(Level::HELP.message(format!(
            "{} fix: {}",
            fix.applicability.id(),
            fix.title
        )));
    }
    vec![group]
}

fn error_report<'a>(sources: &'a Sources, error: &'a FileError) -> Vec<Group<'a>> {
    let file = sources.get(error.file);
    let path = display_path(file);
    match error.offset {
        Some(offset) if !file.text.is_empty() => {
            let span = Span::new(error.file, offset, offset);
            let excerpt = Excerpt::around(file, &[span]);
            vec![
                Level::ERROR.primary_title(error.message.as_str()).element(
                    Snippet::source(excerpt.text)
                        .line_start(excerpt.first_line)
                        .path(path)
                        .annotation(AnnotationKind::Primary.span(excerpt.range(span))),
                ),
            ]
        }
        _ => vec![Group::with_title(
            Level::ERROR.primary_title(format!("{path}: {}", error.message)),
        )],
    }
}

fn display_path(file: &SourceFile) -> String {
    super::display_path(&file.path)
}

/// "checked 3 files (2 templates, 4 triggers): 1 error, 2 warnings, 0 notes, 0 ignored", with
/// "1 Terraform module" beside or instead of the templates when modules were read.
pub fn summary_line(summary: &Summary) -> String {
    let tally = summary.findings;
    let mut units = Vec::new();
    if summary.templates > 0 || summary.modules + summary.deployed == 0 {
        units.push(plural(summary.templates, "template"));
    }
    if summary.modules > 0 {
        units.push(plural(summary.modules, "Terraform module"));
    }
    if summary.deployed > 0 {
        units.push(plural(summary.deployed, "deployed mapping listing"));
    }
    let mut line = format!(
        "checked {} ({}, {}): {}, {}, {}, {} ignored",
        plural(summary.files, "file"),
        units.join(", "),
        plural(summary.triggers, "trigger"),
        plural(tally.errors, "error"),
        plural(tally.warnings, "warning"),
        plural(tally.notes, "note"),
        summary.ignored,
    );
    if summary.baselined > 0 {
        line.push_str(&format!(", {} in the baseline", summary.baselined));
    }
    if summary.not_linted.files > 0 {
        line.push_str(&format!(
            "; {} not linted",
            plural(summary.not_linted.files, "file")
        ));
    }
    line
}

/// ruff's account of fixes, after the summary line: what `--fix` did, and (`hints`) what it and
/// `--unsafe-fixes` would do.
pub fn fix_lines(summary: &Summary, hints: bool) -> String {
    let remaining = summary.findings.total();
    let mut lines = String::new();
    if let Some(fixed) = summary.fixed {
        lines.push_str(&format!(
            "\nFound {} ({fixed} fixed, {remaining} remaining)",
            plural(fixed + remaining, "finding")
        ));
    }
    match (summary.fixable, summary.unsafe_fixable) {
        _ if !hints => {}
        (0, 0) => {}
        (safe, 0) => lines.push_str(&format!("\n[*] {safe} fixable with `--fix`")),
        (0, unsafe_) => lines.push_str(&format!(
            "\n{unsafe_} more fixable with `--fix --unsafe-fixes`"
        )),
        (safe, unsafe_) => lines.push_str(&format!(
            "\n[*] {safe} fixable with `--fix` ({unsafe_} more with `--unsafe-fixes`)"
        )),
    }
    lines
}

/// The summary line of a collected run.
pub fn summary(run: &Run) -> String {
    summary_line(&Summary::of(run))
}

/// A configuration file's problems, each drawn like a parse error.
pub fn render_config_error(error: &crate::config::ConfigError, style: Style) -> String {
    let mut sources = Sources::default();
    let file = crate::source::FileId(0);
    sources.insert(
        file,
        SourceFile::new(error.path.clone(), error.text.clone()),
    );
    let renderer = renderer(style);
    let mut out = String::new();
    for (offset, message) in &error.problems {
        let problem = FileError {
            file,
            offset: *offset,
            message: message.clone(),
        };
        out.push_str(&renderer.render(&error_report(&sources, &problem)));
        out.push_str("\n\n");
    }
    out
}

/// ruff's `[*]`: `--fix` applies this finding's fix.
fn fix_mark(finding: &Finding) -> &'static str {
    let safe = finding.fix.as_ref().is_some_and(|f| {
        f.applicability == crate::model::Applicability::Safe && !f.edits.is_empty()
    });
    if safe { " [*]" } else { "" }
}
