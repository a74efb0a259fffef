//! A fuzz harness for the code that reads untrusted bytes, on the stable toolchain.
//!
//! The canonical record decoder, payload canonicalisation, the command line parser of imports,
//! and the checkpoint, signed-note and proof parsers of the offline audit each run as a
//! [`targets::Target`]: over the corpus kept in the repository (`crates/fuzz/corpus/<target>/`)
//! and then over inputs mutated from it with a seeded random source ([`mutate`]). The design
//! choice: no compiler instrumentation (which needs a nightly toolchain), but properties beyond
//! "does not panic" (decoded values encode back, canonical forms are fixed points, parsed
//! commands read back to themselves), checked on every input, so a wrong answer is a finding
//! as much as a crash. docs/fuzzing.md says how to run it.

pub mod mutate;
pub mod runner;
pub mod targets;
