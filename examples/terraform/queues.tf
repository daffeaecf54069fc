# Invoices arrive on a queue; failed ones go to a dead-letter queue after five receives.
resource "aws_sqs_queue" "invoices" {
  name                       = "invoices-${var.environment}"
  visibility_timeout_seconds = 60
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.invoices_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "invoices_dlq" {
  name = "invoices-dlq-${var.environment}"
}

resource "aws_lambda_function" "invoice_worker" {
  function_name = "invoice-worker-${var.environment}"
  role          = aws_iam_role.worker.arn
  handler       = "invoices.handler"
  runtime       = "python3.12"
  filename      = "build/invoices.zip"
  timeout       = 30
  # Kept low so the invoicing API is not overwhelmed.
  reserved_concurrent_executions = 5
}

resource "aws_lambda_event_source_mapping" "invoices" {
  event_source_arn = aws_sqs_queue.invoices.arn
  function_name    = aws_lambda_function.invoice_worker.arn
  batch_size       = 10
}
