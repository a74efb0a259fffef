//! `smes publish`: the Secretariat publishes a work-programme snapshot (`publish snapshot`,
//! recorded as a `SnapshotPublished` event with the snapshot's options, anchor and digests), and
//! writes the public dissemination site as static files (`publish site --out DIR`).
//!
//! Both go through `smes-reports`' publication module: the snapshot published is the one
//! `smes snapshot` makes, its cut pinned to a log position, and the site makes every published
//! snapshot again from the log and refuses to write one whose bytes differ from what was
//! published.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use smes_app::{CommandContext, Source};
use smes_domain::ids::PublicationId;
use smes_domain::publication::{PublicationCommand, PublicationDecider};
use smes_eventlog::{EventStore, RandomIds};
use smes_reports::options::{parse_cut, parse_date, parse_year};
use smes_reports::publication::{self, PublicationRow, PublishRequest, Published};
use smes_reports::snapshot::{self, SnapshotRequest};
use smes_reports::{Filter, Format};
use uuid::Uuid;

use crate::wiring::{self, Actor};

/// `smes publish`.
#[derive(Debug, Subcommand)]
pub enum PublishCommand {
    /// Publish a work-programme snapshot: made now, its cut pinned to a log position, and
    /// recorded with its anchor and the SHA-256 digest of each format.
    Snapshot(Box<SnapshotArgs>),
    /// Write the public dissemination site into a folder: index.html (published snapshots and
    /// events held), events.html, and each published snapshot's page and files, made again
    /// from the log and checked against their digests.
    Site {
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// `smes publish snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The work programme's year.
    #[arg(long)]
    year: String,
    /// As of the end of this business date (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<String>,
    /// As known at this record time (RFC 3339, such as 2013-06-30T12:00:00Z).
    #[arg(long)]
    known_at: Option<String>,
    /// At this log position (by default the log's head when publishing).
    #[arg(long)]
    at_position: Option<String>,
    /// Only activities in these thematic areas (slug or number; repeat or separate with commas).
    #[arg(long)]
    area: Vec<String>,
    /// Only activities hosted by these Member States (ISO codes; repeat or separate with commas).
    #[arg(long)]
    country: Vec<String>,
    /// Only activities with these statuses (approved, held, cancelled, ...).
    #[arg(long)]
    status: Vec<String>,
    /// The formats published (md, json, csv, html; repeat or separate with commas); all four
    /// by default.
    #[arg(long)]
    format: Vec<String>,
    /// The title shown to the public (by default "Work programme YEAR").
    #[arg(long)]
    title: Option<String>,
    /// A note shown under the title.
    #[arg(long)]
    note: Option<String>,
    /// The publication's id (a UUID; a new one by default).
    #[arg(long)]
    id: Option<String>,
    /// The publication date (YYYY-MM-DD; today, UTC, by default).
    #[arg(long)]
    published_on: Option<String>,
    /// Why it is published, kept with the event.
    #[arg(long)]
    why: Option<String>,
}

/// Runs `smes publish`.
pub async fn run(database: &str, page: usize, actor: &Actor, command: PublishCommand) -> Result<()> {
    match command {
        PublishCommand::Snapshot(args) => print!("{}", snapshot(database, page, actor, *args).await?),
        PublishCommand::Site { out } => {
            let store = wiring::open_store(database, false).await?;
            print!("{}", site(store.events(), page, &out).await?);
        }
    }
    Ok(())
}

fn formats(given: &[String]) -> Result<Vec<Format>> {
    let mut formats = Vec::new();
    for name in given.iter().flat_map(|value| value.split(',')).map(str::trim) {
        if name.is_empty() {
            continue;
        }
        let format = Format::parse(name, &snapshot::FORMATS)?;
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    if formats.is_empty() {
        formats = snapshot::FORMATS.to_vec();
    }
    Ok(formats)
}

async fn snapshot(database: &str, page: usize, actor: &Actor, args: SnapshotArgs) -> Result<String> {
    let year = parse_year(&args.year)?;
    let cut = parse_cut(
        args.as_of.as_deref(),
        args.known_at.as_deref(),
        args.at_position.as_deref(),
    )?;
    let filter = Filter::parse(&args.area, &args.country, &args.status)?;
    let formats = formats(&args.format)?;
    let (app, _keys) = wiring::open_app(database, false, Arc::new(RandomIds::default())).await?;
    let publication = match &args.id {
        Some(text) => text
            .parse::<PublicationId>()
            .map_err(|error| anyhow::anyhow!("--id: {error}"))?,
        None => PublicationId::new(app.service().new_id())?,
    };
    let published_on = match &args.published_on {
        Some(text) => parse_date("--published-on", text)?,
        None => app.service().today(),
    };
    let request = PublishRequest {
        publication,
        snapshot: SnapshotRequest { year, cut, filter },
        formats,
        title: args.title.unwrap_or_else(|| publication::default_title(year)),
        note: args.note,
        published_on,
    };
    let store = app.service().store().clone();
    let command = smes_read::publication::prepare(store.as_ref(), page, &request).await?;
    let mut context: CommandContext = actor.context(Source::Cli);
    context.command_id = Some(app.service().new_id());
    context.reason = args.why;
    let recorded = command.snapshot.clone();
    let executed = app
        .service()
        .execute::<PublicationDecider>(&context, &PublicationCommand::PublishSnapshot(command))
        .await?;
    let published = Published {
        position: executed.outcome.last_position,
        snapshot: recorded,
    };
    let row = PublicationRow::from(&published);
    let mut text = format!(
        "publish snapshot: SnapshotPublished written to {} (position {}), command {}\n",
        executed.stream,
        executed.outcome.last_position,
        context.command_id.unwrap_or_else(Uuid::nil)
    );
    text.push_str(&format!("publication {}: {:?}\n", row.id, row.title));
    text.push_str(&format!("work programme {}, {}\n", row.year, row.cut_described));
    text.push_str(&format!(
        "made from log position {}, head hash {}, Merkle tree size {} root {}\n",
        row.anchor.log_position, row.anchor.head_hash, row.anchor.tree_size, row.anchor.tree_root
    ));
    for file in &row.files {
        text.push_str(&format!(
            "{} sha256 {}\n",
            published.file_name(&file.format),
            file.sha256
        ));
    }
    Ok(text)
}

/// Writes the static site into `out` and says what was written.
pub async fn site(store: &dyn EventStore, page: usize, out: &Path) -> Result<String> {
    let files = smes_read::publication::build_site(store, page).await?;
    for file in &files {
        let path = out.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, &file.contents).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(format!("wrote {} files to {}\n", files.len(), out.display()))
}
