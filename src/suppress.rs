//! Suppressions written in templates: `# triggerlint: ignore[rule, ...] reason` comments in
//! YAML, and `Metadata: {triggerlint: {ignore: [...]}}` on mapping or function resources (the
//! only way in JSON, which has no comments).
//!
//! A comment covers findings on its own line, and every finding of the trigger whose key is on
//! the next line (other comment lines may sit between). Metadata covers the triggers of the
//! resource. Suppressions that match nothing are reported (TL900), so stale ones do not pile up.

use crate::config::Config;
use crate::model::Trigger;
use crate::rules::{ALL, Finding, unused_suppression};
use crate::source::{FileId, SourceFile, Span};

/// One rule selector inside a suppression.
#[derive(Clone, Debug)]
pub struct Selector {
    pub text: String,
    pub span: Span,
    used: bool,
}

/// A suppression and what it covers.
#[derive(Clone, Debug)]
pub struct Suppression {
    pub selectors: Vec<Selector>,
    pub reason: Option<String>,
    /// The file of the comment.
    file: FileId,
    /// Findings in that file that start on these 1-based lines are covered.
    lines: Vec<usize>,
    /// Findings of triggers with these logical paths are covered.
    triggers: Vec<std::sync::Arc<str>>,
}

/// A comment that starts like a directive but is not one.
#[derive(Clone, Debug)]
pub struct Malformed {
    pub span: Span,
    pub message: String,
}

const MARKER: &str = "triggerlint:";

/// Reads every suppression: the comments of each file, and the Metadata of the triggers.
pub fn collect(
    sources: &[(FileId, &SourceFile)],
    triggers: &[Trigger],
) -> (Vec<Suppression>, Vec<Malformed>) {
    let mut suppressions = metadata(triggers);
    let mut malformed = Vec::new();
    for (file, source) in sources {
        let (found, bad) = comments(*file, source, triggers);
        suppressions.extend(found);
        malformed.extend(bad);
    }
    (suppressions, malformed)
}

fn comments(
    file: FileId,
    source: &SourceFile,
    triggers: &[Trigger],
) -> (Vec<Suppression>, Vec<Malformed>) {
    let mut suppressions = Vec::new();
    let mut malformed = Vec::new();
    if !source.text.contains(MARKER) {
        return (suppressions, malformed);
    }
    let anchors: Vec<(usize, &str)> = triggers
        .iter()
        .filter(|t| t.anchor.file == file)
        .map(|t| (source.line_col(t.anchor.start as usize).line, &*t.path))
        .collect();
    let mut offset = 0;
    let lines: Vec<&str> = source.text.split_inclusive('\n').collect();
    let comment_start = if crate::parse::hcl::is_terraform(&source.path) {
        hcl_comment_start
    } else {
        yaml_comment_start
    };
    for (index, raw) in lines.iter().enumerate() {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let Some((hash, marker)) = comment_start(line) else {
            continue;
        };
        let comment = &line[hash + marker..];
        let Some(body) = comment.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let body_start = line_start
            + hash
            + marker
            + (comment.len() - comment.trim_start().len())
            + MARKER.len();
        let comment_span = Span::new(file, line_start + hash, line_start + line.len());
        match parse_directive(body, body_start, file) {
            Ok((selectors, reason)) => {
                let line_no = index + 1;
                let triggers = trigger_below(&lines, index, &anchors);
                suppressions.push(Suppression {
                    selectors,
                    reason,
                    file,
                    lines: vec![line_no],
                    triggers: triggers.into_iter().map(std::sync::Arc::from).collect(),
                });
            }
            Err(message) => malformed.push(Malformed {
                span: comment_span,
                message,
            }),
        }
    }
    (suppressions, malformed)
}

/// Where a YAML comment starts on a line, and the length of its marker.
fn yaml_comment_start(line: &str) -> Option<(usize, usize)> {
    crate::parse::yaml::comment_start(line)
        .flatten()
        .map(|i| (i, 1))
}

/// Where an HCL comment (`#` or `//`) starts on a line outside a string, and the length of
/// its marker.
fn hcl_comment_start(line: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'#' if !in_string => return Some((i, 1)),
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return Some((i, 2)),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The trigger whose key is on the first line below `index` that is not a comment.
fn trigger_below<'a>(lines: &[&str], index: usize, anchors: &[(usize, &'a str)]) -> Vec<&'a str> {
    let next = lines
        .iter()
        .enumerate()
        .skip(index + 1)
        .find(|(_, l)| {
            let l = l.trim_start();
            !l.starts_with('#') && !l.starts_with("//")
        })
        .map(|(i, _)| i + 1);
    anchors
        .iter()
        .filter(|(line, _)| Some(*line) == next)
        .map(|(_, path)| *path)
        .collect()
}

/// `ignore[a, b] reason` -> the selectors with their spans, and the reason.
fn parse_directive(
    body: &str,
    body_start: usize,
    file: FileId,
) -> Result<(Vec<Selector>, Option<String>), String> {
    let trimmed = body.trim_start();
    let lead = body.len() - trimmed.len();
    let Some(list) = trimmed.strip_prefix("ignore[") else {
        return Err(format!(
            "`# triggerlint:{body}` is not a directive: write `# triggerlint: ignore[rule, ...] reason`"
        ));
    };
    let Some(close) = list.find(']') else {
        return Err("the rule list of `ignore[` is not closed with `]`".to_string());
    };
    let list_start = body_start + lead + "ignore[".len();
    let mut selectors = Vec::new();
    let mut position = 0;
    for part in list[..close].split(',') {
        let text = part.trim();
        if !text.is_empty() {
            let start = list_start + position + (part.len() - part.trim_start().len());
            selectors.push(Selector {
                text: text.to_string(),
                span: Span::new(file, start, start + text.len()),
                used: false,
            });
        }
        position += part.len() + 1;
    }
    if selectors.is_empty() {
        return Err("`ignore[]` names no rule".to_string());
    }
    let reason = list[close + 1..].trim();
    Ok((selectors, (!reason.is_empty()).then(|| reason.to_string())))
}

/// Metadata entries, one suppression per entry, covering every trigger it was found on.
fn metadata(triggers: &[Trigger]) -> Vec<Suppression> {
    let mut suppressions: Vec<(Span, Suppression)> = Vec::new();
    for trigger in triggers {
        for ignore in &trigger.metadata_ignores {
            if let Some((_, existing)) = suppressions.iter_mut().find(|(s, _)| *s == ignore.span) {
                existing.triggers.push(trigger.path.clone());
                continue;
            }
            suppressions.push((
                ignore.span,
                Suppression {
                    selectors: vec![Selector {
                        text: ignore.selector.clone(),
                        span: ignore.span,
                        used: false,
                    }],
                    reason: ignore.reason.clone(),
                    file: ignore.span.file,
                    lines: Vec::new(),
                    triggers: vec![trigger.path.clone()],
                },
            ));
        }
    }
    suppressions.into_iter().map(|(_, s)| s).collect()
}

/// Splits findings into those reported and those suppressed, marking what was used. `sources`
/// are the files whose comments were read.
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &mut [Suppression],
    sources: &[(FileId, &SourceFile)],
) -> (Vec<Finding>, Vec<Finding>) {
    if suppressions.is_empty() {
        return (findings, Vec::new());
    }
    let mut kept = Vec::new();
    let mut ignored = Vec::new();
    for finding in findings {
        let file = finding.span.file;
        let line = sources
            .iter()
            .find(|(id, _)| *id == file)
            .map(|(_, source)| source.line_col(finding.span.start as usize).line);
        let mut suppressed = false;
        for suppression in suppressions.iter_mut() {
            let on_its_line = suppression.file == file
                && line.is_some_and(|line| suppression.lines.contains(&line));
            let covers = on_its_line || suppression.triggers.contains(&finding.path);
            if !covers {
                continue;
            }
            for selector in &mut suppression.selectors {
                if finding.rule.matches(&selector.text) {
                    selector.used = true;
                    suppressed = true;
                }
            }
        }
        if suppressed {
            ignored.push(finding);
        } else {
            kept.push(finding);
        }
    }
    (kept, ignored)
}

/// TL900 findings for selectors that matched nothing, and for malformed directives. A selector
/// for rules that are all switched off is not reported: whether it would match is unknown.
pub fn unused(
    suppressions: &[Suppression],
    malformed: &[Malformed],
    config: &Config,
) -> Vec<Finding> {
    let rule = &unused_suppression::RULE;
    if !config.is_enabled(rule) {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for suppression in suppressions {
        for selector in suppression.selectors.iter().filter(|s| !s.used) {
            let named: Vec<_> = ALL.iter().filter(|r| r.matches(&selector.text)).collect();
            let message = if named.is_empty() {
                format!(
                    "`{}` names no rule, so this suppression does nothing",
                    selector.text
                )
            } else if named.iter().any(|r| config.is_enabled(r)) {
                format!(
                    "`{}` matches no finding where this suppression applies",
                    selector.text
                )
            } else {
                continue;
            };
            findings.push(unused_suppression::finding(
                selector.span,
                message,
                suppression.triggers.first(),
            ));
        }
    }
    for m in malformed {
        findings.push(unused_suppression::finding(m.span, m.message.clone(), None));
    }
    findings
        .into_iter()
        .map(|mut f| {
            f.severity = config.severity_of(rule);
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_parse_with_spans_and_reasons() {
        let body = " ignore[TL101, stream-no-bisect-on-error] replay is fine here";
        let (selectors, reason) = parse_directive(body, 100, FileId(0)).unwrap();
        let texts: Vec<&str> = selectors.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["TL101", "stream-no-bisect-on-error"]);
        assert_eq!(selectors[0].span.start, 100 + 8);
        assert_eq!(selectors[1].span.start, 100 + 15);
        assert_eq!(reason.as_deref(), Some("replay is fine here"));
        assert!(parse_directive(" ignore[]", 0, FileId(0)).is_err());
        assert!(parse_directive(" ignore[TL101", 0, FileId(0)).is_err());
        assert!(parse_directive(" disable[TL101]", 0, FileId(0)).is_err());
    }
}
