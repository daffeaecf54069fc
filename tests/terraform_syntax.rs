//! Valid Terraform that hcl-edit 0.10.0 refused, read through the patched copy in `vendor/`.

use assert_cmd::Command;

/// A module whose `locals` break a conditional over lines inside a `for` expression (Terraform
/// ignores newlines there) lints like any other: its mapping's findings, no syntax error.
#[test]
fn a_conditional_broken_over_lines_in_a_for_expression_is_valid_terraform() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"variable "kind" {
  default = "sam"
}

locals {
  handlers = { for name in ["a", "b"] : name => var.kind == "sam" ?
    "index.handler" :
    "main.handler"
  }
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = "arn:aws:sqs:eu-west-1:123456789012:jobs"
  function_name    = "worker"
}
"#,
    )
    .unwrap();
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--format", "concise", "--fail-on", "error", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let codes: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("main.tf:"))
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert_eq!(codes, ["TL002", "TL207"], "{stdout}");
    assert!(stdout.starts_with("main.tf:12:1: TL002"), "{stdout}");
}
