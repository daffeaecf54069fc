//! The Terraform resources that links read, lowered into the template view under their
//! addresses, with CloudFormation's types and property names: a queue is a queue, whatever
//! wrote it. Spans stay in the `.tf` files, so labels point at what the author wrote.

use super::expr::Lowerer;
use super::nodes::{entry, map_node};
use super::schema::{self, Field};
use crate::hcl::{Block, Body, Expr, ExprKind};
use crate::source::Span;
use crate::tree::{Entry, Node, Value};

/// A lowered resource: its address, the span of its declaration and its CloudFormation shape.
pub struct Lowered {
    pub address: String,
    pub anchor: Span,
    pub type_: &'static str,
    pub properties: Vec<Entry>,
}

/// The CloudFormation type and the arguments kept, for each resource type links read.
pub fn shape(kind: &str) -> Option<(&'static str, &'static [Field])> {
    use schema::{block, value};
    const QUEUE: &[Field] = &[
        value("name", "QueueName"),
        value("fifo_queue", "FifoQueue"),
        value("visibility_timeout_seconds", "VisibilityTimeout"),
        value("redrive_policy", "RedrivePolicy"),
        value("kms_master_key_id", "KmsMasterKeyId"),
        value("message_retention_seconds", "MessageRetentionPeriod"),
    ];
    const FUNCTION: &[Field] = &[
        value("function_name", "FunctionName"),
        value("timeout", "Timeout"),
        value(
            "reserved_concurrent_executions",
            "ReservedConcurrentExecutions",
        ),
        block(
            "dead_letter_config",
            "DeadLetterConfig",
            &[value("target_arn", "TargetArn")],
        ),
    ];
    const ALIAS: &[Field] = &[
        value("function_name", "FunctionName"),
        value("name", "Name"),
    ];
    const STREAM: &[Field] = &[
        value("name", "Name"),
        value("retention_period", "RetentionPeriodHours"),
        value("shard_count", "ShardCount"),
    ];
    const CONSUMER: &[Field] = &[
        value("stream_arn", "StreamARN"),
        value("name", "ConsumerName"),
    ];
    const TABLE: &[Field] = &[value("name", "TableName")];
    const TOPIC: &[Field] = &[value("name", "TopicName"), value("fifo_topic", "FifoTopic")];
    const BUCKET: &[Field] = &[value("bucket", "BucketName")];
    const CLUSTER: &[Field] = &[value("cluster_name", "ClusterName")];
    const BROKER: &[Field] = &[
        value("broker_name", "BrokerName"),
        value("engine_type", "EngineType"),
    ];
    const DOCDB: &[Field] = &[value("cluster_identifier", "DBClusterIdentifier")];
    const ALARM: &[Field] = &[
        value("metric_name", "MetricName"),
        value("namespace", "Namespace"),
    ];
    Some(match kind {
        "aws_sqs_queue" => ("AWS::SQS::Queue", QUEUE),
        "aws_lambda_function" => ("AWS::Lambda::Function", FUNCTION),
        "aws_lambda_alias" => ("AWS::Lambda::Alias", ALIAS),
        "aws_kinesis_stream" => ("AWS::Kinesis::Stream", STREAM),
        "aws_kinesis_stream_consumer" => ("AWS::Kinesis::StreamConsumer", CONSUMER),
        "aws_dynamodb_table" => ("AWS::DynamoDB::Table", TABLE),
        "aws_sns_topic" => ("AWS::SNS::Topic", TOPIC),
        "aws_s3_bucket" => ("AWS::S3::Bucket", BUCKET),
        "aws_msk_cluster" | "aws_msk_serverless_cluster" => ("AWS::MSK::Cluster", CLUSTER),
        "aws_mq_broker" => ("AWS::AmazonMQ::Broker", BROKER),
        "aws_docdb_cluster" => ("AWS::DocDB::DBCluster", DOCDB),
        "aws_cloudwatch_metric_alarm" => ("AWS::CloudWatch::Alarm", ALARM),
        _ => return None,
    })
}

/// Whether links read resources of this type (the others are left out of the view).
pub fn is_read(kind: &str) -> bool {
    shape(kind).is_some()
}

/// The span from a block's keyword to its last label: where findings about it point.
pub fn declaration_span(block: &Block) -> Span {
    let end = block.labels.last().map_or(block.kind_span, |(_, s)| *s);
    block.kind_span.join(end)
}

/// Lowers a `resource` block that links read, under its address in the view (with the
/// module instance and the block's instance key); `None` for other types.
pub fn lower(lowerer: &Lowerer<'_, '_>, block: &'_ Block, address: String) -> Option<Lowered> {
    let kind = block.label(0)?;
    let (type_, fields) = shape(kind)?;
    let mut properties = schema::lower_properties(lowerer, &block.body, fields);
    match kind {
        "aws_dynamodb_table" => properties.extend(stream_specification(lowerer, &block.body)),
        "aws_kinesis_stream" if on_demand(&block.body) => {
            properties.retain(|e| e.key != "ShardCount");
        }
        "aws_cloudwatch_metric_alarm" => properties.extend(alarm_metrics(lowerer, &block.body)),
        _ => {}
    }
    Some(Lowered {
        address,
        anchor: declaration_span(block),
        type_,
        properties,
    })
}

fn on_demand(body: &Body) -> bool {
    let mode = body
        .blocks()
        .find(|b| b.kind == "stream_mode_details")
        .and_then(|b| b.body.attribute("stream_mode"))
        .map(|a| &a.value)
        .or_else(|| {
            body.attribute("stream_mode_details")
                .and_then(|a| a.value.get("stream_mode"))
        });
    mode.and_then(Expr::as_str) == Some("ON_DEMAND")
}

/// A table has a stream when `stream_enabled` is true: then `StreamSpecification`, as in
/// CloudFormation. An unknown flag gives an unknown specification (the stream may exist).
fn stream_specification(lowerer: &Lowerer<'_, '_>, body: &Body) -> Option<Entry> {
    let enabled = body.attribute("stream_enabled")?;
    let flag = lowerer.value(&enabled.value);
    let value = match flag.value {
        Value::Bool(false) => return None,
        Value::Bool(true) => {
            let view = body.attribute("stream_view_type").map_or_else(
                || Node::new(enabled.value.span, Value::Null),
                |a| lowerer.node(&a.value),
            );
            map_node(
                enabled.value.span,
                vec![entry("StreamViewType", enabled.name_span, view)],
            )
        }
        _ => flag,
    };
    Some(entry("StreamSpecification", enabled.name_span, value))
}

/// `dimensions = { FunctionName = ... }` and `metric_query { metric { ... } }` as
/// CloudFormation's `Dimensions` list and `Metrics[].MetricStat.Metric`.
fn alarm_metrics(lowerer: &Lowerer<'_, '_>, body: &Body) -> Vec<Entry> {
    let mut entries = Vec::new();
    if let Some(dimensions) = body.attribute("dimensions") {
        entries.push(entry(
            "Dimensions",
            dimensions.name_span,
            dimension_list(lowerer, &dimensions.value),
        ));
    }
    let queries: Vec<Node> = body
        .blocks()
        .filter(|b| b.kind == "metric_query")
        .filter_map(|query| {
            let metric = query.body.blocks().find(|b| b.kind == "metric")?;
            let mut fields = Vec::new();
            if let Some(name) = metric.body.attribute("metric_name") {
                fields.push(entry(
                    "MetricName",
                    name.name_span,
                    lowerer.node(&name.value),
                ));
            }
            if let Some(dimensions) = metric.body.attribute("dimensions") {
                fields.push(entry(
                    "Dimensions",
                    dimensions.name_span,
                    dimension_list(lowerer, &dimensions.value),
                ));
            }
            let metric = map_node(metric.span, fields);
            let stat = map_node(query.span, vec![entry("Metric", query.kind_span, metric)]);
            Some(map_node(
                query.span,
                vec![entry("MetricStat", query.kind_span, stat)],
            ))
        })
        .collect();
    if !queries.is_empty() {
        let span = queries[0].span;
        entries.push(entry("Metrics", span, Node::new(span, Value::Seq(queries))));
    }
    entries
}

fn dimension_list(lowerer: &Lowerer<'_, '_>, dimensions: &Expr) -> Node {
    let ExprKind::Object(items) = &dimensions.kind else {
        return lowerer.node(dimensions);
    };
    let list = items
        .iter()
        .filter_map(|item| {
            let name = item.key.clone()?;
            Some(map_node(
                item.key_span,
                vec![
                    entry(
                        "Name",
                        item.key_span,
                        Node::new(item.key_span, Value::Str(name.into())),
                    ),
                    entry("Value", item.value.span, lowerer.node(&item.value)),
                ],
            ))
        })
        .collect();
    Node::new(dimensions.span, Value::Seq(list))
}
