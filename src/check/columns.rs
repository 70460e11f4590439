//! Table columns as rules name them: `code.<column>`, and the columns each kind of national
//! table gives.

use crate::ir::ColumnType;
use crate::syntax::ast::TableKind;

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

/// The columns a fee-schedule table gives `code.<column>`: the payment policy indicators of the
/// MPFS relative value file, named as the standard pack's rules read them.
pub const FEE_SCHEDULE_COLUMNS: [(&str, ColumnType); 9] = [
    ("status", ColumnType::Text),
    ("pc_tc", ColumnType::Number),
    ("global_days", ColumnType::Text),
    ("post_operative_days", ColumnType::Number),
    ("multiple_procedure", ColumnType::Number),
    ("bilateral", ColumnType::Number),
    ("assistant", ColumnType::Number),
    ("co_surgeons", ColumnType::Number),
    ("team_surgery", ColumnType::Number),
];

/// The columns an add-on code edit table gives `code.<column>`: the AOC edit type of the
/// add-on code, and its primary codes in force on the date of service.
pub const ADD_ON_EDIT_COLUMNS: [(&str, ColumnType); 2] = [
    ("add_on_type", ColumnType::Number),
    ("primaries", ColumnType::Codes),
];

/// The columns a national table of a kind gives, fixed by the layout CMS publishes; `None` for
/// a kind whose declaration names its columns (or, for pair edits, has none to read).
pub fn national_columns(kind: TableKind) -> Option<&'static [(&'static str, ColumnType)]> {
    match kind {
        TableKind::UnitLimits => Some(&UNIT_LIMIT_COLUMNS),
        TableKind::FeeSchedule => Some(&FEE_SCHEDULE_COLUMNS),
        TableKind::AddOnEdits => Some(&ADD_ON_EDIT_COLUMNS),
        TableKind::Codes | TableKind::PairEdits => None,
    }
}
