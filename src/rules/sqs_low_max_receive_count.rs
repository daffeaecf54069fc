//! TL206: a low maxReceiveCount moves throttled (never failed) messages to the DLQ.

use super::{Finding, Rule, Scope, Severity};
use crate::links::{self, Redrive};
use crate::model::{Applicability, Change, FixPlan, FixValue, Origin, Prop, Setting, Trigger};

pub static RULE: Rule = Rule {
    code: "TL206",
    slug: "sqs-low-max-receive-count",
    summary: "maxReceiveCount below 5 sends throttled messages to the dead-letter queue",
    severity: Severity::Warning,
    docs: include_str!("../../rules/sqs-low-max-receive-count.md"),
    options: &[],
    check,
};

const RECOMMENDED: i64 = 5;

/// Raises `maxReceiveCount` where the queue's redrive policy writes it (not where a parameter
/// other resources may read defines it).
fn receive_count_fix(
    setting: &Setting<i64>,
    span: crate::source::Span,
    queue: &crate::template::Resource<'_>,
) -> Option<FixPlan> {
    if setting.origin() != Some(&Origin::Direct) {
        return None;
    }
    Some(
        FixPlan::new(
            Applicability::Unsafe,
            format!(
                "Raise `maxReceiveCount` of queue {} to {RECOMMENDED}",
                queue.logical_id
            ),
        )
        .change(Change::SetResourceProperty {
            container: queue.properties.map_or(span, |p| p.span),
            key: "maxReceiveCount".to_string(),
            value_at: Some(span),
            value: FixValue::Int(RECOMMENDED),
        }),
    )
}

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some(queue) = links::source_queue(t, scope) else {
        return Vec::new();
    };
    let Redrive::Present {
        max_receive_count: Some(setting),
        ..
    } = links::redrive_policy(scope.template, &queue)
    else {
        return Vec::new();
    };
    let (Some(&count), Some(span)) = (setting.value(), setting.span()) else {
        return Vec::new();
    };
    if count >= RECOMMENDED {
        return Vec::new();
    }
    let receives = format!(
        "queue {} moves a message to its dead-letter queue after {count} receive{}",
        queue.logical_id,
        if count == 1 { "" } else { "s" }
    );
    let finding = match Cap::of(t) {
        Cap::WithinReserved => return Vec::new(),
        Cap::Unreserved(cap) => unreserved_cap(t, &receives, cap),
        Cap::AboveReserved(cap, reserved) => RULE.at(
            t.anchor,
            format!(
                "{receives}, and `{}` ({cap}) is above the {reserved} reserved for function {}: \
                 Lambda receives messages the function cannot take, and throttled messages \
                 reach the dead-letter queue without ever failing",
                t.key_name(Prop::MaximumConcurrency),
                t.function_name().unwrap_or_default()
            ),
        ),
        Cap::None => RULE.at(
            t.anchor,
            format!(
                "{receives}: when the function is throttled, Lambda receives messages it cannot \
                 process, and they reach the dead-letter queue without ever failing"
            ),
        ),
    };
    vec![
        finding
            .label("low maxReceiveCount")
            .related_value(span, format!("maxReceiveCount {count}"), &setting)
            .help(format!("set `maxReceiveCount` to at least {RECOMMENDED}"))
            .fix_opt(receive_count_fix(&setting, span, &queue)),
    ]
}

/// What the trigger's maximum concurrency does for throttling.
enum Cap {
    /// No known cap: the trigger scales up to whatever the function cannot take.
    None,
    /// A cap the function's reserved concurrency always covers: Lambda stops polling at the
    /// cap, so it never receives messages it cannot process.
    WithinReserved,
    /// A cap, and no reserved concurrency: the cap stops the trigger from outgrowing the
    /// function, but the account's shared concurrency may still run out.
    Unreserved(i64),
    /// A cap above the reserved concurrency: the function is throttled below the cap.
    AboveReserved(i64, i64),
}

impl Cap {
    fn of(t: &Trigger) -> Cap {
        let Setting::Written { value: cap, .. } = t.settings.maximum_concurrency else {
            return Cap::None;
        };
        // A function outside the template may reserve less than the cap.
        let Some(function) = t.function.as_ref().filter(|f| f.in_template) else {
            return Cap::None;
        };
        match function.reserved_concurrency {
            Setting::Written { value, .. } if cap <= value => Cap::WithinReserved,
            Setting::Written { value, .. } => Cap::AboveReserved(cap, value),
            Setting::Unset => Cap::Unreserved(cap),
            // Reserved concurrency that cannot be known might be below the cap.
            _ => Cap::None,
        }
    }
}

/// With a cap and no reserved concurrency only the account's shared pool can throttle the
/// function: a note, since the setting AWS made for this case is in place.
fn unreserved_cap(t: &Trigger, receives: &str, cap: i64) -> Finding {
    RULE.at(
        t.anchor,
        format!(
            "{receives}; `{}` ({cap}) stops Lambda from receiving more than the function can \
             process, so only running out of the account's unreserved concurrency (shared with \
             other functions) can still send unprocessed messages there",
            t.key_name(Prop::MaximumConcurrency)
        ),
    )
    .severity(Severity::Note)
}
