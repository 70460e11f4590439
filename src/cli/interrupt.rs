//! Stopping a run cleanly: Ctrl-C, an input that waits for data, and a file-size limit.
//!
//! - Ctrl-C sets a flag: reading stops, and the claims read are still judged and written whole
//!   (exit 130). A second Ctrl-C ends the process at once.
//! - An input that can wait for data (standard input, a pipe, a terminal) is polled, so that
//!   Ctrl-C is answered within [`POLL`] even when no claim is arriving: the input then ends.
//! - A file-size limit (`ulimit -f`) would kill the process with SIGXFSZ in the middle of a
//!   line. The signal is ignored, so the write fails instead and the output is cut back to
//!   whole results, as on a full disk.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::EXIT_INTERRUPTED;

/// How long a read waits before it looks at the stop flag again.
pub const POLL: Duration = Duration::from_millis(50);

static STOP: AtomicBool = AtomicBool::new(false);

/// The flag Ctrl-C sets, with the handler installed.
pub fn stop_on_ctrl_c() -> &'static AtomicBool {
    // Without a handler (one is set already), Ctrl-C ends the process as it would anyway.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
    });
    &STOP
}

/// Makes a write past the file-size limit an error (`EFBIG`) instead of a fatal signal.
pub fn write_errors_instead_of_signals() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to "ignore" runs no code of ours in the handler
    // and is allowed at any time; SIGXFSZ is a valid signal number.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// A reader that ends (reads 0 bytes) when Ctrl-C has been pressed and no data is waiting.
/// While data flows it reads as usual: the batch reader stops at the next whole claim.
pub struct Interruptible<R> {
    inner: R,
}

impl<R> Interruptible<R> {
    pub fn new(inner: R) -> Self {
        Interruptible { inner }
    }
}

#[cfg(unix)]
impl<R: Read + std::os::fd::AsRawFd> Read for Interruptible<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let timeout = i32::try_from(POLL.as_millis()).unwrap_or(i32::MAX);
        loop {
            let mut waiting = libc::pollfd {
                fd: self.inner.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd, owned by this frame, for the duration of the call.
            let ready = unsafe { libc::poll(&mut waiting, 1, timeout) };
            if ready > 0 {
                // Data, an end of input or an error: the read tells which.
                return self.inner.read(buf);
            }
            if ready < 0 {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
            if STOP.load(Ordering::SeqCst) {
                return Ok(0);
            }
        }
    }
}

#[cfg(not(unix))]
impl<R: Read> Read for Interruptible<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}
