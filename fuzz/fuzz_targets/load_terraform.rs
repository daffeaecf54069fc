//! A Terraform file of any bytes, linted as a one-file module: HCL parsing, lowering into the
//! template view (variables, locals, references, lambda module entries), every rule and every
//! report. Spans must stay inside the text and nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triggerlint::config::Config;

mod common;

fuzz_target!(|data: &[u8]| {
    let run = triggerlint::run_bytes("main.tf", data, &Config::default());
    common::render_every_format(&run);
});
