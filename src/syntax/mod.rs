//! The policy language's syntax: grammar, AST and parser.

pub mod ast;
pub mod error;
pub mod format;
mod parser;
pub mod span;
pub mod test_ast;
mod test_parser;

pub use error::ParseError;
pub use parser::parse_policy;
pub use test_parser::parse_tests;
