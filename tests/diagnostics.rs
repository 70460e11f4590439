//! Every kind of policy mistake, with its rendered diagnostic snapshotted so that the wording
//! is reviewed like code. Rendering has no colour and a fixed width.

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
#[case::modifier_where_code_belongs(
    "rule r\n  for each line in 77002\n  when line has modifier 77003\n  deny \"m\"\n"
)]
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
#[case::term_named_like_a_fact("term film_archived means guidance has fluoroscopy\n")]
#[case::unknown_approach("rule r\n  when procedure approach is percutaneos\n  review \"m\"\n")]
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
