# Orders are published on a Kinesis stream and consumed by a function from the
# terraform-aws-modules Lambda module; inventory changes come from a DynamoDB stream.
resource "aws_kinesis_stream" "orders" {
  name             = "orders-${var.environment}"
  shard_count      = 2
  retention_period = 168
}

module "order_consumer" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 8.0"

  function_name = "order-consumer-${var.environment}"
  handler       = "orders.handler"
  runtime       = "python3.12"
  source_path   = "src/orders"

  event_source_mapping = {
    orders = {
      event_source_arn  = aws_kinesis_stream.orders.arn
      starting_position = "TRIM_HORIZON"
      batch_size        = var.orders_batch_size
    }
  }
}

resource "aws_dynamodb_table" "inventory" {
  name             = "inventory-${var.environment}"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "sku"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "sku"
    type = "S"
  }
}

resource "aws_sqs_queue" "inventory_failures" {
  name = "inventory-failures-${var.environment}"
}

resource "aws_lambda_function" "inventory" {
  function_name = "inventory-${var.environment}"
  role          = aws_iam_role.worker.arn
  handler       = "inventory.handler"
  runtime       = "python3.12"
  filename      = "build/inventory.zip"
  timeout       = 30
}

resource "aws_lambda_event_source_mapping" "inventory" {
  event_source_arn                   = aws_dynamodb_table.inventory.stream_arn
  function_name                      = aws_lambda_function.inventory.arn
  starting_position                  = "LATEST"
  batch_size                         = 100
  maximum_batching_window_in_seconds = 2
  maximum_retry_attempts             = 5
  maximum_record_age_in_seconds      = 7200
  bisect_batch_on_function_error     = true
  function_response_types            = ["ReportBatchItemFailures"]

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.inventory_failures.arn
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "inventory_lag" {
  alarm_name          = "inventory-iterator-age-${var.environment}"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 60000
  comparison_operator = "GreaterThanThreshold"
  dimensions = {
    FunctionName = aws_lambda_function.inventory.function_name
  }
}
