//! Every kind of policy mistake, with its rendered diagnostic snapshotted so that the wording
//! is reviewed like code. Rendering has no colour and a fixed width.

// A test stops at the first surprise, in its helpers too (Cargo.toml [lints], clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{case_name, engine_alone, render, render_located_with_help};
use rstest::rstest;

const FACTS: &str = "fact fluoroscopy_minutes is number\n\
                     fact guidance is list of (fluoroscopy, ultrasound)\n\
                     fact anatomic_site is text\n\
                     fact film_archived is boolean\n\
                     derived fact approach is one of (open, percutaneous)\n";

#[rstest]
#[case::syntax_missing_quotes("rule r\n  for each line in 77002\n  deny bundled\n")]
#[case::syntax_missing_action(
    "rule r\n  when film_archived\n\nrule s\n  77002 with 27093 permitted\n"
)]
#[case::unknown_fact(
    "rule r\n  for each line in 77002\n  when fluoroscopy_minuts > 0\n  deny \"m\"\n"
)]
#[case::unknown_term(
    "term \"IM nail\" means guidance has fluoroscopy\nrule r\n  when \"IM nails\"\n  info \"m\"\n"
)]
#[case::unknown_code_set("codes \"fluoroscopic guidance\" are 77002\nrule r\n  for each line in \"fluoroscopic guidanse\"\n  deny \"m\"\n")]
#[case::malformed_code("rule r\n  for each line in 2709\n  deny \"m\"\n")]
#[case::a_code_where_a_modifier_belongs(
    "rule r\n  for each line in 77002\n  when line has modifier 77003\n  deny \"m\"\n"
)]
#[case::a_modifier_where_a_code_belongs("rule r\n  when claim has 59\n  review \"m\"\n")]
#[case::history_period_of_no_months(
    "rule r\n  for each line in 20610\n  when more than 1 of 20610 per 0 months\n  deny \"m\"\n"
)]
#[case::history_period_unknown(
    "rule r\n  for each line in 20610\n  when more than 1 of 20610 per fortnight\n  deny \"m\"\n"
)]
#[case::history_duplicate_outside_line_rule(
    "rule r\n  when an earlier claim has the same code and date\n  deny \"m\"\n"
)]
#[case::history_placeholder_in_a_pair_edit(
    "rule r\n  77002 with 27093 denied\n  message \"{code} after claim {history_claim}\"\n"
)]
#[case::history_window_of_a_fraction_of_days(
    "rule r\n  for each line in 99213\n  when within 2.5 days after a line in 27447\n  deny \"m\"\n"
)]
#[case::boolean_fact_used_as_a_list("rule r\n  when film_archived has yes\n  review \"m\"\n")]
#[case::malformed_modifier("rule r\n  when claim has modifier 5\n  review \"m\"\n")]
#[case::malformed_diagnosis("rule r\n  when claim has diagnosis 82.*\n  review \"m\"\n")]
#[case::malformed_date("rule r\n  when service date after 2010-02-30\n  info \"m\"\n")]
#[case::malformed_version("rule r\n  77002 with 27093 allowed after CCI 16.4\n")]
#[case::empty_range("codes \"hip\" are 27299-27000\n")]
#[case::number_compared_with_text(
    "rule r\n  when fluoroscopy_minutes > \"long\"\n  review \"m\"\n"
)]
#[case::list_used_as_yes_no("rule r\n  when guidance\n  review \"m\"\n")]
#[case::ordering_on_text("rule r\n  when anatomic_site > 3\n  review \"m\"\n")]
#[case::undeclared_value("rule r\n  when guidance has fluoroscopi\n  review \"m\"\n")]
#[case::line_outside_line_rule("rule r\n  when line has modifier 26\n  review \"m\"\n")]
#[case::line_attribute_outside_line_rule(
    "rule r\n  when claim has 27899 and not line has comparison code\n  review \"m\"\n"
)]
#[case::line_attribute_in_a_derivation(
    "rule r\n  line comparison code is 27762 implies film_archived\n"
)]
#[case::line_attribute_placeholder_needs_line(
    "rule r\n  when claim has 27899\n  review \"27899 compared with {comparison_code}\"\n"
)]
#[case::malformed_comparison_code(
    "rule r\n  for each line in 27899\n  when line comparison code in 27762, 2776\n  review \"m\"\n"
)]
#[case::unknown_line_attribute(
    "rule r\n  for each line in 27899\n  when line comparsion code is 27762\n  review \"m\"\n"
)]
#[case::suggest_without_line("rule r\n  when film_archived\n  suggest 27899 \"m\"\n")]
#[case::unknown_placeholder("rule r\n  for each line in 77002\n  deny \"{cod} is bundled\"\n")]
#[case::placeholder_needs_line("rule r\n  when film_archived\n  deny \"{code} is bundled\"\n")]
#[case::not_derivable("rule r\n  film_archived implies fluoroscopy_minutes > 2\n")]
#[case::claim_field_not_derivable("rule r\n  film_archived implies place_of_service is 22\n")]
#[case::term_cycle("term a means b\nterm b means a\n")]
#[case::duplicate_rule("rule r\n  info \"m\"\n\nrule r\n  info \"n\"\n")]
#[case::duplicate_fact("fact film_archived is boolean\n")]
#[case::reversed_window("rule r\n  77002 with 27093 denied between CCI 17.0 and CCI 16.0\n")]
#[case::negated_conclusion("rule r\n  film_archived implies not separate_interpretation\n")]
#[case::bare_version("rule r\n  77002 with 27093 allowed after 16.1\n")]
#[case::too_deeply_nested(&format!("rule r\n  when {}film_archived{}\n  info \"m\"\n", "(".repeat(70), ")".repeat(70)))]
#[case::too_many_values(&format!("fact site is one of ({})\n", (0..70).map(|i| format!("v{i}")).collect::<Vec<_>>().join(", ")))]
#[case::unclosed_placeholder("rule r\n  for each line in 77002\n  deny \"see {code\"\n")]
#[case::placeholder_with_spaces(
    "rule r\n  for each line in 77002\n  deny \"{ code } is bundled\"\n"
)]
#[case::term_named_like_a_fact("term film_archived means guidance has fluoroscopy\n")]
#[case::unknown_approach("rule r\n  when procedure approach is percutaneos\n  review \"m\"\n")]
#[case::phrase_of_an_unknown_fact(
    "fact note is text\nphrase \"C-arm\" means guidanse has fluoroscopy\n"
)]
#[case::phrase_of_an_undeclared_value(
    "fact note is text\nphrase \"C-arm\" means guidance has fluoro\n"
)]
#[case::phrase_of_a_derived_fact(
    "fact note is text\nphrase \"open reduction\" means approach is open\n"
)]
#[case::phrase_without_a_note("phrase \"C-arm\" means guidance has fluoroscopy\n")]
#[case::phrase_measuring_a_yes_no_fact(
    "fact note is text\nphrase \"fluoro time\" measures film_archived\n"
)]
#[case::phrase_ending_in_a_gap("fact note is text\nphrase \"images ...\" means film_archived\n")]
#[case::phrase_given_a_meaning_twice(
    "fact note is text\nphrase \"saved\" means film_archived\nphrase \"Saved\" means film_archived\n"
)]
#[case::unknown_kind_of_cue(
    "fact note is text\nphrase \"C-arm\" means guidance has fluoroscopy\ncue negaton before \"no\"\n"
)]
#[case::cue_without_a_side(
    "fact note is text\nphrase \"C-arm\" means guidance has fluoroscopy\ncue negation \"no\"\n"
)]
#[case::abbreviation_of_two_words(
    "fact note is text\nphrase \"C-arm\" means guidance has fluoroscopy\nabbreviation \"ex fix\" means \"external fixator\"\n"
)]
#[case::change_to_an_action_that_suggests(
    "change rule ncci.mue.clinical-date-of-service-edit to suggest\n  reason \"r\"\n"
)]
#[case::change_without_a_reason("change rule ncci.mue.clinical-date-of-service-edit to review\n")]
#[case::change_without_to(
    "change rule ncci.mue.clinical-date-of-service-edit review\n  reason \"r\"\n"
)]
#[case::byte_order_mark_inside_a_file("rule r\n  77002 with\u{FEFF} 27093 denied\n")]
#[case::same_reason_as_an_unknown_rule(
    "rule acme.mue\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule acme.units\n  same reason as acme.meu\n  for each line in 77002\n  deny \"n\"\n"
)]
#[case::same_reason_as_itself(
    "rule acme.mue\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule acme.units\n  same reason as acme.mue, acme.units\n  for each line in 77002\n  deny \"n\"\n"
)]
#[case::same_reason_as_a_rule_named_twice(
    "rule acme.mue\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule acme.units\n  same reason as acme.mue, acme.mue\n  for each line in 77002\n  deny \"n\"\n"
)]
#[case::same_reason_as_a_derivation(
    "rule acme.mue\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule acme.open\n  film_archived implies approach is open\n\nrule acme.units\n  same reason as acme.open\n  for each line in 77002\n  deny \"n\"\n"
)]
#[case::same_reason_as_a_claim_rule(
    "rule acme.mue\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule acme.claim\n  when claim has 77002\n  deny \"n\"\n\nrule acme.units\n  same reason as acme.claim\n  for each line in 77002\n  deny \"n\"\n"
)]
#[case::same_reason_on_a_claim_rule(
    "rule acme.mue\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule acme.claim\n  same reason as acme.mue\n  when claim has 77002\n  deny \"n\"\n"
)]
#[case::same_reason_on_a_derivation(
    "rule acme.mue\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule acme.open\n  same reason as acme.mue\n  film_archived implies approach is open\n"
)]
#[case::same_reason_without_a_rule_id(
    "rule acme.mue\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule acme.units\n  same reason as\n  for each line in 77002\n  deny \"n\"\n"
)]
#[case::modifier_after_or(
    "rule r\n  for each line in 77002\n  when line has modifier 50 or RT\n  deny \"m\"\n"
)]
#[case::modifier_range_in_an_action(
    "rule r\n  for each line in 77002\n  modify add modifier F1-F9 \"m\"\n"
)]
#[case::modifier_range_with_ends_apart(
    "rule r\n  for each line in 77002\n  when line has modifier F1-G9\n  deny \"m\"\n"
)]
#[case::diagnosis_of_a_line(
    "rule r\n  for each line in 77002\n  unless line has diagnosis M17.*\n  deny \"m\"\n"
)]
#[case::table_column_as_diagnoses(
    "rule r\n  for each line in 77002\n  when claim has diagnosis code.mue\n  review \"m\"\n"
)]
#[case::missing_comma_between_codes("rule r\n  for each line in 27093 27095\n  deny \"m\"\n")]
#[case::missing_comma_in_claim_has("rule r\n  when claim has 77002 77003\n  review \"m\"\n")]
#[case::modifiers_in_a_policy(
    "rule r\n  for each line in 77002\n  when line has modifiers 26\n  deny \"m\"\n"
)]
#[case::bypass_clause_given_twice(
    "rule r\n  77002 with 27093 denied\n  bypass with modifier 59\n  bypass with modifier XS\n"
)]
#[case::bypass_site_clause_given_twice(
    "rule r\n  77002 with 27093 denied\n  bypass with different site modifiers LT, RT\n  bypass with modifier 59\n  bypass with different site modifiers F1-F9\n"
)]
#[case::bypass_modifier_in_both_lists(
    "rule r\n  77002 with 27093 denied\n  bypass with modifier 59, RT\n  bypass with different site modifiers LT, RT\n"
)]
#[case::bypass_range_overlaps_the_other_list(
    "rule r\n  77002 with 27093 denied\n  bypass with different site modifiers F1-F9\n  bypass with modifier 59, F5\n"
)]
#[case::bypass_with_site_modifiers_not_different(
    "rule r\n  77002 with 27093 denied\n  bypass with site modifiers LT, RT\n"
)]
fn policy_mistakes_are_explained(#[case] policy: &str) {
    let name = case_name();
    let text = format!("{FACTS}{policy}");
    let diagnostics = match engine_alone(&text) {
        Ok(_) => panic!("the policy should not load:\n{text}"),
        Err(d) => d,
    };
    let rendered = render_located_with_help(&diagnostics);
    insta::assert_snapshot!(name, rendered);
}

#[test]
fn all_mistakes_of_a_pack_are_reported_in_one_run() {
    let text = format!(
        "{FACTS}rule a\n  when fluoroscopy_minuts > 0\n  info \"m\"\nrule b\n  for each line in 2709\n  deny \"m\"\nrule c\n  when guidance has fluoroscopi\n  info \"m\"\n"
    );
    let diagnostics = engine_alone(&text).expect_err("three mistakes");
    assert_eq!(diagnostics.len(), 3, "{}", render(&diagnostics));
}

#[test]
fn a_byte_order_mark_at_the_start_of_a_file_is_skipped_and_columns_stay_true() {
    let loads = format!("\u{FEFF}{FACTS}rule r\n  when film_archived\n  info \"m\"\n");
    engine_alone(&loads).unwrap_or_else(|d| panic!("{}", render(&d)));
    // The mistake is at column 23 of line 1: the mark is not a column. (miette's header counts
    // bytes, as it does for any character that is not ASCII.)
    let broken = "\u{FEFF}fact film_archived is yesno\n";
    let diagnostics = engine_alone(broken).expect_err("`yesno` is not a type");
    let first = diagnostics.iter().next().expect("one diagnostic");
    assert_eq!(first.position(), Some((1, 23)));
    insta::assert_snapshot!(
        "byte_order_mark_at_the_start",
        render_located_with_help(&diagnostics)
    );
}

/// Warnings: the pack loads, but a rule cannot be what its author meant.
#[rstest]
#[case::never_fires_empty_date_window(
    "rule r\n  when service date after 2011-01-01 and service date before 2010-01-01\n  info \"m\"\n"
)]
#[case::never_fires_numbers(
    "rule r\n  for each line in 77002\n  when fluoroscopy_minutes > 5 and fluoroscopy_minutes <= 3\n  deny \"m\"\n"
)]
#[case::never_fires_missing_fact(
    "rule r\n  when missing fluoroscopy_minutes and fluoroscopy_minutes > 1\n  review \"m\"\n"
)]
#[case::never_fires_negation(
    "rule r\n  when film_archived and not (film_archived or anatomic_site is hip)\n  info \"m\"\n"
)]
#[case::never_fires_one_of_values(
    "rule r\n  when approach is open and approach is percutaneous\n  info \"m\"\n"
)]
#[case::never_fires_through_a_term(
    "term \"archived film\" means film_archived and documented anatomic_site\nrule r\n  when \"archived film\" and not documented anatomic_site\n  info \"m\"\n"
)]
#[case::never_fires_outside_the_rules_lines(
    "rule r\n  for each line in 77002, 77003\n  when line in 76000\n  deny \"m\"\n"
)]
#[case::never_fires_missing_line_attribute(
    "rule r\n  for each line in 27899\n  when not line has comparison code and line comparison code is not 27762\n  review \"m\"\n"
)]
#[case::never_fires_two_comparison_codes(
    "rule r\n  for each line in 27899\n  when line comparison code is 27762 and line comparison code in 27766-27769\n  review \"m\"\n"
)]
#[case::derivation_never_applies(
    "rule r\n  anatomic_site is hip and anatomic_site is knee implies approach is open\n"
)]
#[case::always_excused(
    "rule r\n  for each line in 77002\n  when film_archived and fluoroscopy_minutes > 2\n  unless film_archived\n  deny \"m\"\n"
)]
#[case::always_excused_by_line(
    "rule r\n  for each line in 77002\n  when film_archived\n  unless line in 77001-77003\n  deny \"m\"\n"
)]
#[case::shadowed_rule(
    "rule r\n  for each line in 77002\n  when film_archived\n  deny \"m\"\n\nrule s\n  for each line in (77002)\n  when film_archived\n  deny \"another message\"\n"
)]
#[case::unused_code_set("codes \"fluoroscopic guidance\" are 76000, 77002, 77003\n")]
#[case::unused_diagnosis_set("diagnoses \"hip fracture\" are S72.*\n")]
#[case::unused_term("term \"long fluoroscopy\" means fluoroscopy_minutes > 30\n")]
#[case::conflicting_pair_edits(
    "rule r\n  77002 with 27093 allowed after CCI 16.1\n\nrule s\n  77002 with 27093 denied between 2012-01-01 and 2012-12-31\n"
)]
#[case::derived_only_from_itself(
    "derived fact dd is boolean\nrule a\n  dd implies dd\n\nrule b\n  for each line in 77002\n  when dd\n  deny \"m\"\n"
)]
#[case::derived_only_from_each_other(
    "derived fact d1 is boolean\nderived fact d2 is boolean\nrule a\n  d1 implies d2\n  d2 and film_archived implies d1\n\nrule b\n  when d1 or d2\n  review \"m\"\n"
)]
fn policy_warnings_are_explained(#[case] policy: &str) {
    let name = case_name();
    let text = format!("{FACTS}{policy}");
    let engine = engine_alone(&text)
        .unwrap_or_else(|d| panic!("warnings do not stop loading: {}", render(&d)));
    let warnings = engine.warnings();
    assert!(!warnings.is_empty(), "a warning is expected:\n{text}");
    assert!(warnings.iter().all(|w| !w.is_error()));
    insta::assert_snapshot!(name, render_located_with_help(warnings));
}

/// Conditions that look alike but can all hold: no warning, since a warning that cries wolf
/// teaches staff to ignore warnings.
#[rstest]
#[case::two_codes_on_two_lines("when claim has 77002 and claim has 27093")]
#[case::a_list_holds_two_values("when guidance has fluoroscopy and guidance has ultrasound")]
#[case::a_number_between("when fluoroscopy_minutes > 3 and fluoroscopy_minutes <= 5")]
#[case::a_number_at_the_edge("when fluoroscopy_minutes >= 3 and fluoroscopy_minutes <= 3")]
#[case::missing_or_a_value("when missing fluoroscopy_minutes or fluoroscopy_minutes > 1")]
#[case::a_date_window("when service date after 2010-01-01 and service date before 2011-01-01")]
#[case::either_or_its_negation("when film_archived or not film_archived")]
#[case::not_both_values("when not anatomic_site is hip and not anatomic_site is knee")]
#[case::an_unless_that_differs("when film_archived\n  unless fluoroscopy_minutes > 2")]
fn conditions_that_can_hold_give_no_warning(#[case] condition: &str) {
    let text = format!(
        "{FACTS}rule r\n  {condition}\n  info \"m\"\n\nrule s\n  77002 with 27093 allowed after CCI 16.1\n\nrule t\n  77002 with 27093 denied before CCI 16.1\n"
    );
    let engine = engine_alone(&text).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert!(
        engine.warnings().is_empty(),
        "{}",
        render(engine.warnings())
    );
}

/// A derived fact that some derivation sets from documentation can feed itself too.
#[test]
fn a_derived_fact_with_a_way_in_gives_no_warning() {
    let text = format!(
        "{FACTS}derived fact dd is boolean\nrule a\n  dd implies dd\n  film_archived implies dd\n\nrule b\n  for each line in 77002\n  when dd\n  deny \"m\"\n"
    );
    let engine = engine_alone(&text).unwrap_or_else(|d| panic!("{}", render(&d)));
    assert!(
        engine.warnings().is_empty(),
        "{}",
        render(engine.warnings())
    );
}

#[test]
fn the_standard_pack_has_no_warnings() {
    let engine = claimrules::Engine::standard().expect("the standard pack loads");
    assert!(
        engine.warnings().is_empty(),
        "{}",
        render(engine.warnings())
    );
}

#[test]
fn a_message_past_the_length_limit_is_refused_at_load_and_one_at_it_loads() {
    let policy = |length: usize| {
        format!(
            "{FACTS}rule payer.long\n  for each line in 99213\n  info \"{}\"\n",
            "x".repeat(length)
        )
    };
    assert!(engine_alone(&policy(claimrules::ir::MAX_MESSAGE_CHARS)).is_ok());
    let diagnostics = engine_alone(&policy(claimrules::ir::MAX_MESSAGE_CHARS + 1))
        .expect_err("a message one character too long does not load");
    let rendered = render_located_with_help(&diagnostics);
    assert!(
        rendered.contains("the message is 1001 characters long; a message may have at most 1000"),
        "{rendered}"
    );
    assert!(
        rendered.contains("help: say what is wrong and what to do"),
        "{rendered}"
    );
}

/// Sets that each name the one before them: `count` of them copy about `count²/2` items.
fn chain_of_sets(kind: &str, count: usize) -> String {
    let item = |i: usize| match kind {
        "codes" => format!("{}", 10_000 + i),
        // Each set a diagnosis of its own: sets keep each pattern once, so a repeated one
        // would not grow the chain.
        _ => format!("S8{i:05}"),
    };
    let mut text = format!("{kind} \"s0\" are {}\n", item(0));
    for i in 1..count {
        text.push_str(&format!(
            "{kind} \"s{i}\" are \"s{}\", {}\n",
            i - 1,
            item(i)
        ));
    }
    let last = count - 1;
    let condition = match kind {
        "codes" => format!("claim has \"s{last}\""),
        _ => format!("claim has diagnosis \"s{last}\""),
    };
    format!("{text}rule r\n  when {condition}\n  info \"m\"\n")
}

#[rstest]
#[case::codes("codes")]
#[case::diagnoses("diagnoses")]
fn a_chain_of_sets_past_the_copy_limit_is_refused_not_expanded(#[case] kind: &str) {
    // 10,000 sets would copy 50 million items: over the limit of 5 million, so loading stops
    // there instead of taking minutes and gigabytes.
    let diagnostics = engine_alone(&chain_of_sets(kind, 10_000))
        .expect_err("a chain that copies 50 million items does not load");
    let rendered = render_located_with_help(&diagnostics);
    assert!(
        rendered.contains("claimrules::too_many_set_codes")
            && rendered.contains("more than 5000000 codes in all"),
        "{rendered}"
    );
    assert_eq!(diagnostics.len(), 1, "reported once: {rendered}");
    assert!(engine_alone(&chain_of_sets(kind, 100)).is_ok());
}
