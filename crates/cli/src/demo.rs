//! `smes demo`: writes the sample programme to a fresh log and prints its summary.

use std::sync::Arc;

use anyhow::Result;
use smes_app::demo::{self, DemoIds};

use crate::wiring;

/// The seed of the demo's keys and nonces.
const DEMO_SEED: u64 = 0x5e1a_2013;

/// Runs the demo on `database` and returns the summary to print.
///
/// Its ids, and the keys and nonces that seal its (fictional) focal points, come from fixed
/// sources, so two runs write the same events except record times. That makes its sealed data
/// recoverable by anyone who runs the demo: a log meant for real people's data is started with
/// `smes init`, never with the demo.
pub async fn run(database: &str) -> Result<String> {
    let random = Arc::new(smes_app::SeededRandom::new(DEMO_SEED));
    let (app, _keys) = wiring::open_app_with(database, true, Arc::new(DemoIds::default()), random).await?;
    let location = smes_app::database::without_password(database);
    let summary = demo::run(&app, &location).await?;
    Ok(format!("demo log written to {location}\n\n{summary}"))
}
