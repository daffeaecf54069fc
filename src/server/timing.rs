//! Where an edit's time goes, for profiling the server as an editor drives it: with
//! `TRIGGERLINT_SERVER_TIMING` set, every published lint writes one line to standard error
//! with the time of each stage (the lint on the worker, turning its findings into diagnostics,
//! their JSON text, the notification's text) and the size of what was sent. Unset, nothing is
//! measured.

use std::time::{Duration, Instant};

/// The variable that turns the log on.
pub const VARIABLE: &str = "TRIGGERLINT_SERVER_TIMING";

/// The stages of one lint, measured as they run.
#[derive(Default)]
pub struct Stages {
    enabled: bool,
    entries: Vec<(&'static str, Duration)>,
    started: Option<Instant>,
}

impl Stages {
    /// Measures when the variable is set.
    pub fn from_env() -> Stages {
        Stages {
            enabled: std::env::var_os(VARIABLE).is_some(),
            ..Stages::default()
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Starts a new record of stages.
    pub fn begin(&mut self) {
        self.entries.clear();
        self.started = self.enabled.then(Instant::now);
    }

    /// Adds a stage measured elsewhere (the lint, on the worker's thread).
    pub fn add(&mut self, stage: &'static str, took: Duration) {
        if self.enabled {
            self.entries.push((stage, took));
        }
    }

    /// Ends the stage that ran since the last mark (or since `begin`).
    pub fn mark(&mut self, stage: &'static str) {
        if let Some(started) = self.started {
            let now = Instant::now();
            self.entries.push((stage, now - started));
            self.started = Some(now);
        }
    }

    /// Writes the record: `lint 12.1 ms, diagnostics 1.0 ms, ... (1800 diagnostics, 1044000
    /// bytes, 299 triggers reused, tree reused)`: how many triggers' findings the lint took
    /// from the one before (0: the rules ran on all), and whether it took its tree (`tree
    /// reused`) or parsed the text whole (`tree parsed`).
    pub fn report(&self, diagnostics: usize, bytes: usize, reused: crate::engine::Reused) {
        if !self.enabled {
            return;
        }
        let stages: Vec<String> = self
            .entries
            .iter()
            .map(|(stage, took)| format!("{stage} {:.2} ms", took.as_secs_f64() * 1000.0))
            .collect();
        eprintln!(
            "triggerlint server timing: {} ({diagnostics} diagnostics, {bytes} bytes, {} triggers reused, tree {})",
            stages.join(", "),
            reused.triggers,
            if reused.tree { "reused" } else { "parsed" },
        );
    }
}
