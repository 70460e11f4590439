//! `claimrules completions` and `claimrules man`: generated from the command line's own
//! definition, so they never fall behind it.

use std::io::{self, Write};
use std::path::Path;

use clap_mangen::roff::{bold, roman, Roff};
use clap_mangen::Man;

use super::output::fail;
use super::{CompletionsArgs, ManArgs, EXIT_FAILURE, EXIT_PASS};

/// The name the scripts and pages call the program by.
const NAME: &str = "claimrules";

pub fn completions(args: CompletionsArgs) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut super::command(), NAME, &mut script);
    write_stdout(&script, "the completion script")
}

pub fn man(args: ManArgs) -> u8 {
    let command = man_command();
    match &args.dir {
        None => match render_page(command) {
            Ok(page) => write_stdout(&page, "the man page"),
            Err(e) => {
                fail(format!("cannot render the man page: {e}"));
                EXIT_FAILURE
            }
        },
        Some(dir) => match write_pages(command, dir) {
            Ok(()) => EXIT_PASS,
            Err(message) => {
                fail(message);
                EXIT_FAILURE
            }
        },
    }
}

/// The command as the man pages show it: no `help` subcommand, and built, so that each
/// subcommand is named `claimrules-check` and so on.
fn man_command() -> clap::Command {
    let mut command = super::command().disable_help_subcommand(true);
    command.build();
    command
}

/// A command's man page: clap_mangen's sections, with the exit codes in an `EXIT STATUS`
/// section instead of the `--help` text's, and the program's version (alone: the packs'
/// versions are `--version`'s) on the title line.
fn render_page(command: clap::Command) -> io::Result<Vec<u8>> {
    let exits = super::exit_codes_of(command.get_name());
    let command = command.after_help(None::<&str>);
    let has_options = command.get_arguments().any(|a| !a.is_hide_set());
    let has_subcommands = command.get_subcommands().any(|c| !c.is_hide_set());
    let man = Man::new(command).source(format!("{NAME} {}", env!("CARGO_PKG_VERSION")));
    type Section = fn(&Man, &mut dyn Write) -> io::Result<()>;
    let mut sections: Vec<Section> = vec![
        Man::render_title,
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
    ];
    if has_options {
        sections.push(Man::render_options_section);
    }
    if has_subcommands {
        sections.push(Man::render_subcommands_section);
    }
    // Each section comes with roff's preamble; the page needs it once, at its top.
    let preamble = Roff::new().render();
    let mut page = preamble.clone().into_bytes();
    for section in sections {
        let mut text = Vec::new();
        section(&man, &mut text)?;
        page.extend_from_slice(text.strip_prefix(preamble.as_bytes()).unwrap_or(&text));
    }
    if let Some(codes) = exits {
        let mut roff = Roff::new();
        roff.control("SH", ["EXIT STATUS"]);
        for (code, meaning) in codes {
            roff.control("TP", []);
            roff.text([bold(code.to_string())]);
            roff.text([roman(*meaning)]);
        }
        let text = roff.render();
        page.extend_from_slice(text.strip_prefix(&preamble).unwrap_or(&text).as_bytes());
    }
    Ok(page)
}

/// Writes a page for the command and one for each subcommand, and for theirs
/// (`claimrules-check.1`, `claimrules-history-import.1`, …) into
/// `dir` (created if need be), and lists them on stdout.
fn write_pages(command: clap::Command, dir: &Path) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("`{}` is not a folder", dir.display()));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the folder `{}`: {e}", dir.display()))?;
    // Depth first, so that `claimrules-history.1` is followed by `claimrules-history-import.1`.
    let mut pages = Vec::new();
    let mut pending = vec![command];
    while let Some(page) = pending.pop() {
        let mut children: Vec<clap::Command> = page.get_subcommands().cloned().collect();
        children.reverse();
        pending.extend(children);
        pages.push(page);
    }
    for page in pages {
        let path = dir.join(Man::new(page.clone()).get_filename());
        render_page(page)
            .and_then(|text| std::fs::write(&path, text))
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

fn write_stdout(bytes: &[u8], what: &str) -> u8 {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => EXIT_PASS,
        Err(e) => {
            fail(format!("cannot write {what}: {e}"));
            EXIT_FAILURE
        }
    }
}
