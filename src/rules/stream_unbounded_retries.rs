//! TL101: a poison batch on a stream or Kafka trigger is retried until its records expire.

use super::{Finding, Rule, RuleOption, Scope, Severity, describe_setting, help_for, span_of};
use crate::model::{Applicability, FixValue, Prop, Trigger};

pub static RULE: Rule = Rule {
    code: "TL101",
    slug: "stream-unbounded-retries",
    summary: "a failing batch is retried until its records expire (on Kafka, until it succeeds), blocking the shard or partition",
    severity: Severity::Warning,
    docs: include_str!("../../rules/stream-unbounded-retries.md"),
    options: &[RuleOption {
        name: "max-retry-attempts",
        default: 100,
        min: 0,
        max: 10_000,
        help: "written retry limits above this are reported too",
    }],
    check,
};

/// The retry limit the fix writes: the top of the range the help recommends, or the
/// configured limit when that is lower. Writing the limit itself (100 by default) would keep a
/// poison batch blocking its shard for a hundred attempts.
const FIXED_RETRIES: i64 = 10;

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let cfg = scope.settings;
    if !t.source.has_retry_controls() {
        return Vec::new();
    }
    let setting = &t.settings.maximum_retry_attempts;
    let Some(&retries) = setting.value() else {
        return Vec::new();
    };
    let limit = cfg.option(&RULE, "max-retry-attempts");
    let problem = if retries == -1 && t.source.is_kafka() {
        kafka_unbounded(t)
    } else if retries == -1 {
        "a failing batch is retried until its records expire, and the shard or partition waits"
            .to_string()
    } else if retries > limit {
        format!(
            "more retries than the {limit} that triggerlint's `max-retry-attempts` setting allows"
        )
    } else {
        return Vec::new();
    };
    let key = t.key_name(Prop::MaximumRetryAttempts);
    // Kafka takes retry settings only in provisioned mode: a decision, not a fix.
    let fix = (!t.source.is_kafka())
        .then(|| {
            super::set_setting_fix(
                t,
                Applicability::Unsafe,
                Prop::MaximumRetryAttempts,
                FixValue::Int(limit.min(FIXED_RETRIES)),
            )
        })
        .flatten();
    let label = if retries == -1 {
        "retried without limit".to_string()
    } else {
        format!("{retries} retries")
    };
    vec![
        RULE.at(
            span_of(t, setting),
            format!(
                "{}: {problem}",
                describe_setting(t, Prop::MaximumRetryAttempts, setting)
            ),
        )
        .label(label)
        .help(help_for(
            t,
            Prop::MaximumRetryAttempts,
            format!(
                "set `{key}` to a small number (2 to 10 suits most consumers) and add an \
                 on-failure destination for the records that still fail{}",
                if t.source.is_kafka() {
                    format!(
                        " (Kafka triggers take retry settings in provisioned mode: add `{}`)",
                        t.setting_name(&["ProvisionedPollerConfig"])
                    )
                } else {
                    String::new()
                }
            ),
        ))
        .fix_opt(fix),
    ]
}

/// Kafka records do not expire the way a stream's do: in on-demand mode, which has no retry or
/// record-age limit, and in provisioned mode without a record-age limit, only the function's
/// success ends the retries.
fn kafka_unbounded(t: &Trigger) -> String {
    let age = &t.settings.maximum_record_age;
    let provisioned = t.property("ProvisionedPollerConfig").is_some();
    match age.value() {
        Some(&seconds) if provisioned && seconds > 0 => format!(
            "a failing batch is retried until its records are older than `{}` ({seconds} \
             seconds), and its partition waits behind it",
            t.key_name(Prop::MaximumRecordAgeInSeconds)
        ),
        _ => "a failing batch is retried until the function succeeds, and its partition waits \
              behind it"
            .to_string(),
    }
}
