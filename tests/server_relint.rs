//! Issue 23, item 8: a lint of an editor's buffer after an edit reuses the last lint's findings
//! for the triggers the edit cannot change. These differential tests make random edits of
//! many kinds (digits, keys, deleted lines, new resources, Globals, comments, broken syntax)
//! to SAM and CloudFormation templates, and check after each that the lint reusing the last
//! one gives what a fresh lint of the same text gives: in the engine's report, and in the
//! diagnostics the server publishes.

mod common;
// The shared client has helpers (quick fixes, raw input) this file does not need.
#[allow(dead_code)]
#[path = "common/lsp.rs"]
mod lsp;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp::{Client, many_triggers as dense};
use serde_json::Value;
use triggerlint::config::Config;
use triggerlint::engine::{self, DocumentMemo, FileReport};

/// A small deterministic generator (xorshift), so a failure is repeated by the same seed.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A template like the benchmark's realistic services: functions with SQS, Kinesis and
/// DynamoDB events reading queues, streams and tables of the template, alarms, dead-letter
/// queues and Globals.
fn services(count: usize) -> String {
    let mut text = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Timeout: 30\n    Runtime: python3.12\nResources:\n",
    );
    for i in 0..count {
        text.push_str(&format!(
            "  Jobs{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 60\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Dead{i}.Arn\n        maxReceiveCount: 3\n  Dead{i}:\n    Type: AWS::SQS::Queue\n  Stream{i}:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 1\n      RetentionPeriodHours: 48\n  Table{i}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      StreamSpecification:\n        StreamViewType: NEW_IMAGE\n  Worker{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      ReservedConcurrentExecutions: 5\n      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs{i}.Arn\n            BatchSize: 10\n            MaximumBatchingWindowInSeconds: 1\n        Orders:\n          Type: Kinesis\n          Properties:\n            Stream: !GetAtt Stream{i}.Arn\n            StartingPosition: LATEST\n            BatchSize: 100\n            MaximumRetryAttempts: 3\n        Changes:\n          Type: DynamoDB\n          Properties:\n            Stream: !GetAtt Table{i}.StreamArn\n            StartingPosition: TRIM_HORIZON\n  Age{i}:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      Namespace: AWS/Lambda\n      MetricName: IteratorAge\n      Dimensions:\n        - Name: FunctionName\n          Value: !Ref Worker{i}\n"
        ));
    }
    text
}

/// Corpus templates with several triggers: SAM events of every kind, conditions, filters, and
/// a CloudFormation template in JSON (linted in full, every time).
const CORPUS: [&str; 7] = [
    "aws-samples__serverless-patterns/lambda-esm-msk-filters-sam/template.yaml",
    "aws-samples__serverless-patterns/lambda-esm-kinesis-filters-sam/template.yaml",
    "aws-samples__serverless-patterns/lambda-esm-ddb-filters-sam/template.yaml",
    "aws-samples__serverless-patterns/lambda-esm-sqs-filters-sam/template.yaml",
    "aws__serverless-application-model/tests/translator/input/function_with_event_filtering.yaml",
    "aws__serverless-application-model/tests/translator/input/function_event_conditions.yaml",
    "aws__serverless-application-model/tests/translator/output/function_with_event_source_mapping.json",
];

/// Lines an edit may insert inside an event's properties (at their indentation).
const SETTINGS: [&str; 12] = [
    "MaximumRetryAttempts: 3",
    "BisectBatchOnFunctionError: true",
    "MaximumBatchingWindowInSeconds: 5",
    "MaximumRecordAgeInSeconds: 60",
    "Enabled: false",
    "StartingPosition: TRIM_HORIZON",
    "FunctionResponseTypes: [ReportBatchItemFailures]",
    "ParallelizationFactor: 10",
    "DestinationConfig:\n  OnFailure:\n    Destination: !GetAtt Dead0.Arn",
    "Stream: !GetAtt Stream0.Arn",
    "Queue: arn:aws:sqs:us-east-1:123456789012:jobs",
    "FilterCriteria:\n  Filters:\n    - Pattern: '{\"data\": {\"a\": [1]}}'",
];

/// Whole resources an edit may insert after `Resources:`.
const RESOURCES: [&str; 5] = [
    "  Added:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 5\n",
    "  AddedAlarm:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      Namespace: AWS/Lambda\n      MetricName: IteratorAge\n      Dimensions:\n        - Name: FunctionName\n          Value: !Ref Worker0\n",
    "  AddedStream:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      Name: orders-1\n      RetentionPeriodHours: 24\n",
    "  AddedFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Events:\n        More:\n          Type: Kinesis\n          Properties:\n            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders-1\n            StartingPosition: LATEST\n",
    "  AddedPolicy:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Allow\n            Action: kinesis:GetRecords\n            Resource: '*'\n",
];

/// One random edit of a template, of one of many kinds; returns the new text.
fn edit(text: &str, random: &mut Random) -> String {
    let lines = lines_with_starts(text);
    let (line_start, line) = lines[random.below(lines.len())];
    let mut text = text.to_string();
    let indent = line.len() - line.trim_start().len();
    match random.below(12) {
        // A digit changed, added or removed.
        0..=2 => {
            let digits: Vec<usize> = text
                .bytes()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if let Some(&at) = digits.get(random.below(digits.len())) {
                let digit = random.pick(&["0", "1", "7", "9", "", "00"]);
                let end = if random.below(3) == 0 { at } else { at + 1 };
                text.replace_range(at..end, digit);
            }
        }
        // A setting added below a line of an event's properties (or anywhere).
        3..=4 => {
            let setting = indented(random.pick(&SETTINGS), &" ".repeat(indent));
            text.insert_str(line_start + line.len(), &setting);
        }
        // A line deleted.
        5 => text.replace_range(line_start..line_start + line.len(), ""),
        // A resource added at the start of `Resources`.
        6 => {
            if let Some(at) = text.find("Resources:\n") {
                text.insert_str(at + "Resources:\n".len(), random.pick(&RESOURCES));
            }
        }
        // Globals added, or a global setting changed.
        7 => match text.find("Globals:\n") {
            Some(at) => text.insert_str(at + "Globals:\n".len(), "  Function:\n    Timeout: 900\n"),
            None => text.insert_str(0, "Globals:\n  Function:\n    Timeout: 900\n"),
        },
        // A suppression comment above a line.
        8 => {
            let comment = random.pick(&[
                "# triggerlint: ignore[TL101] retried elsewhere",
                "# triggerlint: ignore[TL002]",
                "# triggerlint: ignore[TL999] not a rule",
                "# a plain comment",
            ]);
            text.insert_str(line_start, &format!("{}{comment}\n", " ".repeat(indent)));
        }
        // Characters that break or change the syntax, anywhere in a line.
        9 => {
            let at = line_start + random.below(line.trim_end().len() + 1);
            let inserted = random.pick(&[":", "'", "{", "-", " ", "x", "\t", "&a ", "*a"]);
            text.insert_str(at, inserted);
        }
        // A value's text replaced.
        10 => {
            // `key: ` with nothing after it (or only spaces) has no value to replace.
            if let Some(colon) = line.find(": ").filter(|c| c + 2 <= line.trim_end().len()) {
                let value = line_start + colon + 2..line_start + line.trim_end().len();
                let new = random.pick(&["LATEST", "10", "!Ref Worker1", "''", "[1, 2]", "true"]);
                text.replace_range(value, new);
            }
        }
        // A few characters deleted.
        _ => {
            let at = line_start + random.below(line.len());
            let end = (at + 1 + random.below(4)).min(text.len());
            if text.is_char_boundary(at) && text.is_char_boundary(end) {
                text.replace_range(at..end, "");
            }
        }
    }
    text
}

/// Each line of a text (with its line break) and the offset it starts at.
fn lines_with_starts(text: &str) -> Vec<(usize, &str)> {
    text.split_inclusive('\n')
        .scan(0, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .collect()
}

/// A setting's lines, each indented by `pad`.
fn indented(setting: &str, pad: &str) -> String {
    setting.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// Everything of a report that the server shows or answers from, as text.
fn shown(report: &FileReport) -> String {
    format!(
        "findings {:#?}\nignored {:#?}\nerrors {:?}\ntriggers {:?}\ntemplate {} {} {} {}\nskipped {:?}",
        report.findings,
        report.ignored,
        report
            .errors
            .iter()
            .map(|e| (e.file, e.offset, &e.message))
            .collect::<Vec<_>>(),
        report.triggers,
        report.is_template,
        report.is_module,
        report.is_deployed,
        report.trigger_count,
        report.skipped,
    )
}

/// The server's configuration: fixes deferred, as it lints on each edit.
fn config() -> Arc<Config> {
    Arc::new(Config {
        defer_fixes: true,
        ..Config::default()
    })
}

/// Makes `edits` random edits to `text` with `edit`, linting after each both reusing the last
/// lint and afresh, and compares the two. Returns how many lints reused findings and how many reused
/// the tree. Every few edits the text goes back to the original, so broken syntax does not
/// pile up.
fn compare_lints(
    path: &Path,
    original: &str,
    edits: usize,
    seed: u64,
    edit: fn(&str, &mut Random) -> String,
) -> (usize, usize) {
    let config = config();
    let mut random = Random(seed);
    let mut memo: Option<DocumentMemo> = None;
    let (first, _) = engine::relint_document(path, original.to_string(), &config, &mut memo);
    assert_eq!(
        shown(&first),
        shown(&engine::report_document(
            path,
            original.to_string(),
            &config
        ))
    );
    let mut text = original.to_string();
    let (mut reusing, mut splicing) = (0, 0);
    for i in 0..edits {
        text = if random.below(3) == 0 {
            original.to_string()
        } else {
            edit(&text, &mut random)
        };
        let (incremental, reused) = engine::relint_document(path, text.clone(), &config, &mut memo);
        let fresh = engine::report_document(path, text.clone(), &config);
        let (incremental, fresh) = (shown(&incremental), shown(&fresh));
        if incremental != fresh {
            let diff = first_difference(&incremental, &fresh);
            panic!(
                "{}: edit {i} (seed {seed}): the lint reusing {reused:?} differs from a fresh \
                 lint at\n{diff}\n--- text ---\n{text}",
                path.display()
            );
        }
        reusing += usize::from(reused.triggers > 0);
        splicing += usize::from(reused.tree);
    }
    (reusing, splicing)
}

fn first_difference(a: &str, b: &str) -> String {
    let at = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(0);
    let around = |s: &str| {
        s.lines()
            .skip(at.saturating_sub(3))
            .take(8)
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!("reusing:\n{}\nfresh:\n{}", around(a), around(b))
}

/// The dense template of the benchmark: most edits land in an event's properties and reuse the
/// other triggers' findings; every lint equals a fresh one.
#[test]
fn relints_of_the_dense_template_equal_fresh_lints() {
    let (reusing, splicing) = compare_lints(Path::new("dense.yaml"), &dense(40), 400, 7, edit);
    assert!(reusing >= 25, "only {reusing} of 400 lints reused findings");
    assert!(
        splicing >= 20,
        "only {splicing} of 400 lints reused the tree"
    );
    // The benchmark's size, fewer edits.
    let (reusing, splicing) = compare_lints(Path::new("dense.yaml"), &dense(300), 30, 11, edit);
    assert!(reusing >= 3, "only {reusing} of 30 lints reused findings");
    assert!(splicing >= 3, "only {splicing} of 30 lints reused the tree");
}

#[test]
fn relints_of_a_template_of_services_equal_fresh_lints() {
    let (reusing, splicing) = compare_lints(Path::new("services.yaml"), &services(8), 400, 3, edit);
    assert!(reusing >= 18, "only {reusing} of 400 lints reused findings");
    assert!(
        splicing >= 20,
        "only {splicing} of 400 lints reused the tree"
    );
}

#[test]
fn relints_of_corpus_templates_equal_fresh_lints() {
    // Without the shared corpus, `corpus` says the test skips.
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (mut reusing, mut splicing) = (0, 0);
    for (i, name) in CORPUS.iter().enumerate() {
        let path: PathBuf = corpus.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let (findings, tree) = compare_lints(&path, &text, 150, 100 + i as u64, edit);
        reusing += findings;
        splicing += tree;
    }
    assert!(reusing >= 30, "only {reusing} lints reused findings");
    assert!(splicing >= 7, "only {splicing} lints reused the tree");
}

/// What the server publishes after each edit equals what it publishes for the same text opened
/// afresh (closing a document forgets its last lint).
#[test]
fn published_diagnostics_after_edits_equal_those_of_a_fresh_open() {
    let dir = tempfile::tempdir().unwrap();
    let header = "Transform: AWS::Serverless-2016-10-31\nResources:\n".len();
    let original = services(2) + &dense(12)[header..].replace("Worker", "Dense");
    let mut random = Random(5);
    let edited_path = dir.path().join("edited.yaml");
    let fresh_path = dir.path().join("fresh.yaml");
    // The edited document's timing log says which lints reused findings.
    let log_path = dir.path().join("timing.log");
    let mut editing = Client::start_timed(std::fs::File::create(&log_path).unwrap());
    let mut fresh = Client::start();
    let edited_uri = editing.open(&edited_path, "yaml", &original);
    published(&mut editing, &edited_uri, 1);
    let mut text = original.clone();
    for version in 2..150 {
        // Edits pile up; now and then the text goes back to the original.
        text = if random.below(3) == 0 {
            original.clone()
        } else {
            edit(&text, &mut random)
        };
        editing.change(&edited_uri, version, &text);
        let after_edit = published(&mut editing, &edited_uri, version);
        let fresh_uri = fresh.open(&fresh_path, "yaml", &text);
        let opened = published(&mut fresh, &fresh_uri, 1);
        fresh.notify(
            "textDocument/didClose",
            serde_json::json!({"textDocument": {"uri": fresh_uri}}),
        );
        published(&mut fresh, &fresh_uri, -1);
        // The two documents' URIs differ; so do the related locations into them.
        let after_edit = after_edit.replace("edited.yaml", "fresh.yaml");
        assert_eq!(after_edit, opened, "version {version}:\n{text}");
    }
    assert_eq!(editing.shut_down(), 0);
    assert_eq!(fresh.shut_down(), 0);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let reusing = log
        .lines()
        .filter(|l| l.ends_with("tree reused)") && !l.contains(" 0 triggers reused"))
        .count();
    assert!(reusing >= 5, "only {reusing} lints reused findings:\n{log}");
}

/// The diagnostics published for one version of a document (`-1`: a publication without a
/// version, after the document is closed), as JSON text.
fn published(client: &mut Client, uri: &str, version: i32) -> String {
    loop {
        let params = client.wait_for_publish(uri);
        let matches = match version {
            -1 => params.get("version").is_none_or(Value::is_null),
            v => params["version"] == v,
        };
        if matches {
            return params["diagnostics"].to_string();
        }
    }
}

/// The settings of a polled event that an edit aimed at one event's properties changes.
const EVENT_KEYS: [&str; 14] = [
    "BatchSize:",
    "StartingPosition:",
    "MaximumBatchingWindowInSeconds:",
    "MaximumRetryAttempts:",
    "Enabled:",
    "BisectBatchOnFunctionError:",
    "ParallelizationFactor:",
    "FunctionResponseTypes:",
    "Queue:",
    "Stream:",
    "MaximumRecordAgeInSeconds:",
    "TumblingWindowInSeconds:",
    "Topics:",
    "FilterCriteria:",
];

/// One random edit at a line of an event's settings (where the lint may reuse the others'
/// findings): its value replaced, a setting added above or below it, the line deleted, a
/// character typed into it, a suppression comment above it. Any edit when there is none.
fn event_edit(text: &str, random: &mut Random) -> String {
    let mut edited = text.to_string();
    let settings: Vec<(usize, &str)> = lines_with_starts(text)
        .into_iter()
        .filter(|(_, line)| EVENT_KEYS.iter().any(|k| line.trim_start().starts_with(k)))
        .collect();
    if settings.is_empty() {
        return edit(text, random);
    }
    let (start, line) = settings[random.below(settings.len())];
    let pad = " ".repeat(line.len() - line.trim_start().len());
    let colon = line.find(':').expect("a setting's colon");
    let end = line.trim_end().len().max(colon + 1);
    let setting = |random: &mut Random| indented(random.pick(&SETTINGS), &pad);
    match random.below(6) {
        0 => {
            let value = random.pick(&[
                " 1",
                " 10000",
                " TRIM_HORIZON",
                " false",
                " !GetAtt Dead0.Arn",
                " arn:aws:sqs:us-east-1:123456789012:q",
                " -1",
                " [ReportBatchItemFailures]",
                "",
            ]);
            edited.replace_range(start + colon + 1..start + end, value);
        }
        1 => edited.insert_str(start + line.len(), &setting(random)),
        2 => edited.insert_str(start, &setting(random)),
        3 => edited.replace_range(start..start + line.len(), ""),
        4 => {
            let at = start + colon + 1 + random.below(end - colon);
            if edited.is_char_boundary(at) {
                edited.insert_str(at, random.pick(&["9", "0", " ", "x", " #c", ":", "'"]));
            }
        }
        _ => edited.insert_str(start, &format!("{pad}# triggerlint: ignore[TL002]\n")),
    }
    edited
}

/// Every SAM template of the corpus with a polled event, edited where the lint reuses the most
/// (an event's settings), against a fresh lint after each edit.
#[test]
fn relints_after_event_edits_of_every_corpus_sam_template_equal_fresh_lints() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let templates = sam_templates_with_polled_events(&corpus);
    assert!(templates.len() >= 80, "{} templates", templates.len());
    let (mut reusing, mut splicing) = (0, 0);
    for (i, path) in templates.iter().enumerate() {
        let original = std::fs::read_to_string(path).unwrap();
        let (findings, tree) = compare_lints(path, &original, 20, 7_000 + i as u64, event_edit);
        reusing += findings;
        splicing += tree;
    }
    assert!(reusing >= 40, "only {reusing} lints reused findings");
    assert!(splicing >= 200, "only {splicing} lints reused the tree");
}

/// The corpus's SAM templates (YAML or JSON) with an event of a queue, a stream (not DynamoDB,
/// which is always linted in full) or a broker, in path order.
fn sam_templates_with_polled_events(corpus: &Path) -> Vec<PathBuf> {
    let polled = [
        "Kinesis",
        "SQS",
        "MSK",
        "SelfManagedKafka",
        "MQ",
        "DocumentDB",
    ];
    let mut found = Vec::new();
    let mut folders = vec![corpus.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let template = path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json");
            let Some(text) = template
                .then(|| std::fs::read_to_string(&path).ok())
                .flatten()
            else {
                continue;
            };
            let has_polled_event = text.lines().any(|line| {
                polled
                    .iter()
                    .any(|kind| line.trim().strip_prefix("Type: ") == Some(kind))
            });
            if text.contains("Serverless-2016-10-31") && has_polled_event {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
