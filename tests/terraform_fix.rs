//! `check --fix --unsafe-fixes` on Terraform modules, one fixable rule at a time: the module
//! before, its exact text after (a snapshot), the rule's finding gone when the module is
//! linted again, every comment line still there and the result still HCL.

mod common;

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// Every rule code the module's findings have, from `check --format json`.
fn codes(dir: &Path) -> Vec<String> {
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// Writes the module, checks `code` is found, fixes it, and returns `main.tf` after; the
/// finding must be gone, comments kept, and the file must still parse.
fn fix(code: &str, main: &str, others: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("module");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(module.join("main.tf"), main).unwrap();
    for (name, text) in others {
        let path = module.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let before = codes(&module);
    assert!(before.iter().any(|c| c == code), "{code} not in {before:?}");
    Command::cargo_bin("triggerlint")
        .unwrap()
        .args(["check", "--fix", "--unsafe-fixes"])
        .arg(&module)
        .assert()
        .stdout(predicates::str::contains("fixed"));
    let after = codes(&module);
    assert!(
        !after.iter().any(|c| c == code),
        "{code} still in {after:?}"
    );
    let fixed = std::fs::read_to_string(module.join("main.tf")).unwrap();
    triggerlint::parse::hcl::parse(&fixed, triggerlint::source::FileId(0))
        .unwrap_or_else(|e| panic!("the fixed module does not parse: {e:?}\n{fixed}"));
    for comment in main.lines().filter(|l| l.trim_start().starts_with('#')) {
        assert!(fixed.lines().any(|l| l == comment), "lost {comment:?}");
    }
    fixed
}

const FUNCTION: &str = r#"resource "aws_lambda_function" "worker" {
  function_name = "worker"
  timeout       = 60
}
"#;

fn with_function(text: &str) -> String {
    format!("{FUNCTION}\n{text}")
}

const QUEUE: &str = r#"# The jobs queue.
resource "aws_sqs_queue" "jobs" {
  name                       = "jobs"
  visibility_timeout_seconds = 400
  redrive_policy = jsonencode({
    deadLetterTargetArn = "arn:aws:sqs:us-east-1:123456789012:dead"
    maxReceiveCount     = 5
  })
}
"#;

/// An SQS mapping; its own arguments, if any, form a group of their own after a blank line
/// (`terraform fmt` aligns each group apart).
fn sqs_mapping(arguments: &str) -> String {
    let arguments = match arguments {
        "" => String::new(),
        some => format!("\n{some}"),
    };
    with_function(&format!(
        "{QUEUE}\n# Jobs go to the worker.\nresource \"aws_lambda_event_source_mapping\" \"jobs\" {{\n  event_source_arn = aws_sqs_queue.jobs.arn\n  function_name    = aws_lambda_function.worker.arn\n{arguments}}}\n"
    ))
}

const STREAM: &str = r#"resource "aws_kinesis_stream" "events" {
  name             = "events"
  shard_count      = 1
  retention_period = 24
}
"#;

/// A Kinesis mapping with every run-time safeguard but the ones a case leaves out.
fn stream_mapping(arguments: &str) -> String {
    with_function(&format!(
        "{STREAM}\n# Events go to the worker.\nresource \"aws_lambda_event_source_mapping\" \"events\" {{\n  event_source_arn  = aws_kinesis_stream.events.arn\n  function_name     = aws_lambda_function.worker.arn\n  starting_position = \"LATEST\" # new records only\n\n{arguments}\n  destination_config {{\n    on_failure {{\n      destination_arn = \"arn:aws:sqs:us-east-1:123456789012:failed\"\n    }}\n  }}\n}}\n"
    ))
}

const SAFEGUARDS: &str = "  batch_size                         = 100\n  maximum_batching_window_in_seconds = 1\n  maximum_retry_attempts             = 10\n  maximum_record_age_in_seconds      = 3600\n  bisect_batch_on_function_error     = true\n";

fn without(line: &str) -> String {
    SAFEGUARDS
        .lines()
        .filter(|l| !l.contains(line))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn tl201_adds_a_batching_window_to_a_large_sqs_batch() {
    let fixed = fix(
        "TL201",
        &sqs_mapping("  batch_size = 100 # as many as possible\n"),
        &[],
    );
    insta::assert_snapshot!(fixed);
}

#[test]
fn tl201_in_a_lambda_module_entry() {
    let main = r#"module "worker" {
  source  = "terraform-aws-modules/lambda/aws"
  version = "~> 7.0"

  function_name = "worker"
  timeout       = 60

  event_source_mapping = {
    jobs = {
      event_source_arn = aws_sqs_queue.jobs.arn
      batch_size       = 100
    }
  }
}
"#;
    let fixed = fix("TL201", &format!("{main}\n{QUEUE}"), &[]);
    insta::assert_snapshot!(fixed);
}

#[test]
fn tl202_caps_a_fifo_batch_and_removes_the_window() {
    let main = sqs_mapping(
        "  batch_size                         = 100\n  maximum_batching_window_in_seconds = 5\n",
    )
    .replace(
        "  name                       = \"jobs\"\n",
        "  name                       = \"jobs.fifo\"\n  fifo_queue                 = true\n",
    );
    insta::assert_snapshot!(fix("TL202", &main, &[]));
}

#[test]
fn tl203_raises_the_queue_visibility_timeout() {
    let main = sqs_mapping("").replace(
        "visibility_timeout_seconds = 400",
        "visibility_timeout_seconds = 30",
    );
    insta::assert_snapshot!(fix("TL203", &main, &[]));
}

#[test]
fn tl204_adds_the_visibility_margin() {
    let main = sqs_mapping("").replace(
        "visibility_timeout_seconds = 400",
        "visibility_timeout_seconds = 90",
    );
    insta::assert_snapshot!(fix("TL204", &main, &[]));
}

#[test]
fn tl206_raises_the_receive_count_inside_jsonencode() {
    let main = sqs_mapping("").replace("maxReceiveCount     = 5", "maxReceiveCount     = 1");
    insta::assert_snapshot!(fix("TL206", &main, &[]));
}

#[test]
fn tl003_removes_an_argument_sqs_does_not_take() {
    let fixed = fix(
        "TL003",
        &sqs_mapping("  parallelization_factor = 2\n  batch_size             = 10\n"),
        &[],
    );
    insta::assert_snapshot!(fixed);
}

/// Each stream safeguard left out, and the rule that adds it back.
#[test]
fn stream_safeguards_left_out_are_added() {
    let cases = [
        (
            "tl101_bounds_stream_retries",
            "TL101",
            "maximum_retry_attempts",
        ),
        (
            "tl102_bounds_the_record_age",
            "TL102",
            "maximum_record_age_in_seconds",
        ),
        (
            "tl104_turns_bisect_on",
            "TL104",
            "bisect_batch_on_function_error",
        ),
        (
            "tl002_adds_a_batching_window_to_a_stream",
            "TL002",
            "maximum_batching_window_in_seconds",
        ),
    ];
    for (name, code, left_out) in cases {
        let fixed = fix(code, &stream_mapping(&without(left_out)), &[]);
        insta::assert_snapshot!(name, fixed);
    }
}

#[test]
fn tl107_raises_a_small_stream_batch() {
    let arguments = SAFEGUARDS.replace(
        "batch_size                         = 100",
        "batch_size                         = 1",
    );
    let fixed = fix("TL107", &stream_mapping(&arguments), &[]);
    insta::assert_snapshot!(fixed);
}

/// A value from a variable that nothing else reads is changed at the variable's default.
#[test]
fn a_variable_read_once_is_fixed_at_its_default() {
    let main = sqs_mapping("  batch_size = var.batch_size\n").replace(
        "  name                       = \"jobs\"\n",
        "  name                       = \"jobs.fifo\"\n  fifo_queue                 = true\n",
    );
    let variables =
        "variable \"batch_size\" {\n  type    = number\n  default = 100 # per poll\n}\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), &main).unwrap();
    std::fs::write(dir.path().join("variables.tf"), variables).unwrap();
    let before = codes(dir.path());
    assert!(before.contains(&"TL202".to_string()), "{before:?}");
    Command::cargo_bin("triggerlint")
        .unwrap()
        .args(["check", "--fix"])
        .arg(dir.path())
        .assert()
        .stdout(predicates::str::contains("1 fixed"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("main.tf")).unwrap(),
        main
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("variables.tf")).unwrap(),
        variables.replace("default = 100", "default = 10")
    );
    assert!(!codes(dir.path()).contains(&"TL202".to_string()));
}

/// A module called twice: its mapping block is shared by both calls, so a value they both
/// need changed alike is changed once, in the module.
#[test]
fn a_block_shared_by_calls_that_want_the_same_fix_is_fixed_once() {
    let consumer = "variable \"queue_arn\" {}\n\nresource \"aws_lambda_event_source_mapping\" \"this\" {\n  event_source_arn = var.queue_arn\n  function_name    = \"worker\"\n  batch_size       = 100\n}\n";
    let root = "module \"orders\" {\n  source    = \"./consumer\"\n  queue_arn = \"arn:aws:sqs:us-east-1:123456789012:orders\"\n}\n\nmodule \"billing\" {\n  source    = \"./consumer\"\n  queue_arn = \"arn:aws:sqs:us-east-1:123456789012:billing\"\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let root_dir = dir.path().join("root");
    std::fs::create_dir_all(root_dir.join("consumer")).unwrap();
    std::fs::write(root_dir.join("main.tf"), root).unwrap();
    std::fs::write(root_dir.join("consumer/main.tf"), consumer).unwrap();
    let before = codes(&root_dir);
    assert_eq!(
        before.iter().filter(|c| *c == "TL201").count(),
        2,
        "{before:?}"
    );
    Command::cargo_bin("triggerlint")
        .unwrap()
        .args(["check", "--fix"])
        .arg(&root_dir)
        .assert()
        .stdout(predicates::str::contains("fixed"));
    let after = std::fs::read_to_string(root_dir.join("consumer/main.tf")).unwrap();
    assert_eq!(
        after,
        consumer.replace(
            "  event_source_arn = var.queue_arn\n  function_name    = \"worker\"\n  batch_size       = 100\n",
            "  event_source_arn                   = var.queue_arn\n  function_name                      = \"worker\"\n  batch_size                         = 100\n  maximum_batching_window_in_seconds = 1\n"
        )
    );
    assert!(!codes(&root_dir).contains(&"TL201".to_string()));
}

/// The human, concise and GitHub reports show only whether each fix can be written, so
/// `check` resolves Terraform fixes for them without realigning the lines around an inserted
/// argument. JSON and `--diff` show the realigned edits, and the human report marks the same
/// fixes as JSON counts.
#[test]
fn reports_without_edits_count_the_fixes_json_shows_realigned() {
    let dir = tempfile::tempdir().unwrap();
    let main = sqs_mapping("  batch_size = 100\n");
    std::fs::write(dir.path().join("main.tf"), &main).unwrap();
    let run = |args: &[&str]| {
        let args: Vec<&str> = ["check"]
            .iter()
            .chain(args)
            .chain(&["."])
            .copied()
            .collect();
        common::stdout_of(dir.path(), &args)
    };
    let json: Value = serde_json::from_str(&run(&["--format", "json"])).unwrap();
    let fixes: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.get("fix"))
        .filter(|fix| !fix["edits"].as_array().unwrap().is_empty())
        .collect();
    let count = |applicability: &str| {
        fixes
            .iter()
            .filter(|fix| fix["applicability"] == applicability)
            .count()
    };
    let (safe, unsafe_) = (count("safe"), count("unsafe"));
    assert_eq!((safe, unsafe_), (1, 1), "{json:#}");
    // TL201's new argument realigns `batch_size`, the one other line of its group (TL002's
    // fix makes the same edits).
    let window = fixes[0]["edits"].as_array().unwrap();
    let texts: Vec<&str> = window
        .iter()
        .map(|e| e["content"].as_str().unwrap())
        .collect();
    assert_eq!(window.len(), 2, "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("maximum_batching_window_in_seconds = 1")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.trim().is_empty() && !t.is_empty()),
        "{texts:?}"
    );

    let human = run(&[]);
    assert!(
        human.ends_with("\n[*] 1 fixable with `--fix` (1 more with `--unsafe-fixes`)\n"),
        "{human}"
    );
    let diff = run(&["--diff"]);
    assert!(
        diff.contains("-  batch_size = 100\n+  batch_size                         = 100\n+  maximum_batching_window_in_seconds = 1\n"),
        "{diff}"
    );
}
