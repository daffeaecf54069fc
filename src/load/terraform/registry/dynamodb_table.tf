# What triggerlint reads of terraform-aws-modules/dynamodb-table/aws, modelled on v5.5.0 of
# github.com/terraform-aws-modules/terraform-aws-dynamodb-table (commit 45c9cb1): the table,
# whether it has a stream and of which view, and the outputs that name them. The defaults are
# that version's (`stream_enabled = false`, `stream_view_type = null`), unchanged since v1.

variable "name" {
  default = null
}

variable "stream_enabled" {
  default = false
}

variable "stream_view_type" {
  default = null
}

resource "aws_dynamodb_table" "this" {
  name             = var.name
  stream_enabled   = var.stream_enabled
  stream_view_type = var.stream_view_type
}

output "dynamodb_table_arn" {
  value = aws_dynamodb_table.this.arn
}

output "dynamodb_table_id" {
  value = aws_dynamodb_table.this.id
}

output "dynamodb_table_stream_arn" {
  value = aws_dynamodb_table.this.stream_arn
}
