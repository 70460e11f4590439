//! `claimrules schema claim|result`: the JSON Schema of the claim input or of one result, as
//! the repository keeps it in `schemas/`.

use std::io::{self, Write};

use claimrules::schema::SchemaKind;
use clap::ValueEnum;

use super::output::fail;
use super::{EXIT_FAILURE, EXIT_PASS};

#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    /// `claim` for the claim input, `result` for one result of `check`.
    #[arg(value_enum)]
    pub document: Document,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    Claim,
    Result,
}

pub fn run(args: SchemaArgs) -> u8 {
    let kind = match args.document {
        Document::Claim => SchemaKind::Claim,
        Document::Result => SchemaKind::Result,
    };
    let mut out = io::stdout().lock();
    match out
        .write_all(kind.text().as_bytes())
        .and_then(|()| out.flush())
    {
        Ok(()) => EXIT_PASS,
        Err(e) => {
            fail(format!("cannot write the schema: {e}"));
            EXIT_FAILURE
        }
    }
}
