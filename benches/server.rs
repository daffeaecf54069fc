//! Editor latency: `triggerlint server` driven over stdio, as an editor drives it, on generated
//! SAM templates: the benchmarks' realistic services at about 100 KB and 1 MB, and a 100 KB one
//! dense with findings (bare stream triggers, about 2 000 diagnostics).
//!
//! - edit: the median (and 90th percentile) time from one edit's `didChange` to the
//!   `publishDiagnostics` of that version, with the edits far enough apart that each is linted
//!   on its own;
//! - burst: keystrokes sent faster than the server lints; the time from the last keystroke (as
//!   the typist types it) to the diagnostics of the last version, beside one edit's time (no
//!   backlog means they arrive within about one lint of the last keystroke), and how many of the
//!   burst's versions were published at all;
//! - the client's share of an edit: the size of one `publishDiagnostics` and the median time
//!   this client takes to parse it (an editor parses it too, within the edit's time).
//!
//!   cargo bench --bench server          (bench/run.sh runs it too)
//!   cargo bench --bench server -- dense (only the cases whose name has one of the words)
//!   TRIGGERLINT_SERVER_BIN=other/triggerlint cargo bench --bench server
//!   TRIGGERLINT_SERVER_TIMING=1 cargo bench --bench server (with the server's timing log)

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const EDITS: usize = 30;
const BURST: usize = 20;
/// Time between two keystrokes of a burst: a fast typist.
const KEYSTROKE: Duration = Duration::from_millis(8);
const URI: &str = "file:///bench/template.yaml";

fn main() {
    // Another build of the binary can be measured with the same client (before and after a
    // change): TRIGGERLINT_SERVER_BIN=path/to/triggerlint.
    let exe = std::env::var("TRIGGERLINT_SERVER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_triggerlint").to_string());
    println!(
        "{:<13} {:>9} {:>10} {:>10} {:>11} {:>10} {:>9} {:>9}",
        "template",
        "findings",
        "edit p50",
        "edit p90",
        "burst last",
        "published",
        "JSON",
        "parse p50"
    );
    let cases = [
        (
            "100 KB",
            support::large(support::Kind::Sam, 100_000),
            "VisibilityTimeout: ",
        ),
        ("100 KB dense", dense(100_000), "BatchSize: "),
        (
            "1 MB",
            support::large(support::Kind::Sam, 1_000_000),
            "VisibilityTimeout: ",
        ),
    ];
    // Cargo passes `--bench`; any other argument picks cases by name.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for (name, text, edited) in cases {
        if !wanted.is_empty() && !wanted.iter().any(|w| name.contains(w.as_str())) {
            continue;
        }
        let mut server = Server::start(&exe);
        let findings = server.open(&text);
        let mut editor = Editor::new(text, edited);
        let mut latencies = Vec::new();
        for _ in 0..EDITS {
            let version = server.change(&mut editor);
            let sent = Instant::now();
            server.wait_for(version);
            latencies.push(sent.elapsed());
            std::thread::sleep(Duration::from_millis(30));
        }
        latencies.sort();
        let (p50, p90) = (latencies[EDITS / 2], latencies[EDITS * 9 / 10]);
        let mut parses = std::mem::take(&mut server.parses);
        parses.sort();
        let parse = parses[parses.len() / 2];
        server.published = 0;
        // Measured from when the typist finished, not from when the last keystroke got through:
        // a server that does not read its input blocks the client's writes, which would hide the
        // backlog.
        let typing = Instant::now();
        let mut last = 0;
        for _ in 0..BURST {
            last = server.change(&mut editor);
            std::thread::sleep(KEYSTROKE);
        }
        server.wait_for(last);
        let typed = KEYSTROKE * (BURST as u32 - 1);
        let burst = typing.elapsed().saturating_sub(typed);
        println!(
            "{name:<13} {findings:>9} {:>10} {:>10} {:>11} {:>7}/{BURST} {:>6} KB {:>9}",
            ms(p50),
            ms(p90),
            ms(burst),
            server.published,
            server.bytes / 1000,
            ms(parse),
        );
        server.stop();
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A SAM template of about `bytes` bytes of bare Kinesis triggers, each with six findings.
fn dense(bytes: usize) -> String {
    let mut text = String::from("Transform: AWS::Serverless-2016-10-31\nResources:\n");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            "  Worker{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Events:\n        Orders:\n          Type: Kinesis\n          Properties:\n            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders-{i}\n            StartingPosition: LATEST\n            BatchSize: 100\n"
        ));
        i += 1;
    }
    text
}

/// The buffer an editor holds: one three-digit number in it changes back and forth, so every
/// edit is a real change with the same findings.
struct Editor {
    text: String,
    /// Byte offset of the number that changes, and its two values.
    at: usize,
    values: [String; 2],
    version: i32,
}

impl Editor {
    /// Edits the number after the first `key` of the text.
    fn new(text: String, key: &str) -> Editor {
        let at = text.find(key).expect("the edited key") + key.len();
        let value = text[at..at + 3].to_string();
        let other = (value.parse::<u32>().expect("a number") + 10).to_string();
        Editor {
            text,
            at,
            values: [value, other],
            version: 1,
        }
    }

    /// Types the next change: the number takes its other value. Returns the line, the column
    /// and the new text.
    fn type_next(&mut self) -> (usize, usize, String) {
        let new = if self.text[self.at..self.at + 3] == self.values[0] {
            self.values[1].clone()
        } else {
            self.values[0].clone()
        };
        self.text.replace_range(self.at..self.at + 3, &new);
        self.version += 1;
        let line = self.text[..self.at].matches('\n').count();
        let column = self.at - self.text[..self.at].rfind('\n').map_or(0, |i| i + 1);
        (line, column, new)
    }
}

/// A message from the server, with its size and how long it took to parse.
struct Received {
    message: Value,
    bytes: usize,
    parse: Duration,
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Received>,
    /// The size of the last `publishDiagnostics` waited for.
    bytes: usize,
    /// How long each `publishDiagnostics` waited for took to parse.
    parses: Vec<Duration>,
    /// Whether the server takes edits as ranges (else the whole text every time).
    incremental: bool,
    /// Diagnostics published for the document since the count was reset.
    published: usize,
    next_id: i64,
}

impl Server {
    fn start(exe: &str) -> Server {
        let mut child = Command::new(exe)
            .arg("server")
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr())
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            stdin,
            messages,
            bytes: 0,
            parses: Vec::new(),
            incremental: false,
            published: 0,
            next_id: 1,
        };
        server.request("initialize", json!({"capabilities": {}}));
        let reply = server.reply();
        server.incremental = reply["result"]["capabilities"]["textDocumentSync"]["change"] == 2;
        server.notify("initialized", json!({}));
        server
    }

    /// Opens the template; returns how many diagnostics it has.
    fn open(&mut self, text: &str) -> usize {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.wait_for(1)["diagnostics"]
            .as_array()
            .map_or(0, Vec::len)
    }

    fn change(&mut self, editor: &mut Editor) -> i32 {
        let (line, column, new) = editor.type_next();
        let change = if self.incremental {
            json!({"range": {"start": {"line": line, "character": column},
                             "end": {"line": line, "character": column + 3}},
                   "text": new})
        } else {
            json!({"text": editor.text})
        };
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": editor.version},
                   "contentChanges": [change]}),
        );
        editor.version
    }

    /// Waits for the diagnostics of one version; returns their parameters.
    fn wait_for(&mut self, version: i32) -> Value {
        loop {
            let mut received = self
                .messages
                .recv_timeout(Duration::from_secs(120))
                .expect("diagnostics within two minutes");
            let message = &mut received.message;
            if message["method"] != "textDocument/publishDiagnostics" {
                continue;
            }
            self.published += 1;
            if message["params"]["version"] == version {
                self.bytes = received.bytes;
                self.parses.push(received.parse);
                // Taken, not copied: copying a tree of 2 000 diagnostics is not the server's
                // time, nor what an editor does.
                return message["params"].take();
            }
        }
    }

    fn reply(&mut self) -> Value {
        loop {
            let message = self.messages.recv().expect("a reply").message;
            if message.get("id").is_some() && message.get("method").is_none() {
                return message;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

/// Where the server's standard error goes: nowhere, unless its timing log is asked for
/// (`TRIGGERLINT_SERVER_TIMING=1 cargo bench --bench server`, inherited by the server), which is
/// then printed among the results.
fn stderr() -> Stdio {
    match std::env::var_os("TRIGGERLINT_SERVER_TIMING") {
        Some(_) => Stdio::inherit(),
        None => Stdio::null(),
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Received> {
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length: ") {
            length = value.parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let started = Instant::now();
    let message = serde_json::from_slice(&body).ok()?;
    Some(Received {
        message,
        bytes: length,
        parse: started.elapsed(),
    })
}
