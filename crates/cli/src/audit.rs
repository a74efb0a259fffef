//! Auditors' commands: checkpoint keys, signed checkpoints, proofs, and their offline checks.
//!
//! `key`, `checkpoint`, `prove` and `verify` read the log (`verify` checks it against the
//! checkpoints kept with it and those given, with the keys given); `audit verify-*` read only
//! files and a public key, never a database, so an auditor can run them on a machine that has
//! the binary alone.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use smes_app::Database;
use smes_eventlog::{EventStore, Witnesses};
use smes_verify::checkpoint::{decode_proof, encode_proof};
use smes_verify::{Checkpoint, ConsistencyProofDocument, InclusionProofDocument, NoteSigner, NoteVerifier};

use crate::flags;

/// Where the checkpoint signing key lives unless told otherwise.
pub const DEFAULT_KEY_FILE: &str = "smes-checkpoint.key";

/// The signing key file option shared by `key` and `checkpoint`.
#[derive(Debug, Args)]
pub struct KeyFile {
    /// The checkpoint signing key file (secret: keep it out of the log and out of backups of it).
    #[arg(long = "key-file", env = "SMES_CHECKPOINT_KEY", default_value = DEFAULT_KEY_FILE)]
    pub path: PathBuf,
}

/// `smes key ...`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a new Ed25519 checkpoint signing key and print its public (verifier) key.
    Generate {
        #[command(flatten)]
        key_file: KeyFile,
        /// The log's name, written in every checkpoint as its origin (e.g. sela.int/smes).
        #[arg(long)]
        origin: String,
    },
    /// Print the public (verifier) key that auditors use.
    Public {
        #[command(flatten)]
        key_file: KeyFile,
    },
}

/// `smes checkpoint`
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    #[command(flatten)]
    key_file: KeyFile,
    /// The tree size to sign (default: the whole log).
    #[arg(long, value_parser = flags::number::<u64>)]
    size: Option<u64>,
    /// Also write the signed checkpoint to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also keep it with the log, to hand to auditors later (`--list` prints them).
    #[arg(long)]
    store: bool,
    /// Print the checkpoints kept with the log, as JSON Lines, instead of signing one.
    #[arg(long, conflicts_with_all = ["size", "out", "store"])]
    list: bool,
}

/// `smes verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Also check the log against this signed checkpoint, held outside the database (repeat
    /// for several); it must be signed by one of the keys given.
    #[arg(long)]
    checkpoint: Vec<PathBuf>,
    /// A verifier key (`name+id+key`, or `@FILE` to read it from a file) that checks the
    /// signatures of the checkpoints given and of the kept checkpoints of its name (repeat for
    /// several).
    #[arg(long)]
    key: Vec<String>,
    /// The checkpoint signing key file, whose public key also checks signatures (default:
    /// smes-checkpoint.key, if there is one).
    #[arg(long = "key-file", env = "SMES_CHECKPOINT_KEY")]
    key_file: Option<PathBuf>,
}

/// `smes prove ...`
#[derive(Debug, Subcommand)]
pub enum ProveCommand {
    /// Print the inclusion proof of the event at a position, with its stored record.
    Inclusion {
        /// The event's position.
        #[arg(long, value_parser = flags::number::<u64>)]
        position: u64,
        /// The tree size the proof is for (default: the whole log).
        #[arg(long, value_parser = flags::number::<u64>)]
        size: Option<u64>,
    },
    /// Print the consistency proof between two tree sizes.
    Consistency {
        /// The older size.
        #[arg(long, value_parser = flags::number::<u64>)]
        from: u64,
        /// The newer size.
        #[arg(long, value_parser = flags::number::<u64>)]
        to: u64,
    },
}

/// The public key and origin an auditor trusts.
#[derive(Debug, Args)]
pub struct Trusted {
    /// The log's verifier key (`name+id+key`), or `@FILE` to read it from a file.
    #[arg(long)]
    key: String,
    /// The origin the checkpoints must name (default: the key's name).
    #[arg(long)]
    origin: Option<String>,
}

/// `smes audit ...`: offline checks, no database.
#[derive(Debug, Subcommand)]
#[expect(
    clippy::enum_variant_names,
    reason = "the variants are the subcommands auditors type: verify-checkpoint, verify-inclusion, verify-consistency"
)]
pub enum AuditCommand {
    /// Check a signed checkpoint's signature and origin; print its size and root.
    VerifyCheckpoint {
        /// The signed checkpoint file.
        #[arg(long)]
        checkpoint: PathBuf,
        #[command(flatten)]
        trusted: Trusted,
    },
    /// Check an inclusion proof (from `smes prove inclusion`) against a signed checkpoint.
    VerifyInclusion {
        /// The signed checkpoint file.
        #[arg(long)]
        checkpoint: PathBuf,
        /// The proof file.
        #[arg(long)]
        proof: PathBuf,
        #[command(flatten)]
        trusted: Trusted,
    },
    /// Check that a snapshot (JSON or Markdown, from `smes snapshot`) was made from the log a
    /// signed checkpoint commits to: same tree size, same Merkle root.
    VerifySnapshot {
        /// The snapshot file.
        #[arg(long)]
        snapshot: PathBuf,
        /// The signed checkpoint file (at the snapshot's tree size).
        #[arg(long)]
        checkpoint: PathBuf,
        #[command(flatten)]
        trusted: Trusted,
    },
    /// Check that a newer signed checkpoint extends an older one.
    VerifyConsistency {
        /// The older signed checkpoint file.
        #[arg(long)]
        old: PathBuf,
        /// The newer signed checkpoint file.
        #[arg(long)]
        new: PathBuf,
        /// The proof file (from `smes prove consistency`).
        #[arg(long)]
        proof: PathBuf,
        #[command(flatten)]
        trusted: Trusted,
    },
}

/// Runs `smes key`.
pub fn key(command: KeyCommand) -> Result<()> {
    match command {
        KeyCommand::Generate { key_file, origin } => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).context("the operating system's random source failed")?;
            let signer = NoteSigner::from_seed(&origin, seed)?;
            write_secret(&key_file.path, &signer.to_secret_string())?;
            println!("{}", signer.verifier());
            eprintln!(
                "signing key written to {}; give auditors the public key above",
                key_file.path.display()
            );
        }
        KeyCommand::Public { key_file } => println!("{}", read_signer(&key_file.path)?.verifier()),
    }
    Ok(())
}

fn write_secret(path: &Path, secret: &str) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| {
        format!(
            "cannot create the key file {} (an existing key is never overwritten)",
            path.display()
        )
    })?;
    writeln!(file, "{secret}").with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

pub(crate) fn read_signer(path: &Path) -> Result<NoteSigner> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the key file {} (create one with `smes key generate`)",
            path.display()
        )
    })?;
    NoteSigner::parse(&text).with_context(|| format!("the key file {} does not hold a signing key", path.display()))
}

/// Runs `smes checkpoint`: prints the signed checkpoint of the log (at `--size`), or with
/// `--list` the checkpoints kept with the log.
pub async fn checkpoint(log: &Database, args: CheckpointArgs) -> Result<()> {
    if args.list {
        for kept in log.checkpoints().await? {
            let line = serde_json::json!({
                "origin": kept.origin,
                "tree_size": kept.tree_size,
                "stored_at": kept.stored_at.to_string(),
                "note": kept.note,
            });
            println!("{line}");
        }
        return Ok(());
    }
    let signer = read_signer(&args.key_file.path)?;
    let head = log.events().tree_head(args.size).await?;
    let note = Checkpoint {
        origin: signer.name().to_owned(),
        size: head.size,
        root: head.root,
    }
    .sign(&signer)?;
    if let Some(out) = &args.out {
        std::fs::write(out, &note).with_context(|| format!("cannot write {}", out.display()))?;
    }
    if args.store {
        log.store_checkpoint(signer.name(), head.size, &note).await?;
    }
    print!("{note}");
    Ok(())
}

/// Runs `smes verify`: walks the log, comparing every column with its record, the stored Merkle
/// tree with the events' and the roots of the checkpoints kept and given with the events'; prints
/// what it verified.
pub async fn verify(log: &Database, args: VerifyArgs) -> Result<()> {
    let witnesses = witnesses(&args)?;
    let verified = log
        .events()
        .verify_with(&witnesses)
        .await
        .context("the event log does not verify")?;
    println!(
        "verified {} events, head {}",
        verified.chain.events,
        hex::encode(verified.chain.head)
    );
    for checkpoint in &verified.checkpoints {
        let signature = match &checkpoint.signed_by {
            Some(key) => format!("signed by {key}"),
            None => format!("signature not checked: no key of {} given", checkpoint.origin),
        };
        println!("contains {}: {signature}", checkpoint.describe());
    }
    Ok(())
}

/// The keys and checkpoint files `smes verify` was given, read and parsed.
fn witnesses(args: &VerifyArgs) -> Result<Witnesses> {
    let mut witnesses = Witnesses::new();
    let key_file = match &args.key_file {
        Some(path) => Some(path.clone()),
        None => Some(PathBuf::from(DEFAULT_KEY_FILE)).filter(|path| path.exists()),
    };
    if let Some(path) = key_file {
        witnesses = witnesses.with_key(read_signer(&path)?.verifier());
    }
    for key in &args.key {
        witnesses = witnesses.with_key(parse_verifier(key)?);
    }
    if !args.checkpoint.is_empty() && witnesses.keys().is_empty() {
        bail!(
            "smes verify --checkpoint: a checkpoint held outside the log is checked only with the log's verifier key; give it with --key KEY"
        );
    }
    for path in &args.checkpoint {
        witnesses = witnesses.with_checkpoint(format!("checkpoint file {}", path.display()), read(path, "checkpoint")?);
    }
    Ok(witnesses)
}

/// Runs `smes prove`: prints a proof document as JSON.
pub async fn prove(store: &dyn EventStore, command: ProveCommand) -> Result<()> {
    let document = match command {
        ProveCommand::Inclusion { position, size } => {
            let tree_size = match size {
                Some(size) => size,
                None => store.head().await?.position,
            };
            let proof = store.inclusion_proof(position, tree_size).await?;
            let record = store
                .stored_record(position)
                .await?
                .with_context(|| format!("no event at position {position}"))?;
            serde_json::to_string_pretty(&InclusionProofDocument {
                kind: "inclusion".into(),
                position,
                tree_size,
                record,
                proof: encode_proof(&proof),
            })?
        }
        ProveCommand::Consistency { from, to } => {
            let proof = store.consistency_proof(from, to).await?;
            serde_json::to_string_pretty(&ConsistencyProofDocument {
                kind: "consistency".into(),
                old_size: from,
                new_size: to,
                proof: encode_proof(&proof),
            })?
        }
    };
    println!("{document}");
    Ok(())
}

/// The Merkle tree size and base64 root a snapshot states: the `anchor` of a JSON snapshot, or
/// the `Merkle tree size` and `Merkle tree root` rows of a Markdown one.
fn snapshot_anchor(text: &str) -> Option<(u64, String)> {
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
        let anchor = json.get("anchor")?;
        return Some((
            anchor.get("tree_size")?.as_u64()?,
            anchor.get("tree_root")?.as_str()?.to_owned(),
        ));
    }
    let row = |label: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("| {label} | ")))
            .map(|rest| rest.trim_end_matches(" |").trim_matches('`').to_owned())
    };
    Some((row("Merkle tree size")?.parse().ok()?, row("Merkle tree root")?))
}

/// The checkpoint's root as its body writes it (base64), as snapshots write it too.
fn base64_root(checkpoint: &Checkpoint) -> String {
    checkpoint
        .body()
        .lines()
        .nth(2)
        .expect("a checkpoint body has a root line")
        .to_owned()
}

fn read(path: &Path, what: &str) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read the {what} {}", path.display()))
}

/// A `--key` value: a verifier key, or `@FILE` holding one.
fn parse_verifier(key: &str) -> Result<NoteVerifier> {
    let key = match key.strip_prefix('@') {
        Some(file) => read(Path::new(file), "verifier key file")?,
        None => key.to_owned(),
    };
    NoteVerifier::parse(&key).context("the --key is not a verifier key")
}

fn open_checkpoint(path: &Path, trusted: &Trusted) -> Result<Checkpoint> {
    let verifier = parse_verifier(&trusted.key)?;
    let origin = trusted.origin.as_deref().unwrap_or(verifier.name());
    Checkpoint::open(&read(path, "checkpoint")?, &verifier, origin)
        .with_context(|| format!("the checkpoint {} does not verify", path.display()))
}

/// Runs `smes audit`: offline checks that print what they confirmed, or fail.
pub fn audit(command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::VerifyCheckpoint { checkpoint, trusted } => {
            let checkpoint = open_checkpoint(&checkpoint, &trusted)?;
            println!(
                "checkpoint verified: {} at size {}, root {}",
                checkpoint.origin,
                checkpoint.size,
                hex::encode(checkpoint.root)
            );
        }
        AuditCommand::VerifyInclusion {
            checkpoint,
            proof,
            trusted,
        } => {
            let checkpoint = open_checkpoint(&checkpoint, &trusted)?;
            let document: InclusionProofDocument = serde_json::from_str(&read(&proof, "proof")?)
                .with_context(|| format!("{} is not an inclusion proof", proof.display()))?;
            if document.kind != "inclusion" {
                bail!(
                    "{} is a {} proof, not an inclusion proof",
                    proof.display(),
                    document.kind
                );
            }
            if document.tree_size != checkpoint.size {
                bail!(
                    "the proof is for a tree of {} events but the checkpoint is at {}; ask for a proof at size {}",
                    document.tree_size,
                    checkpoint.size,
                    checkpoint.size
                );
            }
            checkpoint
                .check_inclusion(&document.record, document.position, &decode_proof(&document.proof)?)
                .context("the event is NOT proved to be in the checkpointed log")?;
            println!(
                "inclusion verified: the event at position {} is in {} at size {}",
                document.position, checkpoint.origin, checkpoint.size
            );
        }
        AuditCommand::VerifySnapshot {
            snapshot,
            checkpoint,
            trusted,
        } => {
            let checkpoint = open_checkpoint(&checkpoint, &trusted)?;
            let text = read(&snapshot, "snapshot")?;
            let (size, root) = snapshot_anchor(&text)
                .with_context(|| format!("{} states no Merkle tree size and root", snapshot.display()))?;
            let root_text = base64_root(&checkpoint);
            if size != checkpoint.size || root != root_text {
                bail!(
                    "the snapshot was made from the log at size {size} with root {root}, but the checkpoint commits to size {} with root {root_text}: the snapshot is NOT of the checkpointed log{}",
                    checkpoint.size,
                    if size != checkpoint.size {
                        " (ask for a checkpoint at the snapshot's size)"
                    } else {
                        ""
                    }
                );
            }
            println!(
                "snapshot verified: it was made from {} at size {}, as the checkpoint commits",
                checkpoint.origin, checkpoint.size
            );
        }
        AuditCommand::VerifyConsistency {
            old,
            new,
            proof,
            trusted,
        } => {
            let old = open_checkpoint(&old, &trusted)?;
            let new = open_checkpoint(&new, &trusted)?;
            let document: ConsistencyProofDocument = serde_json::from_str(&read(&proof, "proof")?)
                .with_context(|| format!("{} is not a consistency proof", proof.display()))?;
            if document.kind != "consistency" || document.old_size != old.size || document.new_size != new.size {
                bail!(
                    "the proof is from size {} to {} but the checkpoints are at {} and {}",
                    document.old_size,
                    document.new_size,
                    old.size,
                    new.size
                );
            }
            old.check_consistency(&new, &decode_proof(&document.proof)?)
                .context("the newer checkpoint does NOT extend the older one: the log was rewritten or forked")?;
            println!(
                "consistency verified: {} at size {} extends size {}",
                new.origin, new.size, old.size
            );
        }
    }
    Ok(())
}
