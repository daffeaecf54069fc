//! The YAML tree builder on any text: an error or a tree, never a panic, a hang or a blow-up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triggerlint::parse;
use triggerlint::source::FileId;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = parse::decode(data) {
        let _ = parse::yaml::parse(&text, FileId(0));
    }
});
