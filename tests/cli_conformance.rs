//! Runs the shared conformance suite through the `cairn` CLI, one process
//! per step, on redb. See `cairn_tests::conformance`.

fn main() {
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_cairn-under-test"));
    cairn_tests::conformance::main(cairn_tests::conformance::Mode::Cli(bin));
}
