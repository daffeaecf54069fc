//! TL204: the visibility timeout leaves no room for retries of a throttled batch.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::{Applicability, Trigger};

pub static RULE: Rule = Rule {
    code: "TL204",
    slug: "sqs-visibility-timeout-margin",
    summary: "the visibility timeout is below 6 x function timeout + batching window",
    severity: Severity::Warning,
    docs: include_str!("../../rules/sqs-visibility-timeout-margin.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some(pair) = links::QueueAndFunction::of(t, scope) else {
        return Vec::new();
    };
    let Some(&window) = t.settings.batching_window.value() else {
        return Vec::new();
    };
    let window = window.ceil() as i64;
    let recommended = 6 * pair.timeout + window;
    // Below the timeout itself the deploy fails; TL203 reports that.
    if pair.visibility < pair.timeout || pair.visibility >= recommended {
        return Vec::new();
    }
    let window_text = if window > 0 {
        format!(" plus the {window} s batching window")
    } else {
        String::new()
    };
    let finding = RULE
        .at(
            t.anchor,
            format!(
                "the visibility timeout of queue {} ({}) is below the recommended {recommended} \
                 s, 6 x the timeout of function {} ({}){window_text}: a batch retried after \
                 throttling can become visible again while it is still being processed, and run \
                 twice",
                pair.queue_id,
                pair.describe_visibility(),
                pair.function_name,
                pair.describe_timeout(),
            ),
        )
        .label("little room for retries")
        .help(
            match links::created_queue_hint(
                &pair.queue,
                "VisibilityTimeout",
                &format!("a `VisibilityTimeout` of at least {recommended}"),
            ) {
                Some(hint) => format!("{hint}, or lower the function's timeout"),
                None => format!(
                    "set `{}` of queue {} to at least {recommended}, or lower the function \
                     timeout",
                    crate::model::resource_property_name(t.format, "VisibilityTimeout"),
                    pair.queue_id
                ),
            },
        );
    let fix = pair.visibility_fix(t.format, recommended, Applicability::Unsafe);
    vec![finding.related_all(pair.related()).fix_opt(fix)]
}
