//! What the Secretariat publishes and the public dissemination site: published work-programme
//! snapshots, made again from the log and checked against their recorded digests, and the
//! events held with the presentations, reports and videos they produced.
//!
//! Everything here is a pure function of what was read from the log: [`pin`] fixes the cut of
//! the snapshot to publish and [`command`] makes the domain command that records it from the
//! snapshot made under that cut; [`Published::of`] finds a publication in an event; [`site`]
//! gathers what is public from the events that say so; [`check`] compares a published snapshot
//! made again from its recorded options with what was published and refuses, with
//! [`Error::PublicationMismatch`], one whose anchor or bytes differ. The pages ([`index_page`],
//! [`events_page`], [`snapshot_page`]) are pure functions of those, shared by `smes publish
//! site` (static files, relative links, [`site_files`]) and the server's public pages (absolute
//! links), so both show the same thing. Nothing here is personal: published
//! snapshots carry none, and held events show their title, kind, area, host, dates and the
//! links of their outputs only.

use jiff::civil::Date;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;
use sha2::{Digest, Sha256};
use smes_domain::activity::ActivityEvent;
use smes_domain::ids::PublicationId;
use smes_domain::publication::{
    PublicationEvent, PublishSnapshot, PublishedAnchor, PublishedCut, PublishedFile, PublishedFilter, PublishedSnapshot,
};
use smes_domain::stored::StoredEvent;
use smes_domain::values::WorkProgrammeYear;
use smes_projections::activities::ActivityBook;
use smes_projections::envelope::to_hex;
use smes_projections::{Anchor, Cut, DomainEvent, Envelope};

use crate::error::{Error, Result};
use crate::format::describe_cut;
use crate::format_json;
use crate::options::{Filter, Format, parse_status, status_name};
use crate::snapshot::{self, Snapshot, SnapshotRequest};

/// The stored type of a publication.
pub const SNAPSHOT_PUBLISHED: &str = "SnapshotPublished";

/// What the Secretariat asks to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishRequest {
    /// The new publication's id.
    pub publication: PublicationId,
    /// The snapshot: year, cut and filter. Without a position, the cut is pinned to the head.
    pub snapshot: SnapshotRequest,
    /// The formats published, each once.
    pub formats: Vec<Format>,
    /// The title shown to the public.
    pub title: String,
    /// A note under the title.
    pub note: Option<String>,
    /// When it is published.
    pub published_on: Date,
}

/// The title a publication of `year`'s work programme gets when none is given.
pub fn default_title(year: WorkProgrammeYear) -> String {
    format!("Work programme {year}")
}

/// The snapshot a publication is made of: the one asked for, its cut pinned to the position
/// given or, without one, to the log's head (`head`).
pub fn pin(request: &PublishRequest, head: u64) -> SnapshotRequest {
    let mut pinned = request.snapshot.clone();
    pinned.cut.at_position = Some(pinned.cut.at_position.unwrap_or(head));
    pinned
}

/// The command that records a publication: the cut pinned as [`pin`] pins it, the anchor the
/// snapshot (`made`, under that cut, with the log's head at `head`) was made from, and the
/// digest of each format.
pub fn command(request: &PublishRequest, head: u64, made: &Snapshot) -> Result<PublishSnapshot> {
    let pinned = pin(request, head);
    let mut files = Vec::new();
    for format in &request.formats {
        files.push(PublishedFile {
            format: format.name().to_owned(),
            sha256: sha256(&made.render(*format)?),
        });
    }
    let filter = &pinned.filter;
    Ok(PublishSnapshot {
        snapshot: PublishedSnapshot {
            publication: request.publication,
            year: pinned.year,
            cut: PublishedCut {
                as_of: pinned.cut.as_of,
                known_at: pinned.cut.known_at,
                at_position: pinned.cut.at_position.unwrap_or(head),
            },
            filter: PublishedFilter {
                areas: filter.areas.iter().copied().collect(),
                countries: filter.countries.iter().copied().collect(),
                statuses: filter
                    .statuses
                    .iter()
                    .map(|status| status_name(*status).to_owned())
                    .collect(),
            },
            anchor: PublishedAnchor {
                log_position: made.anchor.log_position,
                head_hash: made.anchor.head_hash.clone(),
                tree_size: made.anchor.tree_size,
                tree_root: made.anchor.tree_root.clone(),
            },
            files,
            title: request.title.clone(),
            note: request.note.clone(),
            published_on: request.published_on,
        },
        log_head: head,
        year_recorded: made.programme.status != "unknown",
    })
}

/// The lower-case hex SHA-256 of a published file.
pub fn sha256(text: &str) -> String {
    to_hex(&Sha256::digest(text.as_bytes()))
}

/// A publication as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The position of its `SnapshotPublished` event.
    pub position: u64,
    /// What was published.
    pub snapshot: PublishedSnapshot,
}

impl Published {
    /// The publication's id, as text.
    pub fn id(&self) -> String {
        self.snapshot.publication.to_string()
    }

    /// The snapshot request its recorded options stand for.
    pub fn request(&self) -> Result<SnapshotRequest> {
        let options = &self.snapshot;
        let mut filter = Filter::default();
        filter.areas.extend(options.filter.areas.iter().copied());
        filter.countries.extend(options.filter.countries.iter().copied());
        for status in &options.filter.statuses {
            filter.statuses.insert(parse_status(status)?);
        }
        Ok(SnapshotRequest {
            year: options.year,
            cut: Cut {
                as_of: options.cut.as_of,
                known_at: options.cut.known_at,
                at_position: Some(options.cut.at_position),
            },
            filter,
        })
    }

    /// The cut in words.
    pub fn cut(&self) -> String {
        let cut = &self.snapshot.cut;
        describe_cut(&Cut {
            as_of: cut.as_of,
            known_at: cut.known_at,
            at_position: Some(cut.at_position),
        })
    }

    /// The publication an event records, if it records one.
    pub fn of(envelope: &Envelope) -> Option<Published> {
        match &envelope.event {
            DomainEvent::Publication(PublicationEvent::SnapshotPublished(published)) => Some(Published {
                position: envelope.position,
                snapshot: published.snapshot.clone(),
            }),
            _ => None,
        }
    }

    /// The file name of the snapshot in a format: `work-programme-2013.html`.
    pub fn file_name(&self, format: &str) -> String {
        format!("work-programme-{}.{format}", self.snapshot.year)
    }
}

/// A published snapshot made again from the log, checked against what was published.
#[derive(Debug, Clone)]
pub struct Reproduced {
    /// The publication.
    pub published: Published,
    /// The snapshot.
    pub snapshot: Snapshot,
    /// Each published file, by format name, with its bytes (their digest checked).
    pub files: Vec<(String, String)>,
}

/// Checks a published snapshot made again under its recorded options ([`Published::request`])
/// against the publication: its anchor and each file's digest. A difference is
/// [`Error::PublicationMismatch`]: the log no longer gives what was published.
pub fn check(published: &Published, made: Snapshot) -> Result<Reproduced> {
    let mismatch = |detail: String| Error::PublicationMismatch {
        publication: published.id(),
        position: published.position,
        detail,
    };
    let recorded = &published.snapshot.anchor;
    let anchor = &made.anchor;
    let fields = [
        (
            "log position",
            recorded.log_position.to_string(),
            anchor.log_position.to_string(),
        ),
        ("head hash", recorded.head_hash.clone(), anchor.head_hash.clone()),
        (
            "Merkle tree size",
            recorded.tree_size.to_string(),
            anchor.tree_size.to_string(),
        ),
        ("Merkle tree root", recorded.tree_root.clone(), anchor.tree_root.clone()),
    ];
    for (field, recorded, found) in fields {
        if recorded != found {
            return Err(mismatch(format!(
                "its anchor's {field} is {recorded} but the log gives {found}"
            )));
        }
    }
    let mut files = Vec::new();
    for file in &published.snapshot.files {
        let format = Format::parse(&file.format, &snapshot::FORMATS)?;
        let text = made.render(format)?;
        let digest = sha256(&text);
        if digest != file.sha256 {
            return Err(mismatch(format!(
                "its {} file has SHA-256 {digest}, not the published {}",
                file.format, file.sha256
            )));
        }
        files.push((file.format.clone(), text));
    }
    Ok(Reproduced {
        published: published.clone(),
        snapshot: made,
        files,
    })
}

/// An output of a held event: what it is, its title and where it is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputRow {
    /// `report`, `presentation` or `video`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its link, as recorded.
    pub link: String,
}

/// An event held, as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldEvent {
    /// The activity's id.
    pub activity: String,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: Option<String>,
    /// Its thematic area.
    pub thematic_area: Option<String>,
    /// Its host Member State.
    pub host: Option<String>,
    /// First day held.
    pub held_start: String,
    /// Last day held.
    pub held_end: String,
    /// What it produced.
    pub outputs: Vec<OutputRow>,
}

/// What is public at one point of the log: the publications and the events held.
#[derive(Debug, Clone)]
pub struct Site {
    /// The log prefix read.
    pub anchor: Anchor,
    /// The publications, in log order.
    pub publications: Vec<Published>,
    /// The events held, by first day then id.
    pub held: Vec<HeldEvent>,
}

impl Site {
    /// The publication with this id, as text.
    pub fn publication(&self, id: &str) -> Option<&Published> {
        self.publications.iter().find(|published| published.id() == id)
    }
}

/// The stored types of the events [`site`] reads: the activities' and the publications'.
pub fn site_event_types() -> Vec<&'static str> {
    let mut types: Vec<&'static str> = ActivityEvent::EVENT_TYPES.iter().map(|(name, _)| *name).collect();
    types.push(SNAPSHOT_PUBLISHED);
    types
}

/// What is public in a log prefix ending at `anchor`, from its events of the types
/// [`site_event_types`] names, in log order: the publications, and the events held with their
/// outputs.
pub fn site(anchor: Anchor, envelopes: &[Envelope]) -> Site {
    let mut publications = Vec::new();
    let mut book = ActivityBook::default();
    for envelope in envelopes {
        match &envelope.event {
            DomainEvent::Activity(event) => book.apply(envelope, event),
            DomainEvent::Publication(PublicationEvent::SnapshotPublished(_)) => {
                publications.extend(Published::of(envelope));
            }
            _ => {}
        }
    }
    let mut held: Vec<HeldEvent> = book
        .iter()
        .filter_map(|entry| {
            let period = entry.held?;
            Some(HeldEvent {
                activity: entry.activity.to_string(),
                title: entry.title.clone().unwrap_or_default(),
                kind: entry.kind.map(|kind| kind.slug().to_owned()),
                thematic_area: entry.thematic_area.map(|area| area.slug().to_owned()),
                host: entry.host.map(|host| host.as_str().to_owned()),
                held_start: period.start().to_string(),
                held_end: period.end().to_string(),
                outputs: entry
                    .outputs
                    .iter()
                    .map(|output| OutputRow {
                        kind: output.kind.slug().to_owned(),
                        title: output.title.clone(),
                        link: output.link.clone(),
                    })
                    .collect(),
            })
        })
        .collect();
    held.sort_by(|a, b| (&a.held_start, &a.activity).cmp(&(&b.held_start, &b.activity)));
    Site {
        anchor,
        publications,
        held,
    }
}

/// A publication as the JSON API and `smes publish snapshot` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicationRow {
    /// The publication's id.
    pub id: String,
    /// The position of its event in the log.
    pub position: u64,
    /// The title.
    pub title: String,
    /// The note.
    pub note: Option<String>,
    /// When it was published.
    pub published_on: String,
    /// The work programme's year.
    pub year: i16,
    /// The cut, pinned to a position.
    pub cut: PublishedCut,
    /// The cut in words.
    pub cut_described: String,
    /// The filter.
    pub filter: PublishedFilter,
    /// The log prefix the snapshot was made from.
    pub anchor: PublishedAnchor,
    /// Each published file's format and SHA-256 digest.
    pub files: Vec<PublishedFile>,
}

impl From<&Published> for PublicationRow {
    fn from(published: &Published) -> Self {
        let snapshot = &published.snapshot;
        PublicationRow {
            id: published.id(),
            position: published.position,
            title: snapshot.title.clone(),
            note: snapshot.note.clone(),
            published_on: snapshot.published_on.to_string(),
            year: snapshot.year.get(),
            cut: snapshot.cut.clone(),
            cut_described: published.cut(),
            filter: snapshot.filter.clone(),
            anchor: snapshot.anchor.clone(),
            files: snapshot.files.clone(),
        }
    }
}

/// The list of publications as JSON: `{"publications": [...]}`, in log order.
pub fn list_json(publications: &[Published]) -> Result<String> {
    #[derive(Serialize)]
    struct Listed {
        publications: Vec<PublicationRow>,
    }
    format_json(&Listed {
        publications: publications.iter().map(PublicationRow::from).collect(),
    })
}

/// One publication and its snapshot as JSON.
pub fn reproduced_json(reproduced: &Reproduced) -> Result<String> {
    #[derive(Serialize)]
    struct Shown<'a> {
        publication: PublicationRow,
        snapshot: &'a Snapshot,
    }
    format_json(&Shown {
        publication: PublicationRow::from(&reproduced.published),
        snapshot: &reproduced.snapshot,
    })
}

/// Where the pages link to: the files of the static site, or the server's public pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// The static site: relative links between its files, and the published files to download.
    Site,
    /// The server: `/public`, `/public/events`, `/public/snapshots/{id}`.
    Server,
}

impl Links {
    fn home(self, depth: usize) -> String {
        match self {
            Links::Site => format!("{}index.html", "../".repeat(depth)),
            Links::Server => "/public".to_owned(),
        }
    }

    fn events(self, depth: usize) -> String {
        match self {
            Links::Site => format!("{}events.html", "../".repeat(depth)),
            Links::Server => "/public/events".to_owned(),
        }
    }

    fn snapshot(self, id: &str) -> String {
        match self {
            Links::Site => format!("snapshots/{id}/index.html"),
            Links::Server => format!("/public/snapshots/{id}"),
        }
    }
}

/// The path, inside the static site, of a publication's page.
pub fn snapshot_page_path(published: &Published) -> String {
    format!("snapshots/{}/index.html", published.id())
}

/// The path, inside the static site, of a publication's file in a format.
pub fn snapshot_file_path(published: &Published, format: &str) -> String {
    format!("snapshots/{}/{}", published.id(), published.file_name(format))
}

const SITE: &str = "SELA-SMEs Programme";

const STYLE: &str = "nav{display:flex;gap:1rem;border-bottom:1px solid #c8c8c8;padding-bottom:.5rem}\
footer{border-top:1px solid #c8c8c8;margin-top:2rem;font-size:.85rem}\
ul.outputs{margin:.2rem 0 .8rem}section.publication{border-top:1px solid #c8c8c8;margin-top:1rem}";

fn document(title: &str, links: Links, depth: usize, anchor: &Anchor, body: Markup) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (SITE) }
                style { (PreEscaped(snapshot::html::STYLE)) (PreEscaped(STYLE)) }
            }
            body {
                nav {
                    a href=(links.home(depth)) { (SITE) }
                    a href=(links.events(depth)) { "Events held" }
                }
                main { (body) }
                footer {
                    p.anchor {
                        "Made from log position " span.position { (anchor.log_position) }
                        "; Merkle tree root " code.root { (anchor.tree_root) }
                    }
                }
            }
        }
    };
    crate::page::html_text(page)
}

fn publications_list(site: &Site, links: Links) -> Markup {
    html! {
        @if site.publications.is_empty() {
            p { "Nothing is published yet." }
        } @else {
            ul.publications {
                @for published in site.publications.iter().rev() {
                    li {
                        a href=(links.snapshot(&published.id())) { (published.snapshot.title) }
                        " — work programme " (published.snapshot.year)
                        ", " (published.cut())
                        ", published " (published.snapshot.published_on)
                    }
                }
            }
        }
    }
}

fn held_list(site: &Site) -> Markup {
    html! {
        @if site.held.is_empty() {
            p { "No event has been held yet." }
        } @else {
            @for event in &site.held {
                section.event id={ "activity-" (event.activity) } {
                    h3 { (if event.title.is_empty() { "Untitled event" } else { &event.title }) }
                    p {
                        "Held " (event.held_start)
                        @if event.held_end != event.held_start { " to " (event.held_end) }
                        @if let Some(host) = &event.host { " in " (host) }
                        @if let Some(kind) = &event.kind { "; " (kind) }
                        @if let Some(area) = &event.thematic_area { "; thematic area " (area) }
                        "."
                    }
                    @if event.outputs.is_empty() {
                        p { "No presentation, report or video recorded." }
                    } @else {
                        ul.outputs {
                            @for output in &event.outputs {
                                li { (output.kind) ": " a href=(output.link) rel="nofollow" { (output.title) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The site's home: the published snapshots, newest first, and the events held.
pub fn index_page(site: &Site, links: Links) -> String {
    let body = html! {
        h1 { (SITE) }
        p { "What the Permanent Secretariat has published of the programme's record: work-programme snapshots, each made from a stated point of the event log, and the events held with their presentations, reports and videos." }
        h2 { "Published work-programme snapshots" }
        (publications_list(site, links))
        h2 { "Events held" }
        (held_list(site))
    };
    document("Published", links, 0, &site.anchor, body)
}

/// The events held, with their outputs' links.
pub fn events_page(site: &Site, links: Links) -> String {
    let body = html! {
        h1 { "Events held" }
        (held_list(site))
    };
    document("Events held", links, 0, &site.anchor, body)
}

/// One published snapshot: what was published (title, note, date, cut, anchor, digests), the
/// files to download on the static site, and the snapshot itself.
pub fn snapshot_page(reproduced: &Reproduced, links: Links) -> String {
    let published = &reproduced.published;
    let options = &published.snapshot;
    let body = html! {
        p.published { "Published " (options.published_on) }
        h1 { (options.title) }
        @if let Some(note) = &options.note { p.note { (note) } }
        table.files {
            caption { "Published files and their SHA-256 digests" }
            @for file in &options.files {
                tr {
                    td {
                        @if links == Links::Site {
                            a href=(published.file_name(&file.format)) { (published.file_name(&file.format)) }
                        } @else {
                            (published.file_name(&file.format))
                        }
                    }
                    td { code { (file.sha256) } }
                }
            }
        }
        (snapshot::html::fragment(&reproduced.snapshot))
    };
    let anchor = &reproduced.snapshot.anchor;
    document(&options.title, links, 2, anchor, body)
}

/// One file of the static site: its path under the site's folder and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    /// The path, with `/` between folders.
    pub path: String,
    /// The contents.
    pub contents: String,
}

/// The whole static site: `index.html`, `events.html`, and for each publication of `site` its
/// page and its published files, from `reproduced`, its publications made again and checked
/// ([`check`]), in the same order.
pub fn site_files(site: &Site, reproduced: Vec<Reproduced>) -> Vec<SiteFile> {
    let mut files = vec![
        SiteFile {
            path: "index.html".to_owned(),
            contents: index_page(site, Links::Site),
        },
        SiteFile {
            path: "events.html".to_owned(),
            contents: events_page(site, Links::Site),
        },
    ];
    for reproduced in reproduced {
        files.push(SiteFile {
            path: snapshot_page_path(&reproduced.published),
            contents: snapshot_page(&reproduced, Links::Site),
        });
        for (format, contents) in reproduced.files {
            files.push(SiteFile {
                path: snapshot_file_path(&reproduced.published, &format),
                contents,
            });
        }
    }
    files
}
