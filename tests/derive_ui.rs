//! `#[derive(Entity)]` compile errors and pass cases (trybuild): one file
//! per mistake under `ui/derive/`, each `.stderr` reviewed like a snapshot.
//! Regenerate with `TRYBUILD=overwrite cargo test -p cairn-tests --test derive_ui`.

#[test]
fn derive_ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/derive/pass_*.rs");
    t.compile_fail("ui/derive/fail_*.rs");
}
