//! `binding-script OUT_DIR`: writes `script.json` (what every binding runs)
//! and `expected.json` (the transcript of the Rust runtime for it); see
//! `tests/bindings/README.md`. Run it with OUT_DIR as the working
//! directory's neighbour: examples that write files (`export-db`) write
//! them relative to the working directory.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(out) = std::env::args().nth(1) else {
        eprintln!("usage: binding-script OUT_DIR");
        return ExitCode::from(2);
    };
    let out = std::path::PathBuf::from(out);
    let spec = cairn::api::spec();
    let cases = match cairn_tests::bindings::all_cases(spec) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let script = cairn_tests::bindings::script_json(spec, &cases);
    let mut results = serde_json::Map::new();
    for c in &cases {
        results.insert(
            c.id.clone(),
            serde_json::Value::Array(cairn_tests::bindings::run_case(c)),
        );
    }
    let expected = serde_json::json!({"binding": "rust", "cases": results});
    let write = |name: &str, v: &serde_json::Value| {
        std::fs::create_dir_all(&out).and_then(|()| {
            std::fs::write(
                out.join(name),
                serde_json::to_string_pretty(v).unwrap_or_default(),
            )
        })
    };
    if let Err(e) = write("script.json", &script).and_then(|()| write("expected.json", &expected)) {
        eprintln!("error: writing {}: {e}", out.display());
        return ExitCode::from(2);
    }
    println!("{} cases written to {}", cases.len(), out.display());
    ExitCode::SUCCESS
}
