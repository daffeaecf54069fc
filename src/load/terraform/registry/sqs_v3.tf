# What triggerlint reads of terraform-aws-modules/sqs/aws before v4, modelled on v3.5.0 of
# github.com/terraform-aws-modules/terraform-aws-sqs (the parent of commit f49fe2b, which made
# v4.0.0): outputs named `sqs_queue_*`, `redrive_policy` a JSON string, and a written default
# of 30 seconds for `visibility_timeout_seconds`.

variable "name" {
  default = null
}

variable "fifo_queue" {
  default = false
}

variable "visibility_timeout_seconds" {
  default = 30
}

variable "kms_master_key_id" {
  default = null
}

variable "redrive_policy" {
  default = ""
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  fifo_queue                 = var.fifo_queue
  visibility_timeout_seconds = var.visibility_timeout_seconds
  kms_master_key_id          = var.kms_master_key_id
  redrive_policy             = var.redrive_policy != "" ? var.redrive_policy : null
}

output "sqs_queue_id" {
  value = aws_sqs_queue.this.url
}

output "sqs_queue_arn" {
  value = aws_sqs_queue.this.arn
}

output "sqs_queue_name" {
  value = aws_sqs_queue.this.name
}
