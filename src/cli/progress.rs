//! The progress bar of `check` on stderr: claims done, claims/s, elapsed, and the ETA when the
//! input's size is known. Shown only on a terminal, only for runs longer than a moment.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use claimrules::batch::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the bar appears.
const QUIET_START: Duration = Duration::from_millis(800);
const TICK: Duration = Duration::from_millis(150);

/// Draws the bar until `done` is set; then clears it.
pub fn show(progress: &Progress, total_bytes: Option<u64>, color: bool, done: &AtomicBool) {
    let started = Instant::now();
    while started.elapsed() < QUIET_START {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(TICK);
    }
    let (bar, template) = match total_bytes {
        Some(total) => (
            ProgressBar::new(total.max(1)),
            if color {
                "{elapsed_precise} [{bar:30.cyan/blue}] {percent:>3}% {msg} ETA {eta}"
            } else {
                "{elapsed_precise} [{bar:30}] {percent:>3}% {msg} ETA {eta}"
            },
        ),
        None => (
            ProgressBar::no_length(),
            "{elapsed_precise} {spinner} {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_draw_target(ProgressDrawTarget::stderr());
    while !done.load(Ordering::Relaxed) {
        let claims = progress.claims.load(Ordering::Relaxed);
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        bar.set_position(progress.bytes.load(Ordering::Relaxed));
        bar.set_message(format!(
            "{claims} claims, {:.0} claims/s",
            claims as f64 / seconds
        ));
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}
