//! TL207: without partial batch responses, one failed message returns the whole batch.

use super::{Finding, Rule, Scope, Severity, describe_setting, span_of};
use crate::model::{Prop, Trigger};

pub static RULE: Rule = Rule {
    code: "TL207",
    slug: "sqs-no-partial-batch-response",
    summary: "one failed message returns the whole batch to the queue",
    severity: Severity::Note,
    docs: include_str!("../../rules/sqs-no-partial-batch-response.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let s = &t.settings;
    let types = &s.function_response_types;
    let (true, Some(&batch), Some(types_value)) =
        (t.source.is_sqs(), s.batch_size.value(), types.value())
    else {
        return Vec::new();
    };
    if batch <= 1 || types_value.iter().any(|v| v == "ReportBatchItemFailures") {
        return Vec::new();
    }
    let setting = super::report_failures_setting(t);
    vec![
        RULE.at(
            span_of(t, types),
            format!(
                "{} with batches of up to {batch}: when one message fails, every message of \
                 the batch goes back to the queue and is processed again",
                describe_setting(t, Prop::FunctionResponseTypes, types)
            ),
        )
        .label("no partial batch response")
        .help(super::help_for(
            t,
            Prop::FunctionResponseTypes,
            format!("set `{setting}` and return the failed message ids in `batchItemFailures`"),
        )),
    ]
}
