//! Running one target: every corpus entry first, then mutated inputs until the budget is spent
//! or a property fails. A failure (a panic) is caught, saved with its message, and ends the
//! target's run.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::mutate::{Rng, mutate};
use crate::targets::Target;

/// How long a target runs: until either limit is reached (at least the corpus is always run).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Wall-clock time.
    pub time: Option<Duration>,
    /// Executions, corpus entries included.
    pub executions: Option<u64>,
}

/// Accepted inputs kept for mutation besides the corpus, at most.
const MAX_KEPT: usize = 2_000;

/// An input that broke a property.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The input.
    pub input: Vec<u8>,
    /// The panic message, with where it was raised.
    pub message: String,
    /// Where the input and message were saved.
    pub saved: PathBuf,
}

/// What one target's run did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The target's name.
    pub target: &'static str,
    /// Inputs checked, corpus entries included.
    pub executions: u64,
    /// Wall-clock time taken.
    pub elapsed: Duration,
    /// The input that broke a property, if one did.
    pub finding: Option<Finding>,
}

thread_local! {
    /// The message and place of the last panic on this thread, taken by the panic hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `target` over `corpus`, then over mutated inputs drawn from `seed`, within `budget`.
/// A finding is saved to `findings` as `<target>-<digest>.input` and `.txt`.
pub fn run(target: &Target, corpus: &[Vec<u8>], budget: Budget, seed: u64, findings: &Path) -> std::io::Result<Report> {
    let started = Instant::now();
    let previous_hook = panic::take_hook();
    // Panics are expected here: keep their message for the finding instead of printing it.
    panic::set_hook(Box::new(|info| {
        let text = format!("{info}");
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(text));
    }));
    let mut rng = Rng::new(seed);
    let mut pool: Vec<Vec<u8>> = corpus.to_vec();
    if pool.is_empty() {
        pool.push(Vec::new());
    }
    let mut executions = 0u64;
    let mut finding = None;
    let spent = |executions: u64| {
        budget.executions.is_some_and(|limit| executions >= limit)
            || budget.time.is_some_and(|limit| started.elapsed() >= limit)
    };
    let mut next_corpus_entry = 0;
    loop {
        let from_corpus = next_corpus_entry < corpus.len();
        let input = if from_corpus {
            next_corpus_entry += 1;
            corpus[next_corpus_entry - 1].clone()
        } else {
            if spent(executions) {
                break;
            }
            let base = rng.pick(&pool).clone();
            mutate(&base, &pool, &mut rng)
        };
        executions += 1;
        match panic::catch_unwind(AssertUnwindSafe(|| (target.check)(&input))) {
            Ok(true) if !from_corpus => {
                if pool.len() < corpus.len() + MAX_KEPT {
                    pool.push(input);
                } else {
                    // Full: the input takes the place of a kept one, never of a corpus entry.
                    let slot = corpus.len() + rng.below(MAX_KEPT);
                    pool[slot] = input;
                }
            }
            Ok(_) => {}
            Err(payload) => {
                let message = LAST_PANIC
                    .with(|last| last.borrow_mut().take())
                    .unwrap_or_else(|| panic_text(payload.as_ref()));
                let saved = save(findings, target.name, &input, &message)?;
                finding = Some(Finding { input, message, saved });
                break;
            }
        }
    }
    panic::set_hook(previous_hook);
    Ok(Report {
        target: target.name,
        executions,
        elapsed: started.elapsed(),
        finding,
    })
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Writes a finding's input and message, named by the target and a digest of the input.
fn save(findings: &Path, target: &str, input: &[u8], message: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(findings)?;
    let name = format!("{target}-{:016x}", digest(input));
    let path = findings.join(format!("{name}.input"));
    std::fs::write(&path, input)?;
    std::fs::write(findings.join(format!("{name}.txt")), format!("{message}\n"))?;
    Ok(path)
}

/// The corpus entries of a target: every file of `directory`, in name order (none when it
/// does not exist).
pub fn load_corpus(directory: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    paths.iter().map(std::fs::read).collect()
}

/// A stable 64-bit digest of the input (FNV-1a), to name findings.
fn digest(input: &[u8]) -> u64 {
    input.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
