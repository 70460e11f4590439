//! Which tests of a condition cannot hold together.
//!
//! A rule's `when` is split into the tests that must all be true for it to hold (its
//! conjuncts, through `not`, `or` under `not`, and terms), and each pair of them is compared.
//! The comparison is sound but not complete: it reports only contradictions it can prove, so a
//! warning always names two tests that really exclude each other under three-valued logic.

use crate::ir::*;
use crate::syntax::ast::CompareOp;
use crate::syntax::span::Loc;

/// One test a condition needs, and whether it must be false (`negated`) rather than true.
#[derive(Debug, Clone, Copy)]
pub(super) struct Atom<'p> {
    pub cond: &'p Cond,
    pub negated: bool,
    /// Where to point: the test itself, or the term in the rule that stands for it.
    pub shown: Loc,
}

impl Atom<'_> {
    pub fn same_as(&self, other: &Atom<'_>) -> bool {
        self.negated == other.negated && self.cond == other.cond
    }
}

/// The tests that must all hold for `c` to be true.
pub(super) fn conjuncts<'p>(program: &'p Program, c: &'p Cond) -> Vec<Atom<'p>> {
    let mut out = Vec::new();
    split(program, c, (false, None), true, &mut out);
    out
}

/// The tests any one of which makes `c` true.
pub(super) fn disjuncts<'p>(program: &'p Program, c: &'p Cond) -> Vec<Atom<'p>> {
    let mut out = Vec::new();
    split(program, c, (false, None), false, &mut out);
    out
}

/// Splits `c` into the tests that must all hold (`all`), or any one of which is enough, going
/// through `not` (De Morgan's laws hold in three-valued logic) and into terms.
fn split<'p>(
    program: &'p Program,
    c: &'p Cond,
    (negated, shown): (bool, Option<Loc>),
    all: bool,
    out: &mut Vec<Atom<'p>>,
) {
    match &c.kind {
        CondKind::And(a, b) | CondKind::Or(a, b)
            if matches!(c.kind, CondKind::And(..)) == (all != negated) =>
        {
            split(program, a, (negated, shown), all, out);
            split(program, b, (negated, shown), all, out);
        }
        CondKind::Not(a) => split(program, a, (!negated, shown), all, out),
        CondKind::Term(t) => {
            if let Some(term) = program.terms.get(t.index()) {
                let shown = shown.or(Some(c.loc));
                split(program, &term.condition, (negated, shown), all, out);
            }
        }
        _ => out.push(Atom {
            cond: c,
            negated,
            shown: shown.unwrap_or(c.loc),
        }),
    }
}

/// Why `a` and `b` cannot both hold, if they cannot.
pub(super) fn contradiction(program: &Program, a: &Atom<'_>, b: &Atom<'_>) -> Option<String> {
    if a.cond == b.cond && a.negated != b.negated {
        return Some("one is the negation of the other".into());
    }
    if let (Some(fa), Some(fb)) = (fact_of(&a.cond.kind), fact_of(&b.cond.kind)) {
        if fa == fb {
            return fact_contradiction(program, fa, a, b);
        }
        return None;
    }
    use CondKind::*;
    match (&a.cond.kind, &b.cond.kind) {
        (ServiceDate(x), ServiceDate(y)) => {
            let disjoint = match (date_window(*x, a.negated), date_window(*y, b.negated)) {
                (Some(x), Some(y)) => x.intersection(y).is_none(),
                (Some(x), None) => y.from.is_some() && y.until.is_some() && within(x, *y),
                (None, Some(y)) => x.from.is_some() && x.until.is_some() && within(y, *x),
                (None, None) => false,
            };
            disjoint.then(|| "no service date satisfies both".into())
        }
        (LineIs(x), LineIs(y)) => codes_contradiction(program, x, a.negated, y, b.negated, true),
        (LineAttr(x, p), LineAttr(y, q)) if x == y => {
            line_attr_contradiction(program, *x, (p, a.negated), (q, b.negated))
        }
        (ClaimHasCode(x), ClaimHasCode(y)) => {
            codes_contradiction(program, x, a.negated, y, b.negated, false)
        }
        (LineUnits(op_a, Limit::Number(x)), LineUnits(op_b, Limit::Number(y))) => {
            let p = Bound::of(*op_a, *x, a.negated);
            let q = Bound::of(*op_b, *y, b.negated);
            (!p.meets(&q)).then(|| "no number of units satisfies both".into())
        }
        _ => None,
    }
}

/// Why a test cannot hold on any line a rule judges, if it cannot.
pub(super) fn outside_target(program: &Program, target: &CodeSet, a: &Atom<'_>) -> Option<String> {
    let CondKind::LineIs(m) = &a.cond.kind else {
        return None;
    };
    if !m.columns.is_empty() {
        return None;
    }
    let set = &program.code_sets[m.set.index()];
    if !a.negated && target.common_code(set).is_none() {
        return Some("none of them is in this list".into());
    }
    if a.negated && target.is_subset_of(set) {
        return Some("every one of them is in this list".into());
    }
    None
}

/// Whether `excuse` holds on every line of `target`, excusing the rule on all of them.
pub(super) fn excuses(program: &Program, target: &CodeSet, excuse: &Atom<'_>) -> bool {
    match &excuse.cond.kind {
        CondKind::LineIs(m) if m.columns.is_empty() && !excuse.negated => {
            target.is_subset_of(&program.code_sets[m.set.index()])
        }
        _ => false,
    }
}

fn fact_of(kind: &CondKind) -> Option<FactId> {
    use CondKind::*;
    match kind {
        Documented(f)
        | Missing(f)
        | BoolIs(f, _)
        | Number(f, ..)
        | TextIn(f, _)
        | ChoiceIn(f, _)
        | ListHasChoice(f, _)
        | ListHasText(f, _) => Some(*f),
        _ => None,
    }
}

/// Whether a test can only hold when its fact is missing (`Some(false)`), only when it is
/// given (`Some(true)`): a value test on a missing fact is unknown, true or false alike.
fn needs_value(a: &Atom<'_>) -> bool {
    match a.cond.kind {
        CondKind::Documented(_) => !a.negated,
        CondKind::Missing(_) => a.negated,
        _ => true,
    }
}

fn fact_contradiction(
    program: &Program,
    fact: FactId,
    a: &Atom<'_>,
    b: &Atom<'_>,
) -> Option<String> {
    use CondKind::*;
    let name = program.fact(fact).0;
    if needs_value(a) != needs_value(b) {
        return Some(format!(
            "one needs `{name}` to be missing, and a test of a missing fact is unknown, never true"
        ));
    }
    if !needs_value(a) {
        return None;
    }
    let reason = |what: &str| Some(format!("`{name}` cannot be {what}"));
    match (&a.cond.kind, &b.cond.kind) {
        (BoolIs(_, x), BoolIs(_, y)) if (*x != a.negated) != (*y != b.negated) => {
            reason("both yes and no")
        }
        (Number(_, op_a, x), Number(_, op_b, y)) => {
            let p = Bound::of(*op_a, *x, a.negated);
            let q = Bound::of(*op_b, *y, b.negated);
            (!p.meets(&q)).then(|| format!("no value of `{name}` satisfies both"))
        }
        (TextIn(_, x), TextIn(_, y)) | (ListHasText(_, x), ListHasText(_, y)) => {
            let is_list = matches!(a.cond.kind, ListHasText(..));
            texts_contradiction(x, a.negated, y, b.negated, is_list)
                .then(|| format!("no value of `{name}` satisfies both"))
        }
        (ChoiceIn(_, x), ChoiceIn(_, y)) => {
            let disjoint = match (a.negated, b.negated) {
                (false, false) => x & y == 0,
                (false, true) => x & !y == 0,
                (true, false) => y & !x == 0,
                (true, true) => false,
            };
            disjoint.then(|| format!("no value of `{name}` satisfies both"))
        }
        (ListHasChoice(_, x), ListHasChoice(_, y)) => {
            let disjoint = match (a.negated, b.negated) {
                (false, true) => x & !y == 0,
                (true, false) => y & !x == 0,
                _ => false,
            };
            disjoint
                .then(|| format!("the values one needs in `{name}` are those the other rules out"))
        }
        _ => None,
    }
}

/// For single-valued facts, two positive lists must share a value; for any fact, a positive
/// list must not lie wholly inside a negated one.
fn texts_contradiction(
    x: &[Box<str>],
    x_negated: bool,
    y: &[Box<str>],
    y_negated: bool,
    is_list: bool,
) -> bool {
    let subset = |a: &[Box<str>], b: &[Box<str>]| a.iter().all(|v| b.contains(v));
    match (x_negated, y_negated) {
        (false, false) => !is_list && !x.iter().any(|v| y.contains(v)),
        (false, true) => subset(x, y),
        (true, false) => subset(y, x),
        (true, true) => false,
    }
}

fn codes_contradiction(
    program: &Program,
    x: &CodeMatch,
    x_negated: bool,
    y: &CodeMatch,
    y_negated: bool,
    one_line: bool,
) -> Option<String> {
    if !x.columns.is_empty() || !y.columns.is_empty() {
        return None;
    }
    let (xs, ys) = (
        &program.code_sets[x.set.index()],
        &program.code_sets[y.set.index()],
    );
    let reason = |text: &str| Some(text.to_string());
    match (x_negated, y_negated) {
        // A line has one code; a claim may have both codes on two lines.
        (false, false) if one_line && xs.common_code(ys).is_none() => {
            reason("a line has one code, and no code is in both lists")
        }
        (false, true) if xs.is_subset_of(ys) => {
            reason("every code the first names, the second rules out")
        }
        (true, false) if ys.is_subset_of(xs) => {
            reason("every code the second names, the first rules out")
        }
        _ => None,
    }
}

/// The window a date test needs, when it is one window (`not between` is two).
fn date_window(w: DateWindow, negated: bool) -> Option<DateWindow> {
    if !negated {
        return Some(w);
    }
    match (w.from, w.until) {
        (None, Some(u)) => Some(DateWindow {
            from: u.succ_opt(),
            until: None,
        }),
        (Some(f), None) => Some(DateWindow {
            from: None,
            until: f.pred_opt(),
        }),
        _ => None,
    }
}

/// Whether every date of `inner` is in `outer`.
fn within(inner: DateWindow, outer: DateWindow) -> bool {
    let starts = match (outer.from, inner.from) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(o), Some(i)) => o <= i,
    };
    let ends = match (outer.until, inner.until) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(o), Some(i)) => i <= o,
    };
    starts && ends
}

/// The numbers a comparison admits: an interval, or all numbers but one.
#[derive(Debug, Clone, Copy)]
enum Bound {
    Interval {
        low: Option<(f64, bool)>,
        high: Option<(f64, bool)>,
    },
    AllBut(f64),
}

impl Bound {
    fn of(op: CompareOp, v: f64, negated: bool) -> Bound {
        let op = if negated { negate(op) } else { op };
        let interval = |low, high| Bound::Interval { low, high };
        match op {
            CompareOp::Eq => interval(Some((v, true)), Some((v, true))),
            CompareOp::Ne => Bound::AllBut(v),
            CompareOp::Lt => interval(None, Some((v, false))),
            CompareOp::Le => interval(None, Some((v, true))),
            CompareOp::Gt => interval(Some((v, false)), None),
            CompareOp::Ge => interval(Some((v, true)), None),
        }
    }

    /// Whether some number is admitted by both.
    fn meets(&self, other: &Bound) -> bool {
        match (self, other) {
            (Bound::AllBut(x), Bound::Interval { low, high })
            | (Bound::Interval { low, high }, Bound::AllBut(x)) => {
                !(low == high && low.is_some_and(|(v, _)| v == *x))
            }
            (Bound::AllBut(_), Bound::AllBut(_)) => true,
            (Bound::Interval { low: l1, high: h1 }, Bound::Interval { low: l2, high: h2 }) => {
                let low = tighter(*l1, *l2, |a, b| a > b);
                let high = tighter(*h1, *h2, |a, b| a < b);
                match (low, high) {
                    (Some((l, li)), Some((h, hi))) => l < h || (l == h && li && hi),
                    _ => true,
                }
            }
        }
    }
}

/// The tighter of two bounds; at the same value, the exclusive one.
fn tighter(
    a: Option<(f64, bool)>,
    b: Option<(f64, bool)>,
    beyond: fn(f64, f64) -> bool,
) -> Option<(f64, bool)> {
    match (a, b) {
        (Some(x), Some(y)) if beyond(x.0, y.0) => Some(x),
        (Some(x), Some(y)) if beyond(y.0, x.0) => Some(y),
        (Some(x), Some(y)) => Some((x.0, x.1 && y.1)),
        (x, y) => x.or(y),
    }
}

fn negate(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Eq => CompareOp::Ne,
        CompareOp::Ne => CompareOp::Eq,
        CompareOp::Lt => CompareOp::Ge,
        CompareOp::Le => CompareOp::Gt,
        CompareOp::Gt => CompareOp::Le,
        CompareOp::Ge => CompareOp::Lt,
    }
}

/// Why two tests of one attribute of the line cannot both hold, if they cannot: a value test
/// beside a test that the line has none (a value test on a missing attribute is unknown), or
/// two value lists that share no code (a line has one value).
fn line_attr_contradiction(
    program: &Program,
    attr: LineAttr,
    (a, a_negated): (&LineAttrTest, bool),
    (b, b_negated): (&LineAttrTest, bool),
) -> Option<String> {
    match (a, b) {
        (LineAttrTest::Codes(x), LineAttrTest::Codes(y)) => {
            let reason = codes_contradiction(program, x, a_negated, y, b_negated, true)?;
            Some(if a_negated || b_negated {
                reason
            } else {
                format!(
                    "a line has one {}, and no code is in both lists",
                    attr.words()
                )
            })
        }
        (LineAttrTest::Present, LineAttrTest::Codes(_)) if a_negated => Some(absent(attr)),
        (LineAttrTest::Codes(_), LineAttrTest::Present) if b_negated => Some(absent(attr)),
        _ => None,
    }
}

fn absent(attr: LineAttr) -> String {
    format!(
        "one needs the line to have no {0}, and a test of a missing {0} is unknown, never true",
        attr.words()
    )
}
