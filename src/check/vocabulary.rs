//! Compiles the `abbreviation`, `phrase` and `cue` statements of every pack into the
//! [`Vocabulary`] notes are read with. Every statement is checked: a phrase must state
//! documentation facts the packs declare, with values they declare; a cue must be of a known
//! kind and name known facts.

use std::collections::HashMap;

use super::error::{TypeMismatch, VocabularyError};
use super::Checker;
use crate::ir::*;
use crate::note::{Cue, CueKind, Meaning, PhraseProblem, Vocabulary, NOTE_FACT};
use crate::spelling::did_you_mean;
use crate::syntax::ast;
use crate::syntax::span::{FileId, Span};

impl<'a> Checker<'a> {
    pub(super) fn compile_vocabulary(&mut self) {
        let mut vocabulary = Vocabulary::new();
        let items: Vec<(FileId, &'a ast::Item)> = self.items().collect();
        let first_phrase = items.iter().find_map(|(file, item)| match item {
            ast::Item::Phrase(p) => Some((*file, p.span)),
            _ => None,
        });
        let Some((file, span)) = first_phrase else {
            self.program.vocabulary = vocabulary;
            return;
        };
        self.file = file;
        vocabulary.note_fact = self.note_fact(span);
        // Abbreviations first: a phrase written with one is read through it.
        for (file, item) in &items {
            if let ast::Item::Abbreviation(a) = item {
                self.file = *file;
                for short in &a.short {
                    if let Err(problem) = vocabulary.abbreviation(&short.text, &a.long.text) {
                        self.phrase_problem("abbreviation", short, &problem);
                    }
                }
            }
        }
        let mut seen = HashMap::new();
        for (file, item) in &items {
            self.file = *file;
            match item {
                ast::Item::Phrase(p) => self.compile_phrase(&mut vocabulary, p, &mut seen),
                ast::Item::Cue(c) => self.compile_cue(&mut vocabulary, c),
                _ => {}
            }
        }
        self.program.vocabulary = vocabulary;
    }

    /// The `note` fact phrases are read from; an error when no pack declares it as text.
    fn note_fact(&mut self, span: Span) -> Option<FactId> {
        match self.program.facts.get_full(NOTE_FACT) {
            Some((id, _, def))
                if def.ty == FactType::Text && def.origin == FactOrigin::Documentation =>
            {
                Some(id as FactId)
            }
            _ => {
                self.error(VocabularyError {
                    problem: format!(
                        "phrases are read from `documentation.{NOTE_FACT}`, which no pack declares as a text fact"
                    ),
                    span: span.into(),
                    label: "this phrase would never be read".into(),
                    help: format!(
                        "declare the note: `fact {NOTE_FACT} is text \"free operative-note text\"`"
                    ),
                });
                None
            }
        }
    }

    fn compile_phrase(
        &mut self,
        vocabulary: &mut Vocabulary,
        p: &ast::PhraseDecl,
        seen: &mut HashMap<((bool, Option<FactId>), String), crate::syntax::span::Loc>,
    ) {
        let meaning = match &p.meaning {
            ast::PhraseMeaning::Means(condition) => {
                let Some(conclusions) = self.phrase_conclusions(condition) else {
                    return;
                };
                Meaning {
                    conclusions,
                    measures: None,
                    loc: self.loc(p.span),
                }
            }
            ast::PhraseMeaning::Measures(fact) => {
                let Some(id) = self.measured_fact(fact) else {
                    return;
                };
                Meaning {
                    conclusions: Vec::new(),
                    measures: Some(id),
                    loc: self.loc(p.span),
                }
            }
        };
        // Phrases are told apart by the fact they state first: one phrase may state
        // different facts in different statements, each its own way (`ex-fix` is hardware,
        // and, denied, says there was no external fixation).
        let class = (
            meaning.measures.is_some(),
            meaning
                .measures
                .or_else(|| meaning.conclusions.first().map(|c| c.fact())),
        );
        vocabulary.meanings.push(meaning);
        let index = (vocabulary.meanings.len() - 1) as u32;
        for phrase in &p.phrases {
            let key = (class, phrase.text.to_lowercase());
            if let Some(first) = seen.get(&key) {
                let first = self.describe_loc(*first);
                self.duplicate(
                    "phrase",
                    &phrase.text,
                    phrase.span,
                    format!(
                        "a phrase states a fact once; it is first given a meaning in {first}; \
                         join the meanings with `and` there"
                    ),
                );
                continue;
            }
            seen.insert(key, self.loc(phrase.span));
            if let Err(problem) = vocabulary.add_phrase(&phrase.text, index) {
                self.phrase_problem("phrase", phrase, &problem);
            }
        }
    }

    /// The facts `means …` makes true: one or more conclusions joined by `and`, each a
    /// documentation fact (the note is documentation; derived facts come from rules).
    fn phrase_conclusions(&mut self, condition: &ast::Condition) -> Option<Vec<Conclusion>> {
        let mut parts = Vec::new();
        split_and(condition, &mut parts);
        let mut out = Vec::new();
        let mut ok = true;
        for part in parts {
            let Some(compiled) = self.condition(part, false) else {
                ok = false;
                continue;
            };
            let Some(conclusion) = self.assignment(&compiled) else {
                let text = self.text_of(part.span);
                self.error(VocabularyError {
                    problem: format!("`{text}` cannot be what a phrase means"),
                    span: part.span.into(),
                    label: "a phrase must state facts".into(),
                    help:
                        "state a yes/no fact (`film_archived`), a value (`anatomic_site is hip`) \
                           or a list member (`guidance has fluoroscopy`), joined by `and`"
                            .into(),
                });
                ok = false;
                continue;
            };
            let (name, def) = self.program.fact(conclusion.fact());
            if def.origin != FactOrigin::Documentation || name == NOTE_FACT {
                let why = match def.origin {
                    FactOrigin::Derived => "it is derived by the policies' `implies` rules",
                    FactOrigin::Claim(_) => "it is a field of the claim",
                    FactOrigin::Documentation => "it is the note itself",
                };
                let name = name.to_string();
                self.error(VocabularyError {
                    problem: format!("a phrase cannot state `{name}`: {why}"),
                    span: part.span.into(),
                    label: "not a documentation fact".into(),
                    help: format!(
                        "phrases fill documentation facts; state the facts a rule derives `{name}` from"
                    ),
                });
                ok = false;
                continue;
            }
            out.push(conclusion);
        }
        ok.then_some(out)
    }

    fn measured_fact(&mut self, fact: &ast::Word) -> Option<FactId> {
        let (id, ty) = self.fact(fact)?;
        let origin = self.program.fact(id).1.origin;
        if ty != FactType::Number || origin != FactOrigin::Documentation {
            let numbers = self
                .program
                .facts
                .iter()
                .filter(|(_, d)| d.ty == FactType::Number && d.origin == FactOrigin::Documentation)
                .map(|(k, _)| &**k);
            let help = did_you_mean(&fact.text, numbers, "documentation number fact");
            self.error(TypeMismatch {
                subject: format!("`{}`", fact.text),
                found: format!("a {} fact", ty.describe()),
                expected: "a documentation number fact".into(),
                span: fact.span.into(),
                help: format!("`measures` reads a duration into a number fact; {help}"),
            });
            return None;
        }
        Some(id)
    }

    fn compile_cue(&mut self, vocabulary: &mut Vocabulary, c: &ast::CueDecl) {
        let Some(kind) = CueKind::ALL
            .iter()
            .find(|(name, _)| *name == c.kind.text)
            .map(|(_, k)| *k)
        else {
            let help = did_you_mean(
                &c.kind.text,
                CueKind::ALL.iter().map(|(n, _)| *n),
                "kind of cue",
            );
            self.error(VocabularyError {
                problem: format!("unknown kind of cue `{}`", c.kind.text),
                span: c.kind.span.into(),
                label: "not a kind of cue".into(),
                help,
            });
            return;
        };
        let before = match (kind.has_reach(), c.side) {
            (true, Some(side)) => side == ast::CueSide::Before,
            (true, None) => {
                self.error(VocabularyError {
                    problem: format!("a {} cue needs a side", c.kind.text),
                    span: c.kind.span.into(),
                    label: "before or after what it covers?".into(),
                    help: format!(
                        "write `cue {} before \"…\"` for a cue that comes first (`no K-wires`), \
                         `after` for one that follows (`K-wires were removed`)",
                        c.kind.text
                    ),
                });
                return;
            }
            (false, side) => {
                if side.is_some() {
                    self.error(VocabularyError {
                        problem: format!("a {} cue has no side", c.kind.text),
                        span: c.kind.span.into(),
                        label: "`before` or `after` does not apply".into(),
                        help: format!(
                            "a {} cue covers no phrase; remove `before` or `after`",
                            c.kind.text
                        ),
                    });
                }
                false
            }
        };
        let mut facts = Vec::new();
        for fact in &c.facts {
            if let Some((id, _)) = self.fact(fact) {
                facts.push(id);
            }
        }
        if !facts.is_empty() && !kind.has_reach() {
            self.error(VocabularyError {
                problem: format!("a {} cue cannot be limited to facts", c.kind.text),
                span: c.span.into(),
                label: "`for …` does not apply".into(),
                help: "only cues with a side (negation, hypothetical, historical, removal) cover facts"
                    .into(),
            });
        }
        vocabulary.cues.push(Cue {
            kind,
            before,
            facts,
            loc: self.loc(c.span),
        });
        let index = (vocabulary.cues.len() - 1) as u32;
        for cue in &c.cues {
            if let Err(problem) = vocabulary.add_cue(&cue.text, index) {
                self.phrase_problem("cue", cue, &problem);
            }
        }
    }

    fn phrase_problem(&mut self, what: &str, text: &ast::Word, problem: &PhraseProblem) {
        self.error(VocabularyError {
            problem: format!("the {what} `{}` cannot be read in a note", text.text),
            span: text.span.into(),
            label: problem.describe(),
            help: match problem {
                PhraseProblem::NotOneWord => {
                    "write a phrase for a short form of several words: `phrase \"ex-fix\" means …`"
                        .into()
                }
                PhraseProblem::MisplacedGap => {
                    "put `...` between words: `\"fracture ... exposed\"`".into()
                }
                _ => "a phrase holds words (hyphens inside them are fine), numbers, `:`, `,`, \
                      `/` and `&`"
                    .into(),
            },
        });
    }

    fn text_of(&self, span: Span) -> String {
        self.sources[self.file.0 as usize]
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .to_string()
    }
}

/// The parts of a condition joined by `and`, in order.
fn split_and<'c>(c: &'c ast::Condition, out: &mut Vec<&'c ast::Condition>) {
    match &c.kind {
        ast::ConditionKind::And(a, b) => {
            split_and(a, out);
            split_and(b, out);
        }
        _ => out.push(c),
    }
}
