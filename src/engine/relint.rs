//! Linting an editor's buffer again after a small edit, reusing what the edit cannot change.
//!
//! A lint of a SAM template remembers, for each trigger, the findings its rules gave (before
//! suppressions). When the next text of the same document differs from the remembered one in
//! one stretch that lies inside the `Properties` of one SAM event that reads a queue or stream,
//! only that event's trigger can change: nothing else in the pipeline reads an event's
//! properties (the resource indexes read resources' own properties, policies and alarms; SAM's
//! created queues come from SNS events). The new text is still parsed and loaded whole (so
//! every trigger and every link is the new text's), the rules run on that one trigger, and the
//! other triggers' findings are taken from the last lint with their offsets moved by the edit's
//! length; suppressions, sorting and everything after are done as in any lint. Whenever any of
//! that cannot be shown from the two texts and the two lints, the lint is done in full.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::model::{Change, Format, SourceKind, Trigger};
use crate::rules::Finding;
use crate::source::{FileId, Span};
use crate::tree::{Node, Value};

/// What the last lint of a document keeps for the next one.
pub struct Memo {
    path: PathBuf,
    /// The configuration it was linted with (the same `Arc`: any other configuration lints in
    /// full).
    config: Arc<Config>,
    file: FileId,
    text: String,
    /// Whether the text has an anchor (`&`), which aliases may copy elsewhere: then nothing is
    /// reused.
    anchors: bool,
    /// Each trigger's identity and the findings its rules gave, in the lint's trigger order.
    triggers: Vec<Remembered>,
    /// The lint's tree of a YAML text (as loaded), for the next lint to reuse with the edited
    /// settings parsed again; taken by the lint that reuses it.
    tree: Option<Node>,
}

struct Remembered {
    path: Arc<str>,
    settings_at: Option<Span>,
    source: SourceKind,
    event_type: Option<String>,
    findings: Vec<Finding>,
}

/// The memo of the last lint and the one this lint leaves for the next, as the engine's lint
/// of one document passes them along.
#[derive(Default)]
pub struct Memos {
    /// Taken by the lint that reuses it.
    pub(super) previous: std::cell::RefCell<Option<Memo>>,
    pub(super) next: std::cell::RefCell<Option<Memo>>,
    /// How many triggers' findings this lint took from the last.
    pub(super) reused: std::cell::Cell<usize>,
    /// Whether this lint's tree was the last lint's with the edited part parsed again.
    pub(super) spliced: std::cell::Cell<bool>,
    /// Where the text differs from the last lint's, found once for the tree and the findings.
    edit: std::cell::OnceCell<Edit>,
}

/// What a lint took from the last lint of the same document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reused {
    /// How many triggers' findings were taken from it (0: the rules ran on every trigger).
    pub triggers: usize,
    /// Whether its tree was taken, with the edited part parsed again (else the text was
    /// parsed whole).
    pub tree: bool,
}

/// What the lint being made needs to know to reuse findings: the document and its text.
pub(super) struct Document<'a> {
    pub path: &'a Path,
    pub config: &'a Arc<Config>,
    pub file: FileId,
    pub text: &'a str,
    pub format: Format,
}

/// The SAM event types whose trigger reads a queue or stream: nothing but its own trigger
/// reads their properties.
const POLLED_EVENTS: [&str; 7] = [
    "Kinesis",
    "DynamoDB",
    "SQS",
    "MSK",
    "SelfManagedKafka",
    "MQ",
    "DocumentDB",
];

impl Memos {
    /// The memos of a lint that follows the one that left `previous`.
    pub(super) fn after(previous: Option<Memo>) -> Memos {
        Memos {
            previous: std::cell::RefCell::new(previous),
            ..Memos::default()
        }
    }

    fn edit(&self, old: &str, new: &str) -> Edit {
        *self.edit.get_or_init(|| Edit::between(old, new))
    }

    /// Whether this lint records a memo for the next (only SAM templates use one).
    pub(super) fn records(document: &Document<'_>) -> bool {
        document.format == Format::Sam
    }

    /// For each trigger of the new lint, the findings taken from the last lint (with their
    /// offsets moved), or `None` where the rules must run; `None` altogether when this lint
    /// must be done in full.
    pub(super) fn reusable(
        &self,
        document: &Document<'_>,
        triggers: &[Trigger],
    ) -> Option<Vec<Option<Vec<Finding>>>> {
        let memo = self.previous.borrow_mut().take()?;
        let same_document = memo.path == document.path
            && Arc::ptr_eq(&memo.config, document.config)
            && memo.file == document.file
            && document.format == Format::Sam;
        if !same_document || memo.triggers.len() != triggers.len() {
            return None;
        }
        // An anchor in either text may copy what the edit changes into other resources.
        if memo.anchors || document.text.contains('&') {
            return None;
        }
        let edit = self.edit(&memo.text, document.text);
        let mut edited = None;
        for (i, (old, new)) in memo.triggers.iter().zip(triggers).enumerate() {
            if old.path != new.path {
                return None;
            }
            if edit.meets(old.settings_at, new.settings_at) {
                if edited.is_some() {
                    return None;
                }
                edited = Some(i);
            }
        }
        let edited = edited?;
        let (old, new) = (&memo.triggers[edited], &triggers[edited]);
        if !edit.inside(old.settings_at?, new.settings_at?, document.file)
            || !is_polled_event(old.event_type.as_deref())
            || old.event_type != new.event_type
            // A DynamoDB trigger is counted among its stream's readers by the others.
            || old.source == SourceKind::DynamoDb
            || new.source == SourceKind::DynamoDb
        {
            return None;
        }
        let region = old.settings_at?;
        let mut reused = Vec::with_capacity(triggers.len());
        for (i, old) in memo.triggers.into_iter().enumerate() {
            if i == edited {
                reused.push(None);
                continue;
            }
            let mut findings = old.findings;
            for finding in &mut findings {
                edit.move_finding(finding, region)?;
            }
            reused.push(Some(findings));
        }
        Some(reused)
    }

    /// Keeps this lint's findings of each trigger for the next lint.
    pub(super) fn record(
        &self,
        document: &Document<'_>,
        triggers: &[Trigger],
        findings: &[Vec<Finding>],
    ) {
        let triggers = triggers
            .iter()
            .zip(findings)
            .map(|(t, findings)| Remembered {
                path: t.path.clone(),
                settings_at: t.settings_at,
                source: t.source,
                event_type: t.event_type.clone(),
                findings: findings.clone(),
            })
            .collect();
        *self.next.borrow_mut() = Some(Memo {
            path: document.path.to_path_buf(),
            config: Arc::clone(document.config),
            file: document.file,
            text: document.text.to_string(),
            anchors: document.text.contains('&'),
            triggers,
            tree: None,
        });
    }

    /// Keeps the tree this lint loaded with the memo it recorded, for the next lint of a YAML
    /// text to reuse (see [`Memos::spliced_tree`]).
    pub(super) fn keep_tree(&self, tree: Node, syntax: crate::parse::Syntax) {
        if syntax != crate::parse::Syntax::Yaml {
            return;
        }
        if let Some(memo) = self.next.borrow_mut().as_mut() {
            memo.tree = Some(tree);
        }
    }

    /// The tree of the new text, made from the last lint's tree when the edit lies inside the
    /// settings map of one trigger, written in block style: only that map's text is parsed, and
    /// every offset after it moves by the edit's length. `None` when the text must be parsed
    /// whole. The map's new text is parsed from the start of its first line, so every column is
    /// as in the whole text, and must parse to a map that ends where the edit moved its end.
    /// Only maps without anything whose reading the YAML parser bends to its context (flow
    /// collections, quoted or block scalars, anchors, aliases, tabs, directives) are parsed
    /// alone.
    pub(super) fn spliced_tree(
        &self,
        path: &Path,
        config: &Arc<Config>,
        file: FileId,
        text: &str,
    ) -> Option<Node> {
        let mut previous = self.previous.borrow_mut();
        let memo = previous.as_mut()?;
        if memo.path != path || !Arc::ptr_eq(&memo.config, config) || memo.file != file {
            return None;
        }
        let mut tree = memo.tree.take()?;
        let directives = |text: &str| text.contains('%');
        if memo.anchors || text.contains('&') || directives(&memo.text) || directives(text) {
            return None;
        }
        let edit = self.edit(&memo.text, text);
        let map = memo
            .triggers
            .iter()
            .filter_map(|t| t.settings_at)
            .find(|s| {
                s.file == file && (s.start as usize) < edit.start && edit.old_end <= s.end as usize
            })?;
        let new_end = (map.end as i64 + edit.delta()) as usize;
        let line_start = text[..map.start as usize].rfind('\n').map_or(0, |i| i + 1);
        let indentation = &text[line_start..map.start as usize];
        let fragment = text.get(line_start..new_end)?;
        let bends = |c: char| matches!(c, '[' | '{' | '\'' | '"' | '|' | '>' | '\t' | '*');
        if !indentation.bytes().all(|b| b == b' ') || fragment.contains(bends) {
            return None;
        }
        let mut parsed = crate::parse::yaml::parse(fragment, file).ok()??;
        crate::parse::shift_spans(&mut parsed, line_start as u32);
        let expected = Span::new(file, map.start as usize, new_end);
        if parsed.span != expected || !matches!(parsed.value, Value::Map(_)) || depth(&parsed) > 64
        {
            return None;
        }
        move_after(&mut tree, map.end, edit.delta());
        *find_span(
            &mut tree,
            Span {
                end: (map.end as i64 + edit.delta()) as u32,
                ..map
            },
        )? = parsed;
        self.spliced.set(true);
        Some(tree)
    }
}

/// Moves every offset at or after `from` (in the old text) by `delta`: what follows the edited
/// map, and the end of every node that holds it.
fn move_after(node: &mut Node, from: u32, delta: i64) {
    let moved = |at: &mut u32| {
        if *at >= from {
            *at = (*at as i64 + delta) as u32;
        }
    };
    moved(&mut node.span.start);
    moved(&mut node.span.end);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| move_after(n, from, delta)),
        Value::Map(map) => {
            for entry in &mut map.entries {
                moved(&mut entry.key_span.start);
                moved(&mut entry.key_span.end);
                move_after(&mut entry.value, from, delta);
            }
        }
        Value::Intrinsic(intrinsic) => move_after(&mut intrinsic.arg, from, delta),
        _ => {}
    }
}

/// The node whose span is `span`, found by going down through the nodes that hold it.
fn find_span(node: &mut Node, span: Span) -> Option<&mut Node> {
    if node.span == span {
        return Some(node);
    }
    let holds = |n: &Node| n.span.start <= span.start && span.end <= n.span.end;
    let child = match &mut node.value {
        Value::Seq(items) => items.iter_mut().find(|n| holds(n)),
        Value::Map(map) => map
            .entries
            .iter_mut()
            .map(|e| &mut e.value)
            .find(|n| holds(n)),
        Value::Intrinsic(intrinsic) => Some(&mut intrinsic.arg).filter(|n| holds(n)),
        _ => None,
    }?;
    find_span(child, span)
}

/// How deeply a tree nests (a map parsed alone must stay far below the parser's limit, which
/// counts from the document's top).
fn depth(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(depth).max().unwrap_or(0),
        Value::Map(map) => map
            .entries
            .iter()
            .map(|e| depth(&e.value))
            .max()
            .unwrap_or(0),
        Value::Intrinsic(intrinsic) => depth(&intrinsic.arg),
        _ => 0,
    }
}

fn is_polled_event(event_type: Option<&str>) -> bool {
    event_type.is_some_and(|t| POLLED_EVENTS.contains(&t))
}

/// The spans a change points at.
fn change_spans(change: &Change) -> Vec<Span> {
    match change {
        Change::RemoveKey { key_span } | Change::RenameKey { key_span, .. } => vec![*key_span],
        Change::SetResourceProperty {
            container,
            value_at,
            ..
        } => std::iter::once(*container).chain(*value_at).collect(),
        Change::SetSetting { .. } | Change::AddEventKey { .. } | Change::AddResource { .. } => {
            Vec::new()
        }
    }
}

/// How many bytes two texts share at their start: equal blocks are skipped as slices (compared
/// many bytes at a time), so a megabyte template's lint does not spend milliseconds here.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let length = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= length && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..length]
        .iter()
        .zip(&b[at..length])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes two texts share at their end, as [`common_prefix`] does.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let length = a.len().min(b.len());
    let (a, b) = (&a[a.len() - length..], &b[b.len() - length..]);
    let mut kept = 0;
    while kept + BLOCK <= length
        && a[length - kept - BLOCK..length - kept] == b[length - kept - BLOCK..length - kept]
    {
        kept += BLOCK;
    }
    kept + a[..length - kept]
        .iter()
        .rev()
        .zip(b[..length - kept].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Where two texts differ: the bytes before `start` are the same, and so are the last bytes
/// after `old_end` in the old text and after `new_end` in the new one.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Edit {
    start: usize,
    old_end: usize,
    new_end: usize,
}

impl Edit {
    fn between(old: &str, new: &str) -> Edit {
        let (old, new) = (old.as_bytes(), new.as_bytes());
        let start = common_prefix(old, new);
        let room = old.len().min(new.len()) - start;
        let suffix = common_suffix(&old[start..], &new[start..]).min(room);
        Edit {
            start,
            old_end: old.len() - suffix,
            new_end: new.len() - suffix,
        }
    }

    /// How far the text after the edit moved.
    fn delta(&self) -> i64 {
        self.new_end as i64 - self.old_end as i64
    }

    /// Whether the edit touches a trigger's settings in either text.
    fn meets(&self, old: Option<Span>, new: Option<Span>) -> bool {
        let touches = |span: Option<Span>, end: usize| {
            span.is_some_and(|s| (s.start as usize) <= end && self.start <= s.end as usize)
        };
        touches(old, self.old_end) || touches(new, self.new_end)
    }

    /// Whether the edit lies within the same settings map in both texts: the map starts at
    /// the same place, ends where the edit moved its end, and holds the edit in each.
    fn inside(&self, old: Span, new: Span, file: FileId) -> bool {
        old.file == file
            && new.file == file
            && old.start == new.start
            && old.end as i64 + self.delta() == new.end as i64
            && (old.start as usize) <= self.start
            && self.old_end <= old.end as usize
            && self.new_end <= new.end as usize
    }

    /// Moves a finding of the last lint to the new text's offsets; `None` when it points into
    /// the edited trigger's settings (then it may depend on them) or has a resolved fix (made
    /// from the old text; the server lints with fixes deferred).
    fn move_finding(&self, finding: &mut Finding, region: Span) -> Option<()> {
        if finding.fix.is_some() {
            return None;
        }
        finding.span = self.span(finding.span, region)?;
        for related in &mut finding.related {
            related.span = self.span(related.span, region)?;
        }
        if let Some(plan) = &mut finding.fix_plan {
            // The plan is shared with the last report: copied only when a span in it moves.
            let mut moves = false;
            for change in &plan.changes {
                for span in change_spans(change) {
                    moves |= self.span(span, region)? != span;
                }
            }
            if moves {
                for change in &mut std::sync::Arc::make_mut(plan).changes {
                    self.change(change, region)?;
                }
            }
        }
        Some(())
    }

    fn change(&self, change: &mut Change, region: Span) -> Option<()> {
        match change {
            Change::RemoveKey { key_span } | Change::RenameKey { key_span, .. } => {
                *key_span = self.span(*key_span, region)?;
            }
            Change::SetResourceProperty {
                container,
                value_at,
                ..
            } => {
                *container = self.span(*container, region)?;
                if let Some(at) = value_at {
                    *at = self.span(*at, region)?;
                }
            }
            Change::SetSetting { .. } | Change::AddEventKey { .. } | Change::AddResource { .. } => {
            }
        }
        Some(())
    }

    /// A span of the old text in the new one: before the edited settings it stays, after them
    /// it moves by the edit's length; one that meets them has no place.
    fn span(&self, span: Span, region: Span) -> Option<Span> {
        if span.file != region.file {
            return Some(span);
        }
        if span.end < region.start {
            return Some(span);
        }
        if span.start > region.end {
            let delta = self.delta();
            return Some(Span {
                file: span.file,
                start: (span.start as i64 + delta) as u32,
                end: (span.end as i64 + delta) as u32,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str = "  Worker{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Events:\n        Orders:\n          Type: Kinesis\n          Properties:\n            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders-{i}\n            StartingPosition: LATEST\n            BatchSize: 100\n";

    fn template() -> String {
        let mut text = String::from("Transform: AWS::Serverless-2016-10-31\nResources:\n");
        for i in 0..3 {
            text.push_str(&FUNCTION.replace("{i}", &i.to_string()));
        }
        text
    }

    /// The memo of a lint of `text`, as the server's worker keeps it.
    fn memo_of(text: &str, config: &Arc<Config>) -> Memos {
        let memos = Memos::default();
        super::super::lint::relint_text(PathBuf::from("t.yaml"), text.to_string(), config, &memos);
        Memos::after(memos.next.into_inner())
    }

    /// The tree made from the last lint's with the edited settings parsed alone is the tree of
    /// the whole new text; an edit it cannot place is parsed whole.
    #[test]
    fn a_spliced_tree_is_the_tree_of_the_whole_new_text() {
        let config = Arc::new(Config::default());
        let text = template();
        let second = text.find("orders-1").unwrap();
        let batch = text[second..].find("BatchSize: 100").unwrap() + second;
        let handler = text[..second].rfind("app.handler").unwrap();
        let spliced = [
            // A digit typed, a value replaced, keys added, a line removed, a value that is an
            // intrinsic function.
            (batch + 13, batch + 13, "0"),
            (batch + 11, batch + 14, "7"),
            (batch - 13, batch - 13, "\n            Enabled: false"),
            (batch, batch, "MaximumRetryAttempts: 3\n            "),
            (batch - 37, batch, ""),
            (second - 46, second + 8, "!GetAtt Stream.Arn"),
        ];
        for (start, end, new) in spliced {
            let mut edited = text.clone();
            edited.replace_range(start..end, new);
            let memos = memo_of(&text, &config);
            let tree = memos.spliced_tree(Path::new("t.yaml"), &config, FileId(0), &edited);
            let whole = crate::parse::yaml::parse(&edited, FileId(0)).unwrap();
            assert!(tree.is_some(), "not spliced: {new:?}");
            assert_eq!(tree, whole, "{new:?}");
            assert!(memos.spliced.get());
        }
        let parsed_whole = [
            // Outside any trigger's settings; a flow collection; a less indented line.
            (handler, handler, "x"),
            (batch + 11, batch + 14, "[100]"),
            (batch + 14, batch + 14, "\n          Enabled: false"),
        ];
        for (start, end, new) in parsed_whole {
            let mut edited = text.clone();
            edited.replace_range(start..end, new);
            let memos = memo_of(&text, &config);
            let tree = memos.spliced_tree(Path::new("t.yaml"), &config, FileId(0), &edited);
            assert_eq!(tree, None, "{edited}");
        }
    }

    #[test]
    fn an_edit_is_the_stretch_between_the_common_start_and_end() {
        assert_eq!(
            Edit::between("BatchSize: 100\n", "BatchSize: 110\n"),
            Edit {
                start: 12,
                old_end: 13,
                new_end: 13
            }
        );
        // Typing a digit: nothing removed, one byte added.
        let typed = Edit::between("a: 10\nb: 1\n", "a: 100\nb: 1\n");
        assert_eq!((typed.start, typed.old_end, typed.new_end), (5, 5, 6));
        // Deleting a repeated character: the common start and end do not overlap.
        let deleted = Edit::between("aaa", "aa");
        assert_eq!((deleted.start, deleted.old_end, deleted.new_end), (2, 3, 2));
        assert_eq!(Edit::between("same", "same").delta(), 0);
        // Long texts are compared by blocks, then byte by byte.
        let long = "abcdefghij".repeat(100);
        for at in [0, 1, 255, 256, 257, 500, 999] {
            let mut edited = long.clone();
            edited.replace_range(at..at + 1, "XY");
            let edit = Edit::between(&long, &edited);
            assert_eq!(
                (edit.start, edit.old_end, edit.new_end),
                (at, at + 1, at + 2)
            );
        }
    }

    #[test]
    fn spans_after_the_edited_settings_move_and_those_in_them_have_no_place() {
        let file = FileId(0);
        let edit = Edit::between("x: {a: 1}\ny: 2\n", "x: {a: 100}\ny: 2\n");
        let region = Span::new(file, 3, 9);
        assert_eq!(
            edit.span(Span::new(file, 0, 1), region),
            Some(Span::new(file, 0, 1))
        );
        assert_eq!(
            edit.span(Span::new(file, 10, 11), region),
            Some(Span::new(file, 12, 13))
        );
        assert_eq!(edit.span(Span::new(file, 4, 5), region), None);
        // Another file's spans are not moved.
        let other = Span::new(FileId(1), 10, 11);
        assert_eq!(edit.span(other, region), Some(other));
    }
}
