//! Where log lines go, and whether they are coloured.
//!
//! A failing log destination (stderr a closed pipe, a full disk) must cost log lines only, never
//! answers or signal handling: [`lossy_stderr`] swallows write errors, and the subscriber built
//! in `server::init_tracing` has `tracing-subscriber`'s own error report turned off (it is an
//! `eprintln!`, which panics when stderr is closed). Colour follows [`color`].

use std::io::{self, Write};

/// Whether to colour output for a stream: never with `NO_COLOR` set (<https://no-color.org>),
/// always with `CLICOLOR_FORCE` set (and not `0`), otherwise only on a terminal.
pub fn color(is_terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    set("CLICOLOR_FORCE") || is_terminal
}

/// Standard error that drops what it cannot write. Use as a `tracing-subscriber` writer:
/// `.with_writer(lossy_stderr)`.
pub fn lossy_stderr() -> LossyStderr {
    LossyStderr
}

/// See [`lossy_stderr`].
#[derive(Debug, Clone, Copy, Default)]
pub struct LossyStderr;

impl Write for LossyStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A log line that cannot be written is lost; the caller carries on.
        let _ = io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}
