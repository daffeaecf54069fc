//! The fix writer for CloudFormation, SAM and Serverless YAML.

use crate::model::{Change, SourceTexts, TextEdit, Trigger, Writer};

pub struct YamlWriter;

impl Writer for YamlWriter {
    fn edits(
        &self,
        _texts: &dyn SourceTexts,
        _trigger: &Trigger,
        _change: &Change,
    ) -> Result<Vec<TextEdit>, String> {
        Err("not written yet".to_string())
    }
}
