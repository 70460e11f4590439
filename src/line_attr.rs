//! The attributes a service line carries beside its code, modifiers and quantities, listed in
//! one place: what each is called in the policy language, in the claim's JSON and in a message,
//! and where an 837P carries it.
//!
//! Each attribute is an optional field of the claim's `Line` (`Line::attr` gives its value): a
//! line that does not give it leaves it *unknown*, never a default, so a rule that tests its value
//! does not fire on such a line (`line has …` says whether it is given). The policy language
//! reaches every attribute the same way (`line has comparison code`, `line comparison code is
//! 27762`, `{comparison_code}`), so a new one (a line's diagnosis pointers, its charge, its
//! rendering provider) is a field of `Line`, a variant here, and its reading in the JSON and X12
//! readers. The list sits below the syntax and the claim, which both name it.

use std::fmt;

use crate::codes::Code;

/// An attribute of a service line that rules can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineAttr {
    /// The comparison code of an unlisted procedure: a listed CPT/HCPCS code of similar work,
    /// by which the payer values the line (JSON `comparison_code`, X12 `SV101-7`).
    ComparisonCode,
}

/// What kind of value an attribute holds, which decides the tests a rule can make of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineAttrKind {
    /// One CPT/HCPCS code: tested with `is` or `in` and a list of codes.
    Code,
}

/// An attribute's value on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineValue {
    Code(Code),
}

impl fmt::Display for LineValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineValue::Code(c) => write!(f, "{c}"),
        }
    }
}

impl LineAttr {
    /// Every attribute, in the order the documentation lists them.
    pub const ALL: [LineAttr; 1] = [LineAttr::ComparisonCode];

    /// Its name in the policy language, after `line` (`line comparison code is …`).
    pub fn words(self) -> &'static str {
        match self {
            LineAttr::ComparisonCode => "comparison code",
        }
    }

    /// Its field in a line of the claim's JSON, which is also its message placeholder
    /// (`{comparison_code}`).
    pub fn field(self) -> &'static str {
        match self {
            LineAttr::ComparisonCode => "comparison_code",
        }
    }

    /// Where an 837P claim carries it (docs/claims.md).
    pub fn x12(self) -> &'static str {
        match self {
            LineAttr::ComparisonCode => "SV101-7",
        }
    }

    pub fn kind(self) -> LineAttrKind {
        match self {
            LineAttr::ComparisonCode => LineAttrKind::Code,
        }
    }

    /// The attribute whose placeholder is `name`, if any.
    pub fn by_field(name: &str) -> Option<LineAttr> {
        Self::ALL.into_iter().find(|a| a.field() == name)
    }
}
