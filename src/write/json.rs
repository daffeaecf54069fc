//! The fix writer for CloudFormation and SAM JSON and `serverless.json`.

use crate::model::{Change, SourceTexts, TextEdit, Trigger, Writer};

pub struct JsonWriter;

impl Writer for JsonWriter {
    fn edits(
        &self,
        _texts: &dyn SourceTexts,
        _trigger: &Trigger,
        _change: &Change,
    ) -> Result<Vec<TextEdit>, String> {
        Err("not written yet".to_string())
    }
}
