//! The server's standard input and output. lsp-server's own stdio transport writes only its
//! `Message`s, whose parameters are JSON trees; diagnostics are kept as JSON text (see
//! `publish`), so this transport also writes a notification given as text, as it is.

use std::io::{self, Write};
use std::thread::JoinHandle;

use lsp_server::{Connection, Message, Notification};

/// The method of a notification whose parameters are the text of a whole message to send.
const RAW: &str = "$/triggerlint/rawMessage";

/// A message to send that is already JSON text.
pub fn raw(text: String) -> Notification {
    Notification::new(RAW.to_string(), serde_json::Value::String(text))
}

/// The thread that writes standard output. The one that reads standard input is not waited
/// for: a server that stops on its own (a broken handshake) must not wait for input that may
/// never come.
pub struct IoThreads {
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Waits until everything sent has been written.
    pub fn join(self) -> Result<(), String> {
        self.writer
            .join()
            .map_err(|_| "the output thread panicked".to_string())
    }
}

/// A connection over standard input and output. Reading stops at `exit` or at the input's end;
/// writing when the server drops its end of the connection.
pub fn stdio() -> (Connection, IoThreads) {
    let (server, client) = Connection::memory();
    let Connection { sender, receiver } = client;
    std::thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        while let Ok(Some(message)) = Message::read(&mut input) {
            let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
            if sender.send(message).is_err() || exit {
                break;
            }
        }
    });
    widen_output_pipe();
    let writer = std::thread::spawn(move || {
        let stdout = io::stdout();
        let mut output = stdout.lock();
        for message in receiver {
            if write(&mut output, message).is_err() {
                break;
            }
        }
    });
    (server, IoThreads { writer })
}

/// How much the pipe to the editor holds: the diagnostics of a template with a couple of
/// thousand findings (about 1 MB) fit, so they are written at once and the editor reads them
/// in a few large reads, where a pipe of the default 64 KB makes the two sides take turns
/// (about 2 ms of an edit's 10 with the dense benchmark template). 1 MB is Linux's default
/// limit for an unprivileged process.
#[cfg(target_os = "linux")]
const OUTPUT_PIPE_BYTES: libc::c_int = 1 << 20;

/// Widens standard output's pipe (Linux); where it is not a pipe, or the system refuses, it
/// stays as it is.
fn widen_output_pipe() {
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on standard output's descriptor with an integer argument reads or
    // changes nothing of this process's memory; a failure only returns -1.
    unsafe {
        libc::fcntl(libc::STDOUT_FILENO, libc::F_SETPIPE_SZ, OUTPUT_PIPE_BYTES);
    }
}

fn write(output: &mut impl Write, message: Message) -> io::Result<()> {
    match message {
        Message::Notification(Notification {
            method,
            params: serde_json::Value::String(text),
        }) if method == RAW => {
            write!(output, "Content-Length: {}\r\n\r\n", text.len())?;
            output.write_all(text.as_bytes())?;
            output.flush()
        }
        message => message.write(output),
    }
}

/// Reads the messages of a stream until its end (for tests of the writer).
#[cfg(test)]
fn read_all(mut input: impl io::BufRead) -> Vec<Message> {
    std::iter::from_fn(|| Message::read(&mut input).ok().flatten()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message given as text goes out as that text; others as lsp-server writes them.
    #[test]
    fn a_raw_message_is_written_as_it_is() {
        let mut out = Vec::new();
        let text = r#"{"jsonrpc":"2.0","method":"m","params":{"a":1}}"#;
        write(&mut out, raw(text.to_string()).into()).unwrap();
        write(&mut out, Notification::new("n".to_string(), ()).into()).unwrap();
        let written = String::from_utf8(out.clone()).unwrap();
        assert!(written.starts_with(&format!("Content-Length: {}\r\n\r\n{text}", text.len())));
        let messages = read_all(out.as_slice());
        let methods: Vec<_> = messages
            .iter()
            .map(|m| match m {
                Message::Notification(n) => n.method.as_str(),
                _ => "-",
            })
            .collect();
        assert_eq!(methods, ["m", "n"]);
    }
}
