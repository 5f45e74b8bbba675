//! The shipped `api.edn`: it validates, covers the v1 operation list, derives
//! the expected names, hashes stably, and its model is snapshot-reviewed.

use cairn_api_spec::{API_EDN, Spec, Target, TypeKind, load, parse};

fn spec() -> Spec {
    match load() {
        Ok(s) => s,
        Err(errs) => panic!("api.edn is invalid:\n{errs}"),
    }
}

#[test]
fn shipped_spec_validates() {
    let s = spec();
    assert_eq!(s.format, 1);
    assert!(!s.hash().is_empty());
}

#[test]
fn v1_operation_list() {
    let s = spec();
    let names: Vec<&str> = s.ops.iter().map(|o| o.name.as_str()).collect();
    let expected = [
        "database-exists?",
        "create-database",
        "delete-database",
        "connect",
        "release",
        "db",
        "transact",
        "load-entities",
        "with",
        "db-with",
        "q",
        "query-stats",
        "explain",
        "pull",
        "pull-many",
        "entity",
        "datoms",
        "seek-datoms",
        "rseek-datoms",
        "index-range",
        "history",
        "as-of",
        "since",
        "schema",
        "reverse-schema",
        "metrics",
        "gc-storage",
        "export-db",
        "import-db",
        "listen",
        "unlisten",
    ];
    assert_eq!(names, expected);
}

#[test]
fn named_types_are_declared_with_a_kind_and_rust_type() {
    let s = spec();
    for name in [
        "Config",
        "Connection",
        "Db",
        "TxData",
        "TxInput",
        "TxReport",
        "Query",
        "QueryInputs",
        "PullPattern",
        "EntityId",
        "Datom",
        "IndexName",
        "TimePoint",
        "Instant",
        "Metrics",
    ] {
        let t = s
            .type_decl(name)
            .unwrap_or_else(|| panic!("type {name} missing"));
        assert!(!t.rust.is_empty() && !t.doc.is_empty(), "{name}");
    }
    for handle in ["Connection", "Db"] {
        assert!(matches!(
            s.type_decl(handle).map(|t| &t.kind),
            Some(TypeKind::Handle { .. })
        ));
    }
}

#[test]
fn derived_names() {
    let s = spec();
    let op = |n: &str| s.op(n).unwrap_or_else(|| panic!("op {n} missing"));
    assert_eq!(op("database-exists?").python_name(), "database_exists");
    assert_eq!(op("database-exists?").camel_name(), "databaseExists");
    assert_eq!(op("pull-many").camel_name(), "pullMany");
    assert_eq!(op("pull-many").c_name(), "cairn_pull_many");
    assert_eq!(op("q").aliases, ["query"]);
    assert_eq!(op("q").url_path(), "/v1/q");
    assert_eq!(op("with").python_name(), "with_tx");
    assert_eq!(op("with").camel_name(), "withTx");
    assert_eq!(op("gc-storage").required_arity(), 1);
}

#[test]
fn local_ops_are_skipped_by_remote_targets_and_rust_only_ops_by_all_others() {
    let s = spec();
    for name in ["listen", "unlisten"] {
        let op = s.op(name).unwrap_or_else(|| panic!("{name}"));
        assert!(!op.remote);
        assert_eq!(op.targets, [Target::Rust]);
    }
    let http: Vec<&str> = s.ops_for(Target::Http).map(|o| o.name.as_str()).collect();
    assert!(!http.contains(&"with") && !http.contains(&"db-with") && http.contains(&"transact"));
    assert!(s.ops_for(Target::Python).any(|o| o.name == "with"));
}

#[test]
fn every_op_has_an_example() {
    for op in &spec().ops {
        assert!(!op.examples.is_empty(), "op {} has no example", op.name);
    }
}

#[test]
fn hash_is_stable_and_sensitive_to_docs() {
    let a = spec().hash();
    assert_eq!(a, spec().hash());
    assert_eq!(a.len(), 32);
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    let changed = API_EDN.replacen(
        "Checks whether the database described",
        "Tells whether the database described",
        1,
    );
    assert_ne!(changed, API_EDN);
    let b = parse(&changed).map(|s| s.hash()).unwrap_or_default();
    assert!(!b.is_empty());
    assert_ne!(a, b);
    // Whitespace and comments are not part of the model.
    let reformatted = format!(";; leading comment\n{}\n", API_EDN.replace("\n ", "\n   "));
    assert_eq!(parse(&reformatted).map(|s| s.hash()).unwrap_or_default(), a);
}

#[test]
fn json_schema_of_named_types() {
    let s = spec();
    let tx = s.json_schema("TxReport").expect("TxReport schema");
    assert_eq!(tx["$schema"], cairn_api_spec::DIALECT);
    assert_eq!(tx["type"], "object");
    assert_eq!(tx["properties"]["db-after"]["$ref"], "#/$defs/Db");
    assert!(tx["$defs"]["Datom"].is_object());
    assert_eq!(tx["$defs"]["Long"]["format"], "int64");
    let idx = s.json_schema("IndexName").expect("IndexName schema");
    assert_eq!(idx["enum"], serde_json::json!([":eavt", ":aevt", ":avet"]));
    assert!(s.json_schema("Nope").is_none());
    assert_eq!(s.json_schemas().len(), s.types.len());
    assert!(Spec::model_schema()["$defs"]["Op"].is_object());
}

fn snapshot<T: serde::Serialize>(name: &str, value: &T) {
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!(name, value);
    });
}

#[test]
fn snapshot_model() {
    snapshot("api_spec_model", &spec());
}

#[test]
fn snapshot_json_schemas() {
    snapshot("api_spec_json_schemas", &spec().json_schemas());
}
