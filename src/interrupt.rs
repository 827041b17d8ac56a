//! SIGINT and SIGTERM during an ingest: noted, not acted on at once.
//!
//! `install` replaces the default action (die at once, leaving the staging
//! folder and its half-written Parquet files) with a handler that only
//! records the signal; the ingest checks `received` between chunks and
//! before publishing, removes its staging folder and exits 128 + the signal
//! (130, 143). The handler is reset on delivery, so a second signal stops the
//! process at once. It never allocates or locks in the handler. Linux only
//! (libc); elsewhere the defaults stay.

use std::sync::atomic::{AtomicI32, Ordering};

use crate::error::Error;

/// The signal received, or 0.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

#[cfg(target_os = "linux")]
extern "C" fn note(signal: libc::c_int) {
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// Routes SIGINT and SIGTERM to the note above.
pub fn install() {
    #[cfg(target_os = "linux")]
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction is valid (no flags, empty mask, set
        // below); the handler only stores into an atomic, which is
        // async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESETHAND;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The signal received since `install`, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// The error an interrupted stage returns (`Error::Interrupted`, which
/// `main` maps to 128 + the signal).
pub fn check() -> Result<(), Error> {
    match received() {
        Some(signal) => Err(Error::Interrupted { signal }),
        None => Ok(()),
    }
}
