//! What `smes` logs to standard error, and how much: the libraries emit `tracing` events and
//! spans, and this is the one place a subscriber is installed.
//!
//! By default only warnings and errors are logged, so a command's output on standard error is
//! its messages alone; `-v` adds what the programme does (a request answered, a checkpoint kept,
//! the link index caught up), `-vv` the detail of it. `RUST_LOG`, when set, chooses instead
//! (`RUST_LOG=smes=debug`). The messages a command prints for its user, errors included, are
//! its output, not logs, and are printed as before.

use anyhow::{Context, Result};
use tracing_subscriber::EnvFilter;

/// The environment variable that, when set, chooses what is logged.
pub const FILTER_VARIABLE: &str = "RUST_LOG";

/// Installs the subscriber writing to standard error at the level `verbosity` (how many `-v`
/// were given) chooses, or as `RUST_LOG` says when it is set. A `RUST_LOG` that is not a filter
/// is refused, naming what is allowed.
pub fn install(verbosity: u8) -> Result<()> {
    let filter = filter(verbosity, std::env::var(FILTER_VARIABLE).ok().as_deref())?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .map_err(|error| anyhow::anyhow!("installing the log on standard error failed: {error}"))
}

/// The filter for `verbosity` and the value of `RUST_LOG`, if set.
fn filter(verbosity: u8, variable: Option<&str>) -> Result<EnvFilter> {
    match variable.map(str::trim) {
        Some(directives) if !directives.is_empty() => EnvFilter::builder().parse(directives).with_context(|| {
            format!(
                "{FILTER_VARIABLE}={directives:?} is not a log filter; allowed: a level (error, warn, info, debug, trace, off) or target=level pairs separated by commas, such as smes=debug"
            )
        }),
        _ => Ok(EnvFilter::new(directives(verbosity))),
    }
}

/// The filter each number of `-v` stands for. The database driver's own warnings (statements
/// and connections slower than a second) are left to `-v`, so that a busy machine does not
/// change what a command prints by default.
fn directives(verbosity: u8) -> &'static str {
    match verbosity {
        0 => "warn,sqlx=error",
        1 => "info,sqlx=warn",
        2 => "info,smes=debug",
        _ => "debug,smes=trace",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_verbosity_has_its_level_and_rust_log_chooses_instead() {
        use tracing_subscriber::filter::LevelFilter;
        let most = |verbosity, variable| filter(verbosity, variable).unwrap().max_level_hint();
        assert_eq!(most(0, None), Some(LevelFilter::WARN));
        assert_eq!(
            most(1, Some("  ")),
            Some(LevelFilter::INFO),
            "a blank RUST_LOG is not set"
        );
        assert_eq!(most(2, None), Some(LevelFilter::DEBUG));
        assert_eq!(most(9, None), Some(LevelFilter::TRACE));
        assert_eq!(most(0, Some("smes=debug")), Some(LevelFilter::DEBUG));
        assert_eq!(most(3, Some("error")), Some(LevelFilter::ERROR));
        // The driver's slow-statement warnings wait for -v.
        assert!(filter(0, None).unwrap().to_string().contains("sqlx=error"));
        assert!(filter(1, None).unwrap().to_string().contains("sqlx=warn"));
    }

    #[test]
    fn a_rust_log_that_is_not_a_filter_is_refused_with_what_is_allowed() {
        let error = filter(0, Some("smes=loud")).unwrap_err();
        let message = format!("{error:#}");
        assert!(
            message.starts_with("RUST_LOG=\"smes=loud\" is not a log filter; allowed: a level"),
            "{message}"
        );
    }
}
