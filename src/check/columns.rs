//! Table columns as rules name them: `code.<column>`, and the columns every national
//! unit-limits table gives.

use crate::ir::ColumnType;

/// How a rule names a column of the code of the line it judges: `code.mue`.
pub(super) const COLUMN_PREFIX: &str = "code.";

/// How a rule names a column of a table keyed by diagnosis, for the diagnosis in scope:
/// `diagnosis.minimum_age`.
pub(super) const DIAGNOSIS_COLUMN_PREFIX: &str = "diagnosis.";

/// Whether a name is a table column (`code.<column>`, `diagnosis.<column>`) rather than a fact.
pub(super) fn is_column(name: &str) -> bool {
    name.starts_with(COLUMN_PREFIX) || name.starts_with(DIAGNOSIS_COLUMN_PREFIX)
}

/// The columns a unit-limits table gives `code.<column>`, as CMS names what they hold.
pub const UNIT_LIMIT_COLUMNS: [(&str, ColumnType); 3] = [
    ("mue", ColumnType::Number),
    ("mue_adjudication", ColumnType::Number),
    ("mue_rationale", ColumnType::Text),
];
