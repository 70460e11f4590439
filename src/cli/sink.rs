//! Where `check` writes its results: standard output, unbuffered, so that what the pipeline
//! has written is what the output holds. When a write fails part-way on a file (a full disk),
//! the file is cut back to the last whole result, so it never ends in a partial line.

use std::fs::File;
use std::io::{self, Seek, Write};

/// Standard output as a file handle of its own, and where it started.
pub struct Stdout {
    out: Box<dyn Write + Send>,
    /// On Unix, a handle to truncate the output with, and its starting position.
    #[cfg(unix)]
    file: Option<(File, u64)>,
}

impl Stdout {
    pub fn open() -> Stdout {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            let handle = io::stdout().as_fd().try_clone_to_owned().map(File::from);
            if let Ok(mut file) = handle {
                let start = file.stream_position().ok();
                let regular = file.metadata().is_ok_and(|m| m.is_file());
                let truncate = match (regular, start, file.try_clone()) {
                    (true, Some(start), Ok(copy)) => Some((copy, start)),
                    _ => None,
                };
                return Stdout {
                    out: Box::new(file),
                    file: truncate,
                };
            }
        }
        Stdout {
            out: Box::new(io::stdout()),
            #[cfg(unix)]
            file: None,
        }
    }

    /// The writer the pipeline writes to.
    pub fn writer(&mut self) -> &mut (dyn Write + Send) {
        &mut *self.out
    }

    /// After a failed write: cuts a file output back to the `written` bytes that hold whole
    /// results. Best effort: the run is failing already, and says so.
    pub fn cut_to(&mut self, written: u64) {
        #[cfg(unix)]
        if let Some((file, start)) = &self.file {
            let _ = file.set_len(start + written);
        }
        #[cfg(not(unix))]
        let _ = written;
    }
}
