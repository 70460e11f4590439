//! Checking literals: codes, ranges, named sets, modifiers, diagnoses, dates, NCCI versions and
//! message placeholders.

use super::error::*;
use super::{Checker, Progress};
use crate::codes::{parse_date, Code, Date, DiagnosisPattern, Modifier, NcciVersion};
use crate::ir::*;
use crate::pack::limits;
use crate::syntax::ast;
use crate::syntax::span::FileId;

/// What a message can name, by the kind of rule it belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MessageScope {
    /// A rule with no line: the claim only.
    Claim,
    /// A `for each line` rule.
    Line,
    /// A pair edit.
    Pair,
    /// The edits of a pair-edit table.
    TableEdits,
}

impl<'a> Checker<'a> {
    pub(super) fn code(&mut self, w: &ast::Word) -> Option<Code> {
        let code = Code::parse(&w.text);
        if code.is_none() && Modifier::parse(&w.text).is_some() {
            self.error(TypeMismatch {
                subject: format!("`{}`", w.text),
                found: "a modifier".into(),
                expected: "a CPT/HCPCS code".into(),
                span: w.span.into(),
                help: format!(
                    "to test a modifier, write `claim has modifier {0}` or `line has modifier \
                     {0}`; codes have five letters or digits: `27093`, `0201T`",
                    w.text
                ),
            });
        } else if code.is_none() {
            self.error(MalformedLiteral {
                text: w.text.clone(),
                what: "a CPT/HCPCS code",
                span: w.span.into(),
                help: "CPT and HCPCS codes have five letters or digits: `27093`, `0201T`, `G0008`"
                    .into(),
            });
        }
        code
    }

    pub(super) fn modifier(&mut self, w: &ast::Word) -> Option<Modifier> {
        let m = Modifier::parse(&w.text);
        if m.is_none() && Code::parse(&w.text).is_some() {
            self.error(TypeMismatch {
                subject: format!("`{}`", w.text),
                found: "a procedure code".into(),
                expected: "a modifier".into(),
                span: w.span.into(),
                help: format!(
                    "to test a code, write `claim has {0}` or `line is {0}`; modifiers have two \
                     characters: `26`, `TC`, `59`",
                    w.text
                ),
            });
        } else if m.is_none() {
            let help = "modifiers have two letters or digits: `26`, `TC`, `59`, `LT`".to_string();
            self.error(MalformedLiteral {
                text: w.text.clone(),
                what: "a modifier",
                span: w.span.into(),
                help,
            });
        }
        m
    }

    pub(super) fn modifiers(&mut self, ws: &[ast::Word]) -> Option<Vec<Modifier>> {
        let parsed: Vec<Option<Modifier>> = ws.iter().map(|w| self.modifier(w)).collect();
        parsed.into_iter().collect()
    }

    pub(super) fn number(&mut self, w: &ast::Word) -> Option<f64> {
        let n = w.text.parse::<f64>().ok();
        if n.is_none() {
            self.error(MalformedLiteral {
                text: w.text.clone(),
                what: "a number",
                span: w.span.into(),
                help: "write a number such as `1` or `2.5`".into(),
            });
        }
        n
    }

    /// Compiles a code list into a set of the program; lists of the same codes share one set.
    pub(super) fn code_ref(&mut self, r: &ast::CodeRef) -> Option<SetId> {
        let mut set = CodeSet::default();
        if !self.collect_codes(r, &mut set) {
            return None;
        }
        set.normalize();
        let next = self.program.code_sets.len() as SetId;
        let id = *self.set_ids.entry(set.clone()).or_insert(next);
        if id == next {
            self.program.code_sets.push(set);
        }
        Some(id)
    }

    /// Adds a code list's codes to `out`; `false` if any item was wrong.
    fn collect_codes(&mut self, r: &ast::CodeRef, out: &mut CodeSet) -> bool {
        let mut ok = true;
        for item in &r.items {
            match item {
                ast::CodeItem::Code(w) => match self.code(w) {
                    Some(c) => out.exact.push(c),
                    None => ok = false,
                },
                ast::CodeItem::Range { first, last, span } => {
                    match (self.code(first), self.code(last)) {
                        (Some(a), Some(b)) if a <= b => out.ranges.push((a, b)),
                        (Some(_), Some(_)) => {
                            self.error(EmptyRange {
                                first: first.text.clone(),
                                last: last.text.clone(),
                                span: (*span).into(),
                            });
                            ok = false;
                        }
                        _ => ok = false,
                    }
                }
                ast::CodeItem::Attribute(w) => {
                    self.error(TypeMismatch {
                        subject: format!("`{}`", w.text),
                        found: "a column of the line's code".into(),
                        expected: "a fixed list of codes".into(),
                        span: w.span.into(),
                        help: "a code set and `for each line in` list fixed codes; use a \
                               column in a test such as `claim has code.primaries`"
                            .into(),
                    });
                    ok = false;
                }
                ast::CodeItem::Set(name) => {
                    // A table's codes are copied as often as it is named, which the text bounds;
                    // only sets naming sets can grow as the square of the text.
                    let table = self.table_decls.contains_key(name.text.as_str());
                    match self.mark_used("code set", name).named_code_set(name) {
                        Some(set)
                            if table
                                || self.count_copied(set.exact.len() + set.ranges.len(), name) =>
                        {
                            out.exact.extend_from_slice(&set.exact);
                            out.ranges.extend_from_slice(&set.ranges);
                        }
                        _ => ok = false,
                    }
                }
            }
        }
        ok
    }

    /// Counts the items of a set named in another against the limit on items copied between
    /// sets; `false` once it is passed (reported the first time only, so that every set after
    /// it does not repeat it).
    fn count_copied(&mut self, items: usize, name: &ast::Word) -> bool {
        let Some(copied) = self.set_codes_copied else {
            return false;
        };
        let copied = copied + items;
        if copied > limits::MAX_SET_CODES {
            self.set_codes_copied = None;
            self.error(TooManySetCodes {
                max: limits::MAX_SET_CODES,
                span: name.span.into(),
            });
            return false;
        }
        self.set_codes_copied = Some(copied);
        true
    }

    pub(super) fn named_code_set(&mut self, name: &ast::Word) -> Option<CodeSet> {
        let key = name.text.as_str();
        if let Some(i) = self.table_decls.get_index_of(key) {
            if self.table_decls[i].1.kind == ast::TableKind::PairEdits {
                self.error(TypeMismatch {
                    subject: format!("`{key}`"),
                    found: "a table of pair edits".into(),
                    expected: "a set of codes".into(),
                    span: name.span.into(),
                    help: format!("apply its edits with a rule: `apply edits of \"{key}\"`"),
                });
                return None;
            }
            let table = self.table_ids.get(i).copied().flatten()?;
            return Some(self.program.tables[table as usize].keys());
        }
        let Some((key, &(file, decl))) =
            self.code_set_decls.get_key_value(key).map(|(k, v)| (*k, v))
        else {
            let names = self
                .code_set_decls
                .keys()
                .chain(self.table_decls.keys())
                .copied();
            let help = did_you_mean(key, names, "code set");
            self.error(UnknownName {
                kind: "code set",
                name: name.text.clone(),
                span: name.span.into(),
                help,
            });
            return None;
        };
        if let Some(done) = self.code_set_cache.get(key) {
            return done.clone();
        }
        if self.code_set_progress.get(key) == Some(&Progress::Active) {
            self.error(Cycle {
                kind: "code set",
                name: name.text.clone(),
                span: name.span.into(),
            });
            return None;
        }
        // `compile_sets` compiles what a set names first, so this is reached only for a set
        // named before the sets are compiled; compiling it here is still right.
        self.code_set_progress.insert(key, Progress::Active);
        self.compile_code_set(key, file, decl)
    }

    /// Compiles a declared code set, which is `Active`: every set it names is compiled
    /// already, or is `Active` too (a cycle, reported where it is named).
    pub(super) fn compile_code_set(
        &mut self,
        key: &'a str,
        file: FileId,
        decl: &ast::CodeSetDecl,
    ) -> Option<CodeSet> {
        let saved = std::mem::replace(&mut self.file, file);
        let mut set = CodeSet::default();
        let ok = self.collect_codes(&decl.codes, &mut set);
        self.file = saved;
        self.code_set_progress.insert(key, Progress::Done);
        let result = ok.then(|| {
            set.normalize();
            set
        });
        self.code_set_cache.insert(key, result.clone());
        result
    }

    /// The declared code sets a code list names, by index in `code_set_decls`.
    pub(super) fn code_set_names(&self, r: &ast::CodeRef) -> Vec<usize> {
        r.items
            .iter()
            .filter_map(|item| match item {
                ast::CodeItem::Set(name) if !self.table_decls.contains_key(name.text.as_str()) => {
                    self.code_set_decls.get_index_of(name.text.as_str())
                }
                _ => None,
            })
            .collect()
    }

    pub(super) fn diagnosis_ref(&mut self, r: &ast::DiagnosisRef) -> Option<SetId> {
        let mut set = DiagnosisSet::default();
        if !self.collect_diagnoses(r, &mut set) {
            return None;
        }
        self.program.diagnosis_sets.push(set);
        Some((self.program.diagnosis_sets.len() - 1) as SetId)
    }

    fn collect_diagnoses(&mut self, r: &ast::DiagnosisRef, out: &mut DiagnosisSet) -> bool {
        let mut ok = true;
        for item in &r.items {
            match item {
                ast::DiagnosisItem::Pattern(w) => match DiagnosisPattern::parse(&w.text) {
                    Some(p) => out.patterns.push(p),
                    None => {
                        self.error(MalformedLiteral {
                            text: w.text.clone(),
                            what: "an ICD-10-CM code or pattern",
                            span: w.span.into(),
                            help: "write a diagnosis as `S82.241A`, or a family as `S82.*`".into(),
                        });
                        ok = false;
                    }
                },
                ast::DiagnosisItem::Set(name) => match self
                    .mark_used("diagnosis set", name)
                    .named_diagnosis_set(name)
                {
                    Some(set) if self.count_copied(set.patterns.len(), name) => {
                        out.patterns.extend(set.patterns)
                    }
                    _ => ok = false,
                },
            }
        }
        ok
    }

    pub(super) fn named_diagnosis_set(&mut self, name: &ast::Word) -> Option<DiagnosisSet> {
        let key = name.text.as_str();
        let Some((key, &(file, decl))) = self
            .diagnosis_set_decls
            .get_key_value(key)
            .map(|(k, v)| (*k, v))
        else {
            let help = did_you_mean(
                key,
                self.diagnosis_set_decls.keys().copied(),
                "diagnosis set",
            );
            self.error(UnknownName {
                kind: "diagnosis set",
                name: name.text.clone(),
                span: name.span.into(),
                help,
            });
            return None;
        };
        if let Some(done) = self.diagnosis_set_cache.get(key) {
            return done.clone();
        }
        if self.diagnosis_set_progress.get(key) == Some(&Progress::Active) {
            self.error(Cycle {
                kind: "diagnosis set",
                name: name.text.clone(),
                span: name.span.into(),
            });
            return None;
        }
        // As for code sets: reached only for a set named before the sets are compiled.
        self.diagnosis_set_progress.insert(key, Progress::Active);
        self.compile_diagnosis_set(key, file, decl)
    }

    /// Compiles a declared diagnosis set, which is `Active`, as `compile_code_set` does.
    pub(super) fn compile_diagnosis_set(
        &mut self,
        key: &'a str,
        file: FileId,
        decl: &ast::DiagnosisSetDecl,
    ) -> Option<DiagnosisSet> {
        let saved = std::mem::replace(&mut self.file, file);
        let mut set = DiagnosisSet::default();
        let ok = self.collect_diagnoses(&decl.patterns, &mut set);
        self.file = saved;
        self.diagnosis_set_progress.insert(key, Progress::Done);
        // A pattern once: a set that names another twice, at every step of a chain, would
        // otherwise double in size at each step.
        let mut seen = std::collections::HashSet::new();
        set.patterns.retain(|p| seen.insert(p.clone()));
        let result = ok.then_some(set);
        self.diagnosis_set_cache.insert(key, result.clone());
        result
    }

    /// The declared diagnosis sets a diagnosis list names, by index in `diagnosis_set_decls`.
    pub(super) fn diagnosis_set_names(&self, r: &ast::DiagnosisRef) -> Vec<usize> {
        r.items
            .iter()
            .filter_map(|item| match item {
                ast::DiagnosisItem::Set(name) => {
                    self.diagnosis_set_decls.get_index_of(name.text.as_str())
                }
                ast::DiagnosisItem::Pattern(_) => None,
            })
            .collect()
    }

    fn time_point(&mut self, p: &ast::TimePoint) -> Option<Date> {
        match p {
            ast::TimePoint::Date(w) => {
                let d = parse_date(&w.text);
                if d.is_none() {
                    self.error(MalformedLiteral {
                        text: w.text.clone(),
                        what: "a calendar date",
                        span: w.span.into(),
                        help: "write dates as YYYY-MM-DD, a day that exists: `2010-04-01`".into(),
                    });
                }
                d
            }
            ast::TimePoint::Cci(w) => {
                let v = NcciVersion::parse(&w.text);
                if v.is_none() {
                    self.error(MalformedLiteral {
                        text: w.text.clone(),
                        what: "an NCCI version",
                        span: w.span.into(),
                        help: "NCCI versions are `M.Q` with a quarter Q from 0 to 3: `CCI 16.1` \
                               takes effect on 2010-04-01"
                            .into(),
                    });
                }
                v.map(NcciVersion::effective_date)
            }
        }
    }

    /// The dates a time test holds on: `before` is strict, `after` and `between` inclusive.
    pub(super) fn window(&mut self, t: &ast::TimeTest) -> Option<DateWindow> {
        Some(match t {
            ast::TimeTest::Before(p) => DateWindow {
                from: None,
                until: Some(self.time_point(p)?.pred_opt()?),
            },
            ast::TimeTest::After(p) => DateWindow {
                from: Some(self.time_point(p)?),
                until: None,
            },
            ast::TimeTest::Between(a, b) => {
                let (from, until) = (self.time_point(a)?, self.time_point(b)?);
                if from > until {
                    self.error(EmptyWindow {
                        written: format!("between {from} and {until}"),
                        first: from.to_string(),
                        last: until.to_string(),
                        span: a.span().to(b.span()).into(),
                        help: format!("write the earlier date first: `between {until} and {from}`"),
                    });
                    return None;
                }
                DateWindow {
                    from: Some(from),
                    until: Some(until),
                }
            }
        })
    }

    /// The dates of service an `effective` clause puts something in force on; every date
    /// without one. `None` after an error.
    pub(super) fn effective(&mut self, e: Option<&ast::Effective>) -> Option<DateWindow> {
        let Some(e) = e else {
            return Some(DateWindow::default());
        };
        let mut date = |w: &Option<ast::Word>| match w {
            Some(w) => self
                .time_point(&ast::TimePoint::Date(w.clone()))
                .map(Some)
                .ok_or(()),
            None => Ok(None),
        };
        let (from, until) = (date(&e.from), date(&e.until));
        let window = DateWindow {
            from: from.ok()?,
            until: until.ok()?,
        };
        if let (Some(first), Some(last)) = (window.from, window.until) {
            if first > last {
                self.error(EmptyWindow {
                    written: format!("effective {first} until {last}"),
                    first: first.to_string(),
                    last: last.to_string(),
                    span: e.span.into(),
                    help: format!("write the earlier date first: `effective {last} until {first}`"),
                });
                return None;
            }
        }
        Some(window)
    }

    /// Splits a message into text and `{placeholders}`, checking each placeholder fits the rule.
    /// `{{` and `}}` stand for literal braces.
    pub(super) fn message(&mut self, w: &ast::Word, scope: MessageScope) -> Option<Message> {
        let length = w.text.chars().count();
        if length > crate::ir::MAX_MESSAGE_CHARS {
            self.error(MessageTooLong {
                length,
                max: crate::ir::MAX_MESSAGE_CHARS,
                span: w.span.into(),
            });
            return None;
        }
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut ok = true;
        let mut chars = w.text.char_indices().peekable();
        let raw = self.sources[self.file.0 as usize]
            .text
            .get(w.span.start as usize..w.span.end as usize)
            .unwrap_or("");
        while let Some((_, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed || name.contains([' ', '{']) {
                        self.error(UnknownPlaceholder {
                            name: name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect(),
                            reason: "is not closed".into(),
                            span: w.span.into(),
                            help: "close a placeholder with `}`, as in `{code}`; write `{{` for a brace itself".into(),
                        });
                        ok = false;
                        continue;
                    }
                    // Point at the placeholder in the file when it can be found there.
                    let needle = format!("{{{name}}}");
                    let span = raw
                        .find(&needle)
                        .map(|off| {
                            let start = w.span.start as usize + off;
                            crate::syntax::span::Span::new(start, start + needle.len())
                        })
                        .unwrap_or(w.span);
                    match self.placeholder(&name, scope, span) {
                        Some(p) => {
                            if !text.is_empty() {
                                parts.push(MessagePart::Text(std::mem::take(&mut text).into()));
                            }
                            parts.push(MessagePart::Placeholder(p));
                        }
                        None => ok = false,
                    }
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(MessagePart::Text(text.into()));
        }
        ok.then_some(Message { parts })
    }

    fn placeholder(
        &mut self,
        name: &str,
        scope: MessageScope,
        span: crate::syntax::span::Span,
    ) -> Option<Placeholder> {
        if super::tables::is_column(name) {
            let w = ast::Word {
                text: name.to_string(),
                span,
            };
            let (column, _) = self.column(&w, scope != MessageScope::Claim)?;
            return Some(Placeholder::Column(column));
        }
        if let Some(attr) = crate::claim::LineAttr::by_field(name) {
            return self.line_attr_placeholder(attr, scope != MessageScope::Claim, span);
        }
        let names = Placeholder::ALL
            .iter()
            .map(|(n, _)| *n)
            .chain(crate::claim::LineAttr::ALL.map(|a| a.field()));
        let Some(&(_, p)) = Placeholder::ALL.iter().find(|(n, _)| *n == name) else {
            self.error(UnknownPlaceholder {
                name: name.to_string(),
                reason: "no message can name".into(),
                span: span.into(),
                help: did_you_mean(name, names, "placeholder"),
            });
            return None;
        };
        let fits = match p {
            Placeholder::Claim | Placeholder::Date => true,
            Placeholder::Code | Placeholder::Line | Placeholder::Units => {
                scope != MessageScope::Claim
            }
            Placeholder::Matched => !matches!(scope, MessageScope::Pair | MessageScope::TableEdits),
            Placeholder::With => matches!(scope, MessageScope::Pair | MessageScope::TableEdits),
            Placeholder::Rationale => scope == MessageScope::TableEdits,
            Placeholder::Column(_) | Placeholder::LineAttr(_) => scope != MessageScope::Claim,
        };
        if !fits {
            let (reason, help) = match p {
                Placeholder::Rationale => (
                    "only the edits of a table can fill",
                    "`{rationale}` names the rationale of the table row that denied the line",
                ),
                Placeholder::With => (
                    "only a pair edit can fill",
                    "`{with}` names the column-1 code of a pair edit; in other rules use `{matched}`",
                ),
                Placeholder::Matched => (
                    "a pair edit cannot fill",
                    "in a pair edit, `{with}` names the code the line is bundled with",
                ),
                _ => (
                    "needs a line",
                    "start the rule with `for each line in …` to name the line's code, number or units",
                ),
            };
            self.error(UnknownPlaceholder {
                name: name.to_string(),
                reason: reason.into(),
                span: span.into(),
                help: help.into(),
            });
            return None;
        }
        Some(p)
    }
}
