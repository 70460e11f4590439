//! The JSON Schemas of the claim and of the result, generated from the Rust types that read
//! claims and write results, so that the documents other programs depend on cannot drift from
//! what the program does. The repository keeps them in `schemas/`; `tests/schemas.rs` fails
//! when those files differ from what is generated here, and `claimrules schema` prints them.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::claim::Claim;
use crate::report::ClaimResult;

/// The documents that have a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// A claim, as `check` reads it (one JSON object).
    Claim,
    /// One result, as `check` writes it (one line of `ndjson`, one element of `json`).
    Result,
}

impl SchemaKind {
    pub const ALL: [SchemaKind; 2] = [SchemaKind::Claim, SchemaKind::Result];

    /// The file's name under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Claim => "claim.schema.json",
            SchemaKind::Result => "result.schema.json",
        }
    }

    /// The schema, as a JSON value.
    pub fn schema(self) -> Schema {
        match self {
            // A claim is what serde reads: fields with a default are not required.
            SchemaKind::Claim => {
                generate::<Claim>(SchemaSettings::draft2020_12().for_deserialize())
            }
            // A result is what serde writes: every field is required but the ones skipped
            // when empty (only `explain`).
            SchemaKind::Result => {
                generate::<ClaimResult>(SchemaSettings::draft2020_12().for_serialize())
            }
        }
    }

    /// The schema as the repository keeps it: pretty-printed, two-space indents, with a final
    /// newline.
    #[expect(
        clippy::expect_used,
        reason = "a schema is a JSON value whose keys are strings, which serializes infallibly; \
                  its own Serialize keeps `$schema` and `title` first, which printing the value does not"
    )]
    pub fn text(self) -> String {
        let mut text =
            serde_json::to_string_pretty(&self.schema()).expect("a schema is plain JSON");
        text.push('\n');
        text
    }
}

fn generate<T: JsonSchema>(settings: SchemaSettings) -> Schema {
    settings
        .with_transform(RecursiveTransform(unwrap_description))
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Descriptions come from doc comments, wrapped at 100 columns: each becomes one line of text
/// (a blank line, a paragraph break, is kept).
fn unwrap_description(schema: &mut Schema) {
    if let Some(Value::String(text)) = schema.get_mut("description") {
        let paragraphs: Vec<String> = text
            .split("\n\n")
            .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
            .collect();
        *text = paragraphs.join("\n\n");
    }
}
