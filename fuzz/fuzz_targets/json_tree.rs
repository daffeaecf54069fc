//! The JSON tree builder (with the byte-order-mark shift) on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triggerlint::parse::{self, Syntax};
use triggerlint::source::FileId;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = parse::decode(data) {
        let _ = parse::parse(&text, Syntax::Json, FileId(0));
    }
});
