//! The policy language's syntax: grammar, AST and parser.

pub mod ast;
pub mod error;
mod parser;
pub mod span;

pub use error::ParseError;
pub use parser::parse_policy;
