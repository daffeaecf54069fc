use std::process::ExitCode;

// The pipeline builds many small trees and strings; mimalloc's thread-local heaps make that
// markedly cheaper than the system allocator, above all with several threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use triggerlint::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with success, usage errors to stderr.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { cli::exit::ERROR } else { 0 });
        }
    };
    ExitCode::from(cli::run(cli))
}
