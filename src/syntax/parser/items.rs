//! Walking the declarations: facts, code and diagnosis sets, tables, packs, `disable`, terms
//! and the vocabulary of notes (`phrase`, `cue`, `abbreviation`), with the names and strings
//! they hold.

use super::*;

impl Walker {
    pub(super) fn fact(&self, pair: Pair<Rule>) -> Result<FactDecl> {
        let span = self.span(&pair);
        let mut derived = false;
        let mut name = None;
        let mut ty = None;
        let mut description = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_derived => derived = true,
                Rule::kw_fact | Rule::kw_is => {}
                Rule::ident => name = Some(self.word(&p)),
                Rule::type_boolean => ty = Some(FactTypeExpr::Boolean),
                Rule::type_number => ty = Some(FactTypeExpr::Number),
                Rule::type_text => ty = Some(FactTypeExpr::Text),
                Rule::type_one_of => ty = Some(FactTypeExpr::OneOf(self.choices(&p)?)),
                Rule::type_list => {
                    let choices = p
                        .clone()
                        .into_inner()
                        .find(|c| c.as_rule() == Rule::value_choices);
                    ty = Some(match choices {
                        Some(c) => FactTypeExpr::ListOf(self.choice_words(c)),
                        None => FactTypeExpr::ListOfText,
                    });
                }
                Rule::string => description = Some(self.string(&p)?),
                _ => return Err(self.unexpected(&p, "a part of a fact declaration")),
            }
        }
        Ok(FactDecl {
            name: name.ok_or_else(|| self.unexpected(&pair, "a fact name"))?,
            derived,
            ty: ty.ok_or_else(|| self.unexpected(&pair, "a fact type"))?,
            description,
            span,
        })
    }

    pub(super) fn choices(&self, pair: &Pair<Rule>) -> Result<Vec<Word>> {
        let choices = self.child(pair, Rule::value_choices, "a list of values")?;
        Ok(self.choice_words(choices))
    }

    pub(super) fn choice_words(&self, pair: Pair<Rule>) -> Vec<Word> {
        pair.into_inner().map(|p| self.word(&p)).collect()
    }

    pub(super) fn codes(&self, pair: Pair<Rule>) -> Result<CodeSetDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a code set name")?;
        let codes = self.next_value(&pair, &mut it, "a list of codes")?;
        Ok(CodeSetDecl {
            name: self.string(&name)?,
            codes: self.code_ref(codes)?,
            span,
        })
    }

    pub(super) fn diagnoses(&self, pair: Pair<Rule>) -> Result<DiagnosisSetDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a diagnosis set name")?;
        let patterns = self.next_value(&pair, &mut it, "a list of diagnoses")?;
        Ok(DiagnosisSetDecl {
            name: self.string(&name)?,
            patterns: self.diagnosis_ref(patterns)?,
            span,
        })
    }

    pub(super) fn table(&self, pair: Pair<Rule>) -> Result<TableDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a table name")?;
        let mut path = self.next_value(&pair, &mut it, "the table's file")?;
        let mut kind = TableKind::Codes;
        if path.as_rule() == Rule::table_kind {
            let found = path.clone().into_inner().find_map(|p| match p.as_rule() {
                Rule::kind_pair_edits => Some(TableKind::PairEdits),
                Rule::kind_unit_limits => Some(TableKind::UnitLimits),
                Rule::kind_fee_schedule => Some(TableKind::FeeSchedule),
                Rule::kind_add_on_edits => Some(TableKind::AddOnEdits),
                _ => None,
            });
            kind = match found {
                Some(kind) => kind,
                None => return Err(self.unexpected(
                    &path,
                    "`pair edits`, `unit limits`, `fee schedule indicators` or `add-on code edits`",
                )),
            };
            path = self.next_value(&pair, &mut it, "the table's file")?;
        }
        let mut key = TableKey::Code;
        if path.as_rule() == Rule::table_key {
            key = TableKey::Diagnosis;
            path = self.next_value(&pair, &mut it, "the table's file")?;
        }
        let mut columns = Vec::new();
        let mut effective = None;
        for p in it {
            match p.as_rule() {
                Rule::column_decl => columns.push(self.column(p)?),
                Rule::effective => effective = Some(self.effective(&p)),
                _ => {}
            }
        }
        Ok(TableDecl {
            name: self.string(&name)?,
            kind,
            key,
            path: self.string(&path)?,
            effective,
            columns,
            span,
        })
    }

    pub(super) fn pack(&self, pair: Pair<Rule>) -> Result<PackDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a pack name")?;
        let mut decl = PackDecl {
            name: self.string(&name)?,
            version: None,
            extends: None,
            description: None,
            effective: None,
            span,
        };
        for p in it {
            let value = || {
                let mut inner = p.clone().into_inner();
                let v = self.next_value(&p, &mut inner, "a quoted text")?;
                self.string(&v)
            };
            match p.as_rule() {
                Rule::pack_version => decl.version = Some(value()?),
                Rule::pack_extends => decl.extends = Some(value()?),
                Rule::pack_description => decl.description = Some(value()?),
                Rule::effective => decl.effective = Some(self.effective(&p)),
                _ => return Err(self.unexpected(&p, "a part of a pack manifest")),
            }
        }
        Ok(decl)
    }

    pub(super) fn disable(&self, pair: Pair<Rule>) -> Result<DisableDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let id = self.next_value(&pair, &mut it, "a rule id")?;
        let (reason, effective) = self.reason_and_dates(&pair, it)?;
        Ok(DisableDecl {
            id: self.word(&id),
            reason,
            effective,
            span,
        })
    }

    /// The `reason "…"` and the optional `effective …` that end a `disable` or a `change`.
    fn reason_and_dates<'i>(
        &self,
        pair: &Pair<'i, Rule>,
        mut it: Pairs<'i, Rule>,
    ) -> Result<(Word, Option<Effective>)> {
        let reason = self.next_value(pair, &mut it, "a reason")?;
        let mut inner = reason.clone().into_inner();
        let text = self.next_value(&reason, &mut inner, "a quoted reason")?;
        let effective = it
            .find(|p| p.as_rule() == Rule::effective)
            .map(|p| self.effective(&p));
        Ok((self.string(&text)?, effective))
    }

    /// `change rule ID to ACTION reason "…" [effective …]`
    pub(super) fn change(&self, pair: Pair<Rule>) -> Result<ChangeDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let id = self.next_value(&pair, &mut it, "a rule id")?;
        let to = self.next_value(&pair, &mut it, "an action")?;
        let (reason, effective) = self.reason_and_dates(&pair, it)?;
        Ok(ChangeDecl {
            id: self.word(&id),
            to: self.word(&to),
            reason,
            effective,
            span,
        })
    }

    /// `effective [DATE] [until DATE]`
    pub(super) fn effective(&self, pair: &Pair<Rule>) -> Effective {
        let mut from = None;
        let mut until = None;
        let mut after_until = false;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_until => after_until = true,
                Rule::date_like if after_until => until = Some(self.word(&p)),
                Rule::date_like => from = Some(self.word(&p)),
                _ => {}
            }
        }
        Effective {
            from,
            until,
            span: self.span(pair),
        }
    }

    pub(super) fn column(&self, pair: Pair<Rule>) -> Result<ColumnDecl> {
        let span = self.span(&pair);
        let mut name = None;
        let mut ty = None;
        let mut description = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.word(&p)),
                Rule::column_type => {
                    let inner = p.clone().into_inner().next();
                    ty = Some(match inner.map(|i| i.as_rule()) {
                        Some(Rule::kw_boolean) => ColumnTypeExpr::Boolean,
                        Some(Rule::kw_number) => ColumnTypeExpr::Number,
                        Some(Rule::kw_text) => ColumnTypeExpr::Text,
                        Some(Rule::kw_code) => ColumnTypeExpr::Code,
                        Some(Rule::kw_codes) => ColumnTypeExpr::Codes,
                        Some(Rule::kw_diagnosis) => ColumnTypeExpr::Diagnosis,
                        Some(Rule::kw_diagnoses) => ColumnTypeExpr::Diagnoses,
                        Some(Rule::kw_procedures) => ColumnTypeExpr::Procedures,
                        _ => return Err(self.unexpected(&p, "a column type")),
                    });
                }
                Rule::string => description = Some(self.string(&p)?),
                r if is_keyword(r) => {}
                _ => return Err(self.unexpected(&p, "a part of a column declaration")),
            }
        }
        Ok(ColumnDecl {
            name: name.ok_or_else(|| self.unexpected(&pair, "a column name"))?,
            ty: ty.ok_or_else(|| self.unexpected(&pair, "a column type"))?,
            description,
            span,
        })
    }

    pub(super) fn term(&self, pair: Pair<Rule>) -> Result<TermDecl> {
        let span = self.span(&pair);
        let mut it = pair.clone().into_inner();
        let name = self.next_value(&pair, &mut it, "a term name")?;
        let definition = self.next_value(&pair, &mut it, "a condition")?;
        Ok(TermDecl {
            name: self.name(name)?,
            definition: self.condition(definition)?,
            span,
        })
    }

    pub(super) fn phrase(&self, pair: Pair<Rule>) -> Result<PhraseDecl> {
        let span = self.span(&pair);
        let mut phrases = None;
        let mut meaning = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_phrase => {}
                Rule::phrase_list => phrases = Some(self.strings(p)?),
                Rule::phrase_means => {
                    let condition = self.child(&p, Rule::condition, "a meaning")?;
                    meaning = Some(PhraseMeaning::Means(self.condition(condition)?));
                }
                Rule::phrase_measures => {
                    let fact = self.child(&p, Rule::ident, "a number fact")?;
                    meaning = Some(PhraseMeaning::Measures(self.word(&fact)));
                }
                _ => return Err(self.unexpected(&p, "a part of a phrase statement")),
            }
        }
        Ok(PhraseDecl {
            phrases: phrases.ok_or_else(|| self.unexpected(&pair, "the phrases"))?,
            meaning: meaning.ok_or_else(|| self.unexpected(&pair, "what the phrases mean"))?,
            span,
        })
    }

    pub(super) fn cue(&self, pair: Pair<Rule>) -> Result<CueDecl> {
        let span = self.span(&pair);
        let mut kind = None;
        let mut side = None;
        let mut cues = None;
        let mut facts = Vec::new();
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_cue => {}
                Rule::cue_kind => kind = Some(self.word(&p)),
                Rule::cue_side => {
                    let keyword = self.next(&p, &mut p.clone().into_inner(), "before or after")?;
                    side = Some(match keyword.as_rule() {
                        Rule::kw_before => CueSide::Before,
                        Rule::kw_after => CueSide::After,
                        _ => return Err(self.unexpected(&keyword, "before or after")),
                    });
                }
                Rule::phrase_list => cues = Some(self.strings(p)?),
                Rule::cue_facts => {
                    facts = p
                        .into_inner()
                        .filter(|f| f.as_rule() == Rule::ident)
                        .map(|f| self.word(&f))
                        .collect()
                }
                _ => return Err(self.unexpected(&p, "a part of a cue statement")),
            }
        }
        Ok(CueDecl {
            kind: kind.ok_or_else(|| self.unexpected(&pair, "a kind of cue"))?,
            side,
            cues: cues.ok_or_else(|| self.unexpected(&pair, "the cue words"))?,
            facts,
            span,
        })
    }

    pub(super) fn abbreviation(&self, pair: Pair<Rule>) -> Result<AbbreviationDecl> {
        let span = self.span(&pair);
        let mut short = None;
        let mut long = None;
        for p in pair.clone().into_inner() {
            match p.as_rule() {
                Rule::kw_abbreviation | Rule::kw_means => {}
                Rule::phrase_list => short = Some(self.strings(p)?),
                Rule::string => long = Some(self.string(&p)?),
                _ => return Err(self.unexpected(&p, "a part of an abbreviation")),
            }
        }
        Ok(AbbreviationDecl {
            short: short.ok_or_else(|| self.unexpected(&pair, "the abbreviations"))?,
            long: long.ok_or_else(|| self.unexpected(&pair, "what they stand for"))?,
            span,
        })
    }

    /// The quoted texts of a comma-separated list.
    pub(super) fn strings(&self, pair: Pair<Rule>) -> Result<Vec<Word>> {
        pair.into_inner().map(|p| self.string(&p)).collect()
    }

    pub(super) fn name(&self, pair: Pair<Rule>) -> Result<Name> {
        let span = self.span(&pair);
        let inner = pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.unexpected(&pair, "a name"))?;
        match inner.as_rule() {
            Rule::string => Ok(Name {
                text: self.string(&inner)?.text,
                quoted: true,
                span,
            }),
            Rule::ident | Rule::field => Ok(Name {
                text: inner.as_str().to_string(),
                quoted: false,
                span,
            }),
            _ => Err(self.unexpected(&inner, "a name")),
        }
    }

    /// The text inside a quoted string, with `\"` and `\\` unescaped; the span covers the quotes.
    pub(in crate::syntax) fn string(&self, pair: &Pair<Rule>) -> Result<Word> {
        if pair.as_rule() != Rule::string {
            return Err(self.unexpected(pair, "a quoted text"));
        }
        let inner = pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.unexpected(pair, "a quoted text"))?;
        let mut text = String::with_capacity(inner.as_str().len());
        let mut chars = inner.as_str().chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => text.push('\n'),
                    Some('t') => text.push('\t'),
                    Some(other) => text.push(other),
                    None => {}
                }
            } else {
                text.push(c);
            }
        }
        Ok(Word {
            text,
            span: self.span(pair),
        })
    }
}
