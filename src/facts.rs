//! What a claim's facts hold, below the compiled program and the note reader that both use
//! them: a fact's id, its value on one claim, and what a derivation or a phrase of the note
//! concludes about it.

/// A fact by its index in the program's facts.
pub type FactId = u16;

/// A fact's value on one claim.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A yes/no fact.
    Bool(bool),
    /// A number fact, or a duration in minutes.
    Number(f64),
    /// A text fact.
    Text(Box<str>),
    /// A `one of` fact: the index of its value among the declared choices.
    Choice(u16),
    /// A `list of (…)` fact: one bit per declared choice.
    Choices(u64),
    /// A `list of text` fact.
    Texts(Vec<Box<str>>),
}

/// What a derivation makes true.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Conclusion {
    /// A yes/no fact is set.
    SetBool(FactId, bool),
    /// A `one of` fact takes a choice (by index).
    SetChoice(FactId, u16),
    /// A `list of (…)` fact gains a choice.
    AddChoice(FactId, u16),
    /// A text fact is set.
    SetText(FactId, Box<str>),
    /// A `list of text` fact gains a text.
    AddText(FactId, Box<str>),
}

impl Conclusion {
    /// The fact it concludes about.
    pub fn fact(&self) -> FactId {
        match self {
            Conclusion::SetBool(f, _)
            | Conclusion::SetChoice(f, _)
            | Conclusion::AddChoice(f, _)
            | Conclusion::SetText(f, _)
            | Conclusion::AddText(f, _) => *f,
        }
    }
}
