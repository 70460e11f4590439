//! Facts as the program knows them: each fact's type and where its value comes from (the note,
//! a derivation, a field of the claim).

use super::*;
use crate::claim::Sex;

/// A fact the rules can test: a documentation fact, a derived fact or a field of the claim.
#[derive(Debug, Clone)]
pub struct FactDef {
    pub ty: FactType,
    pub origin: FactOrigin,
    /// Where it was declared; `None` for the claim's own fields.
    pub loc: Option<Loc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FactType {
    Boolean,
    Number,
    Text,
    /// A two-character place-of-service code such as `22`.
    PlaceOfService,
    OneOf(Vec<Box<str>>),
    ListOf(Vec<Box<str>>),
    ListOfText,
}

impl FactType {
    /// The type in the words of the language reference.
    pub fn describe(&self) -> String {
        match self {
            FactType::Boolean => "boolean".into(),
            FactType::Number => "number".into(),
            FactType::Text => "text".into(),
            FactType::PlaceOfService => "place of service".into(),
            FactType::OneOf(c) => format!("one of ({})", c.join(", ")),
            FactType::ListOf(c) => format!("list of ({})", c.join(", ")),
            FactType::ListOfText => "list of text".into(),
        }
    }

    pub fn choices(&self) -> Option<&[Box<str>]> {
        match self {
            FactType::OneOf(c) | FactType::ListOf(c) => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactOrigin {
    /// Read from the claim's `documentation` object.
    Documentation,
    /// Only ever set by an `implies` rule.
    Derived,
    /// A field of the claim itself.
    Claim(ClaimField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimField {
    PlaceOfService,
    Payer,
    ProviderTaxonomy,
    ProviderOwnsEquipment,
    /// The format the claim was read from: `json` or `x12`.
    Source,
    /// The patient's age in whole years on the date of service (`patient age`).
    PatientAge,
    /// The patient's sex: `F`, `M` or `U` (`patient sex`).
    PatientSex,
}

impl ClaimField {
    pub fn all() -> [(&'static str, ClaimField, FactType); 7] {
        [
            (
                "place_of_service",
                ClaimField::PlaceOfService,
                FactType::PlaceOfService,
            ),
            ("payer", ClaimField::Payer, FactType::Text),
            (
                "provider.taxonomy",
                ClaimField::ProviderTaxonomy,
                FactType::Text,
            ),
            (
                "provider.owns_equipment",
                ClaimField::ProviderOwnsEquipment,
                FactType::Boolean,
            ),
            (
                "source",
                ClaimField::Source,
                FactType::OneOf(ClaimSource::ALL.map(|s| s.name().into()).to_vec()),
            ),
            ("patient age", ClaimField::PatientAge, FactType::Number),
            (
                "patient sex",
                ClaimField::PatientSex,
                FactType::OneOf(Sex::ALL.map(|s| s.letter().into()).to_vec()),
            ),
        ]
    }
}
