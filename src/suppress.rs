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
    /// Findings that start on these 1-based lines are covered.
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

/// Reads every suppression of one file.
pub fn collect(
    file: FileId,
    source: &SourceFile,
    triggers: &[Trigger],
) -> (Vec<Suppression>, Vec<Malformed>) {
    let (mut suppressions, malformed) = comments(file, source, triggers);
    suppressions.extend(metadata(triggers));
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
    for (index, raw) in lines.iter().enumerate() {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let Some(Some(hash)) = crate::parse::yaml::comment_start(line) else {
            continue;
        };
        let comment = &line[hash + 1..];
        let Some(body) = comment.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let body_start =
            line_start + hash + 1 + (comment.len() - comment.trim_start().len()) + MARKER.len();
        let comment_span = Span::new(file, line_start + hash, line_start + line.len());
        match parse_directive(body, body_start, file) {
            Ok((selectors, reason)) => {
                let line_no = index + 1;
                let triggers = trigger_below(&lines, index, &anchors);
                suppressions.push(Suppression {
                    selectors,
                    reason,
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

/// The trigger whose key is on the first line below `index` that is not a comment.
fn trigger_below<'a>(lines: &[&str], index: usize, anchors: &[(usize, &'a str)]) -> Vec<&'a str> {
    let next = lines
        .iter()
        .enumerate()
        .skip(index + 1)
        .find(|(_, l)| !l.trim_start().starts_with('#'))
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
                    lines: Vec::new(),
                    triggers: vec![trigger.path.clone()],
                },
            ));
        }
    }
    suppressions.into_iter().map(|(_, s)| s).collect()
}

/// Splits findings into those reported and those suppressed, marking what was used.
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &mut [Suppression],
    source: &SourceFile,
) -> (Vec<Finding>, Vec<Finding>) {
    if suppressions.is_empty() {
        return (findings, Vec::new());
    }
    let mut kept = Vec::new();
    let mut ignored = Vec::new();
    for finding in findings {
        let line = source.line_col(finding.span.start as usize).line;
        let mut suppressed = false;
        for suppression in suppressions.iter_mut() {
            let covers =
                suppression.lines.contains(&line) || suppression.triggers.contains(&finding.path);
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
