//! What the Secretariat publishes, read from the log: the snapshot to publish and the command
//! recording it, the publications, a published snapshot made again and checked, and the public
//! site. What each is made of and how it is checked and laid out is `smes-reports`'
//! `publication`; here is only what is read for it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use smes_domain::publication::PublishSnapshot;
use smes_eventlog::EventStore;
use smes_projections::Anchor;
use smes_projections::envelope::to_hex;
use smes_reports::publication::{self, PublishRequest, Published, Reproduced, SNAPSHOT_PUBLISHED, Site, SiteFile};

use crate::envelope::envelope;
use crate::error::Result;
use crate::report;

/// Makes the snapshot to publish and the command that records it: the cut pinned to the given
/// position or the head, the anchor the snapshot was made from, and the digest of each format.
pub async fn prepare(store: &dyn EventStore, page: usize, request: &PublishRequest) -> Result<PublishSnapshot> {
    let head = store.head().await?.position;
    let made = report::snapshot(store, page, &publication::pin(request, head)).await?;
    Ok(publication::command(request, head, &made)?)
}

/// The publications up to the log's head, in log order.
pub async fn publications(store: &dyn EventStore) -> Result<Vec<Published>> {
    let head = store.head().await?.position;
    let mut publications = Vec::new();
    for recorded in store.read_range_of_types(1, head, &[SNAPSHOT_PUBLISHED]).await? {
        publications.extend(Published::of(&envelope(&recorded)?));
    }
    Ok(publications)
}

/// Makes a published snapshot again from its recorded options and checks its anchor and each
/// file's digest against the publication. A difference is
/// [`smes_reports::Error::PublicationMismatch`]: the log no longer gives what was published.
pub async fn reproduce(store: &dyn EventStore, page: usize, published: &Published) -> Result<Reproduced> {
    let request = published.request()?;
    let made = report::snapshot(store, page, &request).await?;
    Ok(publication::check(published, made)?)
}

/// Reads what is public up to the log's head: the publications, and the activity events that
/// say which events were held and with which outputs.
pub async fn read_site(store: &dyn EventStore) -> Result<Site> {
    let head = store.head().await?;
    let last = head.position;
    let tree = store.tree_head(Some(last)).await?;
    let anchor = Anchor {
        log_position: last,
        head_hash: to_hex(&head.hash),
        tree_size: tree.size,
        tree_root: STANDARD.encode(tree.root),
    };
    let types = publication::site_event_types();
    let envelopes = store
        .read_range_of_types(1, last, &types)
        .await?
        .iter()
        .map(envelope)
        .collect::<smes_projections::Result<Vec<_>>>()?;
    Ok(publication::site(anchor, &envelopes))
}

/// The whole static site up to the log's head: `index.html`, `events.html`, and for each
/// publication its page and its published files, every one made again from the log and
/// checked against its digest (a mismatch stops the build with
/// [`smes_reports::Error::PublicationMismatch`]).
pub async fn build_site(store: &dyn EventStore, page: usize) -> Result<Vec<SiteFile>> {
    let site = read_site(store).await?;
    let mut reproduced = Vec::with_capacity(site.publications.len());
    for published in &site.publications {
        reproduced.push(reproduce(store, page, published).await?);
    }
    Ok(publication::site_files(&site, reproduced))
}
