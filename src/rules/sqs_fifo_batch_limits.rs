//! TL202: FIFO queues take batches of at most 10 and no batching window.

use super::{Finding, Rule, Scope, Severity, span_of};
use crate::model::{Prop, Setting, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL202",
    slug: "sqs-fifo-batch-limits",
    summary: "a FIFO queue trigger with a batch above 10 or a batching window fails to deploy",
    severity: Severity::Error,
    docs: include_str!("../../rules/sqs-fifo-batch-limits.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    if t.source != (SourceKind::Sqs { fifo: true }) {
        return Vec::new();
    }
    let s = &t.settings;
    let mut findings = Vec::new();
    if let Some(&batch) = s.batch_size.value()
        && batch > 10
    {
        let key = t.key_name(Prop::BatchSize);
        findings.push(
            RULE.at(
                span_of(t, &s.batch_size),
                format!(
                    "`{key}` is {batch}, but a FIFO queue delivers at most 10 messages per batch: \
                     the deploy fails"
                ),
            )
            .label("above 10 on a FIFO queue")
            .help(format!("set `{key}` to 10 or less")),
        );
    }
    // A window of 0 is no window at all; anything above it is refused.
    if let Setting::Written { value, span } = &s.batching_window
        && *value > 0.0
    {
        let key = t.key_name(Prop::MaximumBatchingWindowInSeconds);
        findings.push(
            RULE.at(
                *span,
                format!(
                    "`{key}` is {value}, but FIFO queues do not support a batching window: the \
                     deploy fails"
                ),
            )
            .label("not for FIFO queues")
            .help(format!("remove `{key}`")),
        );
    }
    findings
}
