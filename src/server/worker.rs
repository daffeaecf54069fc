//! The server's lint worker: one thread that lints one document at a time, so the thread that
//! talks to the client is never blocked by a lint. The server keeps at most one lint in flight
//! and starts the next with the newest text, so keystrokes never queue up behind lints.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

use lsp_server::Message;
use lsp_types::Url;

use crate::config::Config;
use crate::engine::{self, FileReport};
use crate::rules::Rule;

/// What the server's loop waits for.
pub enum Event {
    /// A message from the client.
    Client(Message),
    /// The client closed the stream.
    ClientGone,
    /// A lint is done.
    Linted(Box<Linted>),
}

/// A document's text to lint, as it was when the lint was asked for.
pub struct Job {
    pub uri: Url,
    /// The document's generation then: the result is stale if it has changed since.
    pub generation: u64,
    pub path: PathBuf,
    pub text: String,
    pub config: Arc<Config>,
    /// Why the nearest configuration file could not be used, shown on the document.
    pub config_problem: Option<String>,
}

pub struct Linted {
    pub job: Job,
    pub report: FileReport,
    /// How long the lint took (for the timing log).
    pub took: Duration,
    /// What the lint took from the last lint of the document.
    pub reused: engine::Reused,
}

/// What the worker is asked to do.
pub enum Work {
    Lint(Job),
    /// The document was closed: its last lint's memo is not needed any more.
    Forget(Url),
    /// Reports the server no longer needs, freed here when no lint waits: the worker made
    /// them, and memory freed by the thread that allocated it is cheaper for the next lint than
    /// memory the allocator has to collect back from another thread.
    Free(Vec<FileReport>),
}

/// Starts the worker; lints are asked for on the returned channel and come back as events.
/// The worker keeps each open document's memo of its last lint, so that a lint after a small
/// edit reuses the findings the edit cannot change. The thread ends when the server drops the
/// channel.
pub fn spawn(events: Sender<Event>) -> Sender<Work> {
    let (work_in, work) = mpsc::channel::<Work>();
    let spawned = std::thread::Builder::new()
        .name("triggerlint-lint".to_string())
        .spawn(move || {
            let mut memos: HashMap<Url, engine::DocumentMemo> = HashMap::new();
            // Reports to free, freed once no work waits: a lint asked for is not kept waiting
            // for them.
            let mut garbage: Vec<FileReport> = Vec::new();
            while let Some(work) = next_work(&work, &mut garbage) {
                let job = match work {
                    Work::Lint(job) => job,
                    Work::Forget(uri) => {
                        memos.remove(&uri);
                        continue;
                    }
                    Work::Free(reports) => {
                        garbage.extend(reports);
                        continue;
                    }
                };
                let uri = job.uri.clone();
                let mut memo = memos.remove(&uri);
                let linted = lint(job, Some(&mut memo));
                if let Some(memo) = memo {
                    memos.insert(uri, memo);
                }
                if events.send(Event::Linted(Box::new(linted))).is_err() {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("triggerlint server: cannot start the lint thread: {e}");
    }
    work_in
}

/// The next work asked for; when none waits, the garbage is freed first. `None` once the
/// server has dropped its end.
fn next_work(work: &mpsc::Receiver<Work>, garbage: &mut Vec<FileReport>) -> Option<Work> {
    match work.try_recv() {
        Ok(next) => Some(next),
        Err(mpsc::TryRecvError::Disconnected) => None,
        Err(mpsc::TryRecvError::Empty) => {
            garbage.clear();
            work.recv().ok()
        }
    }
}

/// Lints a job's text (moved out of the job: the engine owns the text it reads), reusing what
/// it can from the memo of the document's last lint and leaving the memo for the next. A panic
/// becomes a report saying the lint failed instead of unwinding through the server.
/// Without a memo (`None`), the text is linted in full and nothing is kept.
pub fn lint(mut job: Job, mut memo: Option<&mut Option<engine::DocumentMemo>>) -> Linted {
    let started = Instant::now();
    let (path, text) = (job.path.clone(), std::mem::take(&mut job.text));
    let config = &job.config;
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &mut memo {
        Some(memo) => engine::relint_document(path, text, config, memo),
        None => (
            engine::report_document(path, text, config),
            engine::Reused::default(),
        ),
    }));
    let (report, reused) = attempt.unwrap_or_else(|_| {
        if let Some(memo) = memo {
            *memo = None;
        }
        let failed = FileReport::failed(
            &job.path,
            "internal error while linting this file (a bug in triggerlint; please report it)",
        );
        (failed, engine::Reused::default())
    });
    Linted {
        job,
        report,
        took: started.elapsed(),
        reused,
    }
}

/// Passes the client's messages on as events, so one loop waits for both the client and the
/// worker.
pub fn forward_client<M>(messages: M, events: Sender<Event>)
where
    M: IntoIterator<Item = Message> + Send + 'static,
{
    std::thread::spawn(move || {
        for message in messages {
            if events.send(Event::Client(message)).is_err() {
                return;
            }
        }
        let _ = events.send(Event::ClientGone);
    });
}

/// Each rule's page as a URL, parsed once rather than for every diagnostic.
#[derive(Default)]
pub struct RulePages {
    parsed: HashMap<&'static str, Option<Url>>,
}

impl RulePages {
    pub fn of(&mut self, rule: &'static Rule) -> Option<Url> {
        self.parsed
            .entry(rule.code)
            .or_insert_with(|| Url::parse(&rule.page_url()).ok())
            .clone()
    }
}
