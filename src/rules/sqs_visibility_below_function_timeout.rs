//! TL203: the queue hides a message for less time than the function may run on it.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::{Applicability, Trigger};

pub static RULE: Rule = Rule {
    code: "TL203",
    slug: "sqs-visibility-below-function-timeout",
    summary: "the queue's visibility timeout is below the function timeout",
    severity: Severity::Error,
    docs: include_str!("../../rules/sqs-visibility-below-function-timeout.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some(pair) = links::QueueAndFunction::of(t, scope) else {
        return Vec::new();
    };
    if pair.visibility >= pair.timeout {
        return Vec::new();
    }
    let (visibility, timeout) = (pair.visibility, pair.timeout);
    let finding = RULE
        .at(
            t.anchor,
            format!(
                "the visibility timeout of queue {} ({}) is below the timeout of function {} \
                 ({}): a message could reappear while it is being processed, so Lambda rejects \
                 the trigger",
                pair.queue_id,
                pair.describe_visibility(),
                pair.function_name,
                pair.describe_timeout()
            ),
        )
        .label(format!("{visibility} s < {timeout} s"))
        .help(
            match links::created_queue_hint(
                &pair.queue,
                "VisibilityTimeout",
                &format!("a `VisibilityTimeout` of at least {timeout}"),
            ) {
                Some(hint) => {
                    format!("{hint}, or lower the function's timeout to {visibility} s or less")
                }
                None => format!(
                    "set `{}` of queue {} to at least {timeout} (six times the timeout, {}, is \
                     the recommendation)",
                    crate::model::resource_property_name(t.format, "VisibilityTimeout"),
                    pair.queue_id,
                    6 * timeout
                ),
            },
        );
    // The AWS recommendation: six times the function timeout, plus the batching window.
    let window = t
        .settings
        .batching_window
        .value()
        .map_or(0, |w| w.ceil() as i64);
    let fix = pair.visibility_fix(t.format, 6 * timeout + window, Applicability::Safe);
    vec![finding.related_all(pair.related()).fix_opt(fix)]
}
