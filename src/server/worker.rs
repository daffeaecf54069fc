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
}

/// Starts the worker; lints are asked for on the returned channel and come back as events.
/// The thread ends when the server drops the channel.
pub fn spawn(events: Sender<Event>) -> Sender<Job> {
    let (jobs_in, jobs) = mpsc::channel::<Job>();
    let spawned = std::thread::Builder::new()
        .name("triggerlint-lint".to_string())
        .spawn(move || {
            for mut job in jobs {
                let started = Instant::now();
                let report = lint(&mut job);
                let took = started.elapsed();
                if events
                    .send(Event::Linted(Box::new(Linted { job, report, took })))
                    .is_err()
                {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("triggerlint server: cannot start the lint thread: {e}");
    }
    jobs_in
}

/// Lints a job's text (moved out of the job: the engine owns the text it reads). A panic
/// becomes a report saying the lint failed instead of unwinding through the server.
pub fn lint(job: &mut Job) -> FileReport {
    let (path, text) = (job.path.clone(), std::mem::take(&mut job.text));
    let config = &job.config;
    std::panic::catch_unwind(|| engine::report_document(path, text, config)).unwrap_or_else(|_| {
        FileReport::failed(
            &job.path,
            "internal error while linting this file (a bug in triggerlint; please report it)",
        )
    })
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
