//! Links from a trigger to the other resources of its template: the queue, stream or table it
//! reads, that resource's settings, and the alarms that watch the trigger's function.
//!
//! Every lookup answers only what the template states. A link that cannot be followed (an
//! imported ARN, a parameter, a resource in another stack) gives `None`, and the rules that need
//! it stay quiet rather than guess.

use crate::fxhash::{FxHashMap, FxHashSet};
use crate::kind::{arn_text, mask_placeholders};
use crate::model::{FunctionInfo, Setting, Trigger};
use crate::source::Span;
use crate::template::{Resource, Template, referenced_resource};
use crate::tree::{Node, Value};

/// A template seen through its links: what links and rules read besides the trigger itself.
pub struct View<'s> {
    pub template: &'s Template<'s>,
    /// Every trigger of the template in document order: for questions about triggers that
    /// share a source.
    pub triggers: &'s [Trigger],
    index: std::cell::OnceCell<Index<'s>>,
}

impl<'s> View<'s> {
    pub fn new(template: &'s Template<'s>, triggers: &'s [Trigger]) -> Self {
        View {
            template,
            triggers,
            index: std::cell::OnceCell::new(),
        }
    }

    /// Lookups across the whole template, built on first use.
    pub fn index(&self) -> &Index<'s> {
        self.index
            .get_or_init(|| Index::build(self.template, self.triggers))
    }
}

/// The queue, stream or table a trigger's event source refers to, when it is in the template:
/// through `!GetAtt`, `!Ref` or `!Sub`, through a Kinesis stream consumer to its stream, or by a
/// literal ARN whose name part is the resource's written name.
pub fn source<'a>(trigger: &Trigger, scope: &View<'a>) -> Option<Resource<'a>> {
    let template = scope.template;
    let node = trigger.event_source.as_ref()?;
    if let Some((id, _)) = referenced_resource(node) {
        let resource = *template.resource(id)?;
        if resource.type_ == "AWS::Kinesis::StreamConsumer" {
            let (stream_id, _) = referenced_resource(resource.property("StreamARN")?)?;
            return template.resource(stream_id).copied();
        }
        return Some(resource);
    }
    let arn = arn_text(node, template)?;
    let (type_, name) = named_in_arn(&arn)?;
    match name {
        ArnName::Literal(name) => scope.index().named.get(&(type_, name)).copied(),
        ArnName::Reference(id, attribute) => {
            let resource = template.resource(&id).filter(|r| r.type_ == type_)?;
            let names_it = match (type_, attribute.as_deref()) {
                ("AWS::SQS::Queue", Some("QueueName")) => true,
                // A stream's or table's `Ref` is its name.
                ("AWS::Kinesis::Stream" | "AWS::DynamoDB::Table", None) => true,
                _ => false,
            };
            names_it.then_some(*resource)
        }
    }
}

/// The name part of an ARN: a literal name, or a reference to a resource's name
/// (`${Queue.QueueName}`, `${Stream}`) in a `Fn::Sub` or `Fn::Join`.
#[derive(Debug, PartialEq)]
enum ArnName {
    Literal(String),
    Reference(String, Option<String>),
}

/// The trigger's source resource, when it is in the template and of the given type.
pub fn source_of_type<'a>(
    trigger: &Trigger,
    scope: &View<'a>,
    type_: &str,
) -> Option<Resource<'a>> {
    source(trigger, scope).filter(|r| r.type_ == type_)
}

/// A Kinesis stream of the template that a Kinesis trigger reads, and its retention.
pub struct KinesisStream<'a> {
    pub resource: Resource<'a>,
    /// `RetentionPeriodHours`: written (with its span), else the AWS default of 24.
    pub retention_hours: Setting<i64>,
}

pub fn kinesis_stream<'a>(trigger: &Trigger, scope: &View<'a>) -> Option<KinesisStream<'a>> {
    if trigger.source != crate::model::SourceKind::Kinesis {
        return None;
    }
    let resource = source_of_type(trigger, scope, "AWS::Kinesis::Stream")?;
    let retention_hours = int_property(scope.template, &resource, "RetentionPeriodHours", Some(24));
    Some(KinesisStream {
        resource,
        retention_hours,
    })
}

/// The queue an SQS trigger reads, when it is in the template.
pub fn source_queue<'a>(trigger: &Trigger, scope: &View<'a>) -> Option<Resource<'a>> {
    if !trigger.source.is_sqs() {
        return None;
    }
    source_of_type(trigger, scope, "AWS::SQS::Queue")
}

/// A queue's visibility timeout in seconds (AWS default 30).
pub fn visibility_timeout(template: &Template<'_>, queue: &Resource<'_>) -> Setting<i64> {
    int_property(template, queue, "VisibilityTimeout", Some(30))
}

/// How to give a queue the deploy tool creates (SAM's queue for an SNS event's
/// `SqsSubscription`) a property it needs: not on that queue, which the author cannot configure.
/// `property` names the property, `setting` says what it should be. `None` for queues the author
/// declares.
pub fn created_queue_hint(queue: &Resource<'_>, property: &str, setting: &str) -> Option<String> {
    let by = queue.created_by?;
    Some(format!(
        "AWS SAM creates queue {} for {by} and cannot set its `{property}`: declare the queue as \
         an AWS::SQS::Queue with {setting} and name it in `SqsSubscription` (`QueueArn` and \
         `QueueUrl`)",
        queue.logical_id
    ))
}

/// SQS's largest visibility timeout, 12 hours.
const MAX_VISIBILITY_TIMEOUT: i64 = 43_200;

/// An SQS trigger's queue and function, both in the template, with the two timeouts known.
pub struct QueueAndFunction<'a> {
    pub queue: Resource<'a>,
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
    pub fn of(trigger: &Trigger, scope: &View<'a>) -> Option<Self> {
        let template = scope.template;
        let queue = source_queue(trigger, scope)?;
        let function = trigger.function.as_ref().filter(|f| f.in_template)?;
        let visibility_setting = visibility_timeout(template, &queue);
        Some(QueueAndFunction {
            queue,
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

    /// The fix that raises the queue's visibility timeout to `seconds` (at most SQS's 12
    /// hours): where the queue writes it, else added to its properties; `None` for a queue the
    /// deploy tool creates, or one without a `Properties` map.
    pub fn visibility_fix(
        &self,
        format: crate::model::Format,
        seconds: i64,
        applicability: crate::model::Applicability,
    ) -> Option<crate::model::FixPlan> {
        if self.queue.created_by.is_some() {
            return None;
        }
        let seconds = seconds.min(MAX_VISIBILITY_TIMEOUT);
        let key = crate::model::resource_property_name(format, "VisibilityTimeout");
        let change = crate::model::Change::SetResourceProperty {
            container: self.queue.properties?.span,
            key: key.to_string(),
            value_at: self.queue.property("VisibilityTimeout").map(|n| n.span),
            value: crate::model::FixValue::Int(seconds),
        };
        let title = format!("Raise `{key}` of queue {} to {seconds}", self.queue_id);
        Some(crate::model::FixPlan::new(applicability, title).change(change))
    }

    /// "30 s, the AWS default" or "20 s".
    pub fn describe_visibility(&self) -> String {
        with_origin(self.visibility, &self.visibility_setting)
    }

    pub fn describe_timeout(&self) -> String {
        with_origin(self.timeout, &self.timeout_setting)
    }

    /// What a finding about the pair shows beside it: the queue's visibility timeout and the
    /// function's timeout (or the resources, when the values are defaults), and where a value
    /// used there is defined. Rules turn these into related locations.
    pub fn related(&self) -> Vec<(Span, String)> {
        let queue_span = self.visibility_setting.span().unwrap_or(self.queue_span);
        let mut out = vec![(
            queue_span,
            format!("visibility timeout {} s", self.visibility),
        )];
        out.extend(self.visibility_setting.definition());
        if let Some(span) = self.timeout_setting.span().or(self.function_span) {
            out.push((span, format!("function timeout {} s", self.timeout)));
        }
        out.extend(self.timeout_setting.definition());
        out
    }
}

/// "30 s, the AWS default", "60 s, the default of variable timeout" or "20 s".
fn with_origin(seconds: i64, setting: &Setting<i64>) -> String {
    let origin = match setting {
        Setting::ServiceDefault { .. } => Some("the AWS default".to_string()),
        Setting::ToolDefault { tool, .. } => Some(format!("the default of {}", tool.name())),
        Setting::Written { origin, .. } => origin.text(),
        _ => None,
    };
    match origin {
        Some(origin) => format!("{seconds} s, {origin}"),
        None => format!("{seconds} s"),
    }
}

/// The resource type and the name an ARN gives, for the sources whose ARNs carry the
/// resource's name. Names with other placeholders match nothing.
fn named_in_arn(arn: &str) -> Option<(&'static str, ArnName)> {
    let masked = mask_placeholders(arn);
    let mut parts = masked.splitn(6, ':');
    let (scheme, _partition, service, _region, _account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if scheme != "arn" {
        return None;
    }
    let type_ = match service {
        "sqs" => "AWS::SQS::Queue",
        "kinesis" => "AWS::Kinesis::Stream",
        "dynamodb" => "AWS::DynamoDB::Table",
        _ => return None,
    };
    // The name is the text after the fifth colon outside placeholders, taken from the
    // unmasked text so a placeholder standing for the whole name is kept.
    let resource = unmasked_tail(arn, 5)?;
    let name = match service {
        "sqs" => resource,
        "kinesis" => resource.strip_prefix("stream/")?.split('/').next()?,
        _ => resource.strip_prefix("table/")?.split('/').next()?,
    };
    if let Some(inner) = name.strip_prefix("${").and_then(|n| n.strip_suffix('}'))
        && !inner.contains(['$', '{', '}', ':'])
    {
        let (id, attribute) = match inner.split_once('.') {
            Some((id, attribute)) => (id, Some(attribute.to_string())),
            None => (inner, None),
        };
        return Some((type_, ArnName::Reference(id.to_string(), attribute)));
    }
    (!name.contains("${")).then(|| (type_, ArnName::Literal(name.to_string())))
}

/// The text after the `n`-th colon that is not inside a `${...}` placeholder.
fn unmasked_tail(text: &str, n: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let (mut depth, mut colons) = (0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                colons += 1;
                if colons == n {
                    return Some(&text[i + 1..]);
                }
            }
            _ => {}
        }
    }
    None
}

/// An integer property of a resource: written, else the AWS default when there is one.
pub fn int_property(
    template: &Template<'_>,
    resource: &Resource<'_>,
    name: &str,
    service_default: Option<i64>,
) -> Setting<i64> {
    template.int_or_default(resource.property(name), service_default)
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
        max_receive_count: Option<Setting<i64>>,
    },
}

/// A policy written as a mapping: as it is, or inside `Fn::ToJsonString` (Terraform's
/// `jsonencode`), whose parts need not be known to read the ones that are.
fn policy_mapping(node: &Node) -> Option<&Node> {
    match node.as_intrinsic() {
        Some(i) if i.name == "Fn::ToJsonString" => Some(&i.arg).filter(|a| a.as_map().is_some()),
        Some(_) => None,
        None => Some(node).filter(|n| n.as_map().is_some()),
    }
}

/// Reads `RedrivePolicy`, which CloudFormation takes as a mapping or as a JSON string (a
/// Terraform heredoc or `jsonencode` too).
pub fn redrive_policy(template: &Template<'_>, queue: &Resource<'_>) -> Redrive {
    let Some(node) = queue.property("RedrivePolicy") else {
        return Redrive::Absent;
    };
    if let Some(mapping) = policy_mapping(node) {
        return Redrive::Present {
            span: node.span,
            max_receive_count: mapping
                .get("maxReceiveCount")
                .map(|n| template.written_int(n))
                .filter(|count| count.value().is_some()),
        };
    }
    let Ok(policy) = template.resolve(node) else {
        return Redrive::Unknown;
    };
    match &policy.value {
        Value::Map(_) => Redrive::Present {
            span: node.span,
            max_receive_count: policy
                .get("maxReceiveCount")
                .map(|n| template.written_int(n))
                .filter(|count| count.value().is_some()),
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
            // The count is inside the text: it is used where the policy is written, and comes
            // from wherever the policy does (a parameter's default).
            Redrive::Present {
                span: node.span,
                max_receive_count: count.map(|value| Setting::Written {
                    value,
                    span: node.span,
                    origin: template.origin_of(node),
                }),
            }
        }
        Value::Null => Redrive::Absent,
        _ => Redrive::Unknown,
    }
}

/// Whether a source queue lacks a dead-letter queue: no `RedrivePolicy` at all (a policy that
/// cannot be read counts as present), and not itself somebody's dead-letter queue.
pub fn queue_lacks_dlq(scope: &View<'_>, queue: &Resource<'_>) -> bool {
    matches!(redrive_policy(scope.template, queue), Redrive::Absent)
        && !is_dead_letter_queue(scope, queue)
}

/// Whether a queue is itself a dead-letter queue in the template: the target of another
/// queue's redrive policy or of a function's dead-letter config. Consumers of such queues
/// (replay and alerting functions) need no dead-letter queue of their own.
pub fn is_dead_letter_queue(scope: &View<'_>, queue: &Resource<'_>) -> bool {
    let index = scope.index();
    index.dead_letter_ids.contains(queue.logical_id)
        || queue
            .property("QueueName")
            .and_then(|n| scope.template.resolve(n).ok())
            .and_then(|n| {
                n.as_str()
                    .map(|name| index.dead_letter_names.contains(name))
            })
            .unwrap_or(false)
}

/// Whether the template has a CloudWatch alarm on `metric` (`IteratorAge`, `OffsetLag`) that
/// covers the function: one whose `FunctionName` dimension refers to it, one without a
/// `FunctionName` dimension (it aggregates every function), or one whose dimension cannot be
/// resolved (it may be this function). `None` when the function is not in the template.
pub fn has_alarm_for(scope: &View<'_>, function: &FunctionInfo, metric: &str) -> Option<bool> {
    let template = scope.template;
    let function_id = function.resource_id.as_deref()?;
    let Some(coverage) = scope.index().alarms.get(metric) else {
        return Some(false);
    };
    if coverage.every_function || coverage.ids.contains(function_id) {
        return Some(true);
    }
    let written_name = template
        .resource(function_id)
        .and_then(|r| r.property("FunctionName"))
        .and_then(|n| template.resolve(n).ok())
        .and_then(|n| n.as_str().map(str::to_string));
    let covered = match written_name {
        Some(name) => coverage.names.contains(name.as_str()),
        // A deployed Serverless name is `<service>-<stage>-<function>`.
        None => {
            let suffix = format!("-{}", function.name);
            coverage.names.iter().any(|n| n.ends_with(&suffix))
        }
    };
    Some(covered)
}

/// What rules look up across a whole template, built once per template when a rule first asks:
/// without it, each trigger would scan every resource and every other trigger, which is
/// quadratic in one large template.
#[derive(Default)]
pub struct Index<'a> {
    /// Queues, streams and tables by type and written name, for ARNs that name them.
    named: FxHashMap<(&'static str, String), Resource<'a>>,
    /// Logical ids and names of queues that something uses as its dead-letter queue.
    dead_letter_ids: FxHashSet<String>,
    dead_letter_names: FxHashSet<String>,
    /// Which functions the alarms on each metric cover.
    alarms: FxHashMap<&'a str, Coverage>,
    /// The DynamoDB triggers reading each stream, in document order.
    pub stream_readers: FxHashMap<String, Vec<usize>>,
}

/// The functions that alarms on one metric watch.
#[derive(Default)]
struct Coverage {
    /// An alarm without a `FunctionName` dimension, or with one that cannot be resolved.
    every_function: bool,
    /// Logical ids of functions (aliases and versions resolved to their function).
    ids: FxHashSet<String>,
    /// Literal function names.
    names: FxHashSet<String>,
}

impl<'a> Index<'a> {
    pub fn build(template: &Template<'a>, triggers: &[Trigger]) -> Self {
        let mut index = Index::default();
        // Sized once: growing the map entry by entry rehashed it several times per template.
        let named = template
            .resources
            .iter()
            .filter(|r| named_property(r.type_).is_some())
            .count();
        index.named.reserve(named);
        for resource in &template.resources {
            index.add_named(template, resource);
            index.add_dead_letter_targets(template, resource);
            if resource.type_ == "AWS::CloudWatch::Alarm" {
                index.add_alarm(template, resource);
            }
        }
        for (i, trigger) in triggers.iter().enumerate() {
            if trigger.source == crate::model::SourceKind::DynamoDb
                && let Some(stream) = stream_identity(trigger, template)
            {
                index.stream_readers.entry(stream).or_default().push(i);
            }
        }
        index
    }

    fn add_named(&mut self, template: &Template<'a>, resource: &Resource<'a>) {
        let Some((type_, property)) = named_property(resource.type_) else {
            return;
        };
        let name = resource
            .property(property)
            .and_then(|n| template.resolve(n).ok())
            .and_then(|n| n.as_str().map(str::to_string));
        if let Some(name) = name {
            self.named.entry((type_, name)).or_insert(*resource);
        }
    }

    fn add_dead_letter_targets(&mut self, template: &Template<'a>, resource: &Resource<'a>) {
        let nested = [
            ("RedrivePolicy", "deadLetterTargetArn"),
            ("DeadLetterConfig", "TargetArn"),
            ("DeadLetterQueue", "TargetArn"),
        ];
        for (property, key) in nested {
            let Some(value) = resource.property(property) else {
                continue;
            };
            let value = policy_mapping(value).unwrap_or(value);
            if let Some(target) = value.get(key) {
                self.add_dead_letter_target(template, target);
            } else if let Some(text) = value.as_str() {
                // RedrivePolicy written as a JSON string.
                let arn = serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .and_then(|json| json.get(key)?.as_str().map(str::to_string));
                if let Some(name) = arn.as_deref().and_then(|a| a.rsplit(':').next()) {
                    self.dead_letter_names.insert(name.to_string());
                }
            }
        }
    }

    fn add_dead_letter_target(&mut self, template: &Template<'a>, target: &Node) {
        if let Some((id, _)) = referenced_resource(target) {
            self.dead_letter_ids.insert(id.to_string());
        } else if let Some(arn) = arn_text(target, template)
            && let Some(name) = arn.rsplit(':').next()
        {
            self.dead_letter_names.insert(name.to_string());
        }
    }

    fn add_alarm(&mut self, template: &Template<'a>, alarm: &Resource<'a>) {
        for (metric, dimension) in alarm_metrics(alarm) {
            let coverage = self.alarms.entry(metric).or_default();
            let Some(value) = dimension else {
                coverage.every_function = true;
                continue;
            };
            if let Some((id, _)) = referenced_resource(value) {
                let function = alias_of(template, id).unwrap_or(id);
                coverage.ids.insert(function.to_string());
                continue;
            }
            match template.resolve(value) {
                Ok(resolved) => coverage.names.extend(resolved.as_str().map(str::to_string)),

                Err(_) => coverage.every_function = true,
            }
        }
    }
}

/// The resource types an ARN may name by their written name, with the property holding it.
fn named_property(type_: &str) -> Option<(&'static str, &'static str)> {
    Some(match type_ {
        "AWS::SQS::Queue" => ("AWS::SQS::Queue", "QueueName"),
        "AWS::Kinesis::Stream" => ("AWS::Kinesis::Stream", "Name"),
        "AWS::DynamoDB::Table" => ("AWS::DynamoDB::Table", "TableName"),
        _ => return None,
    })
}

/// What identifies the stream a DynamoDB trigger reads: `resource:<table id>` for a table in
/// the template, else its literal ARN; `None` when it cannot be known.
pub fn stream_identity(t: &Trigger, template: &Template<'_>) -> Option<String> {
    let source = t.event_source.as_ref()?;
    if let Some((id, _)) = referenced_resource(source) {
        return Some(format!("resource:{id}"));
    }
    let arn = arn_text(source, template)?;
    (!arn.contains("${")).then_some(arn)
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
    use crate::model::Format;
    use crate::parse::yaml;
    use crate::source::FileId;

    fn with_scope(text: &str, check: impl Fn(&View<'_>)) {
        let root = yaml::parse(text, FileId(0)).unwrap().unwrap();
        let loaded = crate::load::load(Format::CloudFormation, FileId(0), &root);
        check(&View::new(&loaded.template, &loaded.triggers));
    }

    const QUEUES: &str = "Resources:
  ByName:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: f, EventSourceArn: !Sub 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs'}
  ByParameter:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: f, EventSourceArn: !Sub 'arn:aws:sqs:us-east-1:1:${Name}'}
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
      RedrivePolicy: '{\"deadLetterTargetArn\": \"arn:aws:sqs:us-east-1:123456789012:jobs-dlq\", \"maxReceiveCount\": 3}'
  JobsDlq:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs-dlq}
";

    #[test]
    fn literal_arns_link_to_the_queue_they_name_and_json_policies_are_read() {
        with_scope(QUEUES, |scope| {
            let by_name = source(&scope.triggers[0], scope).expect("linked by name");
            assert_eq!(by_name.logical_id, "Jobs");
            assert!(
                source(&scope.triggers[1], scope).is_none(),
                "a placeholder names nothing"
            );
            let jobs = *scope.template.resource("Jobs").unwrap();
            let Redrive::Present {
                max_receive_count: Some(Setting::Written { value: 3, .. }),
                ..
            } = redrive_policy(scope.template, &jobs)
            else {
                panic!("the JSON string policy is read");
            };
            let dlq = *scope.template.resource("JobsDlq").unwrap();
            assert!(is_dead_letter_queue(scope, &dlq));
            assert!(!is_dead_letter_queue(scope, &jobs));
        });
    }

    const ALARMS: &str = "Resources:
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: !Ref Live, EventSourceArn: arn:aws:kinesis:us-east-1:1:stream/s, StartingPosition: LATEST}
  Other:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: !Ref Named, EventSourceArn: arn:aws:kinesis:us-east-1:1:stream/s, StartingPosition: LATEST}
  Elsewhere:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {FunctionName: imported, EventSourceArn: arn:aws:kinesis:us-east-1:1:stream/s, StartingPosition: LATEST}
  Fn:
    Type: AWS::Lambda::Function
  Live:
    Type: AWS::Lambda::Alias
    Properties: {FunctionName: !Ref Fn, Name: live}
  Named:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: named-fn}
  OnAlias:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: IteratorAge
      Dimensions: [{Name: FunctionName, Value: !Ref Live}]
  OnLiteral:
    Type: AWS::CloudWatch::Alarm
    Properties:
      MetricName: OffsetLag
      Dimensions: [{Name: FunctionName, Value: named-fn}]
";

    #[test]
    fn alarms_cover_functions_through_aliases_and_written_names() {
        with_scope(ALARMS, |scope| {
            let function = |i: usize| scope.triggers[i].function.clone().unwrap();
            assert_eq!(
                has_alarm_for(scope, &function(0), "IteratorAge"),
                Some(true)
            );
            assert_eq!(has_alarm_for(scope, &function(0), "OffsetLag"), Some(false));
            assert_eq!(has_alarm_for(scope, &function(1), "OffsetLag"), Some(true));
            assert_eq!(
                has_alarm_for(scope, &function(1), "IteratorAge"),
                Some(false)
            );
            assert_eq!(has_alarm_for(scope, &function(2), "IteratorAge"), None);
        });
    }

    #[test]
    fn arn_names_of_each_source() {
        let literal = |t, n: &str| Some((t, ArnName::Literal(n.to_string())));
        assert_eq!(
            named_in_arn("arn:aws:sqs:us-east-1:123456789012:jobs"),
            literal("AWS::SQS::Queue", "jobs")
        );
        assert_eq!(
            named_in_arn("arn:aws:kinesis:us-east-1:123456789012:stream/clicks"),
            literal("AWS::Kinesis::Stream", "clicks")
        );
        assert_eq!(
            named_in_arn(
                "arn:aws:dynamodb:us-east-1:1:table/Orders/stream/2024-01-01T00:00:00.000"
            ),
            literal("AWS::DynamoDB::Table", "Orders")
        );
        assert_eq!(
            named_in_arn("arn:aws:sqs:${AWS::Region}:1:${Name}"),
            Some((
                "AWS::SQS::Queue",
                ArnName::Reference("Name".to_string(), None)
            ))
        );
        assert_eq!(
            named_in_arn("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs"),
            literal("AWS::SQS::Queue", "jobs")
        );
        assert_eq!(
            named_in_arn("arn:aws:sqs:${aws:region}:${aws:accountId}:orders-${sls:stage}"),
            None
        );
        assert_eq!(
            named_in_arn("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.QueueName}"),
            Some((
                "AWS::SQS::Queue",
                ArnName::Reference("Jobs".to_string(), Some("QueueName".to_string()))
            ))
        );
        assert_eq!(named_in_arn("arn:aws:s3:::bucket"), None);
    }
}
