variable "environment" {
  description = "Deployment stage, part of every name."
  type        = string
  default     = "dev"
}

variable "orders_batch_size" {
  description = "Records per invocation of the orders consumer."
  type        = number
  default     = 100
}
