# A queue and its consumer, as `terraform fmt` writes them.
resource "aws_sqs_queue" "jobs" {
  name                       = "jobs-${var.env}" # one per environment
  visibility_timeout_seconds = 360
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead.arn
    maxReceiveCount     = 5
  })

  tags = {
    Team  = "payments"
    "a=b" = "c#d"
  }
}

resource "aws_iam_policy" "read" {
  description = "Reads the queue"
  policy      = <<-EOT
    {
      "Effect": "Allow", "x" = 1
    }
  EOT
  name        = "read"
}

/* A block comment
   with = inside */
resource "aws_lambda_event_source_mapping" "jobs" {
  for_each = { for k, v in var.queues : k => v if v.enabled }

  event_source_arn = each.value.arn
  function_name    = var.enabled ? aws_lambda_function.a.arn : "${lookup(var.names, "b")}"
  batch_size       = 10 // small batches

  lifecycle { ignore_changes = [enabled] }
}
