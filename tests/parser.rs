//! The parser: what reads, what does not, and what the AST holds.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use claimrules::syntax::ast::*;
use claimrules::syntax::parse_policy;
use rstest::rstest;

fn parses(text: &str) -> PolicyFile {
    let (file, errors) = parse_policy(text);
    assert!(
        errors.is_empty(),
        "expected no syntax errors in {text:?}, got {errors:?}"
    );
    file
}

#[rstest]
#[case::pair_edit("rule r\n  77002 with 27093 allowed after CCI 16.1")]
#[case::pair_edit_session("rule r\n  76000 with 77002, 77003 in the same session denied")]
#[case::pair_edit_between(
    "rule r\n  77002 with 27093 denied between 2009-01-01 and 2009-12-31\n  message \"m\""
)]
#[case::derivation("rule r\n  \"IM nail\" implies open")]
#[case::derivation_value("rule r\n  hardware has im_nail implies approach is open")]
#[case::line_rule(
    "rule r\n  for each line in \"percutaneous fixation\"\n  when open\n  review \"{code}\""
)]
#[case::unless("rule r\n  for each line in 76000\n  unless film_archived and separate_interpretation\n  deny \"m\"")]
#[case::claim_rule("rule r\n  when claim has 27093 and not claim has modifier 59\n  info \"m\"")]
#[case::modify_add("rule r\n  for each line in 77002\n  modify add modifier 26 \"m\"")]
#[case::modify_remove_line("rule r\n  for each line in 77002\n  modify remove the line \"m\"")]
#[case::suggest("rule r\n  for each line in 28415\n  suggest 28406 \"m\"")]
#[case::comparisons(
    "rule r\n  when fluoroscopy_minutes >= 1.5 or anatomic_site is not spine\n  review \"m\""
)]
#[case::membership("rule r\n  when place_of_service in (21, 22, 24) and guidance has (fluoroscopy, ct)\n  review \"m\"")]
#[case::documented(
    "rule r\n  when documented note and missing fluoroscopy_indication\n  review \"m\""
)]
#[case::diagnosis("rule r\n  when claim has diagnosis S82.*, \"fractures\"\n  review \"m\"")]
#[case::other_line("rule r\n  for each line in 77003\n  when an earlier line in the same session has 77003 or line units > 1\n  deny \"m\"")]
#[case::service_date("rule r\n  when service date before CCI 16.1\n  info \"m\"")]
#[case::line_attribute("rule r\n  for each line in 27899\n  when not line has comparison code or line comparison code is not 27762\n    or line comparison code in (\"unlisted\", code.comparison)\n  review \"{comparison_code}\"")]
#[case::pcs("rule r\n  when procedure approach is percutaneous_endoscopic\n  review \"m\"")]
#[case::declarations("fact x is list of (a, b)\nderived fact y is one of (c, d) \"desc\"\ncodes \"s\" are 27000-27299, 0201T\ndiagnoses \"d\" are S82.*\nterm t means x has a")]
#[case::same_reason(
    "rule r\n  same reason as ncci.mue.line-edit, ncci.procedure-to-procedure\n  for each line in 0201T\n  deny \"m\""
)]
#[case::same_reason_after_effective(
    "rule r\n  effective 2024-01-01\n  same reason as s\n  77002 with 27093 denied"
)]
#[case::comments_only("# nothing here\n# at all\n")]
#[case::empty("")]
fn reads(#[case] text: &str) {
    parses(text);
}

#[rstest]
#[case::missing_quotes("rule r\n  deny no quotes", 2, "a text in double quotes")]
#[case::missing_action("rule r\n  when open", 2, "an action")]
#[case::bad_verdict("rule r\n  77002 with 27093 permitted", 2, "`allowed` or `denied`")]
#[case::no_rule_id("rule\n  deny \"m\"", 2, "a rule id")]
#[case::stray_word("rule r\n  deny \"m\"\nplease", 3, "an action")]
#[case::same_reason_without_an_id("rule r\n  same reason as\n  deny \"m\"", 3, "a rule id")]
#[case::same_reason_without_as(
    "rule r\n  same reason s\n  deny \"m\"",
    2,
    "`same reason as` and rule ids"
)]
#[case::unknown_line_attribute(
    "rule r\n  for each line in 27899\n  when line comparsion code is 27762\n  review \"m\"",
    3,
    "an attribute of the line (`comparison code`, `charge`)"
)]
fn reports_syntax_errors_in_the_analysts_words(
    #[case] text: &str,
    #[case] line: usize,
    #[case] expected: &str,
) {
    let (_, errors) = parse_policy(text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = errors[0].to_string();
    assert!(
        message.contains(expected),
        "{message:?} should mention {expected:?}"
    );
    let offset = match &errors[0] {
        claimrules::syntax::ParseError::Syntax(e) => e.span.offset(),
        other => panic!("expected a syntax error, got {other:?}"),
    };
    let at_line = text[..offset].matches('\n').count() + 1;
    assert_eq!(at_line, line, "error reported on the wrong line: {message}");
}

#[test]
fn reports_every_broken_item_of_a_file() {
    let text = "rule a\n  deny oops\n\nrule b\n  review \"fine\"\n\nrule c\n  77002 with\n";
    let (file, errors) = parse_policy(text);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        file.items.len(),
        1,
        "the good rule in between is still read"
    );
}

#[test]
fn same_reason_keeps_the_ids_as_written_in_order() {
    let file = parses(
        "rule sacroplasty.units\n  same reason as ncci.mue.line-edit,\n    ncci.mue.date-of-service-edit\n  for each line in 0201T\n  deny \"m\"",
    );
    let Item::Rule(rule) = &file.items[0] else {
        panic!("a rule")
    };
    let clause = rule.same_reason.as_ref().expect("the clause");
    let ids: Vec<&str> = clause.rules.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(ids, ["ncci.mue.line-edit", "ncci.mue.date-of-service-edit"]);
    assert!(matches!(rule.body, RuleBody::Check(_)));
    let without = parses("rule sacroplasty.units\n  for each line in 0201T\n  deny \"m\"");
    let Item::Rule(plain) = &without.items[0] else {
        panic!("a rule")
    };
    assert!(plain.same_reason.is_none());
    assert_ne!(rule, plain, "the clause is part of what the rule says");
}

#[test]
fn spans_do_not_count_in_equality() {
    let compact = parses("rule r\n when claim has 27093\n deny \"m\"");
    let spread = parses("# a comment\nrule r\n\n    when   claim has 27093\n\n    deny \"m\"\n");
    assert_eq!(compact, spread);
}

#[test]
fn and_binds_tighter_than_or() {
    let file = parses("rule r\n  when film_archived or open and note is x\n  info \"m\"");
    let Item::Rule(rule) = &file.items[0] else {
        panic!("a rule")
    };
    let RuleBody::Check(check) = &rule.body else {
        panic!("a check rule")
    };
    let when = check.when.as_ref().expect("a when clause");
    let ConditionKind::Or(_, right) = &when.kind else {
        panic!("`or` should be at the top, got {when:?}")
    };
    assert!(matches!(right.kind, ConditionKind::And(..)));
}

#[test]
fn line_attribute_tests_name_the_attribute() {
    let file = parses(
        "rule r\n  for each line in 27899\n  when line has comparison code and line comparison code is not 27762, 27766\n  info \"m\"",
    );
    let Item::Rule(rule) = &file.items[0] else {
        panic!("a rule")
    };
    let RuleBody::Check(check) = &rule.body else {
        panic!("a check rule")
    };
    let ConditionKind::And(has, is) = &check.when.as_ref().expect("a when").kind else {
        panic!("an `and`")
    };
    assert!(matches!(
        has.kind,
        ConditionKind::Predicate(Predicate::LineHasAttr(LineAttr::ComparisonCode))
    ));
    let ConditionKind::Predicate(Predicate::LineAttrIs {
        attr: LineAttr::ComparisonCode,
        negated: true,
        codes,
    }) = &is.kind
    else {
        panic!("`line comparison code is not …`, got {is:?}")
    };
    assert_eq!(codes.items.len(), 2);
}

#[test]
fn mission_sentences_read_as_written() {
    let file = parses(
        "rule a\n  77002 with 27093 allowed after CCI 16.1\nrule b\n  \"IM nail\" implies open",
    );
    let Item::Rule(a) = &file.items[0] else {
        panic!("a rule")
    };
    let RuleBody::Pairs { edits, .. } = &a.body else {
        panic!("a pair rule")
    };
    assert_eq!(edits[0].verdict, PairVerdict::Allowed);
    assert!(matches!(&edits[0].when, Some(TimeTest::After(TimePoint::Cci(v))) if v.text == "16.1"));
    let Item::Rule(b) = &file.items[1] else {
        panic!("a rule")
    };
    assert!(matches!(&b.body, RuleBody::Derive(d) if d.len() == 1));
}

/// Both `bypass with` clauses, in either order, after a table's edits or a rule's pair edits
/// and before the message; the checker judges duplicates, so the parser keeps every clause.
#[rstest]
#[case::pair_edits("rule a\n  77002 with 27093 denied\n  bypass with different site modifiers LT, RT, F1-F9\n  bypass with modifier 59, XS\n  message \"m\"\n")]
#[case::table_edits("rule a\n  apply edits of \"ncci_ptp\"\n  bypass with different site modifiers LT, RT, F1-F9\n  bypass with modifier 59, XS\n  message \"m\"\n")]
fn bypass_clauses_read_in_either_order(#[case] text: &str) {
    let file = parses(text);
    let Item::Rule(a) = &file.items[0] else {
        panic!("a rule")
    };
    let bypass = match &a.body {
        RuleBody::Pairs { bypass, .. } | RuleBody::TableEdits { bypass, .. } => bypass,
        other => panic!("a pair or table rule, not {other:?}"),
    };
    let read: Vec<(BypassKind, Vec<&str>)> = bypass
        .iter()
        .map(|b| {
            (
                b.kind,
                b.modifiers.iter().map(|m| m.text.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (BypassKind::DifferentSite, vec!["LT", "RT", "F1-F9"]),
            (BypassKind::Modifier, vec!["59", "XS"]),
        ]
    );
}

#[rstest]
#[case("claim.hip-arthrography")]
#[case("info.audit")]
#[case("line-count")]
fn rule_ids_may_start_with_a_keyword_and_a_dot(#[case] id: &str) {
    let file = parses(&format!("rule {id}\n  info \"m\""));
    let Item::Rule(rule) = &file.items[0] else {
        panic!("a rule")
    };
    assert_eq!(rule.id.text, id);
}

#[test]
fn a_change_of_action_keeps_its_rule_action_reason_and_dates() {
    let text = "change rule ncci.mue.clinical-date-of-service-edit to review\n  reason \"nurses review them\"\n  effective 2024-01-01 until 2024-12-31\n";
    let file = parses(text);
    let Item::Change(change) = &file.items[0] else {
        panic!("a change")
    };
    assert_eq!(change.id.text, "ncci.mue.clinical-date-of-service-edit");
    assert_eq!(change.to.text, "review");
    assert_eq!(change.reason.text, "nurses review them");
    let effective = change.effective.as_ref().expect("dates");
    assert_eq!(
        (
            effective.from.as_ref().map(|w| w.text.as_str()),
            effective.until.as_ref().map(|w| w.text.as_str())
        ),
        (Some("2024-01-01"), Some("2024-12-31"))
    );
    // Every node carries its span: the item's covers the whole declaration.
    assert_eq!(
        &text[change.id.span.start as usize..change.id.span.end as usize],
        change.id.text
    );
    assert_eq!(change.span.start, 0);
    // `change` at the start of a line starts an item of its own, like `disable`.
    let two = parses(
        "change rule a.b to info\n  reason \"r\"\nchange rule c.d to deny\n  reason \"s\"\n",
    );
    assert_eq!(two.items.len(), 2);
}
