//! `claimrules`: a small declarative language for payer and medical-coding policies, and the
//! engine that runs it over claims.
//!
//! Load packs once into an [`Engine`], then judge many claims, from many threads. A claim is
//! built in code with [`Claim::builder`], read with serde from the claim format of
//! docs/formats.md, or read from JSON or X12 text with [`Engine::evaluate_input`]:
//!
//! ```
//! use claimrules::{ActionName, Claim, Engine, EvalOptions, LineBuilder, Status};
//!
//! // Build once: reading and checking the packs is the slow part.
//! let engine = Engine::standard()?;
//!
//! // Hip arthrography, with fluoroscopic guidance billed on its own line.
//! let claim = Claim::builder("CLM-1")
//!     .service_date("2010-03-31")
//!     .line(LineBuilder::new("27093"))
//!     .line(LineBuilder::new("77002"))
//!     .build()?;
//!
//! let result = engine.evaluate(&claim, EvalOptions::default());
//! assert_eq!(result.status, Status::Deny);
//! let denial = result.findings.iter().find(|f| f.action == ActionName::Deny);
//! let denial = denial.expect("77002 is denied");
//! assert_eq!(denial.lines, [2]);
//! assert_eq!(denial.code.as_deref(), Some("77002"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ClaimResult`] serializes to the result format of docs/formats.md (with its
//! `format_version`) and reads back from it. [`EngineBuilder`] layers a payer's packs over the
//! standard one; [`testing`] runs a pack's `*.test.policy` files, for unit tests of rules.
//!
//! Rules that read the patient's earlier claims (frequency limits, duplicates, global surgery,
//! NCCI edits across claims) need their history: [`store::Store`] opens the SQLite or
//! PostgreSQL store of docs/history.md and [`Store::fetch`](store::Store::fetch)es members'
//! lines as a [`history::PatientHistory`]; [`Engine::evaluate_with_history`] judges a claim
//! with them, and [`history::RecordedClaim::judged`] turns the claim and its result into what
//! [`Store::record`](store::Store::record) writes.
//!
//! # The promised API, and the rest
//!
//! What this page lists is the library's API, kept stable under semantic versioning. The
//! modules left out of these docs (`syntax`, `pack`, `input`, `report`, `ncci`, `batch` and the
//! others that `pub` still exposes) are internal to the `claimrules` command and its tests:
//! they may change in any release. The pipeline, one module per phase: `syntax` (pest grammar →
//! AST) → `check` (names, types, literals → compiled program) → `eval` (tree walk over one
//! claim) → `report`; docs/ARCHITECTURE.md walks through it.

#![warn(missing_docs)]

pub mod allocator;
#[doc(hidden)]
pub mod batch;
mod check;
#[doc(hidden)]
pub mod claim;
#[doc(hidden)]
pub mod codes;
mod diagnostic;
mod engine;
mod eval;
mod facts;
pub mod history;
#[doc(hidden)]
pub mod input;
#[doc(hidden)]
pub mod inventory;
#[doc(hidden)]
pub mod ir;
#[doc(hidden)]
pub mod line_attr;
#[doc(hidden)]
pub mod ncci;
#[doc(hidden)]
pub mod note;
#[doc(hidden)]
pub mod pack;
#[doc(hidden)]
pub mod replay;
#[doc(hidden)]
pub mod report;
#[doc(hidden)]
pub mod schema;
#[doc(hidden)]
pub mod serve;
mod spelling;
pub mod store;
#[doc(hidden)]
pub mod syntax;
pub mod testing;

pub use claim::{
    Claim, ClaimBuilder, ClaimError, ClaimSource, Line, LineBuilder, Money, NormalizedClaim,
    Patient, PlaceOfService, Procedure, Provider, RawClaim, ServiceDate, Sex,
};
pub use codes::{Code, Date, Diagnosis, Modifier};
pub use diagnostic::{Diagnostics, PolicyDiagnostic};
pub use engine::{Engine, EngineBuilder, EvalOptions};
// The checker's limits, for the tests that probe them; the checker itself is internal.
#[doc(hidden)]
pub use check::MAX_CONDITION_DEPTH;
pub use input::{ClaimInput, ReadClaim};
// Used by the command with `input::Claims`, which is internal.
#[doc(hidden)]
pub use input::{InputFormat, InputItem};
pub use pack::{PackSource, PackUnreadable, PolicyText};
pub use report::{
    ActionName, Agreement, Change, ChangeOp, ClaimFacts, ClaimResult, DerivedFact, Explanation,
    FactSource, Finding, FormatVersion, HistoryRef, LineMinutes, NoteSource, OutputFormat, PackRef,
    PolicyRef, RuleTrace, Status, TableRef, FORMAT_VERSION,
};
