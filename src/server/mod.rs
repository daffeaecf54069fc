//! `triggerlint server`: a language server over standard input and output. Open documents are
//! linted from the editor's buffer with the configuration `check` would use for the file, and
//! their findings published as diagnostics; hovers show a trigger's settings (what `inspect`
//! prints) and a finding's rule; a code action writes the suppression for a finding.
//!
//! The server sits at the top of the layers, beside the command line: it drives the engine and
//! formats what it returns, like a report does.

mod fixes;
mod position;
mod publish;
mod suppression;
mod timing;
mod transport;
mod worker;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams, Hover,
    HoverContents, HoverParams, InitializeParams, MarkupContent, MarkupKind, NumberOrString,
    PositionEncodingKind, Range, TextEdit, Url, WorkspaceEdit,
};

use crate::config::{self, Config, Configs, Overrides};
use crate::engine::FileReport;
use crate::rules::Finding;
use position::{Encoding, LineIndex};
use publish::DiagnosticKey;
use worker::Event;

/// Runs the server on standard input and output until the client asks it to exit (or closes
/// the stream). Returns the process's exit code: 0 after `shutdown` then `exit`, 1 otherwise,
/// as the protocol asks.
pub fn serve() -> u8 {
    let (connection, io_threads) = transport::stdio();
    let code = match Server::start(&connection) {
        Ok(mut server) => server.run(&connection),
        Err(e) => {
            eprintln!("triggerlint server: {e}");
            1
        }
    };
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("triggerlint server: {e}");
    }
    code
}

/// How long an edit that follows another this quickly waits before its lint starts: a burst
/// of keystrokes is linted once, when it pauses. A lone edit is linted at once.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// How long the server waits for `exit` after `shutdown`.
const EXIT_WAIT: Duration = Duration::from_secs(30);

/// A document the editor has open.
struct Document {
    /// Where the document lives on disk (or would: an unsaved buffer gets a name by language).
    path: PathBuf,
    text: String,
    version: i32,
    /// Counts changes of the text: a lint of an older generation is stale.
    generation: u64,
    /// When the text last changed, for the debounce.
    changed_at: Option<Instant>,
    /// The last lint of the buffer, for hovers and code actions, and the generation it is of.
    report: Option<(u64, FileReport)>,
    /// The configuration of the last lint (which fixes "fix all" applies).
    config: Arc<Config>,
    /// The JSON text of the last lint's diagnostics, reused for those that stay the same.
    serialized: publish::Serialized,
}

impl Document {
    fn report(&self) -> Option<&FileReport> {
        self.report.as_ref().map(|(_, report)| report)
    }

    /// Whether the last lint is of the text as it is.
    fn is_current(&self) -> bool {
        self.report
            .as_ref()
            .is_some_and(|(generation, _)| *generation == self.generation)
    }
}

struct Server {
    encoding: Encoding,
    configs: Configs,
    documents: HashMap<Url, Document>,
    /// The diagnostics each open document's lint gives, by the file they are in (its own, and
    /// files it includes), so that one file's diagnostics are the union over every lint.
    contributions: HashMap<Url, HashMap<Url, Vec<publish::Json>>>,
    /// Documents waiting for a lint, with the time it may start.
    pending: HashMap<Url, Instant>,
    /// Whether the worker is linting a document.
    busy: bool,
    /// Reports replaced by newer lints, dropped once the diagnostics are sent: freeing a
    /// report of a few thousand findings is not the edit's to wait for.
    retired: Vec<FileReport>,
    /// Each rule's page, parsed once.
    pages: worker::RulePages,
    /// The timing log of the lint being published.
    stages: timing::Stages,
    /// Documents closed since the worker was last told (it forgets their last lints).
    closed: Vec<Url>,
    /// The configuration last given to lints, with fixes deferred, and the one it was made
    /// from: the same configuration is passed as the same value, which tells the engine that
    /// the last lint's findings were found with it.
    deferring: Option<(Arc<Config>, Arc<Config>)>,
}

impl Server {
    fn start(connection: &Connection) -> Result<Server, String> {
        let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
        let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
        let utf8 = params
            .capabilities
            .general
            .and_then(|g| g.position_encodings)
            .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
        let encoding = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        // Edits come as ranges (2): a keystroke in a large template sends a few bytes, not the
        // whole text.
        let result = serde_json::json!({
            "capabilities": {
                "positionEncoding": if utf8 { "utf-8" } else { "utf-16" },
                "textDocumentSync": {"openClose": true, "change": 2, "save": true},
                "hoverProvider": true,
                "codeActionProvider": {"codeActionKinds": ["quickfix", fixes::FIX_ALL]},
            },
            "serverInfo": {"name": "triggerlint", "version": env!("CARGO_PKG_VERSION")},
        });
        connection
            .initialize_finish(id, result)
            .map_err(|e| e.to_string())?;
        Ok(Server {
            encoding,
            configs: Configs::nearest(Overrides::default()),
            documents: HashMap::new(),
            contributions: HashMap::new(),
            pending: HashMap::new(),
            busy: false,
            retired: Vec::new(),
            pages: worker::RulePages::default(),
            stages: timing::Stages::from_env(),
            closed: Vec::new(),
            deferring: None,
        })
    }

    /// Reads the client's messages and the worker's lints as they come: the client is never
    /// kept waiting by a lint, and a lint whose text has changed since is dropped.
    fn run(&mut self, connection: &Connection) -> u8 {
        let (events_in, events) = mpsc::channel();
        worker::forward_client(connection.receiver.clone(), events_in.clone());
        let lints = worker::spawn(events_in);
        let mut shutting_down = false;
        loop {
            let wait = if shutting_down {
                Some(EXIT_WAIT)
            } else {
                self.wait()
            };
            let event = match wait {
                Some(wait) => match events.recv_timeout(wait) {
                    Ok(event) => Some(event),
                    Err(mpsc::RecvTimeoutError::Timeout) if shutting_down => return 1,
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return 1,
                },
                None => Some(events.recv().unwrap_or(Event::ClientGone)),
            };
            let mut out: Vec<Message> = Vec::new();
            match event {
                None => {}
                Some(Event::ClientGone) => return 1,
                // Nothing is published after `shutdown`.
                Some(Event::Linted(_)) if shutting_down => {}
                Some(Event::Linted(linted)) => {
                    self.busy = false;
                    out.extend(self.linted(*linted).into_iter().map(Message::from));
                }
                // After `shutdown`, only `exit` is expected.
                Some(Event::Client(message)) if shutting_down => {
                    return match message {
                        Message::Notification(n) if n.method == "exit" => 0,
                        _ => 1,
                    };
                }
                Some(Event::Client(Message::Request(request))) if request.method == "shutdown" => {
                    out.push(Response::new_ok(request.id, ()).into());
                    shutting_down = true;
                }
                Some(Event::Client(Message::Request(request))) => {
                    let (published, response) = self.respond(request);
                    out.extend(published.into_iter().map(Message::from));
                    out.push(response.into());
                }
                Some(Event::Client(Message::Notification(n))) if n.method == "exit" => return 1,
                Some(Event::Client(Message::Notification(notification))) => {
                    out.extend(self.notified(notification).into_iter().map(Message::from));
                }
                Some(Event::Client(Message::Response(_))) => {}
            }
            for uri in self.closed.drain(..) {
                let _ = lints.send(worker::Work::Forget(uri));
            }
            if !shutting_down && let Some(job) = self.next_job() {
                self.busy = lints.send(worker::Work::Lint(job)).is_ok();
            }
            for message in out {
                if connection.sender.send(message).is_err() {
                    return 1;
                }
            }
            if !self.retired.is_empty() {
                let _ = lints.send(worker::Work::Free(std::mem::take(&mut self.retired)));
            }
        }
    }

    /// How long to wait for the client before a pending lint is due; `None` to wait for the
    /// next event however long it takes (nothing pending, or the worker busy).
    fn wait(&self) -> Option<Duration> {
        if self.busy {
            return None;
        }
        let due = self.pending.values().min()?;
        Some(due.saturating_duration_since(Instant::now()))
    }

    /// The next lint to start, when the worker is free and a lint is due: the earliest due.
    fn next_job(&mut self) -> Option<worker::Job> {
        if self.busy {
            return None;
        }
        let now = Instant::now();
        loop {
            let uri = self
                .pending
                .iter()
                .filter(|(_, due)| **due <= now)
                .min_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.cmp(b.0)))
                .map(|(uri, _)| uri.clone())?;
            self.pending.remove(&uri);
            if let Some(job) = self.job(&uri) {
                return Some(job);
            }
        }
    }

    /// A lint of an open document's text as it is now, with its configuration.
    fn job(&mut self, uri: &Url) -> Option<worker::Job> {
        let doc = self.documents.get(uri)?;
        let (config, config_problem) = match self.configs.for_file(&doc.path) {
            Ok(config) => (config, None),
            Err(e) => (
                Arc::new(Config::default()),
                Some(format!("invalid configuration file: {}", e.summary())),
            ),
        };
        let (generation, path, text) = (doc.generation, doc.path.clone(), doc.text.clone());
        Some(worker::Job {
            uri: uri.clone(),
            generation,
            path,
            text,
            config: self.deferring_fixes(config),
            config_problem,
        })
    }

    /// The configuration a document is linted with on each edit: fixes are resolved only when
    /// the editor asks for code actions (resolving them was a third of a lint of a template
    /// dense with findings). The same configuration gives the same value each time.
    fn deferring_fixes(&mut self, config: Arc<Config>) -> Arc<Config> {
        if config.defer_fixes {
            return config;
        }
        if let Some((from, deferring)) = &self.deferring
            && Arc::ptr_eq(from, &config)
        {
            return Arc::clone(deferring);
        }
        let mut deferring = Config::clone(&config);
        deferring.defer_fixes = true;
        let deferring = Arc::new(deferring);
        self.deferring = Some((config, Arc::clone(&deferring)));
        deferring
    }

    /// A lint came back: its diagnostics are published unless the text changed meanwhile (a
    /// newer lint is pending then).
    fn linted(&mut self, linted: worker::Linted) -> Vec<Notification> {
        let current = self
            .documents
            .get(&linted.job.uri)
            .is_some_and(|d| d.generation == linted.job.generation);
        if !current {
            return Vec::new();
        }
        self.take_in(linted)
    }

    /// Takes in a lint of an open document and returns the diagnostics to publish, with its
    /// stages in the timing log when that is on.
    fn take_in(&mut self, linted: worker::Linted) -> Vec<Notification> {
        self.stages.begin();
        self.stages.add("lint", linted.took);
        let reused = linted.reused;
        let uri = linted.job.uri.clone();
        let targets = self.apply(linted);
        let published = self.publish(targets);
        self.stages.mark("notification");
        if self.stages.enabled() {
            let edited = self.documents.get(&uri).and_then(|d| d.changed_at);
            if let Some(edited) = edited {
                self.stages.add("since the edit", edited.elapsed());
            }
            // This lint's diagnostics, in every file they are in.
            let diagnostics = self
                .contributions
                .get(&uri)
                .map_or(0, |c| c.values().map(Vec::len).sum());
            let bytes = published
                .iter()
                .map(|n| n.params.as_str().map_or(0, str::len));
            self.stages.report(diagnostics, bytes.sum(), reused);
        }
        published
    }

    /// Lints a document now, on this thread: for a request that needs the lint of the text as
    /// it is (a hover or quick fix right after an edit).
    fn lint_now(&mut self, uri: &Url) -> Vec<Notification> {
        let Some(job) = self.job(uri) else {
            return Vec::new();
        };
        self.pending.remove(uri);
        // Linted in full: the memo of the last lint is the worker's.
        let linted = worker::lint(job, None);
        self.take_in(linted)
    }

    /// Answers a request; first brings the lint of its document up to date, and returns the
    /// diagnostics that publishes too.
    fn respond(&mut self, request: Request) -> (Vec<Notification>, Response) {
        let uri = request
            .params
            .pointer("/textDocument/uri")
            .and_then(|u| u.as_str())
            .and_then(|u| Url::parse(u).ok());
        let published = match uri {
            Some(ref uri) if self.documents.get(uri).is_some_and(|d| !d.is_current()) => {
                self.lint_now(uri)
            }
            _ => Vec::new(),
        };
        let id = request.id.clone();
        let response = match request.method.as_str() {
            HoverRequest::METHOD => answer(id, request, |p: HoverParams| self.hover(p)),
            CodeActionRequest::METHOD => {
                if let Some(doc) = uri.and_then(|uri| self.documents.get_mut(&uri)) {
                    let config = Arc::clone(&doc.config);
                    if let Some(report) = doc.report.as_mut() {
                        crate::engine::resolve_fixes(&mut report.1, &config);
                    }
                }
                answer(id, request, |p: CodeActionParams| self.code_actions(p))
            }
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request {}", request.method),
            ),
        };
        (published, response)
    }

    /// Handles a notification; returns the diagnostics to publish now (lints are scheduled).
    fn notified(&mut self, notification: Notification) -> Vec<Notification> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                with_params(notification, |p: DidOpenTextDocumentParams| {
                    let doc = p.text_document;
                    let path = document_path(&doc.uri, &doc.language_id);
                    let generation = self.documents.get(&doc.uri).map_or(0, |d| d.generation + 1);
                    self.documents.insert(
                        doc.uri.clone(),
                        Document {
                            path,
                            text: doc.text,
                            version: doc.version,
                            generation,
                            changed_at: None,
                            report: None,
                            config: Arc::new(Config::default()),
                            serialized: publish::Serialized::default(),
                        },
                    );
                    self.schedule_with_includers(&doc.uri, Instant::now());
                    Vec::new()
                })
            }
            DidChangeTextDocument::METHOD => {
                with_params(notification, |p: DidChangeTextDocumentParams| {
                    let uri = p.text_document.uri;
                    let Some(doc) = self.documents.get_mut(&uri) else {
                        return Vec::new();
                    };
                    for change in p.content_changes {
                        apply_change(&mut doc.text, change, self.encoding);
                    }
                    doc.version = p.text_document.version;
                    doc.generation += 1;
                    let now = Instant::now();
                    let in_burst = doc.changed_at.is_some_and(|t| now - t < DEBOUNCE);
                    doc.changed_at = Some(now);
                    let due = if in_burst { now + DEBOUNCE } else { now };
                    self.schedule_with_includers(&uri, due);
                    Vec::new()
                })
            }
            DidSaveTextDocument::METHOD => {
                with_params(notification, |p: DidSaveTextDocumentParams| {
                    self.saved(&p.text_document.uri);
                    Vec::new()
                })
            }
            DidCloseTextDocument::METHOD => {
                with_params(notification, |p: DidCloseTextDocumentParams| {
                    let uri = p.text_document.uri;
                    self.documents.remove(&uri);
                    self.pending.remove(&uri);
                    self.closed.push(uri.clone());
                    let targets = self.contributions.remove(&uri).unwrap_or_default();
                    let mut targets: HashSet<Url> = targets.into_keys().collect();
                    targets.insert(uri);
                    self.publish(targets)
                })
            }
            _ => Vec::new(),
        }
    }

    /// A saved file changes what other documents read from disk: the files they include, a
    /// Terraform module's other files, or a configuration file. Every other open document is
    /// linted again (with configuration files read anew when one was saved).
    fn saved(&mut self, uri: &Url) {
        let is_config = uri
            .to_file_path()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .is_some_and(|name| config::FILE_NAMES.contains(&name.as_str()));
        if is_config {
            self.configs = Configs::nearest(Overrides::default());
        }
        let now = Instant::now();
        let others: Vec<Url> = self
            .documents
            .keys()
            .filter(|u| *u != uri || is_config)
            .cloned()
            .collect();
        for other in others {
            self.schedule(other, now);
        }
    }

    /// Schedules a lint of a document, and of the open documents that include it.
    fn schedule_with_includers(&mut self, uri: &Url, due: Instant) {
        let canonical = uri
            .to_file_path()
            .ok()
            .and_then(|p| std::fs::canonicalize(p).ok());
        if let Some(canonical) = canonical {
            let includers: Vec<Url> = self
                .documents
                .iter()
                .filter(|(u, d)| {
                    *u != uri && d.report().is_some_and(|r| r.included.contains(&canonical))
                })
                .map(|(u, _)| u.clone())
                .collect();
            for includer in includers {
                self.schedule(includer, due);
            }
        }
        self.schedule(uri.clone(), due);
    }

    /// Asks for a lint of a document at `due` (a later edit postpones it).
    fn schedule(&mut self, uri: Url, due: Instant) {
        self.pending.insert(uri, due);
    }

    /// Takes in a lint of an open document; returns the files whose diagnostics changed.
    fn apply(&mut self, linted: worker::Linted) -> HashSet<Url> {
        let worker::Linted { job, report, .. } = linted;
        let uri = job.uri;
        let Some(doc) = self.documents.get_mut(&uri) else {
            return HashSet::new();
        };
        let mut keys = Vec::new();
        if let Some(problem) = job.config_problem {
            keys.push((uri.clone(), DiagnosticKey::plain(Range::default(), problem)));
        }
        let converter = publish::Converter {
            report: &report,
            document: (&doc.path, &uri),
            encoding: self.encoding,
        };
        let first = keys.len();
        keys.extend(converter.diagnostics(&doc.text, &doc.serialized, first));
        self.stages.mark("diagnostics");
        let mut diagnostics: HashMap<Url, Vec<publish::Json>> = HashMap::new();
        for (target, json) in doc.serialized.texts(keys, &mut self.pages) {
            diagnostics.entry(target).or_default().push(json);
        }
        self.stages.mark("json");
        doc.config = job.config;
        if let Some((_, previous)) = doc.report.replace((job.generation, report)) {
            self.retired.push(previous);
        }
        let previous = self.contributions.insert(uri.clone(), diagnostics);
        let mut targets: HashSet<Url> = previous.unwrap_or_default().into_keys().collect();
        targets.extend(self.contributions[&uri].keys().cloned());
        targets.insert(uri);
        targets
    }

    /// The diagnostics of each file, as the union over every open document's lint.
    fn publish(&self, targets: HashSet<Url>) -> Vec<Notification> {
        let mut targets: Vec<Url> = targets.into_iter().collect();
        targets.sort();
        let mut origins: Vec<&Url> = self.contributions.keys().collect();
        origins.sort();
        targets
            .into_iter()
            .map(|target| {
                let from: Vec<&Vec<publish::Json>> = origins
                    .iter()
                    .filter_map(|origin| self.contributions[*origin].get(&target))
                    .collect();
                let version = self.documents.get(&target).map(|d| d.version);
                transport::raw(publish::notification(&target, version, &union(&from)))
            })
            .collect()
    }

    fn hover(&self, params: HoverParams) -> Option<Hover> {
        let at = params.text_document_position_params;
        let doc = self.documents.get(&at.text_document.uri)?;
        let report = doc.report()?;
        let file = report.file?;
        let index = LineIndex::of(report.sources.try_get(file)?);
        let offset = index.offset(at.position, self.encoding);
        let line = index.line_of(offset);
        let mut sections = Vec::new();
        let mut range: Option<Range> = None;
        for t in &report.triggers {
            if t.anchor.file == file && index.line_of(t.anchor.start as usize) == line {
                let text =
                    crate::report::inspect::trigger_human(&report.sources, &report.variables, t);
                sections.push(format!("```text\n{}\n```", text.trim_end()));
                range.get_or_insert(self.range(&index, t.anchor.start, t.anchor.end));
            }
        }
        for f in &report.findings {
            let (start, end) = (f.span.start as usize, f.span.end as usize);
            if f.span.file == file && start <= offset && offset <= end {
                sections.push(rule_explanation(f));
                range.get_or_insert(self.range(&index, f.span.start, f.span.end));
            }
        }
        (!sections.is_empty()).then(|| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: sections.join("\n\n---\n\n"),
            }),
            range,
        })
    }

    /// The fixes of the findings on the lines asked about, their suppressions, and the action
    /// that applies every safe fix of the document.
    fn code_actions(&self, params: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some((doc, report, file)) = self.documents.get(uri).and_then(|doc| {
            let report = doc.report()?;
            Some((doc, report, report.file?))
        }) else {
            return Vec::new();
        };
        let Some(source) = report.sources.try_get(file) else {
            return Vec::new();
        };
        let index = LineIndex::of(source);
        let converter = publish::Converter {
            report,
            document: (&doc.path, uri),
            encoding: self.encoding,
        };
        let only = params.context.only.as_ref();
        let (first, last) = (params.range.start.line, params.range.end.line);
        let here: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.span.file == file)
            .collect();
        let mut actions: Vec<CodeAction> = Vec::new();
        if fixes::wanted(only, CodeActionKind::QUICKFIX.as_str()) {
            let on_lines: Vec<&Finding> = here
                .iter()
                .filter(|f| {
                    let line = index.position(f.span.start as usize, self.encoding).line;
                    first <= line && line <= last
                })
                .copied()
                .collect();
            for f in &on_lines {
                let range = self.range(&index, f.span.start, f.span.end);
                let diagnostics = attached(&params, f, Some(range));
                actions.extend(fixes::fix_action(f, diagnostics, &converter));
            }
            actions.extend(self.ignore_actions(&params, doc, report, &on_lines));
        }
        if fixes::wanted(only, fixes::FIX_ALL) {
            actions.extend(fixes::fix_all(&here, &doc.config, &converter));
        }
        actions
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }

    /// The actions that write a suppression of each finding's rule, one per rule and scope.
    fn ignore_actions(
        &self,
        params: &CodeActionParams,
        doc: &Document,
        report: &FileReport,
        findings: &[&Finding],
    ) -> Vec<CodeAction> {
        let uri = &params.text_document.uri;
        let Some(file) = report.file else {
            return Vec::new();
        };
        let Some(source) = report.sources.try_get(file) else {
            return Vec::new();
        };
        let index = LineIndex::of(source);
        let is_json = crate::parse::syntax_of(&doc.path, &doc.text) == crate::parse::Syntax::Json
            && !crate::parse::hcl::is_terraform(&doc.path);
        let mut actions: Vec<CodeAction> = Vec::new();
        for f in findings {
            if f.rule.code == crate::rules::unused_suppression::RULE.code {
                continue;
            }
            let trigger = report.triggers.iter().find(|t| t.path == f.path);
            let Some(insert) = suppression::insert_for(&doc.text, is_json, file, f, trigger) else {
                continue;
            };
            let title = format!("Ignore {} ({}) {}", f.rule.code, f.rule.slug, insert.scope);
            if actions.iter().any(|a| a.title == title) {
                continue;
            }
            let at = index.position(insert.offset, self.encoding);
            let edit = TextEdit::new(Range::new(at, at), insert.text);
            actions.push(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(attached(params, f, None)),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                    ..WorkspaceEdit::default()
                }),
                ..CodeAction::default()
            });
        }
        actions
    }

    fn range(&self, index: &LineIndex<'_>, start: u32, end: u32) -> Range {
        index.range(start as usize, end as usize, self.encoding)
    }
}

/// The diagnostics several lints give one file, each once (two documents that include the same
/// file both report its findings).
fn union<'d>(lists: &[&'d Vec<publish::Json>]) -> Vec<&'d publish::Json> {
    if let [only] = lists {
        return only.iter().collect();
    }
    let mut seen: HashSet<&str> = HashSet::new();
    lists
        .iter()
        .flat_map(|list| list.iter())
        .filter(|d| seen.insert(d))
        .collect()
}

/// The diagnostics of the request's context that an action on `finding` resolves: those of its
/// rule (at its range, when given).
fn attached(
    params: &CodeActionParams,
    finding: &Finding,
    range: Option<Range>,
) -> Vec<lsp_types::Diagnostic> {
    let code = NumberOrString::String(finding.rule.code.to_string());
    params
        .context
        .diagnostics
        .iter()
        .filter(|d| d.code.as_ref() == Some(&code) && range.is_none_or(|r| d.range == r))
        .cloned()
        .collect()
}

/// What a hover on a finding shows: the finding, then the rule's page.
fn rule_explanation(f: &Finding) -> String {
    let mut out = format!(
        "**{}** `{}` ({})\n\n{}",
        f.rule.code,
        f.rule.slug,
        f.severity.id(),
        f.message
    );
    if let Some(help) = &f.help {
        out.push_str(&format!("\n\nhelp: {help}"));
    }
    out.push_str("\n\n---\n\n");
    out.push_str(f.rule.docs.trim());
    out
}

/// The path a document is linted as: its file, or for an unsaved buffer a name whose extension
/// says how to read it.
fn document_path(uri: &Url, language_id: &str) -> PathBuf {
    if let Ok(path) = uri.to_file_path() {
        return path;
    }
    let extension = match language_id {
        "json" | "jsonc" => "json",
        "terraform" | "hcl" | "tf" => "tf",
        _ => "yaml",
    };
    PathBuf::from(format!("untitled.{extension}"))
}

/// Applies one change to a buffer: the whole text, or a range of it.
fn apply_change(
    text: &mut String,
    change: lsp_types::TextDocumentContentChangeEvent,
    encoding: Encoding,
) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let index = LineIndex::new(text);
            let start = index.offset(range.start, encoding);
            let end = index.offset(range.end, encoding).max(start);
            text.replace_range(start..end, &change.text);
        }
    }
}

/// Runs a request handler on its parameters, answering invalid ones with an error.
fn answer<P: serde::de::DeserializeOwned, R: serde::Serialize>(
    id: RequestId,
    request: Request,
    handle: impl FnOnce(P) -> R,
) -> Response {
    match serde_json::from_value::<P>(request.params) {
        Ok(params) => Response::new_ok(id, handle(params)),
        Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
    }
}

/// Runs a notification handler on its parameters; invalid ones are dropped (a notification
/// has no answer to carry an error).
fn with_params<P: serde::de::DeserializeOwned>(
    notification: Notification,
    handle: impl FnOnce(P) -> Vec<Notification>,
) -> Vec<Notification> {
    serde_json::from_value::<P>(notification.params).map_or_else(|_| Vec::new(), handle)
}
