//! TL103: records that exhaust their retries are dropped without a trace.

use super::{Finding, Rule, Scope, Severity, help_for};
use crate::model::{Applicability, Change, FixPlan, FixValue, Format, Prop, Trigger};

pub static RULE: Rule = Rule {
    code: "TL103",
    slug: "stream-missing-on-failure-destination",
    summary: "records dropped after the retries are lost without trace",
    severity: Severity::Warning,
    docs: include_str!("../../rules/stream-missing-on-failure-destination.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
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
        ))
        .fix(fix_plan(t, scope)),
    ]
}

/// How long the queue keeps a record of a discarded batch: SQS's longest retention (14 days),
/// to leave the most time to look at it.
const RETENTION_SECONDS: i64 = 1_209_600;

/// Create a queue in the same file and send the records of discarded batches to it, where
/// the deploy tool then grants the function's role `sqs:SendMessage` on it by itself: SAM for
/// `Type: SQS` (it adds the policy to the role it generates), the Serverless Framework for a
/// `stream` event's `onFailure` of `type: sqs` (to its `IamRoleLambdaExecution`). Elsewhere
/// the permission is the author's to write, so the fix is shown only.
fn fix_plan(t: &Trigger, scope: &Scope<'_>) -> FixPlan {
    let site = match writable_site(t) {
        Ok(site) => site,
        Err(why) => {
            return FixPlan::display(
                "Create an SQS queue and send the records of discarded batches to it",
                why,
            );
        }
    };
    let queue = free_id(scope, &site.queue_base);
    let destination = match t.format {
        Format::Serverless => FixValue::map([(
            "onFailure",
            FixValue::map([
                ("arn", FixValue::GetAtt(queue.clone(), "Arn".into())),
                ("type", FixValue::Str("sqs".into())),
            ]),
        )]),
        _ => FixValue::map([(
            "OnFailure",
            FixValue::map([
                ("Type", FixValue::Str("SQS".into())),
                ("Destination", FixValue::GetAtt(queue.clone(), "Arn".into())),
            ]),
        )]),
    };
    let resource = FixValue::map([
        ("Type", FixValue::Str("AWS::SQS::Queue".into())),
        (
            "Properties",
            FixValue::map([("MessageRetentionPeriod", FixValue::Int(RETENTION_SECONDS))]),
        ),
    ]);
    FixPlan::new(
        Applicability::Unsafe,
        format!(
            "Create the SQS queue `{queue}` and send the records of discarded batches to it \
             (`{}`)",
            site.key
        ),
    )
    // The event's key first: when the event ends the last resource, both insert at one
    // place and the engine joins them in this order.
    .change(Change::AddEventKey {
        key: site.key.to_string(),
        value: destination,
    })
    .change(Change::AddResource {
        id: queue,
        resource,
    })
}

/// Where the fix writes: the event's key for its destinations and the new queue's id before
/// it is made unique.
struct Site {
    key: &'static str,
    queue_base: String,
}

/// The SAM stream events and Serverless `stream` events whose deploy tool grants the
/// permission to send to the queue (to the role it generates for the function); else why
/// the fix is shown only.
fn writable_site(t: &Trigger) -> Result<Site, String> {
    const BY_HAND: &str = "the function's role also needs sqs:SendMessage on the new queue: add \
                           the queue, the destination and the permission by hand";
    let function = t
        .function
        .as_ref()
        .filter(|f| f.in_template)
        .ok_or(BY_HAND)?;
    let in_scope = matches!(
        (t.format, t.event_type.as_deref()),
        (Format::Sam, Some("Kinesis" | "DynamoDB")) | (Format::Serverless, Some("stream"))
    );
    if !in_scope {
        return Err(BY_HAND.to_string());
    }
    if function.own_role.is_some() {
        return Err(format!(
            "the function `{}` has a role of its own, to which the deploy tool adds no \
             permission: add the queue, the destination and sqs:SendMessage on it by hand",
            function.name
        ));
    }
    let event = t.path.rsplit('/').next().unwrap_or_default();
    match (t.format, t.event_type.as_deref()) {
        (Format::Sam, Some("Kinesis" | "DynamoDB")) => Ok(Site {
            key: "DestinationConfig",
            queue_base: format!(
                "{}{}FailureQueue",
                logical_id(&function.name),
                logical_id(event)
            ),
        }),
        (Format::Serverless, Some("stream")) => {
            // `functions/<name>/events/<index>/stream`: the index names the event.
            let index: usize = t
                .path
                .rsplit('/')
                .nth(1)
                .and_then(|i| i.parse().ok())
                .ok_or(BY_HAND)?;
            Ok(Site {
                key: "destinations",
                queue_base: format!(
                    "{}Stream{}FailureQueue",
                    logical_id(&function.name),
                    index + 1
                ),
            })
        }
        _ => Err(BY_HAND.to_string()),
    }
}

/// A name as a CloudFormation logical id: its letters and digits, the first capitalised.
fn logical_id(name: &str) -> String {
    let mut out: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if let Some(first) = out.get(..1) {
        let upper = first.to_ascii_uppercase();
        out.replace_range(..1, &upper);
    }
    out
}

/// `base`, or `base2`, `base3`... when a resource of the template already has the name.
fn free_id(scope: &Scope<'_>, base: &str) -> String {
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}{n}")))
        .find(|id| scope.template.resource(id).is_none())
        .unwrap_or_else(|| base.to_string())
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
