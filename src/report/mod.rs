//! Rendering a run: human diagnostics, versioned JSON, `inspect` tables and the rule list.
//! Line and column numbers are computed here and nowhere earlier.

pub mod github;
pub mod human;
pub mod inspect;
pub mod json;
pub mod rules;
pub mod sarif;

use crate::Run;
use crate::rules::Severity;
use crate::source::{LineCol, Sources, Span};

/// Start and end (exclusive) of a span as 1-based line/column pairs.
pub fn line_cols(sources: &Sources, span: Span) -> (LineCol, LineCol) {
    let file = sources.get(span.file);
    (
        file.line_col(span.start as usize),
        file.line_col(span.end as usize),
    )
}

/// Counts of findings per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Tally {
    pub fn of(run: &Run) -> Tally {
        let mut tally = Tally::default();
        for f in &run.findings {
            match f.severity {
                Severity::Error => tally.errors += 1,
                Severity::Warning => tally.warnings += 1,
                Severity::Note => tally.notes += 1,
            }
        }
        tally
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
