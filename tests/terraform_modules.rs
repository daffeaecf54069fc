//! Terraform as teams organise it: module calls evaluated as called (local folders, modules
//! `terraform init` downloaded, the registry modules triggerlint models), `for_each` and
//! `count` expanded into instances, functions over known values, data sources naming their
//! kind, and the mapping's own arguments narrowing a source nothing else names. Each finding of
//! a called module is reported at the module's line and names the call, in every format.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use triggerlint::config::Config;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A folder holding the given files.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

fn lint(dir: &Path) -> triggerlint::Run {
    let run = triggerlint::run(&[dir.to_path_buf()], &Config::default());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    run
}

/// (code, path relative to the run's folder, line, trigger path) of every finding but the
/// notes every SQS mapping here gets (TL002, TL207), sorted.
fn located(run: &triggerlint::Run, root: &Path) -> Vec<(&'static str, String, usize, String)> {
    let root = std::fs::canonicalize(root).unwrap();
    let mut found: Vec<_> = run
        .findings
        .iter()
        .filter(|f| !matches!(f.rule.code, "TL002" | "TL207"))
        .map(|f| {
            let file = run.sources.get(f.span.file);
            let path = std::fs::canonicalize(&file.path).unwrap_or(file.path.clone());
            let relative = path.strip_prefix(&root).unwrap_or(&path);
            (
                f.rule.code,
                relative.to_string_lossy().into_owned(),
                file.line_col(f.span.start as usize).line,
                f.path.to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

/// The first finding of a rule.
fn finding<'r>(run: &'r triggerlint::Run, code: &str) -> &'r triggerlint::rules::Finding {
    run.findings
        .iter()
        .find(|f| f.rule.code == code)
        .unwrap_or_else(|| panic!("no {code} finding"))
}

fn triggerlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("triggerlint").expect("binary");
    cmd.current_dir(dir);
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

const FUNCTION: &str = r#"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "index.handler"
  runtime       = "python3.12"
"#;

/// A root module calling one local child twice, with the queue and different timeouts.
fn two_calls() -> tempfile::TempDir {
    let child = format!(
        r#"variable "queue_arn" {{
  type = string
}}

variable "timeout" {{
  type = number
}}

resource "aws_lambda_function" "consumer" {{
  function_name = "consumer"{FUNCTION}  timeout       = var.timeout
}}

resource "aws_lambda_event_source_mapping" "orders" {{
  event_source_arn = var.queue_arn
  function_name    = aws_lambda_function.consumer.arn
  batch_size       = 10
}}
"#
    );
    tree(&[
        (
            "main.tf",
            r#"resource "aws_sqs_queue" "orders" {
  name                       = "orders"
  visibility_timeout_seconds = 30
}

module "orders_consumer" {
  source    = "./modules/consumer"
  queue_arn = aws_sqs_queue.orders.arn
  timeout   = 45
}

module "quick_consumer" {
  source    = "./modules/consumer"
  queue_arn = aws_sqs_queue.orders.arn
  timeout   = 10
}
"#,
        ),
        ("modules/consumer/main.tf", &child),
    ])
}

#[test]
fn a_called_module_is_evaluated_once_per_call_and_reported_at_its_own_lines() {
    let dir = two_calls();
    let run = lint(dir.path());
    // Two instances of the child's one mapping; the child is not linted again on its own.
    let paths: Vec<&str> = run.triggers.iter().map(|t| &*t.path).collect();
    assert_eq!(
        paths,
        [
            "module.orders_consumer.aws_lambda_event_source_mapping.orders",
            "module.quick_consumer.aws_lambda_event_source_mapping.orders"
        ]
    );
    let orders = "module.orders_consumer.aws_lambda_event_source_mapping.orders";
    let quick = "module.quick_consumer.aws_lambda_event_source_mapping.orders";
    let child = "modules/consumer/main.tf".to_string();
    assert_eq!(
        located(&run, dir.path()),
        [
            ("TL203", child.clone(), 17, orders.to_string()),
            ("TL204", child.clone(), 17, quick.to_string()),
            ("TL205", child.clone(), 17, orders.to_string()),
            ("TL205", child.clone(), 17, quick.to_string()),
        ]
    );
    let tl203 = finding(&run, "TL203");
    assert!(
        tl203
            .message
            .contains("function module.orders_consumer.aws_lambda_function.consumer (45 s)"),
        "{}",
        tl203.message
    );
    let call = tl203.module.as_ref().expect("the call");
    assert_eq!(call.address, "module.orders_consumer");
    let site = run.sources.get(call.sites[0].file);
    assert_eq!(site.line_col(call.sites[0].start as usize).line, 6);
    // The timeout is the caller's argument, and points there.
    let timeout = tl203
        .related
        .iter()
        .find(|r| r.message.contains("function timeout"))
        .unwrap();
    let file = run.sources.get(timeout.span.file);
    assert!(file.path.ends_with("main.tf") && !file.path.ends_with("consumer/main.tf"));
    assert_eq!(file.line_col(timeout.span.start as usize).line, 9);
}

#[test]
fn every_format_names_the_call() {
    let dir = two_calls();
    let human = stdout(triggerlint(dir.path()).args(["check", "--select", "TL203", "."]));
    assert!(
        human.contains("--> modules/consumer/main.tf:17:1"),
        "{human}"
    );
    assert!(
        human.contains("= note: in module.orders_consumer, called at main.tf:6"),
        "{human}"
    );
    let concise = stdout(
        triggerlint(dir.path()).args(["check", "--select", "TL203", "--format", "concise", "."]),
    );
    assert!(
        concise.starts_with("modules/consumer/main.tf:17:1: TL203 [error]")
            && concise.contains("(in module.orders_consumer, called at main.tf:6)"),
        "{concise}"
    );
    let json: Value = serde_json::from_str(&stdout(
        triggerlint(dir.path()).args(["check", "--select", "TL203", "--format", "json", "."]),
    ))
    .unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["file"], "modules/consumer/main.tf");
    assert_eq!(finding["line"], 17);
    assert_eq!(
        finding["path"],
        "module.orders_consumer.aws_lambda_event_source_mapping.orders"
    );
    assert_eq!(
        finding["module"],
        serde_json::json!({
            "address": "module.orders_consumer",
            "called_at": [{"file": "main.tf", "line": 6, "column": 1}]
        })
    );
    let sarif: Value = serde_json::from_str(&stdout(
        triggerlint(dir.path()).args(["check", "--select", "TL203", "--format", "sarif", "."]),
    ))
    .unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let location = &result["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "modules/consumer/main.tf"
    );
    assert_eq!(location["physicalLocation"]["region"]["startLine"], 17);
    assert!(location["logicalLocations"].as_array().unwrap().contains(
        &serde_json::json!({"fullyQualifiedName": "module.orders_consumer", "kind": "module"})
    ));
    let call_site = result["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["message"]["text"] == "module.orders_consumer is called here")
        .expect("the call site");
    assert_eq!(
        call_site["physicalLocation"]["artifactLocation"]["uri"],
        "main.tf"
    );
    assert_eq!(call_site["physicalLocation"]["region"]["startLine"], 6);
    let github = stdout(
        triggerlint(dir.path()).args(["check", "--select", "TL203", "--format", "github", "."]),
    );
    assert!(
        github.contains("::error file=modules/consumer/main.tf,line=17,col=1,")
            && github.contains("%0AModule: module.orders_consumer, called at main.tf:6"),
        "{github}"
    );
}

#[test]
fn a_child_linted_on_its_own_keeps_its_inputs_unknown() {
    let dir = two_calls();
    let run = lint(&dir.path().join("modules/consumer"));
    assert_eq!(run.triggers.len(), 1);
    let trigger = &run.triggers[0];
    assert_eq!(
        trigger.path.as_ref(),
        "aws_lambda_event_source_mapping.orders"
    );
    assert_eq!(trigger.source.id(), "unknown");
    assert!(
        trigger
            .kind_basis
            .to_string()
            .contains("input variable queue_arn, which has no default"),
        "{}",
        trigger.kind_basis
    );
    assert!(trigger.module_call.is_none());
    assert!(run.findings.iter().all(|f| f.rule.code != "TL203"));
}

#[test]
fn registry_sqs_module_defaults_and_outputs() {
    let main = |version: &str, output: &str| {
        format!(
            r#"module "jobs" {{
  source  = "terraform-aws-modules/sqs/aws"
  version = "{version}"
  name    = "jobs"
}}

resource "aws_lambda_function" "worker" {{
  function_name = "worker"{FUNCTION}  timeout       = 45
}}

resource "aws_lambda_event_source_mapping" "jobs" {{
  event_source_arn = module.jobs.{output}
  function_name    = aws_lambda_function.worker.arn
}}
"#
        )
    };
    // v4 and later: `queue_arn`, no visibility timeout written, so the provider's 30 s.
    let dir = tree(&[("main.tf", &main("~> 4.0", "queue_arn"))]);
    let run = lint(dir.path());
    assert_eq!(run.triggers[0].source.id(), "sqs");
    let tl203 = finding(&run, "TL203");
    assert!(
        tl203.message.contains(
            "queue module.jobs.aws_sqs_queue.this (30 s, the default of the Terraform AWS provider)"
        ),
        "{}",
        tl203.message
    );
    // v3: `sqs_queue_arn`, and 30 s written as the module's default.
    let dir = tree(&[("main.tf", &main("~> 3.0", "sqs_queue_arn"))]);
    let run = lint(dir.path());
    assert_eq!(run.triggers[0].source.id(), "sqs");
    assert!(run.findings.iter().any(|f| f.rule.code == "TL203"));
    // v4's outputs are not v3's.
    let dir = tree(&[("main.tf", &main("~> 4.0", "sqs_queue_arn"))]);
    let run = lint(dir.path());
    assert_eq!(run.triggers[0].source.id(), "unknown");
    // A FIFO queue and a dead-letter queue from the module's own arguments.
    let fifo = main("5.2.1", "queue_arn").replace(
        "  name    = \"jobs\"",
        "  name       = \"jobs\"\n  fifo_queue = true\n  create_dlq = true",
    );
    let dir = tree(&[("main.tf", &fifo)]);
    let run = lint(dir.path());
    assert_eq!(run.triggers[0].source.id(), "sqs-fifo");
    assert!(run.findings.iter().all(|f| f.rule.code != "TL205"));
}

#[test]
fn registry_dynamodb_table_module_stream() {
    let dir = tree(&[(
        "main.tf",
        &format!(
            r#"module "table" {{
  source           = "terraform-aws-modules/dynamodb-table/aws"
  name             = "orders"
  hash_key         = "id"
  stream_enabled   = true
  stream_view_type = "NEW_IMAGE"
}}

resource "aws_lambda_function" "worker" {{
  function_name = "worker"{FUNCTION}}}

resource "aws_lambda_event_source_mapping" "stream" {{
  event_source_arn  = module.table.dynamodb_table_stream_arn
  function_name     = aws_lambda_function.worker.arn
  starting_position = "LATEST"
}}
"#
        ),
    )]);
    let run = lint(dir.path());
    assert_eq!(run.triggers[0].source.id(), "dynamodb");
    assert_eq!(
        run.triggers[0].kind_basis.to_string(),
        "from resource module.table.aws_dynamodb_table.this (AWS::DynamoDB::Table)"
    );
    assert!(run.findings.iter().all(|f| f.rule.code != "TL110"));
}

#[test]
fn modules_terraform_downloaded_are_read_like_local_ones() {
    let child = r#"variable "timeout" {
  default = 60
}

resource "aws_sqs_queue" "this" {
  name = "downloaded"
}

resource "aws_lambda_function" "this" {
  function_name = "downloaded"
  timeout       = var.timeout
}

output "queue_arn" {
  value = aws_sqs_queue.this.arn
}

output "function_arn" {
  value = aws_lambda_function.this.arn
}
"#;
    let dir = tree(&[
        (
            "main.tf",
            r#"module "remote" {
  source = "git::https://example.com/queue-and-function.git?ref=v1"
}

resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn = module.remote.queue_arn
  function_name    = module.remote.function_arn
}
"#,
        ),
        (
            ".terraform/modules/modules.json",
            r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"remote","Source":"git::https://example.com/queue-and-function.git?ref=v1","Dir":".terraform/modules/remote"}]}"#,
        ),
        (".terraform/modules/remote/main.tf", child),
    ]);
    let run = lint(dir.path());
    // `.terraform` is read for the call, never walked as a module of its own.
    assert_eq!(run.triggers.len(), 1);
    let trigger = &run.triggers[0];
    assert_eq!(trigger.source.id(), "sqs");
    let function = trigger.function.as_ref().unwrap();
    assert!(function.in_template);
    assert_eq!(function.timeout.value(), Some(&60));
    assert!(run.findings.iter().any(|f| f.rule.code == "TL203"));
    // An editor's buffer of the folder's file (linted with the folder's listing, which tells
    // whether `.terraform` is there) reads the downloaded module too.
    let main = dir.path().join("main.tf");
    let buffer = |config: &Config| {
        let text = std::fs::read_to_string(&main).unwrap();
        triggerlint::engine::report_document(&main, text, config)
    };
    let edited = buffer(&Config::default());
    assert_eq!(edited.triggers[0].source.id(), "sqs");
    assert!(edited.findings.iter().any(|f| f.rule.code == "TL203"));
    // Without the file, the remote module's outputs stay unknown.
    std::fs::remove_file(dir.path().join(".terraform/modules/modules.json")).unwrap();
    let run = lint(dir.path());
    assert_eq!(run.triggers[0].source.id(), "unknown");
    assert_eq!(
        buffer(&Config::default()).triggers[0].source.id(),
        "unknown"
    );
    // Nor with no `.terraform` at all.
    std::fs::remove_dir_all(dir.path().join(".terraform")).unwrap();
    assert_eq!(
        buffer(&Config::default()).triggers[0].source.id(),
        "unknown"
    );
}

#[test]
fn for_each_expands_into_instances_with_their_keys() {
    let dir = tree(&[(
        "main.tf",
        &format!(
            r#"locals {{
  consumers = {{
    fast = {{ timeout = 10 }}
    slow = {{ timeout = 60 }}
  }}
}}

resource "aws_sqs_queue" "q" {{
  for_each                   = local.consumers
  name                       = each.key
  visibility_timeout_seconds = 30
}}

resource "aws_lambda_function" "f" {{
  for_each      = local.consumers
  function_name = each.key{FUNCTION}  timeout       = lookup(each.value, "timeout", 10)
}}

resource "aws_lambda_event_source_mapping" "m" {{
  for_each         = local.consumers
  event_source_arn = aws_sqs_queue.q[each.key].arn
  function_name    = aws_lambda_function.f[each.key].arn
}}
"#
        ),
    )]);
    let run = lint(dir.path());
    let paths: Vec<&str> = run.triggers.iter().map(|t| &*t.path).collect();
    assert_eq!(
        paths,
        [
            "aws_lambda_event_source_mapping.m[\"fast\"]",
            "aws_lambda_event_source_mapping.m[\"slow\"]"
        ]
    );
    let timeouts: Vec<Option<i64>> = run
        .triggers
        .iter()
        .map(|t| t.function.as_ref().unwrap().timeout.value().copied())
        .collect();
    assert_eq!(timeouts, [Some(10), Some(60)]);
    let errors: Vec<(&str, &str)> = run
        .findings
        .iter()
        .filter(|f| f.rule.code == "TL203")
        .map(|f| (f.rule.code, &*f.path))
        .collect();
    assert_eq!(
        errors,
        [("TL203", "aws_lambda_event_source_mapping.m[\"slow\"]")]
    );
    let json: Value = serde_json::from_str(&stdout(
        triggerlint(dir.path()).args(["check", "--select", "TL203", "--format", "json", "."]),
    ))
    .unwrap();
    assert_eq!(json["findings"][0]["line"], 23);
    assert_eq!(
        json["findings"][0]["path"],
        "aws_lambda_event_source_mapping.m[\"slow\"]"
    );
}

#[test]
fn count_expands_into_indexed_instances() {
    let dir = tree(&[(
        "main.tf",
        r#"variable "shards" {
  default = 2
}

resource "aws_kinesis_stream" "s" {
  count            = var.shards
  name             = "s-${count.index}"
  shard_count      = 1
  retention_period = 24
}

resource "aws_lambda_event_source_mapping" "m" {
  count             = var.shards
  event_source_arn  = aws_kinesis_stream.s[count.index].arn
  function_name     = "consumer"
  starting_position = "LATEST"
  batch_size        = count.index == 0 ? 100 : 5
}
"#,
    )]);
    let run = lint(dir.path());
    let found: Vec<(&str, &str, Option<i64>)> = run
        .triggers
        .iter()
        .map(|t| {
            (
                &*t.path,
                t.source.id(),
                t.settings.batch_size.value().copied(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("aws_lambda_event_source_mapping.m[0]", "kinesis", Some(100)),
            ("aws_lambda_event_source_mapping.m[1]", "kinesis", Some(5)),
        ]
    );
}

#[test]
fn an_unknown_collection_leaves_the_block_as_written() {
    let dir = tree(&[(
        "main.tf",
        r#"variable "queues" {
  type = map(string)
}

resource "aws_lambda_event_source_mapping" "m" {
  for_each         = var.queues
  event_source_arn = each.value
  function_name    = "consumer"
}
"#,
    )]);
    let run = lint(dir.path());
    assert_eq!(run.triggers.len(), 1);
    assert_eq!(&*run.triggers[0].path, "aws_lambda_event_source_mapping.m");
    assert_eq!(run.triggers[0].source.id(), "unknown");
}

#[test]
fn data_sources_name_their_kind() {
    let dir = tree(&[(
        "main.tf",
        r#"data "aws_sqs_queue" "q" {
  name = var.queue_name
}

data "aws_kinesis_stream" "s" {
  name = "events"
}

data "aws_dynamodb_table" "t" {
  name = "orders"
}

variable "queue_name" {}

resource "aws_lambda_event_source_mapping" "queue" {
  event_source_arn = data.aws_sqs_queue.q.arn
  function_name    = "consumer"
}

resource "aws_lambda_event_source_mapping" "stream" {
  event_source_arn  = data.aws_kinesis_stream.s.arn
  function_name     = "consumer"
  starting_position = "LATEST"
}

resource "aws_lambda_event_source_mapping" "table" {
  event_source_arn  = data.aws_dynamodb_table.t.stream_arn
  function_name     = "consumer"
  starting_position = "LATEST"
}
"#,
    )]);
    let run = lint(dir.path());
    let kinds: Vec<&str> = run.triggers.iter().map(|t| t.source.id()).collect();
    assert_eq!(kinds, ["sqs", "kinesis", "dynamodb"]);
}

#[test]
fn the_mappings_own_arguments_narrow_an_unknown_source() {
    let mapping = |name: &str, arguments: &str| {
        format!(
            r#"resource "aws_lambda_event_source_mapping" "{name}" {{
  event_source_arn = var.{name}_arn
  function_name    = "consumer"
{arguments}}}

variable "{name}_arn" {{}}
"#
        )
    };
    let text = [
        mapping(
            "sqs",
            "  scaling_config {\n    maximum_concurrency = 5\n  }\n",
        ),
        mapping("mq", "  queues = [\"orders\"]\n"),
        mapping(
            "msk",
            "  topics = [\"orders\"]\n  starting_position = \"LATEST\"\n",
        ),
        mapping(
            "docdb",
            "  document_db_event_source_config {\n    database_name = \"db\"\n  }\n",
        ),
        // The variable's name says nothing.
        mapping("kinesis_stream", "  batch_size = 10\n"),
    ]
    .concat();
    let dir = tree(&[("main.tf", &text)]);
    let run = lint(dir.path());
    let kinds: Vec<(&str, &str)> = run
        .triggers
        .iter()
        .map(|t| (&*t.path, t.source.id()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "aws_lambda_event_source_mapping.sqs",
                "sqs-standard-or-fifo"
            ),
            ("aws_lambda_event_source_mapping.mq", "mq"),
            ("aws_lambda_event_source_mapping.msk", "msk"),
            ("aws_lambda_event_source_mapping.docdb", "documentdb"),
            ("aws_lambda_event_source_mapping.kinesis_stream", "unknown"),
        ]
    );
    assert_eq!(
        run.triggers[0].kind_basis.to_string(),
        "assumed from `scaling_config`, which only SQS mappings take (standard or FIFO is not known)"
    );
    // Findings on an assumed kind say what was assumed.
    let assumed = run
        .findings
        .iter()
        .find(|f| &*f.path == "aws_lambda_event_source_mapping.sqs")
        .expect("a finding on the SQS mapping");
    assert!(
        assumed
            .help
            .as_deref()
            .unwrap()
            .ends_with("The source is taken to be SQS: assumed from `scaling_config`, which only SQS mappings take (standard or FIFO is not known)."),
        "{:?}",
        assumed.help
    );
}

#[test]
fn a_variables_validation_or_arn_default_decides_the_kind() {
    let dir = tree(&[(
        "main.tf",
        r#"variable "source_arn" {
  type = string
  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kinesis:", var.source_arn))
    error_message = "A Kinesis stream ARN."
  }
}

variable "queue_arn" {
  default = "arn:aws:sqs:eu-west-1:123456789012:jobs"
}

resource "aws_lambda_event_source_mapping" "validated" {
  event_source_arn  = var.source_arn
  function_name     = "consumer"
  starting_position = "LATEST"
}

resource "aws_lambda_event_source_mapping" "defaulted" {
  event_source_arn = var.queue_arn
  function_name    = "consumer"
}
"#,
    )]);
    let run = lint(dir.path());
    let kinds: Vec<&str> = run.triggers.iter().map(|t| t.source.id()).collect();
    assert_eq!(kinds, ["kinesis", "sqs"]);
}

#[test]
fn nested_calls_and_outputs_name_the_whole_chain() {
    let dir = tree(&[
        (
            "main.tf",
            r#"module "app" {
  source  = "./app"
  timeout = 120
}
"#,
        ),
        (
            "app/main.tf",
            r#"variable "timeout" {}

module "queue" {
  source = "../queue"
  name   = "app-jobs"
}

resource "aws_lambda_function" "f" {
  function_name = "app"
  timeout       = var.timeout
}

resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn = module.queue.arn
  function_name    = aws_lambda_function.f.arn
}
"#,
        ),
        (
            "queue/main.tf",
            r#"variable "name" {}

resource "aws_sqs_queue" "q" {
  name                       = var.name
  visibility_timeout_seconds = 60
}

output "arn" {
  value = aws_sqs_queue.q.arn
}
"#,
        ),
    ]);
    let run = lint(dir.path());
    assert_eq!(run.triggers.len(), 1);
    let trigger = &run.triggers[0];
    assert_eq!(
        &*trigger.path,
        "module.app.aws_lambda_event_source_mapping.m"
    );
    assert_eq!(trigger.source.id(), "sqs");
    let tl203 = finding(&run, "TL203");
    assert!(
        tl203
            .message
            .contains("queue module.app.module.queue.aws_sqs_queue.q (60 s)"),
        "{}",
        tl203.message
    );
    let human = stdout(triggerlint(dir.path()).args(["check", "--select", "TL203", "."]));
    assert!(
        human.contains("--> app/main.tf:13:1")
            && human.contains("= note: in module.app, called at main.tf:1"),
        "{human}"
    );
}

#[test]
fn a_module_calling_itself_stops() {
    let dir = tree(&[(
        "main.tf",
        r#"module "again" {
  source = "./"
}

resource "aws_lambda_event_source_mapping" "m" {
  event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:q"
  function_name    = "f"
}
"#,
    )]);
    let run = lint(dir.path());
    assert!(!run.triggers.is_empty() && run.triggers.len() <= 9);
}

#[test]
fn calls_that_multiply_stay_bounded() {
    // Four calls of a module that makes four calls of a module that makes four calls...: a
    // quarter of a million mappings as written; the run ends quickly with a bounded number.
    let mut files = vec![(
        "main.tf".to_string(),
        "module \"m\" {\n  source = \"./l0\"\n  count  = 4\n}\n".to_string(),
    )];
    for level in 0..7 {
        files.push((
            format!("l{level}/main.tf"),
            format!(
                "module \"m\" {{\n  source = \"../l{}\"\n  count  = 4\n}}\n",
                level + 1
            ),
        ));
    }
    files.push((
        "l7/main.tf".to_string(),
        "resource \"aws_lambda_event_source_mapping\" \"m\" {\n  event_source_arn = \"arn:aws:sqs:eu-west-1:123456789012:q\"\n  function_name    = \"f\"\n  count            = 4\n}\n".to_string(),
    ));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = tree(&borrowed);
    let started = std::time::Instant::now();
    let run = lint(dir.path());
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    // The first chain of calls reaches the mappings; the budget of calls stops the rest.
    let deepest = "module.m[0].module.m[0].module.m[0].module.m[0].module.m[0].module.m[0].module.m[0].module.m[0].aws_lambda_event_source_mapping.m[0]";
    assert!(run.triggers.iter().any(|t| &*t.path == deepest));
    assert!(run.triggers.len() <= 4 * 512, "{}", run.triggers.len());
}

#[test]
fn a_called_module_opened_in_the_editor_is_linted_as_called() {
    let dir = two_calls();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let child = dir.path().join("modules/consumer/main.tf");
    // The unsaved buffer: a batching window added, which the file on disk does not have.
    let text = std::fs::read_to_string(&child).unwrap().replace(
        "  batch_size       = 10\n",
        "  batch_size       = 10\n  maximum_batching_window_in_seconds = 5\n",
    );
    let run = triggerlint::run_text(&child, text, &Config::default());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let paths: Vec<&str> = run.triggers.iter().map(|t| &*t.path).collect();
    assert_eq!(
        paths,
        [
            "module.orders_consumer.aws_lambda_event_source_mapping.orders",
            "module.quick_consumer.aws_lambda_event_source_mapping.orders"
        ]
    );
    assert!(run.findings.iter().all(|f| f.rule.code != "TL002"));
    assert!(run.findings.iter().all(|f| {
        run.sources
            .get(f.span.file)
            .path
            .ends_with("consumer/main.tf")
    }));
    let tl203 = finding(&run, "TL203");
    assert_eq!(
        tl203.module.as_ref().map(|m| m.address.as_str()),
        Some("module.orders_consumer")
    );
    // A module nothing in the project calls is linted on its own, inputs unknown.
    std::fs::remove_file(dir.path().join("main.tf")).unwrap();
    let text = std::fs::read_to_string(&child).unwrap();
    let run = triggerlint::run_text(&child, text, &Config::default());
    assert_eq!(run.triggers.len(), 1);
    assert_eq!(run.triggers[0].source.id(), "unknown");
}
