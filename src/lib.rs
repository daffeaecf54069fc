//! triggerlint: lints AWS Lambda triggers (event source mappings) in Serverless Framework,
//! AWS SAM, CloudFormation and Terraform. `DESIGN.md` at the root maps the layers.
//!
//! The pipeline: discover files, parse each into a spanned tree, decide its format by content,
//! load its triggers into one model, run the rules, apply suppressions, and report. Every step
//! is a plain function, so tests drive the library directly. [`engine`] runs it over many
//! files in parallel, streaming reports in a stable order.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod engine;
pub mod filter;
pub mod fxhash;
pub mod hcl;
pub mod kind;
pub mod links;
pub mod load;
pub mod model;
pub mod parse;
pub mod report;
pub mod rules;
pub mod server;
pub mod source;
pub mod suppress;
pub mod template;
pub mod text;
pub mod tree;
pub mod write;

pub use engine::{FileError, FileReport, Run, run, run_bytes, run_text};
