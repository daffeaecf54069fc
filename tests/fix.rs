//! Fixes: each fixable rule's fixes on its fixtures (the change as a snapshot, the finding gone
//! on re-lint), `--diff` applied with `git apply`, `--fix` on a copy of the shared corpus.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use triggerlint::config::Config;
use triggerlint::engine::fix::{FixMode, fix_report};
use triggerlint::model::Applicability;

/// Every rule that proposes a written fix somewhere.
const FIXABLE: &[&str] = &[
    "TL002", "TL003", "TL009", "TL101", "TL102", "TL103", "TL104", "TL105", "TL107", "TL201",
    "TL202", "TL203", "TL204", "TL206", "TL403",
];

const EVERYTHING: FixMode = FixMode { unsafe_fixes: true };

fn config_for(code: &str) -> Config {
    Config {
        select: vec![code.to_string()],
        ..Config::default()
    }
}

/// The rule's findings in a text that `--fix --unsafe-fixes` would fix.
fn fixable(report: &triggerlint::engine::FileReport, code: &str, config: &Config) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.rule.code == code && EVERYTHING.applies(f, config))
        .count()
}

/// One fixture fixed with one rule's fixes: the diff (or why nothing is written) for the
/// snapshot, after checking that the re-linted text has none of the findings fixed.
fn fix_fixture(path: &Path, code: &str) -> (String, usize) {
    let config = config_for(code);
    let text = std::fs::read_to_string(path).unwrap();
    let report = triggerlint::engine::report_text(path, text.clone(), &config);
    let before = report
        .findings
        .iter()
        .filter(|f| f.rule.code == code)
        .count();
    let mut shown = String::new();
    for finding in report.findings.iter().filter(|f| f.rule.code == code) {
        if let Some(fix) = finding.fix.as_ref().filter(|f| f.edits.is_empty()) {
            shown.push_str(&format!(
                "display only: {} ({})\n",
                fix.title,
                fix.why_display.as_deref().unwrap_or("the rule's decision")
            ));
        }
    }
    let fixes = fix_report(&report, &config, EVERYTHING);
    let mut applied = 0;
    for fixed in &fixes {
        assert!(
            fixed.problems.is_empty(),
            "{}: {:?}",
            path.display(),
            fixed.problems
        );
        assert_eq!(fixed.path, path, "a fix of {code} edits another file");
        applied += fixed.count();
        shown.push_str(&fixed.diff());
        let relinted = triggerlint::engine::report_text(path, fixed.fixed.clone(), &config);
        assert_eq!(
            fixable(&relinted, code, &config),
            0,
            "{}: {code} still has fixes after --fix:\n{}",
            path.display(),
            fixed.fixed
        );
        let after = relinted
            .findings
            .iter()
            .filter(|f| f.rule.code == code)
            .count();
        assert_eq!(
            after,
            before - fixed.applied.get(code).copied().unwrap_or(0),
            "{}: the fixed findings of {code} are gone on re-lint, and no other",
            path.display()
        );
    }
    if fixes.is_empty() {
        shown.push_str("(no change)\n");
    }
    (shown, applied)
}

fn rule_fixtures(code: &str) -> (String, Vec<PathBuf>) {
    let rule = triggerlint::rules::find(code).unwrap();
    let folder = PathBuf::from("fixtures").join(rule.slug);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            // Terraform files are fixb's writer's, tested with it.
            name.starts_with("bad.") && !name.ends_with(".tf")
        })
        .collect();
    files.sort();
    (rule.slug.to_string(), files)
}

#[test]
fn every_fixable_rule_fixes_its_fixtures_and_the_findings_are_gone() {
    for code in FIXABLE {
        let (slug, files) = rule_fixtures(code);
        let mut snapshot = String::new();
        let mut applied = 0;
        for file in &files {
            let (shown, count) = fix_fixture(file, code);
            applied += count;
            snapshot.push_str(&format!("## {}\n{shown}\n", file.display()));
        }
        assert!(applied > 0, "{code}: no fixture of {slug} got a fix");
        insta::assert_snapshot!(format!("fix_{slug}"), snapshot);
    }
}

#[test]
fn every_rule_page_says_its_automatic_fix() {
    const SAFE: &[&str] = &["TL003", "TL009", "TL201", "TL202", "TL203", "TL403"];
    for rule in triggerlint::rules::ALL {
        let fix = rule.docs.split("## Fix\n\n").nth(1).unwrap_or_default();
        let expected = if SAFE.contains(&rule.code) {
            "**Automatic fix: safe**"
        } else if FIXABLE.contains(&rule.code) {
            "**Automatic fix: unsafe**"
        } else {
            "**Automatic fix: none**"
        };
        assert!(
            fix.starts_with(expected),
            "{}: the Fix section starts with {expected}",
            rule.slug
        );
    }
}

#[test]
fn unfixable_rules_show_their_fixes_without_applying_them() {
    let config = Config {
        unfixable: vec!["TL2".to_string()],
        ..Config::default()
    };
    let text = std::fs::read_to_string("fixtures/sqs-batch-window-required/bad.sam.yaml").unwrap();
    let report = triggerlint::engine::report_text("template.yaml", text, &config);
    let fix = report
        .findings
        .iter()
        .find(|f| f.rule.code == "TL201")
        .and_then(|f| f.fix.clone())
        .unwrap();
    assert_eq!(fix.applicability, Applicability::Display);
    assert!(fix.why_display.unwrap().contains("`[fix]`"));
    let fixed = fix_report(&report, &config, EVERYTHING);
    assert!(
        fixed
            .iter()
            .all(|f| f.applied.keys().all(|c| !c.starts_with("TL2")))
    );
}

#[test]
fn plan_and_deployed_findings_carry_display_only_fixes_that_say_why() {
    let config = Config::default();
    let text = std::fs::read_to_string("fixtures/stream-unbounded-retries/bad.cfn.yaml").unwrap();
    let synthesized = Path::new("cdk.out/Stack.template.yaml");
    let report = triggerlint::engine::report_text(synthesized, text, &config);
    let fix = report
        .findings
        .iter()
        .find(|f| f.rule.code == "TL101")
        .and_then(|f| f.fix.clone())
        .expect("TL101 proposes a fix");
    assert_eq!(fix.applicability, Applicability::Display);
    assert!(fix.edits.is_empty());
    assert!(
        fix.why_display.unwrap().contains("synthesized by the CDK"),
        "the reason names the CDK"
    );
}

/// A text fixed with one rule's fixes (safe and unsafe), and the reasons of the fixes shown
/// only.
fn fixed_text(name: &str, text: &str, code: &str) -> (String, Vec<String>) {
    let config = config_for(code);
    let report = triggerlint::engine::report_text(name, text.to_string(), &config);
    let why: Vec<String> = report
        .findings
        .iter()
        .filter_map(|f| f.fix.as_ref()?.why_display.clone())
        .collect();
    let fixes = fix_report(&report, &config, EVERYTHING);
    let fixed = fixes.first().map_or(text.to_string(), |f| f.fixed.clone());
    (fixed, why)
}

const SQS_MAPPING: &str = "Resources:\n  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n";

#[test]
fn a_key_is_added_inside_a_flow_map() {
    let text = format!(
        "{SQS_MAPPING}    Properties: {{FunctionName: consumer, EventSourceArn: \"arn:aws:sqs:us-east-1:123456789012:jobs\", BatchSize: 50}}\n"
    );
    let (fixed, _) = fixed_text("template.yaml", &text, "TL201");
    assert_eq!(
        fixed,
        format!(
            "{SQS_MAPPING}    Properties: {{FunctionName: consumer, EventSourceArn: \"arn:aws:sqs:us-east-1:123456789012:jobs\", BatchSize: 50, MaximumBatchingWindowInSeconds: 1}}\n"
        )
    );
}

#[test]
fn comments_blank_lines_and_indentation_stay_as_written() {
    let text = format!(
        "{SQS_MAPPING}    Properties:\n        FunctionName: consumer   # the worker\n\n        EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs\n        # big batches\n        BatchSize: 50 # tuned\n# the end\n"
    );
    let (fixed, _) = fixed_text("template.yaml", &text, "TL201");
    assert_eq!(
        fixed,
        format!(
            "{SQS_MAPPING}    Properties:\n        FunctionName: consumer   # the worker\n\n        EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs\n        # big batches\n        BatchSize: 50 # tuned\n        MaximumBatchingWindowInSeconds: 1\n# the end\n"
        )
    );
}

#[test]
fn crlf_line_breaks_are_kept() {
    let text = format!(
        "{SQS_MAPPING}    Properties:\n      FunctionName: consumer\n      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs\n      BatchSize: 50\n"
    )
    .replace('\n', "\r\n");
    let (fixed, _) = fixed_text("template.yaml", &text, "TL201");
    assert_eq!(
        fixed,
        format!("{text}      MaximumBatchingWindowInSeconds: 1\r\n")
    );
}

#[test]
fn an_anchor_other_triggers_read_is_never_edited() {
    let text = format!(
        "{SQS_MAPPING}    Properties: &props\n      FunctionName: consumer\n      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:jobs\n      BatchSize: 50\n  Other:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties: *props\n"
    );
    let (fixed, why) = fixed_text("template.yaml", &text, "TL201");
    assert_eq!(fixed, text, "nothing is written");
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(
        why.iter()
            .all(|w| w.contains("anchor") || w.contains("alias")),
        "{why:?}"
    );
}

#[test]
fn a_value_read_through_an_alias_is_overridden_at_the_trigger() {
    let text = "service: s\ncustom:\n  size: &size 20\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - sqs:\n          arn: arn:aws:sqs:us-east-1:123456789012:jobs.fifo\n          batchSize: *size # shared\n";
    let (fixed, _) = fixed_text("serverless.yml", text, "TL202");
    assert_eq!(
        fixed,
        text.replace("batchSize: *size # shared", "batchSize: 10 # shared")
    );
}

#[test]
fn serverless_variables_are_replaced_at_the_trigger_never_where_they_are_defined() {
    let text = "service: s\ncustom:\n  size: 20\n  stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - sqs:\n          arn: arn:aws:sqs:us-east-1:123456789012:jobs.fifo\n          batchSize: ${self:custom.size}\n      - stream: ${self:custom.stream}\n";
    let (fixed, _) = fixed_text("serverless.yml", text, "TL202");
    assert_eq!(
        fixed,
        text.replace("batchSize: ${self:custom.size}", "batchSize: 10")
    );
    // The short form's ARN is a variable: the map form keeps it as written.
    let (fixed, _) = fixed_text("serverless.yml", text, "TL105");
    assert_eq!(
        fixed,
        text.replace(
            "      - stream: ${self:custom.stream}\n",
            "      - stream:\n          arn: ${self:custom.stream}\n          startingPosition: LATEST\n"
        )
    );
}

#[test]
fn a_key_is_added_after_a_last_value_that_a_variable_defines_further_down() {
    let text = "service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - sqs:\n          arn: arn:aws:sqs:us-east-1:123456789012:jobs\n          batchSize: ${self:custom.size}\ncustom:\n  size: 50\n";
    let (fixed, _) = fixed_text("serverless.yml", text, "TL201");
    assert_eq!(
        fixed,
        text.replace(
            "batchSize: ${self:custom.size}\n",
            "batchSize: ${self:custom.size}\n          maximumBatchingWindow: 1\n"
        )
    );
}

#[test]
fn a_short_form_event_keeps_what_follows_its_arn_on_the_line() {
    let text = "service: s\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders # the orders feed\n      - sqs: arn:aws:sqs:us-east-1:123456789012:jobs \n";
    let (fixed, _) = fixed_text("serverless.yml", text, "TL105");
    assert_eq!(
        fixed,
        text.replace(
            "      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders # the orders feed\n",
            "      - stream:\n          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders # the orders feed\n          startingPosition: LATEST\n"
        )
    );
}

#[test]
fn an_event_map_a_variable_brings_is_not_edited_where_it_is_defined() {
    let text = "service: s\ncustom:\n  orders:\n    arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders\n    batchSize: 100\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h.h\n    events:\n      - stream: ${self:custom.orders}\n";
    let (fixed, why) = fixed_text("serverless.yml", text, "TL105");
    assert_eq!(fixed, text, "custom.orders may serve other events");
    assert!(
        why.iter().any(|w| w.contains("written elsewhere")),
        "{why:?}"
    );
}

#[test]
fn a_parameter_default_is_changed_only_when_nothing_else_reads_it() {
    let template = |other: &str| {
        format!(
            "Parameters:\n  Visibility:\n    Type: Number\n    Default: 45 # seconds\nResources:\n  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Consumer\n      EventSourceArn: !GetAtt JobsQueue.Arn\n  Consumer:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Code: {{ZipFile: x}}\n      Role: arn:aws:iam::123456789012:role/r\n      Timeout: 60\n  JobsQueue:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: !Ref Visibility\n{other}"
        )
    };
    let alone = template("");
    let (fixed, _) = fixed_text("template.yaml", &alone, "TL203");
    assert_eq!(
        fixed,
        alone.replace("Default: 45 # seconds", "Default: 360 # seconds")
    );
    let shared = template(
        "  OtherQueue:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: !Ref Visibility\n",
    );
    let (fixed, why) = fixed_text("template.yaml", &shared, "TL203");
    assert_eq!(fixed, shared, "OtherQueue reads the parameter too");
    assert!(why.iter().any(|w| w.contains("used elsewhere")), "{why:?}");
}

#[test]
fn json_members_are_added_at_their_siblings_indentation() {
    let text = "{\n  \"Resources\": {\n    \"M\": {\n      \"Type\": \"AWS::Lambda::EventSourceMapping\",\n      \"Properties\": {\n        \"FunctionName\": \"consumer\",\n        \"EventSourceArn\": \"arn:aws:sqs:us-east-1:123456789012:jobs\",\n        \"BatchSize\": 50\n      }\n    }\n  }\n}\n";
    let (fixed, _) = fixed_text("template.json", text, "TL201");
    assert_eq!(
        fixed,
        text.replace(
            "\"BatchSize\": 50\n",
            "\"BatchSize\": 50,\n        \"MaximumBatchingWindowInSeconds\": 1\n"
        )
    );
}

#[test]
fn a_removed_json_member_takes_its_comma_and_line() {
    let text = "{\n  \"Resources\": {\n    \"M\": {\n      \"Type\": \"AWS::Lambda::EventSourceMapping\",\n      \"Properties\": {\n        \"FunctionName\": \"consumer\",\n        \"EventSourceArn\": \"arn:aws:sqs:us-east-1:123456789012:jobs.fifo\",\n        \"MaximumBatchingWindowInSeconds\": 5,\n        \"BatchSize\": 5\n      }\n    }\n  }\n}\n";
    let (fixed, _) = fixed_text("template.json", text, "TL202");
    assert_eq!(
        fixed,
        text.replace("        \"MaximumBatchingWindowInSeconds\": 5,\n", "")
    );
}

#[test]
fn serverless_json_events_take_keys_and_their_short_form_becomes_an_object() {
    let text = "{\n  \"service\": \"s\",\n  \"provider\": { \"name\": \"aws\" },\n  \"functions\": {\n    \"f\": {\n      \"handler\": \"h.h\",\n      \"events\": [\n        { \"sqs\": { \"arn\": \"arn:aws:sqs:us-east-1:123456789012:jobs\", \"batchSize\": 50 } },\n        { \"stream\": \"arn:aws:kinesis:us-east-1:123456789012:stream/orders\" }\n      ]\n    }\n  }\n}\n";
    let (fixed, _) = fixed_text("serverless.json", text, "TL201");
    assert_eq!(
        fixed,
        text.replace(
            "\"batchSize\": 50 }",
            "\"batchSize\": 50, \"maximumBatchingWindow\": 1 }"
        )
    );
    let (fixed, _) = fixed_text("serverless.json", text, "TL105");
    assert_eq!(
        fixed,
        text.replace(
            "{ \"stream\": \"arn:aws:kinesis:us-east-1:123456789012:stream/orders\" }",
            "{ \"stream\": {\n          \"arn\": \"arn:aws:kinesis:us-east-1:123456789012:stream/orders\",\n          \"startingPosition\": \"LATEST\"\n        } }"
        )
    );
}

#[test]
fn sarif_results_carry_their_fixes() {
    let output = triggerlint()
        .args([
            "check",
            "--format",
            "sarif",
            "--select",
            "TL201",
            "--no-config",
            "fixtures/sqs-batch-window-required/bad.cfn.json",
        ])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let fix = &sarif["runs"][0]["results"][0]["fixes"][0];
    assert_eq!(
        fix["description"]["text"],
        "Set `MaximumBatchingWindowInSeconds` to 1 (safe)"
    );
    let change = &fix["artifactChanges"][0];
    assert_eq!(
        change["artifactLocation"]["uri"],
        "fixtures/sqs-batch-window-required/bad.cfn.json"
    );
    assert_eq!(
        change["replacements"][0],
        serde_json::json!({
            "deletedRegion": {"startLine": 10, "startColumn": 43, "endLine": 10, "endColumn": 44},
            "insertedContent": {"text": "1"},
        })
    );
}

fn triggerlint() -> Command {
    Command::cargo_bin("triggerlint").unwrap()
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn diff_applies_with_git_apply_and_equals_what_fix_writes() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipping: git is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new("fixtures"), dir.path());
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "before"]);
    let diff = triggerlint()
        .args(["check", "--diff", "--unsafe-fixes", "--no-config", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(diff.status.code(), Some(1), "something to fix exits 1");
    let patch = dir.path().join("../fixes.patch");
    std::fs::write(&patch, &diff.stdout).unwrap();
    assert!(diff.stdout.starts_with(b"--- a/"), "a unified diff");
    // --diff wrote nothing.
    let status = git(dir.path(), &["status", "--porcelain"]);
    assert!(status.stdout.is_empty(), "--diff changed files");
    git(dir.path(), &["apply", "--check", patch.to_str().unwrap()]);
    let fix = triggerlint()
        .args(["check", "--fix", "--unsafe-fixes", "--no-config", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&fix.stdout);
    assert!(stdout.contains(" fixed, "), "{stdout}");
    let written = git(dir.path(), &["diff", "--no-color", "--no-ext-diff"]);
    git(dir.path(), &["stash", "-q"]);
    git(dir.path(), &["apply", patch.to_str().unwrap()]);
    let applied = git(dir.path(), &["diff", "--no-color", "--no-ext-diff"]);
    assert_eq!(
        String::from_utf8_lossy(&written.stdout),
        String::from_utf8_lossy(&applied.stdout),
        "the diff is what --fix writes"
    );
    // Nothing left to fix: --diff exits 0 and prints nothing.
    git(dir.path(), &["checkout", "-q", "."]);
    git(dir.path(), &["stash", "pop", "-q"]);
    let again = triggerlint()
        .args(["check", "--diff", "--unsafe-fixes", "--no-config", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert!(again.stdout.is_empty());
}

/// A finding as the JSON report gives it, enough to tell the same problem before and after.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    file: String,
    code: String,
    path: String,
}

struct Lint {
    all: Vec<(Seen, String, Option<String>)>,
}

fn lint_json(dir: &Path) -> Lint {
    let output = triggerlint()
        .args(["check", "--format", "json", "--no-config", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let all = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let seen = Seen {
                file: f["file"].as_str().unwrap().to_string(),
                code: f["code"].as_str().unwrap().to_string(),
                path: f["path"].as_str().unwrap_or_default().to_string(),
            };
            let written = f["fix"]["edits"].as_array().is_some_and(|e| !e.is_empty());
            let applicability =
                written.then(|| f["fix"]["applicability"].as_str().unwrap().to_string());
            (
                seen,
                f["severity"].as_str().unwrap().to_string(),
                applicability,
            )
        })
        .collect();
    Lint { all }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(files_under(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

/// PyYAML, with a loader that takes CloudFormation's short tags, as the independent YAML
/// parser; `None` when Python or PyYAML is missing.
fn pyyaml_failures(files: &[PathBuf]) -> Option<Vec<String>> {
    const SCRIPT: &str = r#"
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            list(yaml.load_all(f, Loader=Loader))
    except Exception as e:
        print(f"{path}: {str(e).splitlines()[0]}")
"#;
    let probe = Command::new("python3").args(["-c", "import yaml"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let output = Command::new("python3")
        .arg("-c")
        .arg(format!("{}{SCRIPT}", common::PYYAML_ANY_TAG_LOADER))
        .args(files)
        .output()
        .unwrap();
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

fn comment_lines(text: &str) -> BTreeSet<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#') || l.starts_with("//"))
        .collect()
}

#[test]
fn fixing_the_corpus_keeps_every_file_valid_and_every_comment() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus, dir.path());
    let originals: BTreeMap<PathBuf, Vec<u8>> = files_under(dir.path())
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let before = lint_json(dir.path());
    let fix = triggerlint()
        .args(["check", "--fix", "--unsafe-fixes", "--no-config", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&fix.stdout);
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("Found "))
        .unwrap_or_default();
    let stderr = String::from_utf8_lossy(&fix.stderr);
    let after = lint_json(dir.path());

    let changed: Vec<&PathBuf> = originals
        .iter()
        .filter(|(path, bytes)| std::fs::read(path).unwrap() != **bytes)
        .map(|(path, _)| path)
        .collect();
    assert!(!changed.is_empty(), "the corpus has fixable findings");

    // Every changed file parses with the project's parser and an independent one.
    let mut yaml = Vec::new();
    for path in &changed {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.to_string_lossy();
        if name.ends_with(".tf") {
            // hcl-edit, through the project's wrapper (there is no other HCL parser here).
            let parsed = triggerlint::parse::hcl::parse(&text, triggerlint::source::FileId(0));
            assert!(parsed.is_ok(), "{name} no longer parses");
        } else {
            let syntax = triggerlint::parse::syntax_of(path, &text);
            let parsed = triggerlint::parse::parse(&text, syntax, triggerlint::source::FileId(0));
            assert!(parsed.is_ok(), "{name} no longer parses: {parsed:?}");
            match syntax {
                triggerlint::parse::Syntax::Json => {
                    let independent: Result<serde_json::Value, _> = serde_json::from_str(&text);
                    assert!(independent.is_ok(), "{name}: serde_json: {independent:?}");
                }
                triggerlint::parse::Syntax::Yaml => yaml.push((*path).clone()),
            }
        }
        // Every comment line of the original is still there.
        let original = String::from_utf8_lossy(&originals[*path]).into_owned();
        let now: BTreeSet<&str> = comment_lines(&text);
        for comment in comment_lines(&original) {
            assert!(
                now.contains(comment),
                "{name}: lost the comment `{comment}`"
            );
        }
    }
    match pyyaml_failures(&yaml) {
        Some(failures) => assert!(failures.is_empty(), "PyYAML: {failures:#?}"),
        None => {
            assert!(
                !common::project_ci(),
                "TRIGGERLINT_CI=1 but python3 with PyYAML is not available"
            );
            eprintln!("skipping the PyYAML check: python3 with the yaml module is not available");
        }
    }

    // No fixed finding comes back, nothing is left to fix, no new error appears.
    let fixed: BTreeSet<&Seen> = before
        .all
        .iter()
        .filter(|(_, _, fix)| fix.is_some())
        .map(|(seen, _, _)| seen)
        .collect();
    let remaining: Vec<&(Seen, String, Option<String>)> = after
        .all
        .iter()
        .filter(|(_, _, fix)| fix.is_some())
        .collect();
    assert!(
        remaining.is_empty(),
        "fixes left after --fix: {remaining:#?}"
    );
    let errors_before: BTreeSet<&Seen> = before
        .all
        .iter()
        .filter(|(_, severity, _)| severity == "error")
        .map(|(seen, _, _)| seen)
        .collect();
    for (seen, severity, _) in &after.all {
        assert!(
            severity != "error" || errors_before.contains(seen),
            "a new error after --fix: {seen:?}"
        );
    }
    let still: Vec<&Seen> = after
        .all
        .iter()
        .map(|(seen, _, _)| seen)
        .filter(|seen| fixed.contains(seen))
        .collect();
    // A trigger may keep another finding of the same rule that had no fix; only the ones
    // fixed must be gone, so compare counts per (file, rule, trigger).
    let count = |list: &Vec<(Seen, String, Option<String>)>, seen: &Seen| {
        list.iter().filter(|(s, _, _)| s == seen).count()
    };
    for seen in &still {
        let had_fix = before
            .all
            .iter()
            .filter(|(s, _, fix)| s == *seen && fix.is_some())
            .count();
        assert!(
            count(&after.all, seen) <= count(&before.all, seen) - had_fix,
            "a fixed finding came back: {seen:?}"
        );
    }

    // The counts the closing note reports.
    let per_rule = stderr
        .lines()
        .find(|l| l.starts_with("triggerlint: fixed "))
        .unwrap_or_default();
    let terraform = changed
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".tf"))
        .count();
    eprintln!(
        "corpus --fix --unsafe-fixes: {} files changed ({terraform} of them .tf); {summary}; \
         {per_rule}",
        changed.len()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn file_fix(path: &Path, original: &str, fixed: &str) -> triggerlint::engine::fix::FileFix {
    triggerlint::engine::fix::FileFix {
        path: path.to_path_buf(),
        original: original.to_string(),
        fixed: fixed.to_string(),
        applied: BTreeMap::from([("TL201", 1)]),
        problems: Vec::new(),
    }
}

#[test]
fn a_file_changed_since_it_was_read_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, "edited meanwhile\n").unwrap();
    let error = file_fix(&path, "as read\n", "fixed\n").write().unwrap_err();
    assert!(error.contains("changed since it was read"), "{error}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "edited meanwhile\n"
    );
}

#[cfg(unix)]
#[test]
fn a_fixed_file_keeps_its_permissions_and_leaves_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, "as read\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    file_fix(&path, "as read\n", "fixed\n").write().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "fixed\n");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "only the template is left");
}

const SAM_KINESIS_JSON: &str = "{\n    \"Transform\": \"AWS::Serverless-2016-10-31\",\n    \"Resources\": {\n        \"Consumer\": {\n            \"Type\": \"AWS::Serverless::Function\",\n            \"Properties\": {\n                \"Handler\": \"app.handler\",\n                \"Runtime\": \"python3.12\",\n                \"Events\": {\n                    \"Orders\": {\n                        \"Type\": \"Kinesis\",\n                        \"Properties\": {\n                            \"Stream\": \"arn:aws:kinesis:us-east-1:123456789012:stream/orders\",\n                            \"StartingPosition\": \"LATEST\"\n                        }\n                    }\n                }\n            }\n        }\n    }\n}\n";

#[test]
fn tl103_adds_a_queue_and_its_destination_to_sam_json_at_the_file_indentation() {
    let (fixed, why) = fixed_text("template.json", SAM_KINESIS_JSON, "TL103");
    assert_eq!(why, Vec::<String>::new());
    assert_eq!(
        fixed,
        SAM_KINESIS_JSON
            .replace(
                "\"StartingPosition\": \"LATEST\"\n",
                "\"StartingPosition\": \"LATEST\",\n                            \"DestinationConfig\": {\n                                \"OnFailure\": {\n                                    \"Type\": \"SQS\",\n                                    \"Destination\": {\"Fn::GetAtt\": [\"ConsumerOrdersFailureQueue\", \"Arn\"]}\n                                }\n                            }\n"
            )
            .replace(
                "            }\n        }\n    }\n}\n",
                "            }\n        },\n        \"ConsumerOrdersFailureQueue\": {\n            \"Type\": \"AWS::SQS::Queue\",\n            \"Properties\": {\n                \"MessageRetentionPeriod\": 1209600\n            }\n        }\n    }\n}\n"
            )
    );
    let parsed: serde_json::Value = serde_json::from_str(&fixed).unwrap();
    assert_eq!(
        parsed["Resources"]["Consumer"]["Properties"]["Events"]["Orders"]["Properties"]["DestinationConfig"]
            ["OnFailure"]["Destination"]["Fn::GetAtt"][0],
        "ConsumerOrdersFailureQueue"
    );
    let relinted = triggerlint::engine::report_text("template.json", fixed, &config_for("TL103"));
    assert!(relinted.findings.is_empty(), "{:?}", relinted.findings);
}

const SAM_KINESIS_YAML: &str = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Consumer:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      Events:\n        Orders:\n          Type: Kinesis\n          Properties:\n            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders\n            StartingPosition: LATEST\n";

#[test]
fn tl103_picks_a_queue_name_no_resource_has() {
    let text =
        format!("{SAM_KINESIS_YAML}  ConsumerOrdersFailureQueue:\n    Type: AWS::SNS::Topic\n");
    let (fixed, _) = fixed_text("template.yaml", &text, "TL103");
    assert_eq!(
        fixed,
        format!(
            "{}  ConsumerOrdersFailureQueue:\n    Type: AWS::SNS::Topic\n  ConsumerOrdersFailureQueue2:\n    Type: AWS::SQS::Queue\n    Properties:\n      MessageRetentionPeriod: 1209600\n",
            SAM_KINESIS_YAML.replace(
                "StartingPosition: LATEST\n",
                "StartingPosition: LATEST\n            DestinationConfig:\n              OnFailure:\n                Type: SQS\n                Destination: !GetAtt ConsumerOrdersFailureQueue2.Arn\n"
            )
        )
    );
}

#[test]
fn tl103_is_display_only_for_a_function_with_a_role_of_its_own() {
    let text = SAM_KINESIS_YAML.replace(
        "      Handler: app.handler\n",
        "      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/consumer\n",
    );
    let (fixed, why) = fixed_text("template.yaml", &text, "TL103");
    assert_eq!(fixed, text);
    assert_eq!(
        why,
        [
            "the function `Consumer` has a role of its own, to which the deploy tool adds no \
          permission: add the queue, the destination and sqs:SendMessage on it by hand"
        ]
    );
}

#[test]
fn tl103_is_display_only_for_a_plain_cloudformation_mapping() {
    let text = "Resources:\n  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: consumer\n      EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/orders\n      StartingPosition: LATEST\n";
    let (fixed, why) = fixed_text("template.yaml", text, "TL103");
    assert_eq!(fixed, text);
    assert_eq!(
        why,
        [
            "the function's role also needs sqs:SendMessage on the new queue: add the queue, the \
          destination and the permission by hand"
        ]
    );
}

#[test]
fn tl103_expands_a_serverless_short_form_and_adds_the_queue_to_its_resources() {
    let text = "service: s\nprovider:\n  name: aws\nfunctions:\n  consumer:\n    handler: h.h\n    events:\n      - stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders # the feed\nresources:\n  Resources:\n    Table:\n      Type: AWS::DynamoDB::Table # kept\n";
    let (fixed, why) = fixed_text("serverless.yml", text, "TL103");
    assert_eq!(why, Vec::<String>::new());
    assert_eq!(
        fixed,
        "service: s\nprovider:\n  name: aws\nfunctions:\n  consumer:\n    handler: h.h\n    events:\n      - stream:\n          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders # the feed\n          destinations:\n            onFailure:\n              arn:\n                Fn::GetAtt: [ConsumerStream1FailureQueue, Arn]\n              type: sqs\nresources:\n  Resources:\n    Table:\n      Type: AWS::DynamoDB::Table # kept\n    ConsumerStream1FailureQueue:\n      Type: AWS::SQS::Queue\n      Properties:\n        MessageRetentionPeriod: 1209600\n"
    );
    let relinted = triggerlint::engine::report_text("serverless.yml", fixed, &config_for("TL103"));
    assert!(relinted.findings.is_empty(), "{:?}", relinted.findings);
    let with_role = text.replace(
        "  name: aws\n",
        "  name: aws\n  iam:\n    role: arn:aws:iam::123456789012:role/r\n",
    );
    let (fixed, why) = fixed_text("serverless.yml", &with_role, "TL103");
    assert_eq!(fixed, with_role);
    assert!(why[0].contains("has a role of its own"), "{why:?}");
}

/// TL101's fix writes 10 retries, the top of the range its help recommends, or the configured
/// `max-retry-attempts` when that is lower; never the limit itself when it is higher.
#[test]
fn the_retry_fix_writes_a_small_limit_within_the_configured_one() {
    let text = format!(
        "{STREAM_MAPPING}      StartingPosition: LATEST\n      MaximumRetryAttempts: 1000\n"
    );
    let retries_written = |options: &str| {
        let toml = format!("[rules]\nselect = [\"TL101\"]\n[rules.TL101]\n{options}");
        let config = triggerlint::config::parse(&toml, Path::new(".")).expect("valid config");
        let report = triggerlint::engine::report_text("t.yaml", text.clone(), &config);
        let fixed = fix_report(&report, &config, EVERYTHING);
        let fixed = &fixed.first().expect("a fix").fixed;
        fixed
            .lines()
            .find_map(|l| l.trim().strip_prefix("MaximumRetryAttempts: "))
            .expect("the key")
            .to_string()
    };
    assert_eq!(retries_written(""), "10");
    assert_eq!(retries_written("max-retry-attempts = 500\n"), "10");
    assert_eq!(retries_written("max-retry-attempts = 3\n"), "3");
}

const STREAM_MAPPING: &str = "Resources:\n  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: consumer\n      EventSourceArn: arn:aws:kinesis:us-east-1:123456789012:stream/clicks\n";
