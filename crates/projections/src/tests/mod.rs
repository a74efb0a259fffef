//! Tests of the read models: one history builder, a small realistic history, unit tests per
//! model, snapshots, and property tests of the fold law and of as-of answers.

mod bitemporal;
mod fixture;
mod generator;
mod models;
mod properties;
mod reach;
mod snapshots;
mod support;
