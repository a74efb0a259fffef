//! Checks the Merkle proof verifiers against the RFC 6962 test vectors of transparency-dev/merkle
//! (its `testdata/`, Apache-2.0): happy paths that must verify and mutated proofs (`wantErr`)
//! that must be refused.
//!
//! The vectors are not part of this project. They are read from the folder named by
//! `SMES_VECTORS_DIR` (relative paths are taken from the workspace root); when it is not set,
//! from `../shared/vectors` beside the workspace if that exists. If `SMES_VECTORS_DIR` is set
//! but holds no `rfc6962` data, the tests fail; if it is unset and there is no such folder,
//! they say on stderr that the vectors were not checked and pass.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use smes_verify::Hash;
use smes_verify::merkle::{verify_consistency, verify_inclusion};

const WORKSPACE_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// An inclusion case: `leafHash` is leaf `leafIdx` of the tree of `treeSize` leaves with `root`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InclusionCase {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

/// A consistency case: the tree of `size2` leaves with `root2` extends the one of `size1`
/// leaves with `root1`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConsistencyCase {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

/// Where a hash sits in a case, which decides its stand-in if it is not 32 bytes long.
#[derive(Debug, Clone, Copy)]
enum Role {
    Root,
    Leaf,
    Proof,
}

/// Writes a line straight to the process's stderr. The test harness captures `eprintln!` from
/// passing tests, but not this, so the line shows in every run.
fn announce(line: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    writeln!(stderr, "{line}").expect("writing to stderr");
}

/// The `rfc6962` folder to read, or `None` (after saying so) when there is none to read.
fn rfc6962_dir() -> Option<PathBuf> {
    let workspace = Path::new(WORKSPACE_ROOT);
    let vectors = match std::env::var_os("SMES_VECTORS_DIR") {
        Some(dir) => workspace.join(dir),
        None => {
            let default = workspace.join("../shared/vectors");
            if !default.is_dir() {
                announce(format_args!(
                    "rfc6962 vectors not found: set SMES_VECTORS_DIR; \
                     inclusion and consistency vectors NOT checked"
                ));
                return None;
            }
            default
        }
    };
    // Shown in messages, so without the `crates/verify/../..` detour when the folder exists.
    let vectors = fs::canonicalize(&vectors).unwrap_or(vectors);
    let rfc6962 = vectors.join("rfc6962");
    assert!(
        rfc6962.is_dir(),
        "the rfc6962 vectors are missing: {} is not a directory",
        rfc6962.display()
    );
    Some(rfc6962)
}

/// Every `.json` file under `dir`, at any depth, in path order.
fn case_files(dir: &Path) -> Vec<PathBuf> {
    assert!(
        dir.is_dir(),
        "the rfc6962 vectors are missing: {} is not a directory",
        dir.display()
    );
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn read_case<T: DeserializeOwned>(path: &Path) -> T {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Decodes the base64 hashes of one case, counting the values that are not 32 bytes long.
///
/// The verifiers take hashes as `[u8; 32]`, so a value of another length cannot be passed as it
/// is. The vectors use such values only as deliberately wrong input (empty "garbage" proof
/// elements, short wrong roots and leaves) or as opaque "don't care" roots that are compared only with each
/// other. Each is replaced by a 32-byte stand-in, SHA-256 over a tag naming its role and its
/// bytes: equal values in the same role stay equal (so two "don't care" roots still match), and
/// no stand-in equals a genuine hash, so every case still goes through the verifier.
struct Decoder {
    path: PathBuf,
    stand_ins: usize,
}

impl Decoder {
    fn new(path: &Path) -> Self {
        Decoder {
            path: path.to_path_buf(),
            stand_ins: 0,
        }
    }

    fn hash(&mut self, base64: &str, role: Role) -> Hash {
        let bytes = STANDARD
            .decode(base64)
            .unwrap_or_else(|e| panic!("{}: {base64:?} is not base64: {e}", self.path.display()));
        bytes.as_slice().try_into().unwrap_or_else(|_| {
            self.stand_ins += 1;
            let tag = format!("smes rfc6962 vector stand-in for a {role:?} hash");
            Sha256::new().chain_update(tag).chain_update(&bytes).finalize().into()
        })
    }

    fn proof(&mut self, proof: Option<&[String]>) -> Vec<Hash> {
        proof
            .unwrap_or_default()
            .iter()
            .map(|h| self.hash(h, Role::Proof))
            .collect()
    }
}

/// What running one kind of case found.
#[derive(Default)]
struct Tally {
    accepted: usize,
    rejected: usize,
    with_stand_ins: usize,
    failures: Vec<String>,
}

impl Tally {
    fn record<E: fmt::Display>(
        &mut self,
        path: &Path,
        desc: &str,
        want_err: bool,
        stand_ins: usize,
        outcome: Result<(), E>,
    ) {
        self.with_stand_ins += usize::from(stand_ins > 0);
        match (want_err, outcome) {
            (false, Ok(())) => self.accepted += 1,
            (true, Err(_)) => self.rejected += 1,
            (false, Err(error)) => {
                self.failures
                    .push(format!("{} ({desc}): refused: {error}", path.display()));
            }
            (true, Ok(())) => {
                self.failures
                    .push(format!("{} ({desc}): accepted but must be refused", path.display()));
            }
        }
    }

    /// Reports the counts on stderr (visible even when test output is captured) and fails on
    /// any case that went the wrong way or if no case ran.
    fn finish(self, kind: &str, dir: &Path) {
        let run = self.accepted + self.rejected + self.failures.len();
        announce(format_args!(
            "rfc6962 {kind} vectors: {run} cases run from {} ({} accepted, {} refused as expected, \
             {} with 32-byte stand-ins for other-length values)",
            dir.display(),
            self.accepted,
            self.rejected,
            self.with_stand_ins,
        ));
        assert!(run > 0, "no {kind} cases found under {}", dir.display());
        assert!(
            self.failures.is_empty(),
            "{} of {run} {kind} cases went wrong:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

#[test]
fn inclusion_vectors() {
    let Some(rfc6962) = rfc6962_dir() else { return };
    let dir = rfc6962.join("inclusion");
    let mut tally = Tally::default();
    for path in case_files(&dir) {
        let case: InclusionCase = read_case(&path);
        let mut decoder = Decoder::new(&path);
        let root = decoder.hash(&case.root, Role::Root);
        let leaf = decoder.hash(&case.leaf_hash, Role::Leaf);
        let proof = decoder.proof(case.proof.as_deref());
        let outcome = verify_inclusion(&leaf, case.leaf_idx, case.tree_size, &proof, &root);
        tally.record(&path, &case.desc, case.want_err, decoder.stand_ins, outcome);
    }
    tally.finish("inclusion", &dir);
}

#[test]
fn consistency_vectors() {
    let Some(rfc6962) = rfc6962_dir() else { return };
    let dir = rfc6962.join("consistency");
    let mut tally = Tally::default();
    for path in case_files(&dir) {
        let case: ConsistencyCase = read_case(&path);
        let mut decoder = Decoder::new(&path);
        let root1 = decoder.hash(&case.root1, Role::Root);
        let root2 = decoder.hash(&case.root2, Role::Root);
        let proof = decoder.proof(case.proof.as_deref());
        let outcome = verify_consistency(case.size1, case.size2, &root1, &root2, &proof);
        tally.record(&path, &case.desc, case.want_err, decoder.stand_ins, outcome);
    }
    tally.finish("consistency", &dir);
}
