//! `claimrules check`.

use std::io::{self, BufReader, IsTerminal, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use claimrules::batch::{self, BatchError, BatchOptions, Progress};
use claimrules::input::{Claims, Peeked};
use claimrules::{Engine, EvalOptions, InputFormat, InputItem, PackSource};

use super::interrupt::{stop_on_ctrl_c, Interruptible};
use super::output::{color_on_stderr, fail, print_diagnostics};
use super::progress;
use super::sink::Stdout;
use super::{
    CheckArgs, Format, PackArgs, EXIT_FAILURE, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_PASS,
};

/// An engine builder with exactly these packs, in order.
pub fn engine_of(sources: &[PackSource]) -> claimrules::EngineBuilder {
    sources
        .iter()
        .fold(Engine::builder().without_standard_pack(), |b, s| {
            b.pack(s.clone())
        })
}

/// Loads the packs the arguments name; prints the diagnostics and returns `None` on failure.
pub fn load_engine(args: &PackArgs) -> Option<Engine> {
    match args.builder().build() {
        Ok(engine) => {
            let warnings = engine.warnings().len();
            if warnings > 0 {
                eprintln!(
                    "warning: the packs load with {warnings} warning(s); `claimrules lint` \
                     shows them"
                );
            }
            Some(engine)
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            None
        }
    }
}

pub fn run(args: CheckArgs) -> u8 {
    // The claims first: a wrong path fails at once, before the packs and their tables load.
    let Some(inputs) = open_inputs(&args.claims) else {
        return EXIT_FAILURE;
    };
    let Some(engine) = load_engine(&args.packs) else {
        return EXIT_FAILURE;
    };
    let total_bytes = inputs.iter().map(|i| i.size).sum::<Option<u64>>();
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Text
    } else {
        Format::Ndjson
    });
    let options = BatchOptions {
        threads: args.threads.map_or_else(default_threads, usize::from),
        eval: EvalOptions::default().with_explain(args.explain),
        format: format.output(),
    };
    let stop = stop_on_ctrl_c();
    let progress = Progress::default();
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    let mut stdout = Stdout::open();
    let claims = ChainedInputs::new(inputs, args.input.format());
    let outcome = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| progress::show(&progress, total_bytes, color_on_stderr(), &done));
        }
        let outcome = batch::run(&engine, claims, stdout.writer(), options, &progress, stop);
        done.store(true, Ordering::Relaxed);
        outcome
    });
    let summary = match outcome {
        Ok(summary) => summary,
        Err(BatchError::Output { source, written }) => {
            stdout.cut_to(written);
            if source.kind() == io::ErrorKind::BrokenPipe {
                fail("the output was closed before every result was written (broken pipe)");
            } else {
                fail(format!("cannot write results: {source}"));
            }
            return EXIT_FAILURE;
        }
        Err(e) => {
            fail(e);
            return EXIT_FAILURE;
        }
    };
    if !args.quiet {
        eprint!("{}", summary.render_text());
    }
    if let Some(path) = &args.summary_json {
        let written = serde_json::to_vec_pretty(&summary)
            .map_err(io::Error::other)
            .and_then(|mut json| {
                json.push(b'\n');
                std::fs::write(path, json)
            });
        if let Err(e) = written {
            fail(format!(
                "cannot write the summary to `{}`: {e}",
                path.display()
            ));
            return EXIT_FAILURE;
        }
    }
    if summary.interrupted {
        EXIT_INTERRUPTED
    } else if summary.all_pass() {
        EXIT_PASS
    } else {
        EXIT_FINDINGS
    }
}

/// Opens every claims input named (standard input when none is and it is piped), before the
/// packs load and any claim is judged, so that a missing file, a folder or a file that cannot
/// be opened fails the run at once, with one line. `None` after saying why.
pub fn open_inputs(claims: &[std::path::PathBuf]) -> Option<Vec<OpenInput>> {
    let names: Vec<String> = if claims.is_empty() {
        if io::stdin().is_terminal() {
            fail("no claims given: name claim files, or `-` to read standard input");
            return None;
        }
        vec!["-".to_string()]
    } else {
        claims.iter().map(|p| p.display().to_string()).collect()
    };
    let mut inputs = Vec::with_capacity(names.len());
    for name in &names {
        match open_input(name) {
            Ok(input) => inputs.push(input),
            Err(message) => {
                fail(message);
                return None;
            }
        }
    }
    Some(inputs)
}

/// Why a file cannot be opened, in lowercase and without the OS's error number for the
/// common cases.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "there is no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(usize::from(batch::MAX_THREADS))
}

/// An input opened for reading, and its size when it is a file.
pub struct OpenInput {
    reader: Box<dyn Read + Send>,
    size: Option<u64>,
    /// The file's path as given; `None` for standard input.
    name: Option<String>,
}

/// Opens a claims file, or standard input for `-`. A folder is not a claims file.
pub fn open_input(name: &str) -> Result<OpenInput, String> {
    if name == "-" {
        return Ok(OpenInput {
            reader: standard_input(),
            size: None,
            name: None,
        });
    }
    let path = Path::new(name);
    if path.is_dir() {
        return Err(format!("`{name}` is a folder, not a claims file"));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read claims from `{name}`: {}", io_reason(&e)))?;
    let metadata = file.metadata().ok();
    if metadata.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(format!("`{name}` is a folder, not a claims file"));
    }
    let size = metadata.filter(|m| m.is_file()).map(|m| m.len());
    // A pipe or a device can wait for data forever: read it so that Ctrl-C still ends the run.
    let reader: Box<dyn Read + Send> = match size {
        Some(_) => Box::new(file),
        None => Box::new(Interruptible::new(file)),
    };
    Ok(OpenInput {
        reader,
        size,
        name: Some(name.to_string()),
    })
}

/// Standard input, read so that Ctrl-C ends it even while no data arrives. On Unix it is read
/// through a handle of its own, unbuffered, so that polling it sees every byte not yet read.
fn standard_input() -> Box<dyn Read + Send> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(handle) = io::stdin().as_fd().try_clone_to_owned() {
            return Box::new(Interruptible::new(std::fs::File::from(handle)));
        }
    }
    Box::new(io::stdin())
}

/// The claims of several inputs one after another, each read in its own format, with offsets
/// counted over all of them.
pub struct ChainedInputs {
    inputs: std::vec::IntoIter<OpenInput>,
    format: Option<InputFormat>,
    current: Option<Claims<Peeked<InputReader>>>,
    /// Bytes of the inputs before the current one.
    base: u64,
    last: u64,
}

impl ChainedInputs {
    pub fn new(inputs: Vec<OpenInput>, format: Option<InputFormat>) -> Self {
        ChainedInputs {
            inputs: inputs.into_iter(),
            format,
            current: None,
            base: 0,
            last: 0,
        }
    }
}

impl Iterator for ChainedInputs {
    type Item = InputItem;

    fn next(&mut self) -> Option<InputItem> {
        loop {
            if let Some(claims) = &mut self.current {
                if let Some(mut item) = claims.next() {
                    self.last = item.offset;
                    item.offset += self.base;
                    return Some(item);
                }
            }
            let input = self.inputs.next()?;
            self.base += self.last;
            self.last = 0;
            let reader = BufReader::with_capacity(READ_BUFFER, input.reader);
            let claims = Claims::new(reader, self.format);
            self.current = Some(match &input.name {
                Some(name) => claims.named(name),
                None => claims,
            });
        }
    }
}

const READ_BUFFER: usize = 256 * 1024;

type InputReader = BufReader<Box<dyn Read + Send>>;

/// Reads the whole of a claims input opened by [`open_input`] as text; `name` is the name it
/// was opened by.
pub fn read_text(name: &str, mut input: OpenInput) -> Result<String, String> {
    let mut bytes = Vec::new();
    let shown = if name == "-" { "standard input" } else { name };
    input
        .reader
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read claims from `{shown}`: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        format!("claims in `{shown}` are not UTF-8 text (line {line})")
    })
}
