//! `triggerlint server` driven end to end over standard input and output, as an editor does:
//! diagnostics equal to `check`'s findings, from the unsaved buffer, with the file's
//! configuration; hovers; the suppression quick fix; bad input; the protocol's life cycle.

#[path = "common/lsp.rs"]
mod lsp;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use lsp::{Client, apply_insertions, many_triggers, project, uri_of, write};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("-").to_string())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// (code, 1-based line, 1-based column, severity, message) of a finding.
type Seen = (String, u64, u64, String, String);

/// Each diagnostic as a [`Seen`].
fn summary(diagnostics: &[Value]) -> Vec<Seen> {
    let mut out: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                _ => "note",
            };
            let message = d["message"].as_str().unwrap();
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["range"]["start"]["character"].as_u64().unwrap() + 1,
                severity.to_string(),
                message.split("\nhelp: ").next().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// What `check --format json` reports for a file, in the same shape.
fn check_summary(path: &Path) -> (Vec<Seen>, usize) {
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .current_dir(root())
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let related = findings
        .iter()
        .map(|f| f["related"].as_array().unwrap().len())
        .sum();
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    (out, related)
}

#[test]
fn diagnostics_are_checks_findings_in_every_format() {
    let fixtures = [
        ("stream-unbounded-retries/bad.serverless.yml", "yaml"),
        ("stream-unbounded-retries/bad.sam.yaml", "yaml"),
        ("stream-unbounded-retries/bad.cfn.yaml", "yaml"),
        ("stream-unbounded-retries/bad.cfn.json", "json"),
        ("stream-unbounded-retries/bad.tf", "terraform"),
        (
            "sqs-visibility-below-function-timeout/bad.serverless.yml",
            "yaml",
        ),
        ("_deployed/mappings.json", "json"),
    ];
    let mut client = Client::start();
    for (fixture, language) in fixtures {
        let path = root().join("fixtures").join(fixture);
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = client.open(&path, language, &text);
        let diagnostics = client.diagnostics(&uri);
        let (expected, related) = check_summary(&path);
        assert!(!expected.is_empty(), "{fixture}: check finds something");
        assert_eq!(summary(&diagnostics), expected, "{fixture}");
        let server_related: usize = diagnostics
            .iter()
            .map(|d| d["relatedInformation"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(server_related, related, "{fixture}: related locations");
        for d in &diagnostics {
            assert_eq!(d["source"], "triggerlint");
            let href = d["codeDescription"]["href"].as_str().unwrap();
            let page = href.rsplit('/').next().unwrap();
            assert!(
                href.starts_with("https://github.com/triggerlint/triggerlint/blob/main/rules/"),
                "{href}"
            );
            assert!(root().join("rules").join(page).is_file(), "{href}");
        }
    }
    assert_eq!(client.shut_down(), 0);
}

const STREAM: &str = "\
service: orders
provider:
  name: aws
functions:
  consumer:
    handler: handler.consume
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          startingPosition: LATEST
";

/// What [`STREAM`] lacks for TL002 and TL101 to TL104, added at the end of its event.
const STREAM_FIXES: &str = "          batchWindow: 5
          maximumRetryAttempts: 3
          maximumRecordAgeInSeconds: 3600
          bisectBatchOnFunctionError: true
          destinations:
            onFailure: arn:aws:sqs:us-east-1:123456789012:orders-dlq
";

#[test]
fn the_unsaved_buffer_is_linted_and_the_file_left_alone() {
    let dir = project();
    let path = write(dir.path(), "serverless.yml", STREAM);
    let mut client = Client::start();
    let uri = client.open(&path, "yaml", STREAM);
    let before = client.diagnostics(&uri);
    assert_eq!(
        codes(&before),
        [
            "TL002", "TL101", "TL102", "TL103", "TL104", "TL107", "TL108"
        ]
    );
    let tl101 = before.iter().find(|d| d["code"] == "TL101").unwrap();
    assert_eq!(
        tl101["range"],
        json!({"start": {"line": 7, "character": 8}, "end": {"line": 7, "character": 14}})
    );
    assert_eq!(tl101["severity"], 2);

    client.change(&uri, 2, &format!("{STREAM}{STREAM_FIXES}"));
    let after = client.diagnostics(&uri);
    assert_eq!(codes(&after), ["TL107", "TL108"], "{after:#?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), STREAM);

    // Closing the document clears what it showed.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(client.diagnostics(&uri).is_empty());
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn the_configuration_is_the_nearest_to_the_document_and_read_again_on_save() {
    let dir = project();
    let config = write(
        dir.path(),
        "triggerlint.toml",
        "[rules]\nignore = [\"TL101\", \"TL002\"]\n",
    );
    let path = write(dir.path(), "services/orders/serverless.yml", STREAM);
    let mut client = Client::start();
    let uri = client.open(&path, "yaml", STREAM);
    assert_eq!(
        codes(&client.diagnostics(&uri)),
        ["TL102", "TL103", "TL104", "TL107", "TL108"]
    );

    std::fs::write(&config, "[rules]\nignore = [\"TL1\"]\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri_of(&config)}}),
    );
    assert_eq!(codes(&client.diagnostics(&uri)), ["TL002"]);

    // An invalid configuration is said at the top of the document; the defaults apply.
    std::fs::write(&config, "fail-on = 3\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri_of(&config)}}),
    );
    let diagnostics = client.diagnostics(&uri);
    let first = &diagnostics[0];
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid configuration file: "),
        "{first}"
    );
    assert_eq!(first["range"]["start"], json!({"line": 0, "character": 0}));
    assert!(codes(&diagnostics).contains(&"TL101".to_string()));
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn included_files_are_read_from_disk_and_their_findings_shown_where_they_are() {
    let dir = project();
    let events = write(
        dir.path(),
        "events.yml",
        "consume:\n  - sqs:\n      arn: arn:aws:sqs:us-east-1:123456789012:orders\n      batchSize: 100\n",
    );
    let service = "\
service: orders
provider:
  name: aws
functions:
  consumer:
    handler: handler.consume
    events: ${file(./events.yml):consume}
";
    let path = write(dir.path(), "serverless.yml", service);
    let mut client = Client::start();
    client.open(&path, "yaml", service);
    let in_include = client.diagnostics(&uri_of(&events));
    assert!(
        codes(&in_include).contains(&"TL201".to_string()),
        "{in_include:#?}"
    );
    // The batch of 100 without a batching window is on line 4 of the included file.
    let tl201 = in_include.iter().find(|d| d["code"] == "TL201").unwrap();
    assert_eq!(tl201["range"]["start"], json!({"line": 3, "character": 17}));
    assert_eq!(tl201["severity"], 1);

    // Saving a fixed include re-lints the service, which reads it from disk.
    std::fs::write(
        &events,
        "consume:\n  - sqs:\n      arn: arn:aws:sqs:us-east-1:123456789012:orders\n      batchSize: 100\n      maximumBatchingWindow: 5\n",
    )
    .unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri_of(&events)}}),
    );
    let after = loop {
        let published = client.diagnostics(&uri_of(&events));
        if !codes(&published).contains(&"TL201".to_string()) {
            break published;
        }
    };
    assert!(!codes(&after).contains(&"TL201".to_string()));
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn hover_shows_a_triggers_settings_and_a_findings_rule() {
    let dir = project();
    let path = write(dir.path(), "serverless.yml", STREAM);
    let mut client = Client::start();
    let uri = client.open(&path, "yaml", STREAM);
    client.diagnostics(&uri);
    let hover = |client: &mut Client, line: u32, character: u32| {
        client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    };

    // On the dash of `- stream:`: the trigger's settings, as inspect prints them.
    let trigger = hover(&mut client, 7, 6);
    let text = trigger["contents"]["value"].as_str().unwrap();
    assert_eq!(trigger["contents"]["kind"], "markdown");
    assert!(text.starts_with("```text\n"), "{text}");
    assert!(
        text.contains("functions/consumer/events/0/stream"),
        "{text}"
    );
    assert!(
        text.contains("maximumRetryAttempts        -1         AWS default"),
        "{text}"
    );
    assert!(text.contains("written (line 10)"), "{text}");

    // On the key: the settings and every finding there, each with its rule's page.
    let finding = hover(&mut client, 7, 10);
    let text = finding["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("**TL101** `stream-unbounded-retries` (warning)"),
        "{text}"
    );
    assert!(text.contains("## What it does"), "{text}");
    assert_eq!(
        finding["range"],
        json!({"start": {"line": 7, "character": 8}, "end": {"line": 7, "character": 14}})
    );

    // Nothing to say elsewhere.
    assert_eq!(hover(&mut client, 0, 2), Value::Null);
    assert_eq!(client.shut_down(), 0);
}

/// The quick fix for `code` on a line, applied to the text the way an editor would.
fn quick_fix(client: &mut Client, uri: &str, line: u32, code: &str, text: &str) -> String {
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "context": {"diagnostics": []},
        }),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Ignore {code} "))
        })
        .unwrap_or_else(|| panic!("no quick fix for {code}: {actions:#}"));
    assert_eq!(action["kind"], "quickfix");
    let edits = action["edit"]["changes"][uri].as_array().unwrap();
    apply_insertions(text, edits)
}

#[test]
fn the_quick_fix_writes_a_comment_above_the_trigger_and_silences_the_rule() {
    let dir = project();
    let path = write(dir.path(), "serverless.yml", STREAM);
    let mut client = Client::start();
    let uri = client.open(&path, "yaml", STREAM);
    client.diagnostics(&uri);

    let fixed = quick_fix(&mut client, &uri, 7, "TL101", STREAM);
    assert!(
        fixed.contains(
            "    events:\n      # triggerlint: ignore[TL101] <why this is safe>\n      - stream:\n"
        ),
        "{fixed}"
    );
    client.change(&uri, 2, &fixed);
    assert_eq!(
        codes(&client.diagnostics(&uri)),
        ["TL002", "TL102", "TL103", "TL104", "TL107", "TL108"]
    );

    // A second rule joins the same comment.
    let fixed = quick_fix(&mut client, &uri, 8, "TL103", &fixed);
    assert!(
        fixed.contains("# triggerlint: ignore[TL101, TL103] <why this is safe>\n"),
        "{fixed}"
    );
    client.change(&uri, 3, &fixed);
    assert_eq!(
        codes(&client.diagnostics(&uri)),
        ["TL002", "TL102", "TL104", "TL107", "TL108"]
    );
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn the_quick_fix_in_terraform_is_a_comment_above_the_resource() {
    let dir = project();
    let text = "\
resource \"aws_lambda_event_source_mapping\" \"orders\" {
  event_source_arn  = \"arn:aws:kinesis:us-east-1:123456789012:stream/orders\"
  function_name     = \"consumer\"
  starting_position = \"LATEST\"
}
";
    let path = write(dir.path(), "main.tf", text);
    let mut client = Client::start();
    let uri = client.open(&path, "terraform", text);
    assert!(codes(&client.diagnostics(&uri)).contains(&"TL101".to_string()));
    let fixed = quick_fix(&mut client, &uri, 0, "TL101", text);
    assert!(
        fixed.starts_with(
            "# triggerlint: ignore[TL101] <why this is safe>\nresource \"aws_lambda_event_source_mapping\""
        ),
        "{fixed}"
    );
    client.change(&uri, 2, &fixed);
    let after = client.diagnostics(&uri);
    assert!(!codes(&after).contains(&"TL101".to_string()), "{after:#?}");
    assert!(!codes(&after).contains(&"TL900".to_string()), "{after:#?}");
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn the_quick_fix_in_json_adds_or_extends_the_resources_metadata() {
    let fixture = root().join("fixtures/stream-unbounded-retries/bad.cfn.json");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let dir = project();
    let path = write(dir.path(), "template.json", &text);
    let mut client = Client::start();
    let uri = client.open(&path, "json", &text);
    let before = codes(&client.diagnostics(&uri));
    assert!(before.contains(&"TL103".to_string()), "{before:?}");

    let fixed = quick_fix(&mut client, &uri, 3, "TL103", &text);
    assert!(
        fixed.contains(
            "    \"OrdersMapping\": {\n      \"Metadata\": {\"triggerlint\": {\"ignore\": [{\"rule\": \"TL103\", \"reason\": \"<why this is safe>\"}]}},\n      \"Type\""
        ),
        "{fixed}"
    );
    client.change(&uri, 2, &fixed);
    let after = codes(&client.diagnostics(&uri));
    let mut expected = before.clone();
    expected.retain(|c| c != "TL103");
    assert_eq!(after, expected);

    // The next one joins the same list.
    let fixed = quick_fix(&mut client, &uri, 3, "TL102", &fixed);
    assert!(
        fixed.contains("\"reason\": \"<why this is safe>\"}, {\"rule\": \"TL102\""),
        "{fixed}"
    );
    client.change(&uri, 3, &fixed);
    expected.retain(|c| c != "TL102");
    assert_eq!(codes(&client.diagnostics(&uri)), expected);
    serde_json::from_str::<Value>(&fixed).expect("still JSON");
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn files_that_are_not_templates_get_no_diagnostics_and_bad_input_no_crash() {
    let dir = project();
    let mut client = Client::start();
    let compose = write(
        dir.path(),
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx\n",
    );
    let uri = client.open(&compose, "yaml", "services:\n  web:\n    image: nginx\n");
    assert!(client.diagnostics(&uri).is_empty());

    let broken_other = write(dir.path(), "values.yaml", "a: [1, 2\n");
    let uri = client.open(&broken_other, "yaml", "a: [1, 2\n");
    assert!(client.diagnostics(&uri).is_empty());

    // A template being edited: its syntax error is shown where it is.
    let half = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Mapping: [\n";
    let broken = write(dir.path(), "template.yaml", half);
    let uri = client.open(&broken, "yaml", half);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("not valid YAML"),
        "{diagnostics:#?}"
    );
    assert_eq!(diagnostics[0]["code"], "TL902");
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 3);

    // Hostile aliases, binary junk and a broken Terraform file: answered, not fatal.
    let mut laughs =
        String::from("service: x\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let hostile = dir.path().join("serverless.yml");
    let uri = client.open(&hostile, "yaml", &laughs);
    let diagnostics = client.diagnostics(&uri);
    assert!(
        diagnostics.iter().all(|d| d["severity"] == 1),
        "{diagnostics:#?}"
    );
    let junk = dir.path().join("junk.json");
    let uri = client.open(&junk, "json", "\u{0}\u{1}{\"Resources\": \u{7f}");
    client.diagnostics(&uri);
    let tf = dir.path().join("main.tf");
    let uri = client.open(
        &tf,
        "terraform",
        "resource \"aws_lambda_event_source_mapping\" {\n",
    );
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");

    // Requests it cannot answer are errors, and the server goes on.
    let bad = client.call("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(bad["error"]["code"], -32602);
    let unknown = client.call("textDocument/formatting", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let good = write(dir.path(), "ok/serverless.yml", STREAM);
    let uri = client.open(&good, "yaml", STREAM);
    assert!(codes(&client.diagnostics(&uri)).contains(&"TL101".to_string()));
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn columns_follow_the_encoding_the_client_chooses() {
    let text = STREAM.replace("service: orders", "service: ordérs😀");
    let dir = project();
    let path = write(dir.path(), "serverless.yml", &text);
    let moved = text.replace("      - stream:\n", "      - stream: # é😀\n");
    for (capabilities, character) in [
        (json!({}), 16),
        (
            json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
            19,
        ),
    ] {
        let mut client = Client::start_with(capabilities);
        let uri = client.open(&path, "yaml", &moved);
        let diagnostics = client.diagnostics(&uri);
        let tl101 = diagnostics.iter().find(|d| d["code"] == "TL101").unwrap();
        assert_eq!(tl101["range"]["start"], json!({"line": 7, "character": 8}));
        // A hover at the comment's end, past the emoji, still lands on the trigger's line.
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 7, "character": character}}),
        );
        assert!(
            hover["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("functions/consumer")
        );
        assert_eq!(client.shut_down(), 0);
    }
}

#[test]
fn exit_without_shutdown_and_a_closed_input_end_the_server_with_status_1() {
    let mut client = Client::start();
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), 1);
    let client = Client::start();
    assert_eq!(client.wait(), 1);
}

/// A client that breaks the handshake (a document opened before `initialized`) gets a server
/// that stops with status 1 at once, even while the client keeps its input open.
#[test]
fn a_broken_handshake_ends_the_server_though_its_input_stays_open() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_triggerlint"))
        .arg("server")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    for message in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
               "params": {"textDocument": {"uri": "file:///t.yaml", "languageId": "yaml",
                                           "version": 1, "text": "a: 1\n"}}}),
    ] {
        let body = message.to_string();
        write!(input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }
    input.flush().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server still runs 20 s after a broken handshake");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
    drop(input);
}

/// Issue 23, item 8: the lint runs beside the conversation (a request is answered while a
/// large document is being linted), keystrokes do not queue up behind lints (a lint of a text
/// changed since is dropped, never published), and the last version's diagnostics are those of
/// its text.
#[test]
fn edits_are_linted_on_a_worker_and_stale_lints_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    let text = many_triggers(400);
    let mut client = Client::start();
    let uri = client.open(&path, "yaml", &text);
    let first = client.diagnostics(&uri);
    assert!(!first.iter().any(|d| d["code"] == "TL107"));
    // Four keystrokes at the end of the text, then one that makes the first trigger's batch
    // size 1 (`100` becomes `  1`, on line 14).
    let end_line = text.lines().count() as u32;
    for version in 2..=5 {
        client.edit(&uri, version, [end_line, 0, end_line, 0], "#");
    }
    client.edit(&uri, 6, [13, 23, 13, 26], "  1");
    let hover = json!({"jsonrpc": "2.0", "id": "hover", "method": "textDocument/hover",
                       "params": {"textDocument": {"uri": "file:///not/open.yaml"},
                                  "position": {"line": 0, "character": 0}}});
    client.send_raw(hover.to_string().as_bytes());
    // Read everything in the order it was sent until both the hover's answer and the last
    // version's diagnostics have come.
    let (mut answered_after, mut versions) = (None, Vec::new());
    let last = loop {
        let message = client.next_message();
        if message["id"] == "hover" {
            assert_eq!(message["result"], Value::Null);
            answered_after = Some(versions.len());
        } else if message["method"] == "textDocument/publishDiagnostics"
            && message["params"]["uri"] == uri
        {
            versions.push(message["params"]["version"].as_i64().unwrap());
        } else {
            continue;
        }
        if answered_after.is_some() && versions.last() == Some(&6) {
            break message;
        }
    };
    assert_eq!(
        answered_after,
        Some(0),
        "the hover is answered before any lint of the edits is published: {versions:?}"
    );
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "versions published in order: {versions:?}"
    );
    assert!(
        versions.len() < 5,
        "stale versions are dropped, not published: {versions:?}"
    );
    let tl107: Vec<&Value> = last["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "TL107")
        .collect();
    assert_eq!(tl107.len(), 1);
    assert_eq!(
        tl107[0]["range"]["start"],
        json!({"line": 13, "character": 25})
    );
    assert_eq!(client.shut_down(), 0);
}

/// An SQS trigger with a property SQS does not take (TL003, whose fix, removing it, is safe)
/// and no batching window (TL002, whose fix changes how the trigger behaves: unsafe).
const SQS_FIXABLE: &str = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Timeout: 60
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 10
            StartingPosition: LATEST
";

/// Applies the protocol's text edits (ranges in ASCII text) the way an editor does.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let range = &e["range"];
            let text = e["newText"].as_str().unwrap();
            (offset(&range["start"]), offset(&range["end"]), text)
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

fn code_actions(client: &mut Client, uri: &str, line: u32, context: Value) -> Vec<Value> {
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "context": context,
        }),
    );
    actions.as_array().unwrap().clone()
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action {title:?} in {actions:#?}"))
}

/// Issue 21, item 5: each finding's fix is a quick fix beside the suppression, preferred when
/// it is safe, with the finding's diagnostic attached; applied, the finding is gone.
#[test]
fn a_findings_fix_is_a_quick_fix_preferred_when_safe() {
    let dir = project();
    let path = write(dir.path(), "template.yaml", SQS_FIXABLE);
    let mut client = Client::start();
    assert_eq!(
        client.capabilities["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "source.fixAll.triggerlint"])
    );
    let uri = client.open(&path, "yaml", SQS_FIXABLE);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(
        codes(&diagnostics),
        ["TL002", "TL003", "TL203", "TL205", "TL207"]
    );
    let tl003: Vec<Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "TL003")
        .cloned()
        .collect();

    let actions = code_actions(&mut client, &uri, 16, json!({"diagnostics": tl003}));
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Fix TL003: Remove `StartingPosition`",
            "Ignore TL003 (property-not-supported-for-source) for this trigger",
            "Fix all safe problems in this file",
        ]
    );
    let fix = titled(&actions, "Fix TL003: Remove `StartingPosition`");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"], json!(tl003));
    let fixed = apply_edits(
        SQS_FIXABLE,
        fix["edit"]["changes"][&uri].as_array().unwrap(),
    );
    assert_eq!(
        fixed,
        SQS_FIXABLE.replace("            StartingPosition: LATEST\n", "")
    );
    client.change(&uri, 2, &fixed);
    assert_eq!(
        codes(&client.diagnostics(&uri)),
        ["TL002", "TL203", "TL205", "TL207"]
    );

    // A fix that changes how the trigger behaves is offered, not preferred.
    let actions = code_actions(&mut client, &uri, 11, json!({"diagnostics": []}));
    let fix = titled(
        &actions,
        "Fix TL002: Set `MaximumBatchingWindowInSeconds` to 1",
    );
    assert_eq!(fix["isPreferred"], false);
    assert_eq!(fix["diagnostics"], json!([]));
    let fixed = apply_edits(&fixed, fix["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        fixed.ends_with(
            "            BatchSize: 10\n            MaximumBatchingWindowInSeconds: 1\n"
        ),
        "{fixed}"
    );
    assert_eq!(client.shut_down(), 0);
}

/// `source.fixAll.triggerlint` applies every safe fix of the file and no unsafe one; it is
/// offered when asked for by its kind or a kind above it, not for quick fixes only.
#[test]
fn fix_all_applies_the_safe_fixes_of_the_file() {
    let dir = project();
    let (_, worker) = SQS_FIXABLE.split_once("  Worker:\n").unwrap();
    let text = format!("{SQS_FIXABLE}  Other:\n{}", worker.replace("Jobs", "More"));
    let path = write(dir.path(), "template.yaml", &text);
    let mut client = Client::start();
    let uri = client.open(&path, "yaml", &text);
    let before = client.diagnostics(&uri);
    assert_eq!(before.iter().filter(|d| d["code"] == "TL003").count(), 2);

    let only = |kinds: Value| json!({"diagnostics": [], "only": kinds});
    assert!(
        code_actions(&mut client, &uri, 16, only(json!(["quickfix"])))
            .iter()
            .all(|a| a["kind"] == "quickfix")
    );
    for asked in ["source", "source.fixAll", "source.fixAll.triggerlint"] {
        let actions = code_actions(&mut client, &uri, 0, only(json!([asked])));
        assert_eq!(actions.len(), 1, "{asked}: {actions:#?}");
        assert_eq!(actions[0]["kind"], "source.fixAll.triggerlint");
    }
    let actions = code_actions(&mut client, &uri, 0, only(json!(["source.fixAll"])));
    let edits = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply_edits(&text, edits);
    assert_eq!(
        fixed,
        text.replace("            StartingPosition: LATEST\n", "")
    );
    client.change(&uri, 2, &fixed);
    let after = client.diagnostics(&uri);
    assert!(!after.iter().any(|d| d["code"] == "TL003"), "{after:#?}");
    assert_eq!(
        after.iter().filter(|d| d["code"] == "TL002").count(),
        2,
        "unsafe fixes are not applied"
    );
    assert_eq!(client.shut_down(), 0);
}

/// The diagnostics of one version of a document, with the version they were published for.
fn published(client: &mut Client, uri: &str) -> (Value, Vec<Value>) {
    let diagnostics = client.wait_for_publish(uri);
    (
        diagnostics["version"].clone(),
        diagnostics["diagnostics"].as_array().cloned().unwrap(),
    )
}

/// Issue 23, item 8: diagnostics are kept as JSON text and reused from one lint to the next,
/// also when an edit only moves them (lines added or removed above). After every edit they are
/// exactly what a server that sees the text for the first time publishes: ranges, messages,
/// codes, links and related locations.
#[test]
fn diagnostics_reused_across_edits_are_those_of_a_fresh_lint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    // Three stream triggers, then a queue whose visibility timeout is below its function's
    // timeout (a finding with related locations).
    let mut text = many_triggers(3);
    text.push_str(
        "  Queue:\n    Type: AWS::SQS::Queue\n  QueueWorker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Timeout: 60\n      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Queue.Arn\n",
    );
    let mut client = Client::start();
    let uri = client.open(&path, "yaml", &text);
    let (_, first) = published(&mut client, &uri);
    assert!(
        first.iter().any(|d| d["relatedInformation"]
            .as_array()
            .is_some_and(|r| !r.is_empty())),
        "a diagnostic with related locations: {first:?}"
    );
    // (range replaced, new text): a line added at the top moves every diagnostic; a batch size
    // changes one trigger's messages; removing the line moves them back; a line added in the
    // middle moves only those below it; a trigger's event type removed changes their number.
    let edits: [([u32; 4], &str); 5] = [
        ([2, 0, 2, 0], "  # a comment\n"),
        ([14, 23, 14, 26], "  1"),
        ([2, 0, 3, 0], ""),
        ([20, 0, 20, 0], "\n"),
        ([9, 10, 9, 23], "Typo: Kinesis"),
    ];
    for (i, (range, new)) in edits.into_iter().enumerate() {
        let version = i as i32 + 2;
        text = apply_range(&text, range, new);
        client.edit(&uri, version, range, new);
        let (published_version, diagnostics) = published(&mut client, &uri);
        assert_eq!(published_version, version);
        let mut fresh = Client::start();
        let fresh_uri = fresh.open(&path, "yaml", &text);
        assert_eq!(fresh_uri, uri);
        let (_, expected) = published(&mut fresh, &fresh_uri);
        assert_eq!(fresh.shut_down(), 0);
        assert!(!expected.is_empty(), "edit {i}: findings");
        assert_eq!(diagnostics, expected, "edit {i}: {range:?} {new:?}\n{text}");
    }
    assert_eq!(client.shut_down(), 0);
}

/// Replaces a range of an ASCII text (zero-based lines and columns).
fn apply_range(
    text: &str,
    [start_line, start_char, end_line, end_char]: [u32; 4],
    new: &str,
) -> String {
    let offset = |line: u32, character: u32| {
        let start: usize = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum();
        start + character as usize
    };
    let (start, end) = (offset(start_line, start_char), offset(end_line, end_char));
    format!("{}{new}{}", &text[..start], &text[end..])
}

/// With `TRIGGERLINT_SERVER_TIMING` set, each published lint writes the time of its stages,
/// the size of what was sent and how many triggers' findings it reused to standard error (for
/// profiling an editor's latency).
#[test]
fn the_timing_log_gives_each_lints_stages_and_size() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("timing.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let path = dir.path().join("template.yaml");
    let text = many_triggers(2);
    let mut client = Client::start_timed(log);
    let uri = client.open(&path, "yaml", &text);
    let (_, first) = published(&mut client, &uri);
    client.edit(&uri, 2, [13, 23, 13, 26], "  1");
    let (version, edited) = published(&mut client, &uri);
    assert_eq!(version, 2);
    assert_eq!(client.shut_down(), 0);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    let counts = [first.len(), edited.len()];
    for ((line, edited), count) in lines.iter().zip([false, true]).zip(counts) {
        let stages = line
            .strip_prefix("triggerlint server timing: ")
            .unwrap_or_else(|| panic!("{line}"));
        let (stages, size) = stages.split_once(" (").unwrap();
        let names: Vec<&str> = stages
            .split(", ")
            .map(|stage| {
                let (name, took) = stage.rsplit_once(' ').unwrap().0.rsplit_once(' ').unwrap();
                assert!(took.parse::<f64>().is_ok(), "{line}");
                name
            })
            .collect();
        let mut expected = vec!["lint", "diagnostics", "json", "notification"];
        if edited {
            expected.push("since the edit");
        }
        assert_eq!(names, expected, "{line}");
        let (diagnostics, rest) = size.split_once(" diagnostics, ").unwrap();
        assert_eq!(diagnostics.parse::<usize>().unwrap(), count, "{line}");
        let (bytes, reused) = rest.split_once(" bytes, ").unwrap();
        let bytes: usize = bytes.parse().unwrap();
        assert!(bytes > 200 * count, "{line}");
        // The edit is inside the first function's event: the second trigger's findings and
        // the tree (but the edited event's properties) are taken from the first lint.
        let expected = match edited {
            true => "1 triggers reused, tree reused)",
            false => "0 triggers reused, tree parsed)",
        };
        assert_eq!(reused, expected, "{line}");
    }
}

/// The server widens the pipe of its standard output to 1 MB (Linux), so the diagnostics of a
/// template with a couple of thousand findings are written at once rather than in 64 KB turns
/// with the editor.
#[cfg(target_os = "linux")]
#[test]
fn the_output_pipe_holds_a_large_publication() {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_triggerlint"))
        .arg("server")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    let mut stdin = child.stdin.take().unwrap();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
    // The answer to `initialize` comes after the server set its output up.
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    // SAFETY: fcntl on the pipe's descriptor, which `stdout` owns, with no argument.
    let size = unsafe { libc::fcntl(stdout.as_raw_fd(), libc::F_GETPIPE_SZ) };
    assert_eq!(size, 1 << 20, "a pipe holds 64 KB unless widened");
    drop(stdin);
    child.kill().unwrap();
    child.wait().unwrap();
}
