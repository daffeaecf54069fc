//! Settings that change what is reported: which rules run and their options.

use crate::rules::{Rule, Severity};

/// Options rules read, with the documented defaults.
#[derive(Clone, Debug)]
pub struct RuleOptions {
    /// TL107: batch sizes below this are reported.
    pub min_batch_size: i64,
    /// TL101: retry limits above this count as unbounded.
    pub max_retry_attempts: i64,
}

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            min_batch_size: 10,
            max_retry_attempts: 100,
        }
    }
}

/// Everything that shapes a lint run.
#[derive(Clone, Debug)]
pub struct Config {
    /// Rule selectors (codes, slugs or code prefixes like `TL1`); empty means all rules.
    pub select: Vec<String>,
    /// Rule selectors to switch off; applied after `select`.
    pub ignore: Vec<String>,
    pub options: RuleOptions,
    /// Findings at or above this severity make the exit code 1.
    pub fail_on: Severity,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            select: Vec::new(),
            ignore: Vec::new(),
            options: RuleOptions::default(),
            fail_on: Severity::Warning,
        }
    }
}

impl Config {
    pub fn is_enabled(&self, rule: &Rule) -> bool {
        let selected = self.select.is_empty() || self.select.iter().any(|s| rule.matches(s));
        selected && !self.ignore.iter().any(|s| rule.matches(s))
    }
}
