//! Rendering: human diagnostics, versioned JSON, SARIF, GitHub annotations, `inspect` tables
//! and the rule list. Line and column numbers are computed here and nowhere earlier.
//!
//! The `check` formats are [`Writer`]s: they take one [`Batch`] of findings at a time (one
//! file's, as the engine streams them) and write it at once, so output starts early and memory
//! does not grow with the number of files; `finish` writes what needs the whole run (the
//! summary, the errors of JSON and SARIF).

pub mod concise;
pub mod github;
pub mod human;
pub mod inspect;
pub mod job_summary;
pub mod json;
pub mod rules;
pub mod sarif;

use std::io::Write;

use crate::engine::{FileError, FileReport, Run};
use crate::rules::{Finding, Severity};
use crate::source::{LineCol, Sources, Span};

pub use crate::discover::display_path;

/// Start and end (exclusive) of a span as 1-based line/column pairs.
pub fn line_cols(sources: &Sources, span: Span) -> (LineCol, LineCol) {
    let file = sources.get(span.file);
    (
        file.line_col(span.start as usize),
        file.line_col(span.end as usize),
    )
}

/// `module.orders, called at main.tf:6`: the module call a called module's finding was
/// evaluated for (a chain of calls reads `called at main.tf:6, then modules/app/main.tf:3`).
pub fn module_call_text(sources: &Sources, call: &crate::model::ModuleCall) -> String {
    let sites: Vec<String> = call
        .sites
        .iter()
        .map(|site| {
            let (start, _) = line_cols(sources, *site);
            format!(
                "{}:{}",
                display_path(&sources.get(site.file).path),
                start.line
            )
        })
        .collect();
    format!("{}, called at {}", call.address, sites.join(", then "))
}

/// Findings and errors to write, with the files they point into.
#[derive(Clone, Copy)]
pub struct Batch<'a> {
    pub sources: &'a Sources,
    pub findings: &'a [Finding],
    pub ignored: &'a [Finding],
    pub baselined: &'a [Finding],
    pub errors: &'a [FileError],
}

impl FileReport {
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            sources: &self.sources,
            findings: &self.findings,
            ignored: &self.ignored,
            baselined: &self.baselined,
            errors: &self.errors,
        }
    }
}

impl Run {
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            sources: &self.sources,
            findings: &self.findings,
            ignored: &self.ignored,
            baselined: &self.baselined,
            errors: &self.errors,
        }
    }
}

/// Counts of findings per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Tally {
    fn add(&mut self, findings: &[Finding]) {
        for f in findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Note => self.notes += 1,
            }
        }
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.notes
    }

    /// Whether a finding at or above `severity` was reported.
    pub fn reaches(&self, severity: Severity) -> bool {
        match severity {
            Severity::Error => self.errors > 0,
            Severity::Warning => self.errors + self.warnings > 0,
            Severity::Note => self.total() > 0,
        }
    }
}

/// The counts every format's summary reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub templates: usize,
    /// Terraform modules (folders of `.tf` files).
    pub modules: usize,
    /// Files describing deployed mappings.
    pub deployed: usize,
    pub triggers: usize,
    /// Problems that kept files from being linted (one file may have several, such as an
    /// invalid configuration file's).
    pub errors: usize,
    /// Files that could not be linted, and why.
    pub not_linted: crate::engine::NotLinted,
    pub ignored: usize,
    pub baselined: usize,
    /// Files passed over in folder walks: not parseable, and not templates.
    pub skipped: usize,
    pub findings: Tally,
    /// Whether a finding reached the `fail-on` severity of its file's configuration.
    pub failing: bool,
    /// Findings per rule code, for `--statistics` and the GitHub format.
    pub per_rule: std::collections::BTreeMap<&'static str, usize>,
    /// Fixes `--fix` wrote before this run (`None` without `--fix`).
    pub fixed: Option<usize>,
    /// Findings with a safe fix (`--fix` applies it) and with an unsafe one
    /// (`--unsafe-fixes`).
    pub fixable: usize,
    pub unsafe_fixable: usize,
}

impl Summary {
    /// Counts one file's report (after the baseline was applied to it).
    pub fn add(&mut self, report: &FileReport) {
        self.files += 1 + report.extra_files;
        self.templates += usize::from(report.is_template);
        self.modules += usize::from(report.is_module);
        self.deployed += usize::from(report.is_deployed);
        self.triggers += report.trigger_count;
        self.errors += report.errors.len();
        self.not_linted.add(report);
        self.ignored += report.ignored.len();
        self.baselined += report.baselined.len();
        self.skipped += usize::from(report.skipped.is_some()) + report.skipped_parts.len();
        self.failing |= report.fails();
        self.count(&report.findings);
    }

    fn count(&mut self, findings: &[Finding]) {
        self.findings.add(findings);
        for f in findings {
            *self.per_rule.entry(f.rule.code).or_default() += 1;
            let written = f.fix.as_ref().filter(|fix| !fix.edits.is_empty());
            match written.map(|fix| fix.applicability) {
                Some(crate::model::Applicability::Safe) => self.fixable += 1,
                Some(crate::model::Applicability::Unsafe) => self.unsafe_fixable += 1,
                _ => {}
            }
        }
    }

    pub fn of(run: &Run) -> Summary {
        let mut summary = Summary {
            files: run.files(),
            templates: run.templates,
            modules: run.modules,
            deployed: run.deployed,
            triggers: run.triggers.len(),
            errors: run.errors.len(),
            not_linted: run.not_linted.clone(),
            ignored: run.ignored.len(),
            baselined: run.baselined.len(),
            skipped: run.skipped,
            failing: run.failing,
            ..Summary::default()
        };
        summary.count(&run.findings);
        summary
    }

    /// Each rule with findings and how many, most frequent first (then by code).
    pub fn rules_by_frequency(&self) -> Vec<(&'static str, usize)> {
        let mut rows: Vec<(&str, usize)> = self.per_rule.iter().map(|(c, n)| (*c, *n)).collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        rows
    }

    /// The findings per rule, most frequent first: `  12  TL101  stream-unbounded-retries`.
    pub fn statistics(&self) -> String {
        let rows = self.rules_by_frequency();
        let width = rows.first().map_or(1, |(_, n)| n.to_string().len());
        rows.iter()
            .map(|(code, count)| {
                let slug = crate::rules::find(code).map_or("", |r| r.slug);
                format!("{count:>width$}  {code}  {slug}\n")
            })
            .collect()
    }
}

/// One batch in text: an item per finding or error (written in order), and what is written
/// only at the end (the errors of JSON and SARIF).
#[derive(Debug, Default)]
pub struct Rendered {
    pub items: Vec<String>,
    pub deferred: Vec<String>,
}

/// Turns a batch into text. Pure, so the engine renders on its worker threads while the main
/// thread writes what is ready.
pub trait Render: Sync {
    fn render(&self, batch: Batch<'_>) -> Rendered;
}

/// A `check` output format, written as the run goes.
pub trait Writer {
    fn write(&mut self, rendered: Rendered) -> std::io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> std::io::Result<()>;
}

/// The writer of the line-oriented formats (human diagnostics, concise lines, GitHub workflow
/// commands): items as they come, then the findings per rule when asked, then the summary line.
pub struct TextWriter<W: Write> {
    out: W,
    statistics: bool,
    /// Say how many findings `--fix` would fix (the human format).
    fix_hints: bool,
}

impl<W: Write> TextWriter<W> {
    pub fn new(out: W) -> Self {
        TextWriter {
            out,
            statistics: false,
            fix_hints: false,
        }
    }

    /// Also says how many findings `--fix` (and `--unsafe-fixes`) would fix.
    pub fn with_fix_hints(mut self) -> Self {
        self.fix_hints = true;
        self
    }

    /// Also writes the findings per rule before the summary line.
    pub fn with_statistics(mut self) -> Self {
        self.statistics = true;
        self
    }
}

impl<W: Write> Writer for TextWriter<W> {
    fn write(&mut self, rendered: Rendered) -> std::io::Result<()> {
        rendered
            .items
            .iter()
            .try_for_each(|item| self.out.write_all(item.as_bytes()))
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        if self.statistics && !summary.per_rule.is_empty() {
            writeln!(self.out, "findings per rule:")?;
            self.out.write_all(summary.statistics().as_bytes())?;
        }
        for (config, files) in &summary.not_linted.by_config {
            writeln!(
                self.out,
                "{} not linted because the configuration file {} is invalid",
                plural(*files, "file"),
                display_path(config)
            )?;
        }
        writeln!(self.out, "{}", human::summary_line(summary))?;
        let fixes = human::fix_lines(summary, self.fix_hints);
        if !fixes.is_empty() {
            writeln!(self.out, "{}", fixes.trim_start_matches('\n'))?;
        }
        self.out.flush()
    }
}

/// The part of the JSON and SARIF writers that streams: a header written once, then an array
/// of items (written as batches arrive, comma-separated), with each batch's deferred parts
/// kept for the end of the document.
#[derive(Default)]
pub(crate) struct StreamedArray {
    started: bool,
    written: bool,
    pub(crate) deferred: Vec<String>,
}

impl StreamedArray {
    /// Writes `header` (ending with the array's opening bracket) unless already written.
    pub(crate) fn start(
        &mut self,
        out: &mut impl Write,
        header: impl FnOnce() -> String,
    ) -> std::io::Result<()> {
        if !self.started {
            self.started = true;
            out.write_all(header().as_bytes())?;
        }
        Ok(())
    }

    pub(crate) fn write(
        &mut self,
        out: &mut impl Write,
        rendered: Rendered,
    ) -> std::io::Result<()> {
        for item in rendered.items {
            let separator = if self.written { ",\n" } else { "\n" };
            self.written = true;
            write!(out, "{separator}{item}")?;
        }
        self.deferred.extend(rendered.deferred);
        Ok(())
    }

    /// The closing bracket, on its own line at `indent` when the array has items.
    pub(crate) fn close(&self, indent: &str) -> String {
        if self.written {
            format!("\n{indent}]")
        } else {
            "]".to_string()
        }
    }
}

/// Renders a collected run with a format, into a string.
pub fn render_run(render: &dyn Render, writer: &mut dyn Writer, run: &Run) {
    writer
        .write(render.render(run.batch()))
        .expect("writing to memory");
    writer.finish(&Summary::of(run)).expect("writing to memory");
}

/// A shared in-memory sink for writers whose output is wanted as a string.
#[derive(Clone, Default)]
pub struct Buffer(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Buffer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// "1 warning", "2 notes".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
