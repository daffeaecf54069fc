//! Generated templates for benchmarks: realistic services in every format, with a mix of
//! source kinds and settings, so the whole pipeline does its usual work. Besides the triggers
//! they carry what real templates carry around them (IAM roles and policies, environment,
//! tags, alarms, CDK metadata), at about the density of the shared corpus: a trigger per
//! 1.7 KB (Serverless), 2.4 KB (SAM) and 5 KB (CloudFormation JSON) of template.
#![allow(dead_code)]

use std::fmt::Write;
use std::path::Path;

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Serverless,
    Sam,
    CfnYaml,
    CfnJson,
    Terraform,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Serverless,
        Kind::Sam,
        Kind::CfnYaml,
        Kind::CfnJson,
        Kind::Terraform,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Serverless => "serverless",
            Kind::Sam => "sam",
            Kind::CfnYaml => "cfn-yaml",
            Kind::CfnJson => "cfn-json",
            Kind::Terraform => "terraform",
        }
    }

    pub fn file_name(self, index: usize) -> String {
        match self {
            Kind::Serverless => format!("svc{index}/serverless.yml"),
            Kind::Sam => format!("app{index}/template.yaml"),
            Kind::CfnYaml => format!("stack{index}.yaml"),
            Kind::CfnJson => format!("stack{index}.template.json"),
            Kind::Terraform => format!("module{index}/main.tf"),
        }
    }
}

/// Which parser a format's parse-only baseline runs.
#[derive(Clone, Copy, Debug)]
pub enum Parser {
    Yaml,
    Json,
    Hcl,
}

impl Kind {
    pub fn parser(self) -> Parser {
        match self {
            Kind::CfnJson => Parser::Json,
            Kind::Terraform => Parser::Hcl,
            Kind::Serverless | Kind::Sam | Kind::CfnYaml => Parser::Yaml,
        }
    }
}

/// The parser alone, building nothing of ours: saphyr-parser's events for YAML, jsonc-parser's
/// tree for JSON, hcl-edit's syntax tree for HCL. HCL is parsed as the pipeline parses it,
/// without copying whitespace and comments into strings (`parse_body_spanned`, see
/// vendor/README.md): a cheaper parse in the pipeline alone would raise the ratio without the
/// pipeline's own work getting any cheaper.
pub fn parse_only(parser: Parser, text: &str) {
    match parser {
        Parser::Hcl => {
            std::hint::black_box(hcl_edit::parser::parse_body_spanned(text).is_ok());
        }
        Parser::Json => {
            let parsed = jsonc_parser::parse_to_ast(
                text,
                &jsonc_parser::CollectOptions::default(),
                &jsonc_parser::ParseOptions::default(),
            );
            std::hint::black_box(parsed.is_ok());
        }
        Parser::Yaml => {
            let mut parser = saphyr_parser::Parser::new_from_str(text);
            while let Some(Ok(event)) = parser.next_event() {
                std::hint::black_box(&event);
            }
        }
    }
}

/// The configuration `triggerlint check` lints with for its default (human) report: every
/// fix resolved as far as the report shows it (whether it can be written, and its title),
/// without the spacing-only edits that only JSON, SARIF and `--fix` print or write.
pub fn check_config() -> triggerlint::config::Config {
    triggerlint::config::Config {
        exact_fix_edits: false,
        ..triggerlint::config::Config::default()
    }
}

/// Triggers per generated template.
pub const TRIGGERS_PER_TEMPLATE: usize = 6;

/// One template with `triggers` triggers.
pub fn template(kind: Kind, index: usize, triggers: usize) -> String {
    match kind {
        Kind::Serverless => serverless(index, triggers),
        Kind::Sam => sam(index, triggers),
        Kind::CfnYaml => cfn_yaml(index, triggers),
        Kind::CfnJson => cfn_json(index, triggers),
        Kind::Terraform => terraform(index, triggers),
    }
}

fn serverless(index: usize, triggers: usize) -> String {
    let mut s = format!(
        "service: orders-{index}\nframeworkVersion: '3'\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  region: eu-west-1\n  timeout: 20\n  environment:\n    TABLE: orders-{index}\ncustom:\n  batchSize: 50\n  window: 5\nfunctions:\n"
    );
    for t in 0..triggers {
        let _ = write!(
            s,
            "  consumer{t}:\n    handler: src/handlers/consumer{t}.handler\n    memorySize: 512\n    description: Consumes the orders-{index}-{t} feed and updates the read models\n    environment:\n      TABLE_NAME: orders-{index}-{t}\n      LOG_LEVEL: info\n      POWERTOOLS_SERVICE_NAME: orders-{index}\n      POWERTOOLS_METRICS_NAMESPACE: Orders\n    tags:\n      team: payments\n      cost-center: cc-{index}\n    iamRoleStatements:\n      - Effect: Allow\n        Action:\n          - dynamodb:GetItem\n          - dynamodb:PutItem\n          - dynamodb:UpdateItem\n          - dynamodb:Query\n        Resource:\n          - arn:aws:dynamodb:eu-west-1:123456789012:table/orders-{index}-{t}\n          - arn:aws:dynamodb:eu-west-1:123456789012:table/orders-{index}-{t}/index/*\n      - Effect: Allow\n        Action:\n          - sqs:SendMessage\n        Resource: arn:aws:sqs:eu-west-1:123456789012:notifications-{index}\n    events:\n      - http:\n          path: /orders/{t}/{{id}}\n          method: get\n          cors: true\n"
        );
        match t % 3 {
            0 => {
                let _ = write!(
                    s,
                    "      - stream:\n          type: kinesis\n          arn: arn:aws:kinesis:eu-west-1:123456789012:stream/orders-{index}-{t}\n          batchSize: ${{self:custom.batchSize}}\n          batchWindow: ${{self:custom.window}}\n          startingPosition: LATEST\n          maximumRetryAttempts: 3\n"
                );
            }
            1 => {
                let _ = write!(
                    s,
                    "      - stream:\n          type: dynamodb\n          arn: !GetAtt OrdersTable{t}.StreamArn\n          bisectBatchOnFunctionError: true\n          destinations:\n            onFailure:\n              arn: !GetAtt Failures.Arn\n              type: sqs\n"
                );
            }
            _ => {
                let _ = write!(
                    s,
                    "      - sqs:\n          arn: !GetAtt Jobs{t}.Arn\n          batchSize: 10\n          functionResponseType: ReportBatchItemFailures\n"
                );
            }
        }
    }
    s.push_str("resources:\n  Resources:\n    Failures:\n      Type: AWS::SQS::Queue\n");
    for t in 0..triggers {
        let _ = write!(
            s,
            "    OrdersTable{t}:\n      Type: AWS::DynamoDB::Table\n      Properties:\n        BillingMode: PAY_PER_REQUEST\n        AttributeDefinitions:\n          - AttributeName: id\n            AttributeType: S\n        KeySchema:\n          - AttributeName: id\n            KeyType: HASH\n        StreamSpecification:\n          StreamViewType: NEW_IMAGE\n    Jobs{t}:\n      Type: AWS::SQS::Queue\n      Properties:\n        VisibilityTimeout: 120\n"
        );
    }
    s
}

fn sam(index: usize, triggers: usize) -> String {
    let mut s = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nDescription: orders {index}\nGlobals:\n  Function:\n    Runtime: python3.12\n    Timeout: 30\n    MemorySize: 256\nParameters:\n  Batch:\n    Type: Number\n    Default: 100\nResources:\n"
    );
    for t in 0..triggers {
        let _ = write!(
            s,
            "  Consumer{t}:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildMethod: python3.12\n    Properties:\n      Handler: app.handler\n      CodeUri: src/consumer{t}/\n      Description: Keeps the orders-{index}-{t} projection up to date\n      Architectures:\n        - arm64\n      Environment:\n        Variables:\n          TABLE_NAME: !Ref Table{t}\n          QUEUE_URL: !Ref Jobs{t}\n          POWERTOOLS_SERVICE_NAME: orders\n          LOG_LEVEL: INFO\n      Tags:\n        team: payments\n        cost-center: cc-{index}\n      Policies:\n        - SQSPollerPolicy:\n            QueueName: !GetAtt Jobs{t}.QueueName\n        - DynamoDBCrudPolicy:\n            TableName: !Ref Table{t}\n        - Statement:\n            - Effect: Allow\n              Action:\n                - events:PutEvents\n              Resource: !Sub arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:event-bus/orders\n      Events:\n        Api:\n          Type: Api\n          Properties:\n            Path: /orders/{t}/{{id}}\n            Method: get\n"
        );
        match t % 3 {
            0 => {
                let _ = write!(
                    s,
                    "        Orders:\n          Type: Kinesis\n          Properties:\n            Stream: !GetAtt Stream{t}.Arn\n            StartingPosition: LATEST\n            BatchSize: !Ref Batch\n            MaximumRetryAttempts: 5\n            BisectBatchOnFunctionError: true\n"
                );
            }
            1 => {
                let _ = write!(
                    s,
                    "        Changes:\n          Type: DynamoDB\n          Properties:\n            Stream: !GetAtt Table{t}.StreamArn\n            StartingPosition: TRIM_HORIZON\n            DestinationConfig:\n              OnFailure:\n                Type: SQS\n                Destination: !GetAtt Jobs{t}.Arn\n"
                );
            }
            _ => {
                let _ = write!(
                    s,
                    "        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs{t}.Arn\n            BatchSize: 10\n            MaximumBatchingWindowInSeconds: 2\n"
                );
            }
        }
        let _ = write!(
            s,
            "  Stream{t}:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 2\n  Table{t}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      StreamSpecification:\n        StreamViewType: NEW_AND_OLD_IMAGES\n  Jobs{t}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 180\n"
        );
    }
    s
}

fn cfn_yaml(index: usize, triggers: usize) -> String {
    let mut s =
        format!("AWSTemplateFormatVersion: '2010-09-09'\nDescription: stack {index}\nResources:\n");
    for t in 0..triggers {
        let (source, extra) = match t % 3 {
            0 => (
                format!("!GetAtt Stream{t}.Arn"),
                "      StartingPosition: LATEST\n      MaximumRetryAttempts: 2\n      MaximumRecordAgeInSeconds: 3600\n",
            ),
            1 => (
                format!(
                    "!Sub 'arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/orders{t}/stream/2024'"
                ),
                "      StartingPosition: TRIM_HORIZON\n      BatchSize: 5\n",
            ),
            _ => (format!("!GetAtt Queue{t}.Arn"), "      BatchSize: 10\n"),
        };
        let _ = write!(
            s,
            "  Mapping{t}:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Function{t}\n      EventSourceArn: {source}\n{extra}  Function{t}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: index.handler\n      Runtime: nodejs20.x\n      Timeout: 60\n      MemorySize: 1024\n      Role: !GetAtt Role{t}.Arn\n      Environment:\n        Variables:\n          TABLE_NAME: !Ref Table{t}\n          STAGE: !Ref AWS::StackName\n          LOG_LEVEL: info\n      TracingConfig:\n        Mode: Active\n      Tags:\n        - Key: team\n          Value: payments\n        - Key: cost-center\n          Value: cc-{index}\n      Code:\n        S3Bucket: !Sub artifacts-${{AWS::AccountId}}-${{AWS::Region}}\n        S3Key: !Sub builds/consumer{t}-${{AWS::StackName}}.zip\n  Role{t}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n      ManagedPolicyArns:\n        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole\n      Policies:\n        - PolicyName: access\n          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action:\n                  - dynamodb:GetItem\n                  - dynamodb:PutItem\n                  - dynamodb:UpdateItem\n                  - dynamodb:DescribeStream\n                  - dynamodb:GetRecords\n                  - dynamodb:GetShardIterator\n                  - dynamodb:ListStreams\n                Resource:\n                  - !GetAtt Table{t}.Arn\n                  - !Sub ${{Table{t}.Arn}}/stream/*\n              - Effect: Allow\n                Action:\n                  - sqs:ReceiveMessage\n                  - sqs:DeleteMessage\n                  - sqs:GetQueueAttributes\n                Resource: !GetAtt Queue{t}.Arn\n  Logs{t}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: !Sub /aws/lambda/${{Function{t}}}\n      RetentionInDays: 30\n  Alarm{t}:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      AlarmDescription: consumer {t} errors\n      Namespace: AWS/Lambda\n      MetricName: Errors\n      Dimensions:\n        - Name: FunctionName\n          Value: !Ref Function{t}\n      Statistic: Sum\n      Period: 60\n      EvaluationPeriods: 5\n      Threshold: 1\n      ComparisonOperator: GreaterThanOrEqualToThreshold\n  Stream{t}:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 1\n      RetentionPeriodHours: 48\n  Table{t}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - AttributeName: pk\n          AttributeType: S\n        - AttributeName: sk\n          AttributeType: S\n      KeySchema:\n        - AttributeName: pk\n          KeyType: HASH\n        - AttributeName: sk\n          KeyType: RANGE\n      StreamSpecification:\n        StreamViewType: NEW_AND_OLD_IMAGES\n  Queue{t}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 360\n      MessageRetentionPeriod: 1209600\n"
        );
    }
    s
}

fn cfn_json(index: usize, triggers: usize) -> String {
    let mut resources = Vec::new();
    for t in 0..triggers {
        let source = match t % 3 {
            0 => format!("{{\"Fn::GetAtt\": [\"Stream{t}\", \"Arn\"]}}"),
            1 => format!("{{\"Fn::GetAtt\": [\"Table{t}\", \"StreamArn\"]}}"),
            _ => format!("{{\"Fn::GetAtt\": [\"Queue{t}\", \"Arn\"]}}"),
        };
        let position = if t % 3 == 2 {
            String::new()
        } else {
            "\"StartingPosition\": \"LATEST\",".to_string()
        };
        resources.push(format!(
            "    \"Handler{index}x{t}EventSource\": {{\n      \"Type\": \"AWS::Lambda::EventSourceMapping\",\n      \"Properties\": {{\n        \"FunctionName\": {{\"Ref\": \"Handler{t}\"}},\n        \"EventSourceArn\": {source},\n        {position}\n        \"BatchSize\": 100\n      }},\n      \"Metadata\": {{\"aws:cdk:path\": \"OrdersStack{index}/Handler{t}/EventSource/Resource\"}}\n    }},\n    \"Handler{t}\": {{\n      \"Type\": \"AWS::Lambda::Function\",\n      \"Properties\": {{\n        \"Code\": {{\"S3Bucket\": {{\"Fn::Sub\": \"cdk-hnb659fds-assets-${{AWS::AccountId}}-${{AWS::Region}}\"}}, \"S3Key\": \"4f1c7b2a9d0e8f6c5b3a2d1e0f9c8b7a6d5e4f3c2b1a0d9e8f7c6b5a4d3e2f1.zip\"}},\n        \"Role\": {{\"Fn::GetAtt\": [\"Handler{t}ServiceRole\", \"Arn\"]}},\n        \"Environment\": {{\"Variables\": {{\"TABLE_NAME\": {{\"Ref\": \"Table{t}\"}}, \"LOG_LEVEL\": \"info\", \"AWS_NODEJS_CONNECTION_REUSE_ENABLED\": \"1\"}}}},\n        \"Handler\": \"index.handler\",\n        \"Runtime\": \"nodejs20.x\",\n        \"Timeout\": 30,\n        \"MemorySize\": 512,\n        \"TracingConfig\": {{\"Mode\": \"Active\"}}\n      }},\n      \"DependsOn\": [\"Handler{t}ServiceRoleDefaultPolicy\", \"Handler{t}ServiceRole\"],\n      \"Metadata\": {{\"aws:cdk:path\": \"OrdersStack{index}/Handler{t}/Resource\", \"aws:asset:path\": \"asset.4f1c7b2a9d0e8f6c\", \"aws:asset:is-bundled\": true, \"aws:asset:property\": \"Code\"}}\n    }},\n    \"Handler{t}ServiceRole\": {{\n      \"Type\": \"AWS::IAM::Role\",\n      \"Properties\": {{\n        \"AssumeRolePolicyDocument\": {{\"Statement\": [{{\"Action\": \"sts:AssumeRole\", \"Effect\": \"Allow\", \"Principal\": {{\"Service\": \"lambda.amazonaws.com\"}}}}], \"Version\": \"2012-10-17\"}},\n        \"ManagedPolicyArns\": [{{\"Fn::Join\": [\"\", [\"arn:\", {{\"Ref\": \"AWS::Partition\"}}, \":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\"]]}}]\n      }},\n      \"Metadata\": {{\"aws:cdk:path\": \"OrdersStack{index}/Handler{t}/ServiceRole/Resource\"}}\n    }},\n    \"Handler{t}ServiceRoleDefaultPolicy\": {{\n      \"Type\": \"AWS::IAM::Policy\",\n      \"Properties\": {{\n        \"PolicyDocument\": {{\"Statement\": [{{\"Action\": [\"kinesis:DescribeStream\", \"kinesis:DescribeStreamSummary\", \"kinesis:GetRecords\", \"kinesis:GetShardIterator\", \"kinesis:ListShards\", \"kinesis:SubscribeToShard\"], \"Effect\": \"Allow\", \"Resource\": {{\"Fn::GetAtt\": [\"Stream{t}\", \"Arn\"]}}}}, {{\"Action\": [\"dynamodb:GetRecords\", \"dynamodb:GetShardIterator\", \"dynamodb:DescribeStream\", \"dynamodb:ListStreams\"], \"Effect\": \"Allow\", \"Resource\": {{\"Fn::GetAtt\": [\"Table{t}\", \"StreamArn\"]}}}}, {{\"Action\": [\"sqs:ReceiveMessage\", \"sqs:ChangeMessageVisibility\", \"sqs:GetQueueUrl\", \"sqs:DeleteMessage\", \"sqs:GetQueueAttributes\"], \"Effect\": \"Allow\", \"Resource\": {{\"Fn::GetAtt\": [\"Queue{t}\", \"Arn\"]}}}}], \"Version\": \"2012-10-17\"}},\n        \"PolicyName\": \"Handler{t}ServiceRoleDefaultPolicy\",\n        \"Roles\": [{{\"Ref\": \"Handler{t}ServiceRole\"}}]\n      }},\n      \"Metadata\": {{\"aws:cdk:path\": \"OrdersStack{index}/Handler{t}/ServiceRole/DefaultPolicy/Resource\"}}\n    }},\n    \"Stream{t}\": {{\"Type\": \"AWS::Kinesis::Stream\", \"Properties\": {{\"ShardCount\": 1}}}},\n    \"Table{t}\": {{\"Type\": \"AWS::DynamoDB::Table\", \"Properties\": {{\"StreamSpecification\": {{\"StreamViewType\": \"NEW_IMAGE\"}}}}}},\n    \"Queue{t}\": {{\"Type\": \"AWS::SQS::Queue\", \"Properties\": {{\"VisibilityTimeout\": 60}}}}"
        ));
    }
    format!(
        "{{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {{\n{}\n  }}\n}}\n",
        resources.join(",\n")
    )
}

/// A Terraform module in one file: per trigger, the function, its role and policy, log group,
/// alarm, the stream, table and queue it could read, and the mapping; half the mappings are
/// written as entries of the terraform-aws-modules Lambda module, and a third read the queue of
/// a terraform-aws-modules SQS module call.
fn terraform(index: usize, triggers: usize) -> String {
    let mut s = format!(
        "terraform {{\n  required_providers {{\n    aws = {{\n      source  = \"hashicorp/aws\"\n      version = \"~> 6.0\"\n    }}\n  }}\n}}\n\nvariable \"environment\" {{\n  type    = string\n  default = \"prod\"\n}}\n\nvariable \"batch_size\" {{\n  type    = number\n  default = 100\n}}\n\nlocals {{\n  prefix = \"orders-{index}-${{var.environment}}\"\n  tags = {{\n    team        = \"payments\"\n    cost-center = \"cc-{index}\"\n  }}\n}}\n\n"
    );
    for t in 0..triggers {
        let (source, extra) = match t % 3 {
            0 => (
                format!("aws_kinesis_stream.stream{t}.arn"),
                "  starting_position                  = \"LATEST\"\n  maximum_retry_attempts             = 2\n  maximum_record_age_in_seconds      = 3600\n",
            ),
            1 => (
                format!("aws_dynamodb_table.table{t}.stream_arn"),
                "  starting_position                  = \"TRIM_HORIZON\"\n  bisect_batch_on_function_error     = true\n",
            ),
            // The queue of a terraform-aws-modules SQS module call: the module-call path.
            _ => (
                format!("module.jobs{t}.queue_arn"),
                "  function_response_types            = [\"ReportBatchItemFailures\"]\n",
            ),
        };
        if t % 3 == 2 {
            let _ = write!(
                s,
                "module \"jobs{t}\" {{\n  source  = \"terraform-aws-modules/sqs/aws\"\n  version = \"~> 5.0\"\n\n  name                       = \"${{local.prefix}}-jobs{t}\"\n  visibility_timeout_seconds = 360\n  create_dlq                 = true\n}}\n\n"
            );
        }
        let _ = write!(
            s,
            "resource \"aws_iam_role\" \"role{t}\" {{\n  name = \"${{local.prefix}}-consumer{t}\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [{{\n      Effect    = \"Allow\"\n      Principal = {{ Service = \"lambda.amazonaws.com\" }}\n      Action    = \"sts:AssumeRole\"\n    }}]\n  }})\n  tags = local.tags\n}}\n\nresource \"aws_iam_role_policy\" \"access{t}\" {{\n  role = aws_iam_role.role{t}.id\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n      {{\n        Effect   = \"Allow\"\n        Action   = [\"dynamodb:GetItem\", \"dynamodb:PutItem\", \"dynamodb:DescribeStream\", \"dynamodb:GetRecords\", \"dynamodb:GetShardIterator\", \"dynamodb:ListStreams\"]\n        Resource = [aws_dynamodb_table.table{t}.arn, \"${{aws_dynamodb_table.table{t}.arn}}/stream/*\"]\n      }},\n      {{\n        Effect   = \"Allow\"\n        Action   = [\"sqs:ReceiveMessage\", \"sqs:DeleteMessage\", \"sqs:GetQueueAttributes\"]\n        Resource = aws_sqs_queue.queue{t}.arn\n      }}\n    ]\n  }})\n}}\n\nresource \"aws_lambda_function\" \"consumer{t}\" {{\n  function_name = \"${{local.prefix}}-consumer{t}\"\n  role          = aws_iam_role.role{t}.arn\n  handler       = \"index.handler\"\n  runtime       = \"nodejs20.x\"\n  filename      = \"build/consumer{t}.zip\"\n  timeout       = 60\n  memory_size   = 1024\n\n  environment {{\n    variables = {{\n      TABLE_NAME = aws_dynamodb_table.table{t}.name\n      LOG_LEVEL  = \"info\"\n    }}\n  }}\n\n  tracing_config {{\n    mode = \"Active\"\n  }}\n\n  tags = local.tags\n}}\n\nresource \"aws_cloudwatch_log_group\" \"logs{t}\" {{\n  name              = \"/aws/lambda/${{aws_lambda_function.consumer{t}.function_name}}\"\n  retention_in_days = 30\n}}\n\nresource \"aws_cloudwatch_metric_alarm\" \"errors{t}\" {{\n  alarm_name          = \"${{local.prefix}}-consumer{t}-errors\"\n  namespace           = \"AWS/Lambda\"\n  metric_name         = \"Errors\"\n  statistic           = \"Sum\"\n  period              = 60\n  evaluation_periods  = 5\n  threshold           = 1\n  comparison_operator = \"GreaterThanOrEqualToThreshold\"\n  dimensions = {{\n    FunctionName = aws_lambda_function.consumer{t}.function_name\n  }}\n}}\n\nresource \"aws_kinesis_stream\" \"stream{t}\" {{\n  name             = \"${{local.prefix}}-stream{t}\"\n  shard_count      = 1\n  retention_period = 48\n}}\n\nresource \"aws_dynamodb_table\" \"table{t}\" {{\n  name             = \"${{local.prefix}}-table{t}\"\n  billing_mode     = \"PAY_PER_REQUEST\"\n  hash_key         = \"pk\"\n  range_key        = \"sk\"\n  stream_enabled   = true\n  stream_view_type = \"NEW_AND_OLD_IMAGES\"\n\n  attribute {{\n    name = \"pk\"\n    type = \"S\"\n  }}\n\n  attribute {{\n    name = \"sk\"\n    type = \"S\"\n  }}\n}}\n\nresource \"aws_sqs_queue\" \"queue{t}\" {{\n  name                       = \"${{local.prefix}}-queue{t}\"\n  visibility_timeout_seconds = 360\n  message_retention_seconds  = 1209600\n}}\n\n"
        );
        if t % 2 == 0 {
            let _ = write!(
                s,
                "resource \"aws_lambda_event_source_mapping\" \"mapping{t}\" {{\n  event_source_arn                   = {source}\n  function_name                      = aws_lambda_function.consumer{t}.arn\n  batch_size                         = var.batch_size\n{extra}}}\n\n"
            );
        } else {
            let _ = write!(
                s,
                "module \"worker{t}\" {{\n  source  = \"terraform-aws-modules/lambda/aws\"\n  version = \"~> 8.0\"\n\n  function_name = \"${{local.prefix}}-worker{t}\"\n  handler       = \"index.handler\"\n  runtime       = \"nodejs20.x\"\n  timeout       = 30\n\n  event_source_mapping = {{\n    main = {{\n      event_source_arn = {source}\n      batch_size       = 10\n{extra}    }}\n  }}\n}}\n\n"
            );
        }
    }
    s
}

/// `count` generated templates of a format: the same on every run.
pub fn generated(kind: Kind, count: usize) -> Vec<(String, String)> {
    (0..count)
        .map(|i| (kind.file_name(i), template(kind, i, TRIGGERS_PER_TEMPLATE)))
        .collect()
}

/// Templates written under a temporary folder, named by their absolute paths there: the
/// pipeline then reads what it reads in a real project (a Terraform module's folder, and the
/// registry modules its calls name, which are not followed from a folder that does not exist).
pub struct Pinned {
    _dir: tempfile::TempDir,
    pub texts: Vec<(String, String)>,
}

pub fn on_disk(texts: Vec<(String, String)>) -> Pinned {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let texts = texts
        .into_iter()
        .map(|(name, text)| {
            let path = dir.path().join(&name);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder created");
            std::fs::write(&path, &text).expect("template written");
            (path.to_string_lossy().into_owned(), text)
        })
        .collect();
    Pinned { _dir: dir, texts }
}

/// A template of about `bytes` bytes (one big stack).
pub fn large(kind: Kind, bytes: usize) -> String {
    let per_trigger = template(kind, 0, 1).len();
    template(kind, 0, bytes / per_trigger.max(1))
}

/// Writes `count` templates of every format under `dir`; returns the total bytes written.
pub fn write_corpus(dir: &Path, count: usize) -> std::io::Result<u64> {
    let mut total = 0;
    for kind in Kind::ALL {
        for i in 0..count.div_ceil(Kind::ALL.len()) {
            let path = dir.join(kind.name()).join(kind.file_name(i));
            std::fs::create_dir_all(path.parent().expect("a folder"))?;
            let text = template(kind, i, TRIGGERS_PER_TEMPLATE);
            total += text.len() as u64;
            std::fs::write(path, text)?;
        }
    }
    Ok(total)
}
