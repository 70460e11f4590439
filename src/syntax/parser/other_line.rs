//! Walking the conditions between lines: `another line …` with its relations and its `where`,
//! and `the other line …` inside that `where`.

use super::*;

impl Walker {
    /// `another line of the same code in the same session has …` / `… where (…)`; `values`
    /// are the pair's children other than keywords.
    pub(super) fn other_line_has(
        &self,
        pair: &Pair<Rule>,
        values: &[Pair<Rule>],
    ) -> Result<Predicate> {
        let first = values
            .first()
            .ok_or_else(|| self.unexpected(pair, "`another line`"))?;
        let earlier = match first.as_rule() {
            Rule::earlier_line => true,
            Rule::another_line => false,
            _ => return Err(self.unexpected(first, "`another line` or `an earlier line`")),
        };
        let (mut same_session, mut same_code, mut same_date) = (false, false, false);
        let mut what = None;
        for v in &values[1..] {
            match v.as_rule() {
                Rule::same_session => same_session = true,
                Rule::of_same_code => same_code = true,
                Rule::on_same_date => same_date = true,
                Rule::has_code => {}
                Rule::has_modifier => {
                    let m = self.child(v, Rule::modifier_list, "a modifier")?;
                    what = Some(LineMatch::Modifiers(self.modifiers(m)));
                }
                Rule::code_ref => what = Some(LineMatch::Codes(self.code_ref(v.clone())?)),
                Rule::line_where => {
                    let c = self.child(v, Rule::condition, "a condition in parentheses")?;
                    what = Some(LineMatch::Where(Box::new(self.condition(c)?)));
                }
                _ => return Err(self.unexpected(v, "a relation, `has` or `where`")),
            }
        }
        Ok(Predicate::OtherLineHas {
            earlier,
            same_session,
            same_code,
            same_date,
            what: what.ok_or_else(|| self.unexpected(pair, "codes, a modifier or `where`"))?,
        })
    }

    /// `has modifier LT`, `is in "spinal injection"`, `units = 1` after `the other line`.
    pub(super) fn the_other_line(&self, pair: &Pair<Rule>) -> Result<OtherLineTest> {
        let values: Vec<Pair<Rule>> = pair
            .clone()
            .into_inner()
            .filter(|p| !is_keyword(p.as_rule()))
            .collect();
        let value = |i: usize, wanted| {
            values
                .get(i)
                .cloned()
                .ok_or_else(|| self.unexpected(pair, wanted))
        };
        Ok(match pair.as_rule() {
            Rule::other_has_modifier => {
                OtherLineTest::HasModifier(self.modifiers(value(0, "a modifier")?))
            }
            Rule::other_is => OtherLineTest::Is(self.code_ref(value(0, "a list of codes")?)?),
            Rule::other_units => OtherLineTest::Units(
                self.compare_op(&value(0, "a comparison")?)?,
                self.word(&value(1, "a number")?),
            ),
            _ => {
                return Err(self.unexpected(
                    pair,
                    "`has modifier …`, `is …` or `units …` after `the other line`",
                ))
            }
        })
    }
}
