//! `generated/` is exactly what the spec produces; every generated file is
//! snapshotted under `snapshots/` (so a change of the API surface shows up
//! in review as a snapshot diff); generators refuse specs they cannot
//! express, naming the op.

use cairn_api_spec::{Spec, Target};
use cairn_codegen::{CodegenErrors, GeneratedFile, Generator, Support};

fn spec() -> Spec {
    cairn_api_spec::load().expect("shipped spec is valid")
}

#[test]
fn generated_dir_matches_the_spec() {
    let files = cairn_codegen::generate(&spec()).expect("the spec generates");
    let s = cairn_codegen::stale(&cairn_codegen::default_out_dir(), &files).unwrap();
    assert!(
        s.is_clean(),
        "generated/ is out of date; run `{}`:\n{s}",
        cairn_codegen::REGENERATE
    );
}

#[test]
fn generation_is_deterministic_and_every_file_names_its_origin() {
    let spec = spec();
    let a = cairn_codegen::generate(&spec).unwrap();
    let b = cairn_codegen::generate(&spec).unwrap();
    assert_eq!(a, b);
    let hash = spec.hash();
    for f in &a {
        if f.path.ends_with(".json") {
            // No comments in JSON: the provenance is a field.
            assert!(
                f.contents.contains(&hash) && f.contents.contains("cairn-codegen"),
                "{} does not name its generator and spec hash",
                f.path
            );
            continue;
        }
        let head: String = f.contents.lines().take(4).collect::<Vec<_>>().join("\n");
        assert!(
            head.contains(&hash) && (head.contains("cairn-codegen") || f.path.ends_with(".json")),
            "{} does not start with the generator header:\n{head}",
            f.path
        );
    }
}

#[test]
fn every_generated_file_is_snapshotted() {
    let files = cairn_codegen::generate(&spec()).unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for f in &files {
            let name = format!("generated__{}", f.path.replace(['/', '.'], "_"));
            insta::assert_snapshot!(name, &f.contents);
        }
    });
}

#[test]
fn check_lists_every_stale_missing_and_extra_file() {
    let files = cairn_codegen::generate(&spec()).unwrap();
    let dir = std::env::temp_dir().join(format!("cairn-codegen-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    cairn_codegen::write(&dir, &files).unwrap();
    assert!(cairn_codegen::stale(&dir, &files).unwrap().is_clean());
    // One file edited by hand, one deleted (against a file list with an
    // extra entry, so there is always a second file), one stray file.
    let mut expected = files.clone();
    expected.push(GeneratedFile::new("extra/file.txt", "generated"));
    std::fs::write(dir.join(&files[0].path), "edited by hand").unwrap();
    std::fs::write(dir.join("stray.txt"), "x").unwrap();
    let s = cairn_codegen::stale(&dir, &expected).unwrap();
    assert_eq!(s.changed, vec![files[0].path.clone()]);
    assert_eq!(s.missing, vec!["extra/file.txt".to_string()]);
    assert_eq!(s.extra, vec!["stray.txt".to_string()]);
    let report = s.to_string();
    assert!(
        report.contains("stale:   generated/") && report.contains("extra:   generated/stray.txt")
    );
    // `write` repairs all three.
    cairn_codegen::write(&dir, &files).unwrap();
    assert!(cairn_codegen::stale(&dir, &files).unwrap().is_clean());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A generator that cannot express handles or instants.
struct Limited;

impl Generator for Limited {
    fn name(&self) -> &'static str {
        "limited"
    }
    fn target(&self) -> Option<Target> {
        Some(Target::Python)
    }
    fn support(&self) -> Support {
        Support {
            type_kinds: &["scalar", "map", "vector", "enum", "variant"],
            json_scalars: &[
                "boolean", "integer", "number", "string", "keyword", "nil", "any",
            ],
            optional_args: false,
        }
    }
    fn generate(&self, _spec: &Spec) -> Result<Vec<GeneratedFile>, CodegenErrors> {
        Ok(Vec::new())
    }
}

#[test]
fn a_generator_refuses_what_it_cannot_express_naming_the_op() {
    let errs = cairn_codegen::check_support(&spec(), &Limited).unwrap_err();
    let text = errs.to_string();
    assert!(
        text.contains("limited generator: op `connect`: type `Connection` is a handle"),
        "{text}"
    );
    assert!(
        text.contains("op `gc-storage`: type `Instant` is a JSON instant scalar"),
        "{text}"
    );
    assert!(
        text.contains("op `q`: optional argument `args` cannot be expressed"),
        "{text}"
    );
    // Every problem is listed, not just the first.
    assert!(errs.0.len() > 10, "{text}");
}
