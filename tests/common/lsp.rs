//! A minimal language-server client for tests: drives `triggerlint server` over its standard
//! input and output with framed JSON-RPC, as an editor does.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// Long enough for a loaded machine; a server that says nothing for this long is stuck.
const PATIENCE: Duration = Duration::from_secs(60);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages read while waiting for something else.
    pending: VecDeque<Value>,
    next_id: i64,
    /// What the server said it can do, in its answer to `initialize`.
    pub capabilities: Value,
}

impl Client {
    /// Starts the server and completes the `initialize` handshake.
    pub fn start() -> Client {
        Client::start_with(json!({}))
    }

    pub fn start_with(capabilities: Value) -> Client {
        let mut command = Command::new(env!("CARGO_BIN_EXE_triggerlint"));
        command.stderr(Stdio::inherit());
        Client::start_command(command, capabilities)
    }

    /// Starts the server with its timing log on, written to `log`.
    pub fn start_timed(log: std::fs::File) -> Client {
        let mut command = Command::new(env!("CARGO_BIN_EXE_triggerlint"));
        command.env("TRIGGERLINT_SERVER_TIMING", "1").stderr(log);
        Client::start_command(command, json!({}))
    }

    fn start_command(mut command: Command, capabilities: Value) -> Client {
        let mut child = command
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            stdin: child.stdin.take(),
            child,
            incoming,
            pending: VecDeque::new(),
            next_id: 0,
            capabilities: Value::Null,
        };
        let result = client.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
        );
        assert_eq!(result["serverInfo"]["name"], "triggerlint");
        client.capabilities = result["capabilities"].clone();
        client.notify("initialized", json!({}));
        client
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(body).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    /// Sends a request and returns its result, failing on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The next diagnostics published for a document.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        self.wait_for_publish(uri)["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The parameters of the next diagnostics published for a document (its version too).
    pub fn wait_for_publish(&mut self, uri: &str) -> Value {
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"].clone()
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&wanted) {
            return self.pending.remove(i).unwrap();
        }
        loop {
            match self.incoming.recv_timeout(PATIENCE) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.pending.push_back(message),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("the server said nothing for {PATIENCE:?}")
                }
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            }
        }
    }

    pub fn open(&mut self, path: &Path, language: &str, text: &str) -> String {
        let uri = uri_of(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
        uri
    }

    pub fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    /// Replaces a range of a document (zero-based lines and columns), as editors send a
    /// keystroke.
    pub fn edit(&mut self, uri: &str, version: i32, range: [u32; 4], text: &str) {
        let [start_line, start_char, end_line, end_char] = range;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{
                    "range": {
                        "start": {"line": start_line, "character": start_char},
                        "end": {"line": end_line, "character": end_char},
                    },
                    "text": text,
                }],
            }),
        );
    }

    /// The next message the server sends, whatever it is, in the order it was sent.
    pub fn next_message(&mut self) -> Value {
        self.wait_for(|_| true)
    }

    /// `shutdown` then `exit`; returns the server's exit code.
    pub fn shut_down(mut self) -> i32 {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// Closes the server's input and waits for it to end; returns its exit code.
    pub fn wait(mut self) -> i32 {
        drop(self.stdin.take());
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("the server did not stop within a minute of its input closing");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Applies a quick fix's edits (insertions at one position, as the server writes them; columns
/// counted in characters, which equal UTF-16 units in these ASCII templates) to a
/// text, the way an editor would.
pub fn apply_insertions(text: &str, edits: &[Value]) -> String {
    let mut out = text.to_string();
    let mut edits: Vec<&Value> = edits.iter().collect();
    // From the end, so earlier offsets stay valid.
    edits.sort_by_key(|e| {
        let start = &e["range"]["start"];
        std::cmp::Reverse((start["line"].as_u64(), start["character"].as_u64()))
    });
    for edit in edits {
        let start = &edit["range"]["start"];
        let line = start["line"].as_u64().unwrap() as usize;
        let character = start["character"].as_u64().unwrap() as usize;
        let line_start: usize = out.split_inclusive('\n').take(line).map(str::len).sum();
        let offset = line_start
            + out[line_start..]
                .chars()
                .take(character)
                .map(char::len_utf8)
                .sum::<usize>();
        out.insert_str(offset, edit["newText"].as_str().unwrap());
    }
    out
}

/// Writes `text` to `name` under `dir`, making its folders: a file of a test workspace.
pub fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// A folder that is its own git repository, as a workspace is: no configuration file above it
/// applies, and the search for a Terraform module's callers stops there.
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// A SAM template with `functions` Kinesis triggers, each with `BatchSize: 100` (line 14 of the
/// first).
pub fn many_triggers(functions: usize) -> String {
    let mut text = String::from("Transform: AWS::Serverless-2016-10-31\nResources:\n");
    for i in 0..functions {
        text.push_str(&format!(
            "  Worker{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Events:\n        Orders:\n          Type: Kinesis\n          Properties:\n            Stream: arn:aws:kinesis:us-east-1:123456789012:stream/orders-{i}\n            StartingPosition: LATEST\n            BatchSize: 100\n"
        ));
    }
    text
}
