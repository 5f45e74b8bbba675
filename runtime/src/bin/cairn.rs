//! The `cairn` command line. See `cairn --help`.

fn main() {
    cairn::cli::main();
}
