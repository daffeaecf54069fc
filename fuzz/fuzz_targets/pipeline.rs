//! The whole pipeline on any bytes, as a file of each name the format sniffing cares about,
//! then every output format rendered from the result (spans must stay inside the text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use triggerlint::config::Config;

mod common;

const NAMES: [&str; 3] = ["serverless.yml", "template.json", "template"];

fuzz_target!(|data: &[u8]| {
    let config = Config::default();
    // The first byte picks the file name, so one input explores every syntax choice.
    let (name, body) = match data.split_first() {
        Some((first, rest)) => (NAMES[usize::from(*first) % NAMES.len()], rest),
        None => (NAMES[0], data),
    };
    let run = triggerlint::run_bytes(name, body, &config);
    common::render_every_format(&run);
});
