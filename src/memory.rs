//! Heap figures from the C allocator, for `--timings`: how much of the
//! resident memory is live heap and how much the allocator only holds. glibc
//! only (`mallinfo2`); elsewhere there are none.

/// Bytes of heap: in use by the program, and obtained from the OS.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Heap {
    pub in_use: u64,
    pub held: u64,
}

/// The heap now, summed over all of the allocator's arenas.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn now() -> Option<Heap> {
    // SAFETY: mallinfo2 takes no arguments and only reads the allocator's
    // counters (under its locks).
    let m = unsafe { libc::mallinfo2() };
    Some(Heap {
        in_use: (m.uordblks + m.hblkhd) as u64,
        held: (m.arena + m.hblkhd) as u64,
    })
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn now() -> Option<Heap> {
    None
}

/// Gives the memory the allocator holds but no longer uses back to the OS
/// (glibc's `malloc_trim`): between the ingest and the derive stage, whose
/// threads would otherwise take fresh memory beside the ingest's freed heap.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim() {
    // SAFETY: malloc_trim only releases free memory, under the allocator's
    // locks; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() {}

/// Free memory the allocator may hold before the ingest gives it back.
const SLACK: u64 = 48 << 20;

/// The largest heap in use seen so far, and the allocator's hold then.
#[derive(Debug, Default, Clone, Copy)]
pub struct Peak(pub Option<Heap>);

impl Peak {
    /// Records the heap now, then gives memory back (`trim`) when the
    /// allocator holds more than `SLACK` beyond what is in use: the workers'
    /// arenas keep the freed memory of past chunks, which would otherwise
    /// count in the ingest's resident size. One `mallinfo2` serves both: it
    /// walks every free chunk of every arena.
    pub fn sample_and_trim(&mut self) {
        let Some(h) = now() else { return };
        if self.0.is_none_or(|p| h.in_use > p.in_use) {
            self.0 = Some(h);
        }
        if h.held > h.in_use + SLACK {
            trim();
        }
    }
}
