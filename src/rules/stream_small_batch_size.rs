//! TL107: tiny batches turn a busy stream into a flood of invocations.

use super::{Finding, Rule, RuleOption, Scope, Severity, describe_setting, span_of};
use crate::model::{Applicability, FixValue, Prop, Setting, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL107",
    slug: "stream-small-batch-size",
    summary: "small batches multiply invocations (Serverless writes 10, AWS defaults to 100)",
    severity: Severity::Warning,
    docs: include_str!("../../rules/stream-small-batch-size.md"),
    options: &[RuleOption {
        name: "min-batch-size",
        default: 10,
        min: 1,
        max: 10_000,
        help: "written batch sizes below this are reported",
    }],
    check,
};

/// The batch size AWS uses when none is written, which the unsafe fix writes.
const AWS_DEFAULT_BATCH: i64 = 100;

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let cfg = scope.settings;
    // Broker queues are read in batches too; their batch size has the same default of 100.
    let source = match t.source {
        SourceKind::Kinesis | SourceKind::DynamoDb => "stream",
        SourceKind::Mq => "broker queue",
        _ => return Vec::new(),
    };
    let setting = &t.settings.batch_size;
    let Some(&batch) = setting.value() else {
        return Vec::new();
    };
    let min = cfg.option(&RULE, "min-batch-size");
    let problem = match setting {
        Setting::ToolDefault { .. } => {
            format!(
                " instead of the AWS default of 100: a busy {source} costs ten times more invocations"
            )
        }
        _ if batch < min => {
            let every = match batch {
                1 => "every record".to_string(),
                n => format!("every {n} records"),
            };
            format!(
                ", below the {min} that triggerlint's `min-batch-size` setting asks for: a busy \
                 {source} costs an invocation for {every}"
            )
        }
        _ => return Vec::new(),
    };
    let key = t.key_name(Prop::BatchSize);
    let window = t.key_name(Prop::MaximumBatchingWindowInSeconds);
    let fix = super::set_setting_fix(
        t,
        Applicability::Unsafe,
        Prop::BatchSize,
        FixValue::Int(min.max(AWS_DEFAULT_BATCH)),
    );
    vec![
        RULE.at(
            span_of(t, setting),
            format!("{}{problem}", describe_setting(t, Prop::BatchSize, setting)),
        )
        .label(format!("batches of at most {batch}"))
        .help(match setting {
            Setting::ToolDefault { .. } => format!(
                "write `{key}` explicitly (100 is the AWS default) and set `{window}` so batches \
                 fill during quiet periods"
            ),
            _ => format!(
                "raise `{key}` (100 is the AWS default) and set `{window}` so batches fill \
                 during quiet periods"
            ),
        })
        .fix_opt(fix),
    ]
}
