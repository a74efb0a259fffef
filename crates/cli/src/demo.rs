//! `smes demo`: writes the sample programme to a fresh log and prints its summary.

use std::sync::Arc;

use anyhow::Result;
use smes_app::demo::{self, DemoIds};

use crate::wiring;

/// Runs the demo on `database` and returns the summary to print.
pub async fn run(database: &str) -> Result<String> {
    let (app, _keys) = wiring::open_app(database, true, Arc::new(DemoIds::default())).await?;
    let summary = demo::run(&app, database).await?;
    Ok(format!("demo log written to {database}\n\n{summary}"))
}
