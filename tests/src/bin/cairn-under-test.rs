//! The `cairn` CLI, built inside this package so the CLI tests can run it
//! (same code as `runtime/src/bin/cairn.rs`).

fn main() {
    cairn::cli::main();
}
