//! The look-ups the domain needs, gathered from the log: facts of other streams that reach
//! the deciders through commands.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use smes_domain::activity::{self, ActivityDecider, ActivityOutline};
use smes_domain::cooperation_source::{CooperationSourceEvent, CounterpartOrganisation};
use smes_domain::counterpart::{CounterpartDecider, CounterpartStanding};
use smes_domain::funding::{self, CurrencyPair, ExchangeRateDecider, OfferDecider, OfferOutline};
use smes_domain::ids::{CooperationSourceId, CounterpartId};
use smes_domain::member_state::{MemberStateDecider, MemberStateEvent};
use smes_domain::membership::MembershipHistory;
use smes_domain::stored::StoredEvent;
use smes_domain::values::code_lists::country_codes;
use smes_domain::values::{Correction, ExchangeRate, MemberStateCode, WorkProgrammeYear};
use smes_domain::work_programme::{WorkProgrammeDecider, WorkProgrammeStatus};
use smes_domain::{Decider, DomainError};
use smes_eventlog::StreamName;

use super::App;
use crate::error::{Error, Result};
use crate::service::{decode_recorded, stored_on};

impl App {
    /// A correction must name an event of the stream it corrects: the domain cannot see event
    /// ids, so the app checks.
    pub(super) async fn check_correction<D: Decider>(&self, id: &D::Id, correction: &Correction) -> Result<()> {
        let stream = StreamName::new(D::stream_name(id)).map_err(smes_eventlog::Error::from)?;
        let corrected = correction.corrects.as_uuid();
        let mut next = 1;
        loop {
            let page = self.service.store().read_stream(&stream, next, 1_000).await?;
            if next == 1 && page.is_empty() {
                // Nothing to correct: the decider names that problem in its own words.
                return Ok(());
            }
            if page.iter().any(|event| event.event_id == corrected) {
                return Ok(());
            }
            match page.last() {
                Some(last) if page.len() == 1_000 => next = last.version + 1,
                _ => break,
            }
        }
        Err(Error::InvalidCommand(format!(
            "correction.corrects: event {corrected} is not an event of stream {stream}"
        )))
    }

    /// A counterpart's standing (when it joined and withdrew), from its stream.
    pub async fn standing(&self, counterpart: CounterpartId) -> Result<CounterpartStanding> {
        let loaded = self.service.load::<CounterpartDecider>(&counterpart).await?;
        Ok(loaded
            .state
            .standing()
            .ok_or(DomainError::CounterpartNotJoined { counterpart })?)
    }

    /// A counterpart's organisation as a registration naming it, or a link to it, is decided
    /// with: its current name, and the cooperation source that already holds its
    /// cooperation-source role, found by one read of the log's registrations and links of
    /// cooperation sources (the role is recorded in the source's stream, not the counterpart's).
    pub async fn counterpart_organisation(&self, counterpart: CounterpartId) -> Result<CounterpartOrganisation> {
        let loaded = self.service.load::<CounterpartDecider>(&counterpart).await?;
        let record = loaded
            .state
            .record
            .ok_or(DomainError::CounterpartNotJoined { counterpart })?;
        Ok(CounterpartOrganisation {
            counterpart,
            name: record.details.name,
            cooperation_source: self.cooperation_source_role(counterpart).await?,
        })
    }

    /// The cooperation source tied to `counterpart`, the first by log position if several are.
    async fn cooperation_source_role(&self, counterpart: CounterpartId) -> Result<Option<CooperationSourceId>> {
        let store = self.service.store();
        let head = store.head().await?.position;
        let types = ["CooperationSourceRegistered", "CooperationSourceLinkedToCounterpart"];
        for recorded in store.read_range_of_types(1, head, &types).await? {
            let event = CooperationSourceEvent::decode_text(
                &recorded.event_type,
                recorded.schema_version,
                recorded.payload.get(),
                stored_on(&recorded),
            );
            if let Ok(event) = event
                && event.counterpart() == Some(counterpart)
            {
                return Ok(Some(event.cooperation_source()));
            }
        }
        Ok(None)
    }

    /// A work programme's status, from its stream.
    pub async fn work_programme_status(&self, year: WorkProgrammeYear) -> Result<WorkProgrammeStatus> {
        Ok(self.service.load::<WorkProgrammeDecider>(&year).await?.state.status)
    }

    /// The rate to convert between a pair of currencies on a day, from the pair's stream.
    pub async fn rate(&self, pair: CurrencyPair, day: jiff::civil::Date) -> Result<Option<ExchangeRate>> {
        let rates = self.service.load::<ExchangeRateDecider>(&pair).await?.state;
        Ok(rates.rate_on(day).cloned())
    }

    /// The log's membership history, for the checks of the countries a command names.
    ///
    /// Reads the Member State streams of every ISO 3166-1 code (a Member State is a country
    /// of the standard: joining checks it), each event with the business date it was recorded
    /// under, which bounds a leaving whose own date no source gives.
    pub async fn membership_history(&self) -> Result<MembershipHistory> {
        let head = self.service.store().head().await?.position;
        self.membership_history_among(country_codes(), head).await
    }

    /// The membership history of the named states only, read from their own streams: it
    /// decides a check of those states as the whole history does (each state's spells come
    /// from its stream alone), at the cost of a few streams instead of every country's. A
    /// refusal is decided again on the whole history (see `App::execute_naming_states`), whose
    /// message lists the Member States on the day.
    ///
    /// Every committed event of those streams counts, with no head read first to cut them at
    /// one position: each state's spells come from its own stream, so streams read a moment
    /// apart give the same answer for each state as one cut would.
    pub async fn membership_history_of(&self, codes: &[MemberStateCode]) -> Result<MembershipHistory> {
        self.membership_history_among(codes.iter().map(MemberStateCode::as_str), u64::MAX)
            .await
    }

    /// The history from the streams of `codes`, with the events at positions up to `up_to`.
    async fn membership_history_among<'a>(
        &self,
        codes: impl Iterator<Item = &'a str>,
        up_to: u64,
    ) -> Result<MembershipHistory> {
        let store = self.service.store();
        let streams = codes
            .map(|code| {
                StreamName::new(format!("{}-{code}", MemberStateDecider::STREAM_PREFIX))
                    .map_err(smes_eventlog::Error::from)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut history = MembershipHistory::default();
        for recorded in store.read_streams(&streams, up_to).await? {
            let event: MemberStateEvent = decode_recorded(&recorded)?;
            let known_by = jiff::tz::Offset::UTC.to_datetime(recorded.occurred_at).date();
            history.record(&event, Some(known_by));
        }
        Ok(history)
    }

    /// The outline of every activity in the log, for the duplicate rule.
    ///
    /// A scan of the whole log, folding every `activity-` stream: its cost grows with the log.
    /// A projection of outlines by thematic area and kind will replace it.
    pub async fn activity_outlines(&self) -> Result<Vec<ActivityOutline>> {
        let states = self.fold_prefix::<ActivityDecider>().await?;
        Ok(states.values().filter_map(activity::Activity::outline).collect())
    }

    /// The outline of every offer in the log, for the duplicate rule (a scan, like
    /// [`App::activity_outlines`]).
    pub async fn offer_outlines(&self) -> Result<Vec<OfferOutline>> {
        let states = self.fold_prefix::<OfferDecider>().await?;
        Ok(states.values().filter_map(funding::Offer::outline).collect())
    }

    /// Folds every stream named `<prefix>-...` of one decider, by reading the whole log.
    pub(super) async fn fold_prefix<D>(&self) -> Result<BTreeMap<String, D::State>>
    where
        D: Decider,
        D::Event: smes_domain::stored::StoredEvent,
    {
        let prefix = format!("{}-", D::STREAM_PREFIX);
        let mut states: BTreeMap<String, D::State> = BTreeMap::new();
        let mut events = self.service.store().stream_all(1);
        while let Some(recorded) = events.try_next().await? {
            if !recorded.stream.starts_with(&prefix) {
                continue;
            }
            let event: D::Event = decode_recorded(&recorded)?;
            let state = states.remove(&recorded.stream).unwrap_or_else(D::initial);
            states.insert(recorded.stream.clone(), D::evolve(state, &event));
        }
        Ok(states)
    }
}
