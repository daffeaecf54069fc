//! TL201: a standard SQS trigger with batches above 10 needs a batching window of at least 1 s.

use super::{Finding, Rule, Scope, Severity, describe_setting, span_of};
use crate::model::{Applicability, FixValue, Prop, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL201",
    slug: "sqs-batch-window-required",
    summary: "an SQS batch size above 10 without a batching window fails to deploy",
    severity: Severity::Error,
    docs: include_str!("../../rules/sqs-batch-window-required.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let s = &t.settings;
    let (SourceKind::Sqs { fifo: false }, Some(&batch), Some(&window)) =
        (t.source, s.batch_size.value(), s.batching_window.value())
    else {
        return Vec::new();
    };
    if batch <= 10 || window >= 1.0 {
        return Vec::new();
    }
    let window_key = t.key_name(Prop::MaximumBatchingWindowInSeconds);
    let mut finding = RULE
        .at(
            span_of(t, &s.batch_size),
            format!(
                "`{}` is {batch}, and {}: SQS accepts batches above 10 only with a batching \
                 window of at least 1 second, so the deploy fails",
                t.key_name(Prop::BatchSize),
                describe_setting(t, Prop::MaximumBatchingWindowInSeconds, &s.batching_window)
            ),
        )
        .label("batch above 10")
        .help(
            match super::inexpressible_hint(t, Prop::MaximumBatchingWindowInSeconds) {
                Some(hint) => format!("lower the batch size to 10; {hint}"),
                None => format!(
                    "set `{window_key}` to at least 1 (seconds), or lower the batch size to 10"
                ),
            },
        );
    finding = finding.fix_opt(super::set_setting_fix(
        t,
        Applicability::Safe,
        Prop::MaximumBatchingWindowInSeconds,
        FixValue::Int(1),
    ));
    if let Some(span) = s.batching_window.span() {
        finding = finding.related(span, "batching window below 1 second");
    }
    vec![finding]
}
