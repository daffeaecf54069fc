//! TL014: a KMS key on a trigger without filters encrypts nothing.

use super::{Finding, Rule, Scope, Severity};
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL014",
    slug: "kms-key-without-filter",
    summary: "the KMS key encrypts only filter criteria, and there are none",
    severity: Severity::Note,
    docs: include_str!("../../rules/kms-key-without-filter.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let Some(key) = t.property("KmsKeyArn") else {
        return Vec::new();
    };
    if key.value.may_be_absent() || t.property("FilterCriteria").is_some() {
        return Vec::new();
    }
    vec![
        RULE.at(
            key.key_span,
            format!(
                "`{}` is set but the trigger has no filters: the key encrypts only filter \
                 criteria, so it protects nothing here",
                key.key
            ),
        )
        .label("nothing to encrypt")
        .help(format!(
            "remove `{}`, or keep it for filters you are about to add; the records themselves are \
             encrypted by the source's own settings",
            key.key
        )),
    ]
}
