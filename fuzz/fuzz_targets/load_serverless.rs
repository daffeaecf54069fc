//! The Serverless loader and every rule, forced onto any YAML or JSON document whatever its
//! shape: loaders must treat every missing key, wrong type and odd intrinsic as unknown.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triggerlint::model::Format;

mod common;

fuzz_target!(|data: &[u8]| {
    common::load_as(Format::Serverless, data);
});
