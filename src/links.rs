//! Links from a trigger to the other resources of its template: the queue, stream or table it
//! reads, that resource's settings, and the alarms that watch the trigger's function.
//!
//! Every lookup answers only what the template states. A link that cannot be followed (an
//! imported ARN, a parameter, a resource in another stack) gives `None`, and the rules that need
//! it stay quiet rather than guess.

use crate::load::cloudformation::written_int;
use crate::load::kind::{arn_text, mask_placeholders};
use crate::model::{FunctionInfo, Setting, Trigger};
use crate::source::Span;
use crate::template::{Resource, Template, referenced_resource};
use crate::tree::{Node, Value};

/// How a trigger's event source names a resource of its template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// `!Ref X`: the resource's primary identifier (a URL or a name for most sources).
    Ref,
    /// `!GetAtt X.Attribute` (or `!Sub ${X.Attribute}`).
    GetAtt(String),
    /// A literal ARN whose name part is the resource's written name.
    ArnName,
    /// Through an `AWS::Kinesis::StreamConsumer` that reads the stream.
    Consumer,
}

/// The resource a trigger reads from.
#[derive(Clone, Debug)]
pub struct SourceLink<'a> {
    pub resource: Resource<'a>,
    pub via: Via,
}

/// The queue, stream or table a trigger's event source refers to, when it is in the template.
pub fn source<'a>(trigger: &Trigger, template: &Template<'a>) -> Option<SourceLink<'a>> {
    let node = trigger.event_source.as_ref()?;
    if let Some((id, attribute)) = referenced_resource(node) {
        let resource = *template.resource(id)?;
        if resource.type_ == "AWS::Kinesis::StreamConsumer" {
            let stream = resource.property("StreamARN")?;
            let (stream_id, _) = referenced_resource(stream)?;
            let resource = *template.resource(stream_id)?;
            return Some(SourceLink {
                resource,
                via: Via::Consumer,
            });
        }
        let via = attribute.map_or(Via::Ref, |a| Via::GetAtt(a.to_string()));
        return Some(SourceLink { resource, via });
    }
    let arn = arn_text(node, template)?;
    let (type_, name_property, name) = named_in_arn(&arn)?;
    template
        .resources
        .iter()
        .find(|r| {
            r.type_ == type_
                && r.property(name_property)
                    .and_then(|n| template.resolve(n).ok())
                    .is_some_and(|n| n.as_str() == Some(name.as_str()))
        })
        .map(|&resource| SourceLink {
            resource,
            via: Via::ArnName,
        })
}

/// The queue an SQS trigger reads, when it is in the template.
pub fn source_queue<'a>(trigger: &Trigger, template: &Template<'a>) -> Option<Resource<'a>> {
    if !trigger.source.is_sqs() {
        return None;
    }
    source(trigger, template)
        .map(|l| l.resource)
        .filter(|r| r.type_ == "AWS::SQS::Queue")
}

/// A queue's visibility timeout in seconds (AWS default 30).
pub fn visibility_timeout(template: &Template<'_>, queue: &Resource<'_>) -> Setting<i64> {
    int_property(template, queue, "VisibilityTimeout", Some(30))
}

/// An SQS trigger's queue and function, both in the template, with the two timeouts known.
pub struct QueueAndFunction<'a> {
    pub queue_id: &'a str,
    pub visibility: i64,
    visibility_setting: Setting<i64>,
    queue_span: Span,
    pub function_name: std::sync::Arc<str>,
    pub timeout: i64,
    timeout_setting: Setting<i64>,
    function_span: Option<Span>,
}

impl<'a> QueueAndFunction<'a> {
    pub fn of(trigger: &Trigger, template: &Template<'a>) -> Option<Self> {
        let queue = source_queue(trigger, template)?;
        let function = trigger.function.as_ref().filter(|f| f.in_template)?;
        let visibility_setting = visibility_timeout(template, &queue);
        Some(QueueAndFunction {
            queue_id: queue.logical_id,
            visibility: *visibility_setting.value()?,
            queue_span: queue.id_span,
            function_name: function.name.clone(),
            timeout: *function.timeout.value()?,
            timeout_setting: function.timeout.clone(),
            function_span: function.declared_at,
            visibility_setting,
        })
    }

    /// "30 s, the AWS default" or "20 s".
    pub fn describe_visibility(&self) -> String {
        with_origin(self.visibility, &self.visibility_setting)
    }

    pub fn describe_timeout(&self) -> String {
        with_origin(self.timeout, &self.timeout_setting)
    }

    /// Related labels at the queue's visibility timeout and the function's timeout (or at the
    /// resources, when the values are defaults).
    pub fn with_related(&self, finding: crate::rules::Finding) -> crate::rules::Finding {
        let queue_span = self.visibility_setting.span().unwrap_or(self.queue_span);
        let finding = finding.related(
            queue_span,
            format!("visibility timeout {} s", self.visibility),
        );
        match self.timeout_setting.span().or(self.function_span) {
            Some(span) => finding.related(span, format!("function timeout {} s", self.timeout)),
            None => finding,
        }
    }
}

fn with_origin(seconds: i64, setting: &Setting<i64>) -> String {
    match setting {
        Setting::ServiceDefault { .. } => format!("{seconds} s, the AWS default"),
        Setting::ToolDefault { tool, .. } => format!("{seconds} s, the default of {}", tool.name()),
        _ => format!("{seconds} s"),
    }
}

/// The resource type, its name property and the name an ARN gives, for the sources whose
/// ARNs carry the resource's name. Names with placeholders match nothing.
fn named_in_arn(arn: &str) -> Option<(&'static str, &'static str, String)> {
    let masked = mask_placeholders(arn);
    let mut parts = masked.splitn(6, ':');
    let (scheme, _partition, service, _region, _account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let resource = parts.next()?;
    if scheme != "arn" {
        return None;
    }
    let (type_, property, name) = match service {
        "sqs" => ("AWS::SQS::Queue", "QueueName", resource),
        "kinesis" => {
            let name = resource.strip_prefix("stream/")?.split('/').next()?;
            ("AWS::Kinesis::Stream", "Name", name)
        }
        "dynamodb" => {
            let name = resource.strip_prefix("table/")?.split('/').next()?;
            ("AWS::DynamoDB::Table", "TableName", name)
        }
        _ => return None,
    };
    (!name.contains('*')).then(|| (type_, property, name.to_string()))
}

/// An integer property of a resource: written, else the AWS default when there is one.
pub fn int_property(
    template: &Template<'_>,
    resource: &Resource<'_>,
    name: &str,
    service_default: Option<i64>,
) -> Setting<i64> {
    match resource.property(name) {
        Some(node) => written_int(template, node),
        None => service_default.map_or(Setting::Unset, |value| Setting::ServiceDefault { value }),
    }
}

/// A queue's `RedrivePolicy`, as far as the template tells.
#[derive(Clone, Debug)]
pub enum Redrive {
    Absent,
    /// Written but not statically knowable (a condition, a parameter).
    Unknown,
    Present {
        span: Span,
        /// `maxReceiveCount` and where it is written, when it is a literal.
        max_receive_count: Option<(i64, Span)>,
    },
}

/// Reads `RedrivePolicy`, which CloudFormation takes as a mapping or as a JSON string.
pub fn redrive_policy(template: &Template<'_>, queue: &Resource<'_>) -> Redrive {
    let Some(node) = queue.property("RedrivePolicy") else {
        return Redrive::Absent;
    };
    let Ok(policy) = template.resolve(node) else {
        return Redrive::Unknown;
    };
    match &policy.value {
        Value::Map(_) => Redrive::Present {
            span: node.span,
            max_receive_count: policy
                .get("maxReceiveCount")
                .and_then(|n| written_int(template, n).value().map(|&v| (v, n.span))),
        },
        Value::Str(text) => {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
                return Redrive::Unknown;
            };
            let count = match json.get("maxReceiveCount") {
                Some(serde_json::Value::Number(n)) => n.as_i64(),
                Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            };
            Redrive::Present {
                span: node.span,
                max_receive_count: count.map(|c| (c, node.span)),
            }
        }
        Value::Null => Redrive::Absent,
        _ => Redrive::Unknown,
    }
}

/// Whether a queue is itself a dead-letter queue in the template: the target of another
/// queue's redrive policy or of a function's dead-letter config. Consumers of such queues
/// (replay and alerting functions) need no dead-letter queue of their own.
pub fn is_dead_letter_queue(template: &Template<'_>, queue: &Resource<'_>) -> bool {
    let points_here = |node: &Node| match referenced_resource(node) {
        Some((id, _)) => id == queue.logical_id,
        None => arn_text(node, template).is_some_and(|arn| {
            queue
                .property("QueueName")
                .and_then(|n| template.resolve(n).ok())
                .and_then(|n| n.as_str().map(|name| arn.ends_with(&format!(":{name}"))))
                .unwrap_or(false)
        }),
    };
    template.resources.iter().any(|r| {
        let targets = [
            r.property("RedrivePolicy")
                .and_then(|p| p.get("deadLetterTargetArn")),
            r.property("DeadLetterConfig")
                .and_then(|p| p.get("TargetArn")),
            r.property("DeadLetterQueue")
                .and_then(|p| p.get("TargetArn")),
        ];
        let in_json_policy = r
            .property("RedrivePolicy")
            .and_then(Node::as_str)
            .is_some_and(|text| text.contains(queue.logical_id));
        in_json_policy || targets.into_iter().flatten().any(points_here)
    })
}

/// Whether the template has a CloudWatch alarm on `metric` (`IteratorAge`, `OffsetLag`) that
/// covers the function: one whose `FunctionName` dimension refers to it, one without a
/// `FunctionName` dimension (it aggregates every function), or one whose dimension cannot be
/// resolved (it may be this function). `None` when the function is not in the template.
pub fn has_alarm_for(
    template: &Template<'_>,
    function: &FunctionInfo,
    metric: &str,
) -> Option<bool> {
    let function_id = function.resource_id.as_deref()?;
    let written_name = template
        .resource(function_id)
        .and_then(|r| r.property("FunctionName"))
        .and_then(|n| template.resolve(n).ok())
        .and_then(|n| n.as_str().map(str::to_string));
    let covers = |dimension: Option<&Node>| match dimension {
        None => true,
        Some(value) => match referenced_resource(value) {
            Some((id, _)) => id == function_id || alias_of(template, id) == Some(function_id),
            None => match template.resolve(value) {
                Ok(resolved) => match (resolved.as_str(), &written_name) {
                    (Some(literal), Some(name)) => literal == name,
                    // A deployed Serverless name is `<service>-<stage>-<function>`.
                    (Some(literal), None) => literal.ends_with(&format!("-{}", function.name)),
                    (None, _) => false,
                },
                Err(_) => true,
            },
        },
    };
    let found = template
        .resources
        .iter()
        .filter(|r| r.type_ == "AWS::CloudWatch::Alarm")
        .flat_map(alarm_metrics)
        .any(|(name, dimension)| name == metric && covers(dimension));
    Some(found)
}

/// The function an alias or version resource points to.
fn alias_of<'a>(template: &Template<'a>, id: &str) -> Option<&'a str> {
    let resource = template.resource(id)?;
    if !matches!(
        resource.type_,
        "AWS::Lambda::Alias" | "AWS::Lambda::Version"
    ) {
        return None;
    }
    referenced_resource(resource.property("FunctionName")?).map(|(target, _)| target)
}

/// The metrics an alarm watches (a single metric, or each `Metrics[].MetricStat.Metric`),
/// with the value of its `FunctionName` dimension.
fn alarm_metrics<'a>(alarm: &Resource<'a>) -> Vec<(&'a str, Option<&'a Node>)> {
    let single = alarm
        .property("MetricName")
        .and_then(Node::as_str)
        .map(|name| (name, function_dimension(alarm.property("Dimensions"))));
    let queries = alarm
        .property("Metrics")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|q| q.get_path(&["MetricStat", "Metric"]))
        .filter_map(|m| {
            let name = m.get("MetricName")?.as_str()?;
            Some((name, function_dimension(m.get("Dimensions"))))
        });
    single.into_iter().chain(queries).collect()
}

fn function_dimension(dimensions: Option<&Node>) -> Option<&Node> {
    dimensions?
        .as_seq()?
        .iter()
        .find(|d| d.get("Name").and_then(Node::as_str) == Some("FunctionName"))?
        .get("Value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_names_of_each_source() {
        assert_eq!(
            named_in_arn("arn:aws:sqs:us-east-1:123456789012:jobs"),
            Some(("AWS::SQS::Queue", "QueueName", "jobs".to_string()))
        );
        assert_eq!(
            named_in_arn("arn:aws:kinesis:us-east-1:123456789012:stream/clicks"),
            Some(("AWS::Kinesis::Stream", "Name", "clicks".to_string()))
        );
        assert_eq!(
            named_in_arn(
                "arn:aws:dynamodb:us-east-1:1:table/Orders/stream/2024-01-01T00:00:00.000"
            ),
            Some(("AWS::DynamoDB::Table", "TableName", "Orders".to_string()))
        );
        assert_eq!(named_in_arn("arn:aws:sqs:${AWS::Region}:1:${Name}"), None);
        assert_eq!(
            named_in_arn("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs"),
            Some(("AWS::SQS::Queue", "QueueName", "jobs".to_string()))
        );
        assert_eq!(named_in_arn("arn:aws:s3:::bucket"), None);
    }
}
