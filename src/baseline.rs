//! Baselines for adopting the linter on a large repository: record today's findings, then
//! report only new ones.
//!
//! A finding is identified by its file (relative to the baseline file's folder), the logical
//! path of its trigger and its rule code, never by line numbers, so edits elsewhere in a file do
//! not bring recorded findings back. Each identity keeps a count: a second finding of the same
//! rule on the same trigger is new.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::rules::Finding;
use crate::source::Sources;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Key {
    file: String,
    path: String,
    code: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    count: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// Recorded findings, by identity.
#[derive(Debug, Default)]
pub struct Baseline {
    base: PathBuf,
    counts: BTreeMap<Key, usize>,
}

fn key(sources: &Sources, base: &Path, finding: &Finding) -> Key {
    let path = &sources.get(finding.span.file).path;
    let absolute = crate::discover::absolute(path);
    let relative = absolute.strip_prefix(base).unwrap_or(&absolute);
    Key {
        file: relative.to_string_lossy().replace('\\', "/"),
        path: finding.path.to_string(),
        code: finding.rule.code.to_string(),
    }
}

fn folder_of(baseline_path: &Path) -> PathBuf {
    crate::discover::absolute(baseline_path.parent().unwrap_or(Path::new("")))
}

/// Collects findings for a baseline file, batch by batch.
pub struct Recorder {
    path: PathBuf,
    base: PathBuf,
    counts: BTreeMap<Key, usize>,
    total: usize,
}

impl Recorder {
    pub fn new(path: &Path) -> Recorder {
        Recorder {
            path: path.to_path_buf(),
            base: folder_of(path),
            counts: BTreeMap::new(),
            total: 0,
        }
    }

    pub fn add(&mut self, sources: &Sources, findings: &[Finding]) {
        for finding in findings {
            *self
                .counts
                .entry(key(sources, &self.base, finding))
                .or_default() += 1;
            self.total += 1;
        }
    }

    /// Writes the baseline file; returns how many findings it records.
    pub fn write(self) -> Result<usize, String> {
        write_counts(&self.path, self.counts)?;
        Ok(self.total)
    }
}

/// Writes the findings of a run as a baseline; returns how many it recorded.
pub fn write(path: &Path, sources: &Sources, findings: &[Finding]) -> Result<usize, String> {
    let mut recorder = Recorder::new(path);
    recorder.add(sources, findings);
    recorder.write()
}

fn write_counts(path: &Path, counts: BTreeMap<Key, usize>) -> Result<(), String> {
    let file = BaselineFile {
        version: 1,
        findings: counts
            .into_iter()
            .map(|(key, count)| Entry { key, count })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).expect("baseline serialises");
    text.push('\n');
    std::fs::write(path, text).map_err(|e| {
        format!(
            "cannot write the baseline {}: {}",
            path.display(),
            crate::discover::io_message(&e)
        )
    })
}

/// Reads a baseline written by [`write`].
pub fn read(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the baseline {}: {}",
            path.display(),
            crate::discover::io_message(&e)
        )
    })?;
    let file: BaselineFile = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a triggerlint baseline: {e}", path.display()))?;
    if file.version != 1 {
        return Err(format!(
            "{} is a version {} baseline; this triggerlint reads version 1",
            path.display(),
            file.version
        ));
    }
    Ok(Baseline {
        base: folder_of(path),
        counts: file
            .findings
            .into_iter()
            .map(|e| (e.key, e.count))
            .collect(),
    })
}

impl Baseline {
    /// Splits findings into new ones and ones the baseline already records.
    pub fn split(&self, sources: &Sources, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Finding>) {
        let mut remaining = self.counts.clone();
        let mut new = Vec::new();
        let mut known = Vec::new();
        for finding in findings {
            match remaining.get_mut(&key(sources, &self.base, &finding)) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    known.push(finding);
                }
                _ => new.push(finding),
            }
        }
        (new, known)
    }
}
