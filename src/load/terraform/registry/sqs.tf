# What triggerlint reads of terraform-aws-modules/sqs/aws, modelled on v5.2.1 of
# github.com/terraform-aws-modules/terraform-aws-sqs (commit cc15171): the queue, its
# dead-letter queue and redrive policy, and the outputs that name them. The defaults are that
# version's; `visibility_timeout_seconds` defaults to null there (since v4.1.0), so the
# provider's 30 seconds apply, which is also the default v3 and v4.0 wrote out.

variable "name" {
  default = null
}

variable "fifo_queue" {
  default = false
}

variable "visibility_timeout_seconds" {
  default = null
}

variable "message_retention_seconds" {
  default = null
}

variable "kms_master_key_id" {
  default = null
}

variable "create_dlq" {
  default = false
}

variable "redrive_policy" {
  default = {}
}

variable "dlq_name" {
  default = null
}

variable "dlq_message_retention_seconds" {
  default = null
}

resource "aws_sqs_queue" "this" {
  name                       = var.fifo_queue ? "${trimsuffix(var.name, ".fifo")}.fifo" : var.name
  fifo_queue                 = var.fifo_queue
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  kms_master_key_id          = var.kms_master_key_id
  redrive_policy = var.create_dlq ? jsonencode(merge({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  }, var.redrive_policy)) : (length(var.redrive_policy) > 0 ? jsonencode(var.redrive_policy) : null)
}

resource "aws_sqs_queue" "dlq" {
  name                      = var.dlq_name
  fifo_queue                = var.fifo_queue
  message_retention_seconds = var.dlq_message_retention_seconds
}

output "queue_arn" {
  value = aws_sqs_queue.this.arn
}

output "queue_id" {
  value = aws_sqs_queue.this.url
}

output "queue_url" {
  value = aws_sqs_queue.this.url
}

output "queue_name" {
  value = aws_sqs_queue.this.name
}

output "dead_letter_queue_arn" {
  value = aws_sqs_queue.dlq.arn
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.dlq.url
}
