//! Runs the shared conformance suite through the public API, on the memory
//! and the redb backend. See `cairn_tests::conformance`.

fn main() {
    cairn_tests::conformance::main(cairn_tests::conformance::Mode::Api);
}
