//! `claimrules`: a small declarative language for payer and medical-coding policies, and the
//! engine that runs it over claims.
//!
//! Load packs once into an [`Engine`], then judge many claims, from many threads:
//!
//! ```
//! use claimrules::{Engine, EvalOptions};
//!
//! let engine = Engine::standard().expect("the standard pack loads");
//! let claim = r#"{"id": "CLM-1", "service_date": "2010-03-31",
//!                 "lines": [{"code": "27093"}, {"code": "77002"}]}"#;
//! let results = engine.evaluate_input(claim, EvalOptions::default());
//! assert_eq!(results[0].status, claimrules::Status::Deny);
//! ```
//!
//! The pipeline, one module per phase: [`syntax`] (pest grammar → AST) → `check` (names,
//! types, literals → compiled program) → `eval` (tree walk over one claim) → [`report`].

pub mod batch;
pub mod check;
pub mod claim;
pub mod codes;
pub mod diagnostic;
mod engine;
mod eval;
pub mod input;
pub mod ir;
pub mod ncci;
pub mod note;
pub mod pack;
pub mod replay;
pub mod report;
pub mod schema;
pub mod syntax;
pub mod testing;

pub use claim::{Claim, ClaimError, RawClaim};
pub use diagnostic::{Diagnostics, PolicyDiagnostic};
pub use engine::{Engine, EngineBuilder, EvalOptions};
pub use input::{ClaimInput, InputFormat, InputItem};
pub use pack::PackSource;
pub use report::{ActionName, ClaimResult, Finding, OutputFormat, Status, FORMAT_VERSION};
