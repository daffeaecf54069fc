//! The Terraform (`.tf`) fix writer (helper fixb fills it in).

use crate::model::{Change, SourceTexts, TextEdit, Trigger, Writer};

pub struct TerraformWriter;

impl Writer for TerraformWriter {
    fn edits(
        &self,
        _texts: &dyn SourceTexts,
        _trigger: &Trigger,
        _change: &Change,
    ) -> Result<Vec<TextEdit>, String> {
        Err("fixes to Terraform files are not written yet".to_string())
    }
}
