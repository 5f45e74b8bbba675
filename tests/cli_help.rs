//! Snapshots of `cairn --help` and every subcommand's help, all derived from
//! the spec: changing the spec shows up here for review.

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn help_texts() {
    let mut root = cairn::cli::clap_command();
    let mut out = String::new();
    out.push_str(&root.render_long_help().to_string());
    root.build();
    for sub in root.get_subcommands_mut() {
        out.push_str(&format!(
            "\n==================== cairn {} --help\n",
            sub.get_name()
        ));
        out.push_str(&sub.render_long_help().to_string());
    }
    settings().bind(|| insta::assert_snapshot!("cli_help", out));
}
