//! TL102: a stream trigger processes records however old they are.

use super::{Finding, Rule, Scope, Severity, describe_setting, span_of};
use crate::model::{Applicability, FixValue, Prop, Trigger};

pub static RULE: Rule = Rule {
    code: "TL102",
    slug: "stream-unbounded-record-age",
    summary: "stale records are processed no matter how far behind the consumer is",
    severity: Severity::Note,
    docs: include_str!("../../rules/stream-unbounded-record-age.md"),
    options: &[],
    check,
};

/// What the unsafe fix writes: an hour, after which a record is seldom worth processing late
/// and the batch no longer blocks the shard.
const RECORD_AGE_FIX: i64 = 3600;

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    if !t.source.is_stream() {
        return Vec::new();
    }
    let setting = &t.settings.maximum_record_age;
    if setting.value() != Some(&-1) {
        return Vec::new();
    }
    let key = t.key_name(Prop::MaximumRecordAgeInSeconds);
    vec![
        RULE.at(
            span_of(t, setting),
            format!(
                "{}: records are processed however old they are, up to the stream's retention",
                describe_setting(t, Prop::MaximumRecordAgeInSeconds, setting)
            ),
        )
        .label("no record age limit")
        .help(format!(
            "set `{key}` to the age after which a record is no longer worth processing \
             (60 to 604800 seconds); expired records go to the on-failure destination"
        ))
        .fix_opt(super::set_setting_fix(
            t,
            Applicability::Unsafe,
            Prop::MaximumRecordAgeInSeconds,
            FixValue::Int(RECORD_AGE_FIX),
        )),
    ]
}
