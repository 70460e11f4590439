//! Opening the claims inputs a command names: files or standard input, opened before the packs
//! load, read so that Ctrl-C ends a wait, and chained into one stream of claims.

use std::io::{self, BufReader, IsTerminal, Read};
use std::path::Path;

use claimrules::input::{Claims, Peeked};
use claimrules::{InputFormat, InputItem};

use super::interrupt::Interruptible;
use super::output::fail;

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

/// An input opened for reading, and its size when it is a file.
pub struct OpenInput {
    pub(super) reader: Box<dyn Read + Send>,
    pub(super) size: Option<u64>,
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

/// Why a file cannot be opened, in lowercase and without the OS's error number for the
/// common cases.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "there is no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
