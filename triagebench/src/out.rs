//! Standard output that a closed pipe does not crash: `print!` panics when stdout is gone
//! (`triagebench eval ... | head` used to end in "failed printing to stdout: Broken pipe", exit
//! 101). The `out!` and `outln!` macros of `main.rs` write here instead: on a closed pipe they
//! stop printing and the command goes on (reports are still written, the exit code still says
//! how the work went); any other write error is named once on stderr.

use std::fmt::Arguments;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdout failed: nothing more is written to it.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `args` (and a newline when `newline`) to stdout.
pub fn emit(args: Arguments<'_>, newline: bool) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut lock = std::io::stdout().lock();
    let written = lock.write_fmt(args).and_then(|()| {
        if newline {
            lock.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(e) = written {
        CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != ErrorKind::BrokenPipe {
            eprintln!("triagebench: cannot write to standard output: {e}");
        }
    }
}
