//! TL104: one bad record fails and retries the whole batch.

use super::{Finding, Rule, Scope, Severity, describe_setting, span_of};
use crate::model::{Applicability, FixValue, Prop, Trigger};

pub static RULE: Rule = Rule {
    code: "TL104",
    slug: "stream-no-bisect-on-error",
    summary: "one bad record fails and retries the whole batch",
    severity: Severity::Warning,
    docs: include_str!("../../rules/stream-no-bisect-on-error.md"),
    options: &[],
    check,
};

const REPORT_FAILURES: &str = "ReportBatchItemFailures";

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    if !t.source.is_stream() {
        return Vec::new();
    }
    let s = &t.settings;
    let bisect = &s.bisect_on_error;
    let (Some(false), Some(types), Some(&batch)) = (
        bisect.value().copied(),
        s.function_response_types.value(),
        s.batch_size.value(),
    ) else {
        return Vec::new();
    };
    if batch <= 1 || types.iter().any(|t| t == REPORT_FAILURES) {
        return Vec::new();
    }
    let bisect_key = t.key_name(Prop::BisectBatchOnFunctionError);
    vec![
        RULE.at(
            span_of(t, bisect),
            format!(
                "{} and the function does not report batch item failures: one bad record \
                 fails and retries the whole batch of up to {batch}",
                describe_setting(t, Prop::BisectBatchOnFunctionError, bisect)
            ),
        )
        .label("whole batch retried on any error")
        .help(super::help_for(
            t,
            Prop::BisectBatchOnFunctionError,
            format!(
                "set `{}`, or return the failed records from the handler and set `{}`",
                t.format.set_value(bisect_key, true),
                super::report_failures_setting(t)
            ),
        ))
        .fix_opt(super::set_setting_fix(
            t,
            Applicability::Unsafe,
            Prop::BisectBatchOnFunctionError,
            FixValue::Bool(true),
        )),
    ]
}
