//! The `smes` binary holds production code only: the benchmark (`smes-bench`, a binary of its
//! own) and the simulator it measures on (`smes-simulate`) are neither among its dependencies
//! nor behind one of its subcommands (docs/ARCHITECTURE.md, "Production and the benchmark").

use std::process::Command;

/// The packages `smes` must never link.
const NOT_PRODUCTION: [&str; 2] = ["smes-bench", "smes-simulate"];

#[test]
fn the_smes_binary_depends_on_neither_the_benchmark_nor_the_simulator() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["tree", "--locked", "-p", "smes-cli", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    let tree = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let packages: Vec<&str> = tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
    // The listing is the real tree, not an empty one.
    for production in [
        "smes-cli",
        "smes-app",
        "smes-eventlog",
        "smes-projections",
        "smes-reports",
    ] {
        assert!(packages.contains(&production), "{production} missing from:\n{tree}");
    }
    for package in NOT_PRODUCTION {
        assert!(
            !packages.contains(&package),
            "smes-cli depends on {package}, which is not production code:\n{tree}"
        );
    }
}

#[test]
fn smes_has_no_bench_subcommand() {
    let output = Command::new(env!("CARGO_BIN_EXE_smes"))
        .args(["bench", "--quick"])
        .env_remove("SMES_DATABASE_URL")
        .output()
        .expect("smes runs");
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "smes bench ran: {error}");
    assert!(error.contains("unrecognized subcommand 'bench'"), "{error}");
    let help = Command::new(env!("CARGO_BIN_EXE_smes"))
        .arg("--help")
        .output()
        .expect("smes runs");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("verify"), "{help}");
    assert!(
        !help.lines().any(|line| line.trim_start().starts_with("bench")),
        "{help}"
    );
}
