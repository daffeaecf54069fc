//! TL103: records that exhaust their retries are dropped without a trace.

use super::{Finding, Rule, Scope, Severity, help_for};
use crate::model::{Format, Prop, Trigger};

pub static RULE: Rule = Rule {
    code: "TL103",
    slug: "stream-missing-on-failure-destination",
    summary: "records dropped after the retries are lost without trace",
    severity: Severity::Warning,
    docs: include_str!("../../rules/stream-missing-on-failure-destination.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    // SQS, MQ and DocumentDB cannot have one: their failures stay in the source.
    if !t.source.has_retry_controls() || !t.settings.on_failure.is_unset() {
        return Vec::new();
    }
    let key = t.key_name(Prop::OnFailureDestination);
    let key = key.strip_suffix(".Destination").unwrap_or(key);
    let expressible = super::inexpressible_hint(t, Prop::OnFailureDestination).is_none();
    let example = match (t.format, t.format_key(Prop::OnFailureDestination)) {
        (Format::Serverless, _) if expressible => {
            "destinations: { onFailure: <queue or topic ARN> }"
        }
        (Format::Terraform, Some("destination_arn_on_failure")) => {
            "destination_arn_on_failure = <queue or topic ARN>"
        }
        (Format::Terraform | Format::TerraformPlan, _) => {
            "destination_config { on_failure { destination_arn = <queue or topic ARN> } }"
        }
        _ => "DestinationConfig: { OnFailure: { Destination: <queue or topic ARN> } }",
    };
    vec![
        RULE.at(
            t.anchor,
            format!(
                "this {} trigger has no on-failure destination (`{key}`): {}",
                t.source.label(),
                consequence(t)
            ),
        )
        .label("no on-failure destination")
        .help(help_for(
            t,
            Prop::OnFailureDestination,
            format!(
                "add `{example}` with an SQS queue or SNS topic that receives the details of \
                 discarded batches{}",
                kafka_note(t)
            ),
        )),
    ]
}

/// What happens to a batch that keeps failing. Kafka triggers in on-demand mode have no retry
/// or record-age limit, so nothing is discarded: the batch blocks its partition instead.
fn consequence(t: &Trigger) -> String {
    if t.source.is_kafka() && t.property("ProvisionedPollerConfig").is_none() {
        return "in on-demand mode a failing batch is retried until the function succeeds and \
                its partition waits behind it, with no way to set the batch aside"
            .to_string();
    }
    "records that run out of retries or age are discarded without a trace".to_string()
}

/// Kafka triggers take more kinds of destination, and discard records only with the retry
/// limits of provisioned mode.
fn kafka_note(t: &Trigger) -> String {
    if !t.source.is_kafka() {
        return String::new();
    }
    format!(
        " (Kafka triggers also take an S3 bucket or a `kafka://<topic>`; records run out of \
         retries only with the retry limits of provisioned mode, `{}`)",
        t.setting_name(&["ProvisionedPollerConfig"])
    )
}
