//! What the end-to-end tests share: the real `smes` binary (and the benchmark's
//! `smes-bench`), built once per test process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The path of the `smes` binary, built (or found up to date) by cargo on first use.
pub fn smes_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| build("smes-cli", "smes"))
}

/// The path of the `smes-bench` binary (the benchmark, kept out of `smes`), built (or found up
/// to date) by cargo on first use.
#[allow(dead_code, reason = "not every test file that includes support uses it")]
pub fn smes_bench_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| build("smes-bench", "smes-bench"))
}

/// Builds `binary` of `package` with the cargo running the tests and returns its path.
fn build(package: &str, binary: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", package, "--bin", binary])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the {binary} binary failed");
    // Test binaries live in target/<profile>/deps; the binary one level up.
    let deps = std::env::current_exe().expect("the test's own path");
    let path = deps
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .join(format!("{binary}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "no {binary} binary at {}", path.display());
    path
}

/// Runs `smes` with `args` in `dir`, with no database URL inherited from the environment.
pub fn smes(dir: &Path, args: &[&str]) -> Output {
    Command::new(smes_binary())
        .args(args)
        .current_dir(dir)
        .env_remove("SMES_DATABASE_URL")
        .env_remove("RUST_LOG")
        .output()
        .expect("smes runs")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 output")
}

/// Runs `smes --database DATABASE args...` in `dir`.
#[allow(dead_code, reason = "not every test file that includes support uses it")]
pub fn run_on(dir: &Path, database: &str, args: &[&str]) -> Output {
    let mut all = vec!["--database", database];
    all.extend_from_slice(args);
    smes(dir, &all)
}

/// Standard output of `smes --database DATABASE args...`, failing the test on a non-zero exit.
#[allow(dead_code, reason = "not every test file that includes support uses it")]
pub fn ok_on(dir: &Path, database: &str, args: &[&str]) -> String {
    let output = run_on(dir, database, args);
    assert!(output.status.success(), "smes {args:?}: {}", stderr(&output));
    stdout(&output)
}

/// JSON lines of an import file, each given the command id `id(n)`, numbered from `first`.
#[allow(dead_code, reason = "not every test file that includes support uses it")]
pub fn with_command_ids(lines: &[serde_json::Value], first: u32, id: impl Fn(u32) -> String) -> String {
    lines
        .iter()
        .zip(first..)
        .map(|(line, n)| {
            let mut line = line.clone();
            line["command_id"] = serde_json::Value::String(id(n));
            format!("{line}\n")
        })
        .collect()
}

/// An id of the shape the import-file tests write: `2013<kind>-0000-4000-8000-<n>`, the kind
/// telling records apart (`0xC0` counterparts, `0x5C` sources, `0xAC` activities, ...).
#[allow(dead_code, reason = "not every test file that includes support uses it")]
pub fn import_id(kind: u8, n: u32) -> String {
    format!("2013{kind:04x}-0000-4000-8000-{n:012x}")
}

/// An amount in US dollars as an import line writes it, valued on `on`.
#[allow(dead_code, reason = "not every test file that includes support uses it")]
pub fn usd(amount: &str, on: &str) -> serde_json::Value {
    serde_json::json!({"amount": amount, "currency": "USD", "value_date": on})
}

/// The funding lines of the 2013 work programme, as `smes snapshot` writes them.
#[allow(dead_code, reason = "not every test file that includes support uses it")]
pub fn funding_lines(dir: &Path, database: &str) -> Vec<String> {
    ok_on(dir, database, &["snapshot", "--year", "2013"])
        .lines()
        .filter(|line| line.starts_with("- funding from "))
        .map(str::to_owned)
        .collect()
}

/// The demo's focal points and actor: none of them may appear in a report, review or export.
// Shared by several test binaries; the others do not use it.
#[allow(dead_code, reason = "not every test file that includes support uses it")]
pub const DEMO_PERSONAL_DATA: [&str; 17] = [
    "Rosa Quispe Mamani",
    "rosa.quispe@produce.example",
    "João Carlos Pereira",
    "joao.pereira@sebrae.example",
    "Laura Hernández Ortiz",
    "laura.hernandez@inadem.example",
    "Felipe Araya Soto",
    "felipe.araya@corfo.example",
    "Carmen Vargas Rojas",
    "carmen.vargas@bdp.example",
    "Andrés Gómez Restrepo",
    "andres.gomez@ccb.example",
    "Keisha Baptiste",
    "keisha.baptiste@nedco.example",
    "Marta Lucía Salazar",
    "marta.salazar@fng.example",
    "María Fernanda Rojas",
];
