//! `triggerlint server` on a Terraform child module opened in the editor: when a module of the
//! workspace calls it, its diagnostics are the CLI's findings of that module as called (one
//! set per call, with the caller's arguments), from the unsaved buffer; a module no one calls
//! keeps its inputs unknown, as the CLI does.

// The shared client has helpers (edits, quick fixes) this file does not need.
#[allow(dead_code)]
#[path = "common/lsp.rs"]
mod lsp;

use std::path::Path;

use assert_cmd::Command;
use lsp::{Client, project, write};
use serde_json::Value;

/// Two calls of one child module: the function's timeout is the caller's argument.
const CALLER: &str = r#"module "orders" {
  source  = "./consumer"
  timeout = 45
}

module "invoices" {
  source  = "./consumer"
  timeout = 20
}
"#;

/// A queue with the provider's 30 s visibility timeout, read by a function whose timeout is an
/// input without a default.
const CHILD: &str = r#"variable "timeout" {}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
  redrive_policy = jsonencode({
    deadLetterTargetArn = "arn:aws:sqs:eu-west-1:123456789012:jobs-dlq"
    maxReceiveCount     = 5
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  timeout       = var.timeout
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn                   = aws_sqs_queue.jobs.arn
  function_name                      = aws_lambda_function.worker.arn
  batch_size                         = 1
  function_response_types            = ["ReportBatchItemFailures"]
}
"#;

/// (code, 1-based line, severity, message without help) of each diagnostic, sorted.
fn summary(diagnostics: &[Value]) -> Seen {
    let mut out: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let message = d["message"].as_str().unwrap();
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["severity"].as_u64().unwrap(),
                message.split("\nhelp: ").next().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// What `check --format json` run on the whole workspace reports in `file`, in the same shape
/// (severity as the server numbers it).
fn check_summary(root: &Path, file: &str) -> Seen {
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .current_dir(root)
        .args(["check", "--format", "json", "."])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().unwrap().ends_with(file))
        .map(|f| {
            let severity = match f["severity"].as_str().unwrap() {
                "error" => 1,
                "warning" => 2,
                _ => 3,
            };
            (
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                severity,
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn messages_of<'d>(seen: &'d [(String, u64, u64, String)], code: &str) -> Vec<&'d str> {
    seen.iter()
        .filter(|(c, ..)| c == code)
        .map(|(.., message)| message.as_str())
        .collect()
}

type Seen = Vec<(String, u64, u64, String)>;

/// A child module opened in a new server.
struct Opened {
    child: std::path::PathBuf,
    client: Client,
    uri: String,
    /// The diagnostics the server first publishes, whole.
    published: Vec<Value>,
    /// The same, summarised.
    seen: Seen,
    /// What `check` reports in the child, summarised.
    cli: Seen,
}

/// Writes the child module and opens it in a new server.
fn open_child(root: &Path) -> Opened {
    let child = write(root, "consumer/main.tf", CHILD);
    let cli = check_summary(root, "consumer/main.tf");
    let mut client = Client::start();
    let uri = client.open(&child, "terraform", CHILD);
    let published = client.diagnostics(&uri);
    let seen = summary(&published);
    Opened {
        child,
        client,
        uri,
        published,
        seen,
        cli,
    }
}

#[test]
fn a_called_child_module_opened_in_the_editor_is_linted_as_called() {
    let dir = project();
    write(dir.path(), "main.tf", CALLER);
    let Opened {
        child,
        mut client,
        uri,
        published,
        seen,
        cli,
    } = open_child(dir.path());

    // Each call's findings, at the child's lines, as `check` gives them from the caller.
    assert_eq!(seen, cli);
    // The 45 s call outlasts the queue's 30 s visibility timeout; the 20 s call only misses
    // the recommended margin. Messages name each call's resources.
    let fails = messages_of(&seen, "TL203");
    assert_eq!(fails.len(), 1, "{seen:#?}");
    assert!(
        fails[0].contains("module.orders.aws_sqs_queue.jobs")
            && fails[0].contains("module.orders.aws_lambda_function.worker (45 s)"),
        "{fails:?}"
    );
    let margin = messages_of(&seen, "TL204");
    assert_eq!(margin.len(), 1, "{seen:#?}");
    assert!(
        margin[0].contains("module.invoices.aws_lambda_function.worker (20 s)"),
        "{margin:?}"
    );
    assert!(seen.iter().all(|(_, line, ..)| *line == 16), "{seen:#?}");
    // Each diagnostic names the call it was evaluated for, as the CLI's note does.
    let calls: Vec<String> = published
        .iter()
        .filter(|d| d["code"] == "TL203" || d["code"] == "TL204")
        .map(|d| {
            let message = d["message"].as_str().unwrap();
            message[message.rfind("\nin ").unwrap() + 4..].to_string()
        })
        .collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("module.orders, called at "))
            && calls
                .iter()
                .any(|c| c.starts_with("module.invoices, called at ")),
        "{calls:?}"
    );

    // The unsaved buffer is what is linted, still as called.
    let fixed = CHILD.replace(
        "  name = \"jobs\"\n",
        "  name = \"jobs\"\n  visibility_timeout_seconds = 600\n",
    );
    client.change(&uri, 2, &fixed);
    let after = summary(&client.diagnostics(&uri));
    assert!(
        messages_of(&after, "TL203").is_empty() && messages_of(&after, "TL204").is_empty(),
        "{after:#?}"
    );
    assert_eq!(std::fs::read_to_string(&child).unwrap(), CHILD);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn a_child_module_no_one_calls_keeps_its_inputs_unknown() {
    let dir = project();
    let Opened {
        client, seen, cli, ..
    } = open_child(dir.path());

    assert_eq!(seen, cli);
    // The function's timeout is unknown: nothing is said about it.
    assert!(
        messages_of(&seen, "TL203").is_empty() && messages_of(&seen, "TL204").is_empty(),
        "{seen:#?}"
    );
    assert_eq!(client.shut_down(), 0);
}
