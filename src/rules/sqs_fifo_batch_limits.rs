//! TL202: FIFO queues take batches of at most 10 and no batching window.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{Applicability, FixValue, Prop, SourceKind, Trigger};

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
    // Above 10 000 the value is out of range on any queue: TL001 reports it.
    if let Some((&batch, span)) = s.batch_size.written_value()
        && (11..=10_000).contains(&batch)
    {
        let key = t.key_name(Prop::BatchSize);
        findings.push(
            RULE.at(
                span,
                format!(
                    "`{key}` is {batch}, but a FIFO queue delivers at most 10 messages per batch: \
                     the deploy fails"
                ),
            )
            .label("above 10 on a FIFO queue")
            .help(format!("set `{key}` to 10 or less"))
            .fix_opt(super::set_setting_fix(
                t,
                Applicability::Safe,
                Prop::BatchSize,
                FixValue::Int(10),
            )),
        );
    }
    // A window of 0 is no window at all; anything above it is refused.
    if let Some((&value, span)) = s.batching_window.written_value()
        && value > 0.0
        && value <= 300.0
    {
        let key = t.key_name(Prop::MaximumBatchingWindowInSeconds);
        findings.push(
            RULE.at(
                span,
                format!(
                    "`{key}` is {value}, but FIFO queues do not support a batching window: the \
                     deploy fails"
                ),
            )
            .label("not for FIFO queues")
            .help(format!("remove `{key}`"))
            .fix_opt(super::remove_key_fix(t, "MaximumBatchingWindowInSeconds")),
        );
    }
    findings
}
