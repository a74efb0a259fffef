//! How many threads the machine runs at once, asked of the system once per process: the answer
//! reads files under /proc and the cgroup tree, which costs more than validating a small append
//! or reading a small view, the places that ask.

use std::num::NonZeroUsize;
use std::sync::OnceLock;

/// The machine's available parallelism (at least 1), as the standard library reports it the
/// first time it is asked.
pub fn available() -> usize {
    static CPUS: OnceLock<usize> = OnceLock::new();
    *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
}
