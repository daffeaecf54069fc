//! Fixes: each finding's plan resolved into edits with its file's writer, and the edits
//! applied as ruff applies its own: the fixes of a file that do not overlap in one pass, the
//! others in later passes with a lint of the new text in between, up to a bound. A result is
//! kept only when it still parses; a file is written atomically, and only when its bytes are
//! still those that were read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::model::{Applicability, Fix, FixPlan, SourceTexts, TextEdit, Trigger};
use crate::rules::Finding;
use crate::source::{FileId, SourceFile};
use crate::{parse, write};

use super::{FileReport, Keep};

/// Passes of fixes and lints over one file, at most (ruff stops at 100; a trigger has few
/// settings, so a handful of passes fix everything that overlaps).
const MAX_PASSES: usize = 10;

/// The texts of the files one lint read, each parsed once when a writer first asks.
pub(super) struct Texts<'a> {
    sources: &'a [(FileId, &'a SourceFile)],
    trees: Vec<std::sync::OnceLock<Option<std::borrow::Cow<'a, crate::tree::Node>>>>,
    /// A module's `.tf` files: its writer edits many triggers of one file, and parsing the
    /// file again for each change made a module with many findings lint twenty times slower.
    hcl: Vec<std::sync::OnceLock<Option<std::borrow::Cow<'a, crate::hcl::Body>>>>,
    /// Each file's line ending, found when a writer first adds a line to it.
    line_ends: Vec<std::sync::OnceLock<&'static str>>,
    /// `Config::exact_fix_edits`: whether edits must be exactly what `--fix` writes.
    exact: bool,
}

impl<'a> Texts<'a> {
    pub(super) fn new(sources: &'a [(FileId, &'a SourceFile)]) -> Texts<'a> {
        Texts {
            sources,
            trees: sources.iter().map(|_| std::sync::OnceLock::new()).collect(),
            hcl: sources.iter().map(|_| std::sync::OnceLock::new()).collect(),
            line_ends: sources.iter().map(|_| std::sync::OnceLock::new()).collect(),
            exact: true,
        }
    }

    /// Lets writers leave out what only changes spacing when `exact` is false (a report that
    /// shows only whether each fix can be written).
    pub(super) fn with_exact_edits(mut self, exact: bool) -> Texts<'a> {
        self.exact = exact;
        self
    }

    /// Gives the writers the tree the lint already has for a file, instead of parsing it
    /// again: a YAML or JSON document's, whose spans are the text's (values a Serverless
    /// variable brought in keep the spans of where they are defined, and writers check that
    /// what they edit is written at the trigger).
    pub(super) fn with_tree(self, file: FileId, root: &'a crate::tree::Node) -> Texts<'a> {
        if let Some(index) = self.index(file) {
            let _ = self.trees[index].set(Some(std::borrow::Cow::Borrowed(root)));
        }
        self
    }

    /// Gives the Terraform writer the HCL the lint already parsed for a module's files.
    pub(super) fn with_hcl(self, parsed: &[(FileId, &'a crate::hcl::Body)]) -> Texts<'a> {
        for (file, body) in parsed {
            if let Some(index) = self.index(*file) {
                let _ = self.hcl[index].set(Some(std::borrow::Cow::Borrowed(*body)));
            }
        }
        self
    }

    fn index(&self, file: FileId) -> Option<usize> {
        self.sources.iter().position(|(id, _)| *id == file)
    }
}

impl SourceTexts for Texts<'_> {
    fn text(&self, file: FileId) -> Option<&str> {
        let index = self.index(file)?;
        Some(self.sources[index].1.text.as_str())
    }

    fn tree(&self, file: FileId) -> Option<&crate::tree::Node> {
        let index = self.index(file)?;
        let source = self.sources[index].1;
        // Terraform files are not YAML or JSON trees: their writer parses them itself.
        if parse::hcl::is_terraform(&source.path) {
            return None;
        }
        self.trees[index]
            .get_or_init(|| {
                let syntax = parse::syntax_of(&source.path, &source.text);
                let parsed = parse::parse(&source.text, syntax, file).ok().flatten();
                parsed.map(std::borrow::Cow::Owned)
            })
            .as_deref()
    }

    fn exact_edits(&self) -> bool {
        self.exact
    }

    fn line_end(&self, file: FileId) -> &'static str {
        match self.index(file) {
            Some(index) => self.line_ends[index]
                .get_or_init(|| crate::model::line_end_of(&self.sources[index].1.text)),
            None => "\n",
        }
    }

    fn hcl(&self, file: FileId) -> Option<&crate::hcl::Body> {
        let index = self.index(file)?;
        let source = self.sources[index].1;
        if !parse::hcl::is_terraform(&source.path) {
            return None;
        }
        self.hcl[index]
            .get_or_init(|| {
                parse::hcl::parse(&source.text, file)
                    .ok()
                    .map(std::borrow::Cow::Owned)
            })
            .as_deref()
    }
}

/// Resolves a finding's fix plan into edits with the writer of the trigger's file.
pub(super) fn resolve(
    mut finding: Finding,
    trigger: &Trigger,
    texts: &Texts<'_>,
    config: &Config,
) -> Finding {
    if let Some(plan) = &finding.fix_plan {
        finding.fix = Some(fix_for(plan, finding.rule, trigger, texts, config));
    }
    finding
}

/// A plan's fix as `config` allows it: display only for the rules its `[fix]` table excludes.
fn fix_for(
    plan: &FixPlan,
    rule: &crate::rules::Rule,
    trigger: &Trigger,
    texts: &Texts<'_>,
    config: &Config,
) -> Fix {
    if config.is_fixable(rule) {
        resolve_plan(plan, trigger, texts)
    } else {
        let why = "the configuration's `[fix]` table does not let this rule's fixes be applied";
        Fix::display_only(plan, Some(why.to_string()))
    }
}

/// Resolves the plans of a report's findings whose fixes were deferred, as a lint would have
/// (the configuration's `[fix]` table, and Terraform blocks that several triggers share).
pub(super) fn resolve_deferred(report: &mut FileReport, config: &Config) {
    let FileReport {
        sources,
        findings,
        triggers,
        ..
    } = report;
    let sources: Vec<(FileId, &SourceFile)> = sources.iter().collect();
    let texts = Texts::new(&sources).with_exact_edits(config.exact_fix_edits);
    // `for_each` instances share a path and the block they are written in: the first serves.
    let mut by_path: crate::fxhash::FxHashMap<&str, &Trigger> = Default::default();
    for trigger in triggers.iter() {
        by_path.entry(&*trigger.path).or_insert(trigger);
    }
    let mut resolved_any = false;
    for finding in findings.iter_mut().filter(|f| f.fix.is_none()) {
        let Some(plan) = &finding.fix_plan else {
            continue;
        };
        if let Some(trigger) = by_path.get(&*finding.path) {
            finding.fix = Some(fix_for(plan, finding.rule, trigger, &texts, config));
            resolved_any = true;
        }
    }
    if resolved_any {
        reconcile_shared(findings, triggers, &texts);
    }
}

fn resolve_plan(plan: &FixPlan, trigger: &Trigger, texts: &Texts<'_>) -> Fix {
    if plan.applicability == Applicability::Display || plan.changes.is_empty() {
        return Fix::display_only(plan, plan.why_display.clone());
    }
    let Some(&(_, source)) = texts.sources.iter().find(|(id, _)| *id == trigger.file) else {
        return Fix::display_only(plan, Some("the trigger's file is not at hand".to_string()));
    };
    let writer = match write::writer_for(trigger, &source.path, &source.text) {
        Ok(writer) => writer,
        Err(why) => return Fix::display_only(plan, Some(why)),
    };
    let mut edits = Vec::new();
    for change in &plan.changes {
        match writer.edits(texts, trigger, change) {
            Ok(more) => edits.extend(more),
            Err(why) => return Fix::display_only(plan, Some(why)),
        }
    }
    let mut edits = join_insertions_at_one_place(edits);
    edits.sort();
    Fix {
        title: plan.title.clone(),
        applicability: plan.applicability,
        edits,
        why_display: None,
    }
}

/// A fix's insertions at one place joined into one, in the order of the plan's changes (a
/// key added to the last event of the last resource, then a resource added after it): two
/// insertions at one place would otherwise overlap, their order a guess.
fn join_insertions_at_one_place(edits: Vec<TextEdit>) -> Vec<TextEdit> {
    let mut joined: Vec<TextEdit> = Vec::with_capacity(edits.len());
    for edit in edits {
        let same_place = joined.iter_mut().find(|e| {
            e.file == edit.file
                && e.start == e.end
                && edit.start == edit.end
                && e.start == edit.start
        });
        match same_place {
            Some(earlier) => earlier.text.push_str(&edit.text),
            None => joined.push(edit),
        }
    }
    joined
}

/// Terraform fixes that edit what several triggers read (a called module's block, every
/// instance of a `for_each`) are kept only where all of them want the same edits.
/// `texts` is the one the fixes were resolved with, so its parsed files serve again.
pub(super) fn reconcile_shared(findings: &mut [Finding], triggers: &[Trigger], texts: &Texts<'_>) {
    if triggers
        .iter()
        .any(|t| t.format == crate::model::Format::Terraform)
    {
        write::reconcile_shared_terraform_fixes(texts, triggers, findings);
    }
}

/// Which fixes a run applies.
#[derive(Clone, Copy, Debug, Default)]
pub struct FixMode {
    /// `--unsafe-fixes`: also the fixes that change how a trigger behaves.
    pub unsafe_fixes: bool,
}

impl FixMode {
    /// Whether a finding's fix is applied: written out, of an applicability the run takes, of
    /// a rule the configuration lets fix.
    pub fn applies(self, finding: &Finding, config: &Config) -> bool {
        let Some(fix) = &finding.fix else {
            return false;
        };
        let wanted = match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::Display => false,
        };
        wanted && !fix.edits.is_empty() && config.is_fixable(finding.rule)
    }
}

/// One file's fixed text, and what was applied to it.
#[derive(Debug)]
pub struct FileFix {
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
    /// Fixes applied, by rule code.
    pub applied: BTreeMap<&'static str, usize>,
    /// Why some fixes were not applied (a result that would not parse).
    pub problems: Vec<String>,
}

impl FileFix {
    /// A file as read, before any fix.
    fn unchanged(source: &SourceFile) -> FileFix {
        FileFix {
            path: source.path.clone(),
            original: source.text.clone(),
            fixed: source.text.clone(),
            applied: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    pub fn count(&self) -> usize {
        self.applied.values().sum()
    }

    /// The change as a unified diff that `git apply` takes (paths `a/...`, `b/...` relative
    /// to the working folder when under it).
    pub fn diff(&self) -> String {
        let shown = shown_path(&self.path);
        let diff = similar::TextDiff::from_lines(&self.original, &self.fixed);
        let mut out = format!("--- a/{shown}\n+++ b/{shown}\n");
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            out.push_str(&format!("{}\n", hunk.header()));
            for change in hunk.iter_changes() {
                let sign = match change.tag() {
                    similar::ChangeTag::Equal => ' ',
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                };
                let line = change.value();
                out.push(sign);
                out.push_str(line);
                // A last line without a line break is marked as git marks it.
                if !line.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
        out
    }

    /// Writes the fixed text over the file: only if its bytes are still those read, through a
    /// temporary file in the same folder renamed over it, with the file's permissions.
    pub fn write(&self) -> Result<(), String> {
        let shown = self.path.display();
        let target = std::fs::canonicalize(&self.path)
            .map_err(|e| format!("{shown}: cannot resolve the path: {e}"))?;
        let current =
            std::fs::read(&target).map_err(|e| format!("{shown}: cannot read it again: {e}"))?;
        if current != self.original.as_bytes() {
            return Err(format!(
                "{shown}: not rewritten: it changed since it was read, or is not UTF-8 text"
            ));
        }
        let permissions = std::fs::metadata(&target)
            .map_err(|e| format!("{shown}: {e}"))?
            .permissions();
        let folder = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = folder.join(format!(".{name}.triggerlint-fix.{}", std::process::id()));
        let written = std::fs::write(&temporary, &self.fixed)
            .and_then(|()| std::fs::set_permissions(&temporary, permissions))
            .and_then(|()| std::fs::rename(&temporary, &target));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            format!("{shown}: cannot write the fixed file: {e}")
        })
    }
}

/// A path as a diff header shows it: relative to the working folder when under it.
fn shown_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let absolute = crate::discover::absolute(path);
            absolute.strip_prefix(&cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    relative
        .to_string_lossy()
        .trim_start_matches("./")
        .replace('\\', "/")
}

/// The fixes of one report, applied in memory: a file's text after every pass. A Terraform
/// module is linted again as a folder between passes.
pub fn fix_report(report: &FileReport, config: &Config, mode: FixMode) -> Vec<FileFix> {
    if !report
        .findings
        .iter()
        .any(|finding| mode.applies(finding, config))
    {
        return Vec::new();
    }
    match report.file {
        Some(file) if !report.is_module => {
            fix_file(report, file, config, mode).into_iter().collect()
        }
        _ => fix_module(report, config, mode),
    }
}

fn fix_file(
    report: &FileReport,
    mut file: FileId,
    config: &Config,
    mode: FixMode,
) -> Option<FileFix> {
    let source = report.sources.try_get(file)?;
    let mut fixed = FileFix::unchanged(source);
    let mut findings = report.findings.clone();
    for _ in 0..MAX_PASSES {
        let chosen = choose(&findings, config, mode, |f| f == file);
        let Some(fixes) = chosen.get(&file) else {
            break;
        };
        let (text, codes) =
            apply_parsing(&fixed.fixed, fixes, &source.path, file, &mut fixed.problems);
        if text == fixed.fixed {
            break;
        }
        for code in codes {
            *fixed.applied.entry(code).or_default() += 1;
        }
        fixed.fixed = text;
        let relinted = super::lint_text(
            source.path.clone(),
            fixed.fixed.clone(),
            config,
            Keep::Output,
        );
        // The new lint numbers its files afresh.
        let Some(relinted_file) = relinted.file else {
            break;
        };
        file = relinted_file;
        findings = relinted.findings;
    }
    (fixed.fixed != fixed.original || !fixed.problems.is_empty()).then_some(fixed)
}

/// A pass's fixes applied together when the result parses; otherwise one by one, each kept
/// only when the text with it still parses (two fixes may each be fine and clash together:
/// a key renamed to one another fix adds). The text and the rule of each fix kept.
fn apply_parsing(
    text: &str,
    fixes: &[(Vec<TextEdit>, &'static str)],
    path: &Path,
    file: FileId,
    problems: &mut Vec<String>,
) -> (String, Vec<&'static str>) {
    let all: Vec<TextEdit> = fixes.iter().flat_map(|f| f.0.clone()).collect();
    let together = apply(text, &all);
    if still_parses(path, &together, file).is_ok() {
        return (together, fixes.iter().map(|f| f.1).collect());
    }
    let mut kept: Vec<TextEdit> = Vec::new();
    let mut codes = Vec::new();
    for (edits, code) in fixes {
        let mut trial = kept.clone();
        trial.extend(edits.iter().cloned());
        match still_parses(path, &apply(text, &trial), file) {
            Ok(()) => {
                kept = trial;
                codes.push(*code);
            }
            Err(problem) => problems.push(format!(
                "{}: a fix of {code} was not applied: the result would not parse ({problem})",
                path.display()
            )),
        }
    }
    (apply(text, &kept), codes)
}

/// A Terraform module's fixes: passes over the module as over a file, each linting the
/// folder again with the texts the earlier passes fixed (every text kept, so a value's
/// definition in another file of the module can be edited). Only files inside the folder are
/// written, never one under `.terraform/`, and only the findings of the files the report
/// covers are fixed.
fn fix_module(report: &FileReport, config: &Config, mode: FixMode) -> Vec<FileFix> {
    let folder = report.path.clone();
    let reported: Vec<PathBuf> = report
        .findings
        .iter()
        .filter_map(|f| report.sources.try_get(f.span.file))
        .map(|s| s.path.clone())
        .collect();
    let mut files: BTreeMap<PathBuf, FileFix> = BTreeMap::new();
    for _ in 0..MAX_PASSES {
        let given: Vec<(PathBuf, String)> = files
            .values()
            .map(|f| (f.path.clone(), f.fixed.clone()))
            .collect();
        let root = report.module_root.as_deref().unwrap_or(&folder);
        let pass = super::terraform::lint_folder_with(&folder, root, &given, config);
        let path_of = |file: FileId| pass.sources.try_get(file).map(|s| &s.path);
        let findings: Vec<Finding> = pass
            .findings
            .iter()
            .filter(|f| path_of(f.span.file).is_some_and(|p| reported.contains(p)))
            .cloned()
            .collect();
        let inside = |file: FileId| {
            path_of(file).is_some_and(|p| {
                p.starts_with(&folder)
                    && p.is_file()
                    && !p.components().any(|c| c.as_os_str() == ".terraform")
            })
        };
        let chosen = choose(&findings, config, mode, inside);
        let mut changed = false;
        for (file, fixes) in shares_by_file(chosen) {
            let Some(source) = pass.sources.try_get(file) else {
                continue;
            };
            let fixed = files.entry(source.path.clone()).or_insert_with(|| FileFix {
                path: source.path.clone(),
                original: source.text.clone(),
                fixed: source.text.clone(),
                applied: BTreeMap::new(),
                problems: Vec::new(),
            });
            let (text, codes) = apply_parsing(
                &source.text,
                &fixes,
                &source.path,
                file,
                &mut fixed.problems,
            );
            if text != fixed.fixed {
                changed = true;
                fixed.fixed = text;
                for code in codes.into_iter().filter(|c| !c.is_empty()) {
                    *fixed.applied.entry(code).or_default() += 1;
                }
            }
        }
        if !changed {
            break;
        }
    }
    files
        .into_values()
        .filter(|f| f.fixed != f.original || !f.problems.is_empty())
        .collect()
}

/// The fixes of a pass split by the file each edit is in (a Terraform fix may change a value
/// in another file of the module); each fix counts once, in its first file.
fn shares_by_file(
    chosen: BTreeMap<FileId, Vec<(Vec<TextEdit>, &'static str)>>,
) -> BTreeMap<FileId, Vec<(Vec<TextEdit>, &'static str)>> {
    let mut by_file: BTreeMap<FileId, Vec<(Vec<TextEdit>, &'static str)>> = BTreeMap::new();
    for (edits, code) in chosen.into_values().flatten() {
        let mut first = true;
        let files: std::collections::BTreeSet<FileId> = edits.iter().map(|e| e.file).collect();
        for file in files {
            let share = edits.iter().filter(|e| e.file == file).cloned().collect();
            by_file
                .entry(file)
                .or_default()
                .push((share, if first { code } else { "" }));
            first = false;
        }
    }
    by_file
}

/// The applicable fixes of one pass, by file: in the order of their first edit, each taken
/// when none of its edits overlaps an edit already taken and all are in files `may_edit`
/// allows. Returns the edits and the rule code of each fix taken.
fn choose(
    findings: &[Finding],
    config: &Config,
    mode: FixMode,
    may_edit: impl Fn(FileId) -> bool,
) -> BTreeMap<FileId, Vec<(Vec<TextEdit>, &'static str)>> {
    let mut fixes: Vec<(&Fix, &'static str)> = findings
        .iter()
        .filter(|f| mode.applies(f, config))
        .filter_map(|f| Some((f.fix.as_ref()?, f.rule.code)))
        .filter(|(fix, _)| fix.edits.iter().all(|e| may_edit(e.file)))
        .collect();
    fixes.sort_by(|a, b| a.0.edits.first().cmp(&b.0.edits.first()));
    let mut taken: BTreeMap<FileId, Vec<(Vec<TextEdit>, &'static str)>> = BTreeMap::new();
    let mut all: Vec<&TextEdit> = Vec::new();
    for (fix, code) in fixes {
        if fix
            .edits
            .iter()
            .any(|e| all.iter().any(|t| overlaps(e, t)) || fix_overlaps_itself(fix, e))
        {
            continue;
        }
        all.extend(&fix.edits);
        // A fix's edits are in one file but for a Terraform module's (fixb), which may span
        // files: filed under its first.
        taken
            .entry(fix.edits[0].file)
            .or_default()
            .push((fix.edits.clone(), code));
    }
    taken
}

/// Two edits of one fix that touch the same text cannot be applied together either.
fn fix_overlaps_itself(fix: &Fix, edit: &TextEdit) -> bool {
    fix.edits
        .iter()
        .filter(|other| !std::ptr::eq(*other, edit))
        .any(|other| overlaps(edit, other))
}

/// Whether two edits touch the same text (two insertions at one place count: their order
/// would be a guess).
fn overlaps(a: &TextEdit, b: &TextEdit) -> bool {
    if a.file != b.file {
        return false;
    }
    let inside =
        |x: &TextEdit, y: &TextEdit| x.start == x.end && y.start < x.start && x.start < y.end;
    a.start.max(b.start) < a.end.min(b.end) || a.start == b.start || inside(a, b) || inside(b, a)
}

/// The text with non-overlapping edits applied (from the end, so offsets stay valid).
fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut edits: Vec<&TextEdit> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.start, e.end)));
    let mut out = text.to_string();
    for edit in edits {
        let range = edit.range();
        if range.end <= out.len()
            && out.is_char_boundary(range.start)
            && out.is_char_boundary(range.end)
        {
            out.replace_range(range, &edit.text);
        }
    }
    out
}

/// Whether a fixed text still parses, with the parser its file is linted with.
fn still_parses(path: &Path, text: &str, file: FileId) -> Result<(), String> {
    if parse::hcl::is_terraform(path) {
        let parsed = if path.to_string_lossy().ends_with(".json") {
            parse::hcl::parse_json(text, file).map(|_| ())
        } else {
            parse::hcl::parse(text, file).map(|_| ())
        };
        return parsed.map_err(|e| e.message);
    }
    let syntax = parse::syntax_of(path, text);
    match parse::parse(text, syntax, file) {
        Ok(_) => Ok(()),
        Err(e) => Err(e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: u32, end: u32) -> TextEdit {
        TextEdit {
            file: FileId(0),
            start,
            end,
            text: "x".into(),
        }
    }

    #[test]
    fn edits_overlap_when_they_share_text_or_an_insertion_point() {
        assert!(overlaps(&edit(0, 5), &edit(4, 6)));
        assert!(overlaps(&edit(3, 3), &edit(3, 3)));
        assert!(overlaps(&edit(3, 3), &edit(1, 5)));
        assert!(!overlaps(&edit(0, 3), &edit(3, 5)));
        assert!(!overlaps(&edit(0, 2), &edit(5, 5)));
    }

    #[test]
    fn edits_apply_from_the_end() {
        let text = "abcdef";
        let edits = [
            TextEdit {
                file: FileId(0),
                start: 0,
                end: 1,
                text: "A".into(),
            },
            TextEdit {
                file: FileId(0),
                start: 3,
                end: 3,
                text: "-".into(),
            },
        ];
        assert_eq!(apply(text, &edits), "Abc-def");
    }
}
