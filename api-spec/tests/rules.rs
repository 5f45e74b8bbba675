//! One failing spec snippet per validation rule; each asserts the error
//! names the offending op, argument or type.

use cairn_api_spec::{SpecErrorKind as K, SpecErrors, parse};

const TYPES: &str = r#"
  {:name Long :kind :scalar :json :integer :rust "i64" :doc "An integer."}
  {:name Boolean :kind :scalar :json :boolean :rust "bool" :doc "A boolean."}
  {:name Db :kind :handle :rust "cairn_edn::Db" :doc "A database." :identity "store + commit"
   :fields [{:name :commit :type Long :doc "Commit."}]}
  {:name IndexName :kind :enum :rust "cairn_edn::IndexOrder" :doc "An index."
   :values [{:value :eavt :doc "EAVT."} {:value :aevt :doc "AEVT."}]}
"#;

/// A spec with the base types plus `extra_types`, and `ops`.
fn spec(extra_types: &str, ops: &str) -> String {
    format!("{{:format 1 :doc \"Test.\" :errors [] :types [{TYPES} {extra_types}] :ops [{ops}]}}")
}

/// A well-formed op named `name` with the given args.
fn op(name: &str, args: &str) -> String {
    format!(
        "{{:name {name} :doc \"Does {name}.\" :args [{args}] :ret Long :categories [:test] \
         :stability :stable :remote? true :pure? true}}"
    )
}

fn errors(text: &str) -> SpecErrors {
    match parse(text) {
        Ok(_) => panic!("spec unexpectedly valid:\n{text}"),
        Err(e) => e,
    }
}

fn assert_has(errs: &SpecErrors, kind: K, needles: &[&str]) {
    assert!(
        errs.has(kind, needles),
        "no {kind:?} error mentioning {needles:?} in:\n{errs}"
    );
}

#[test]
fn baseline_is_valid() {
    let text = spec("", &op("count", "{:name db :type Db :doc \"The db.\"}"));
    if let Err(e) = parse(&text) {
        panic!("{e}");
    }
}

#[test]
fn not_edn_is_a_syntax_error() {
    assert_has(&errors("{:format 1 :ops [}"), K::Syntax, &["not valid EDN"]);
}

#[test]
fn arg_without_doc() {
    let errs = errors(&spec("", &op("count", "{:name db :type Db}")));
    assert_has(&errs, K::Missing, &["op `count` arg `db`", ":doc"]);
}

#[test]
fn arg_without_name() {
    let errs = errors(&spec("", &op("count", "{:type Db :doc \"x\"}")));
    assert_has(&errs, K::Missing, &["op `count` arg #1", ":name"]);
}

#[test]
fn op_without_doc_or_flags() {
    let errs = errors(&spec(
        "",
        "{:name count :args [] :ret Long :categories [:x] :stability :stable}",
    ));
    assert_has(&errs, K::Missing, &["op `count`", ":doc"]);
    assert_has(&errs, K::Missing, &["op `count`", ":remote?"]);
    assert_has(&errs, K::Missing, &["op `count`", ":pure?"]);
}

#[test]
fn unknown_key_is_reported() {
    let text = spec(
        "",
        &op("count", "{:name db :type Db :doc \"x\" :optional true}"),
    );
    assert_has(
        &errors(&text),
        K::UnknownKey,
        &["op `count` arg `db`", ":optional"],
    );
}

#[test]
fn unknown_type_in_arg_ret_and_type() {
    let ops = "{:name count :doc \"x\" :args [{:name db :type Dbb :doc \"x\"}] :ret [:vector Datum] \
               :categories [:x] :stability :stable :remote? true :pure? true}";
    let types =
        r#"{:name Pair :kind :map :rust "P" :doc "x" :fields [{:name :a :type Strng :doc "x"}]}"#;
    let errs = errors(&spec(types, ops));
    assert_has(&errs, K::UnknownType, &["op `count` arg `db`", "Dbb"]);
    assert_has(&errs, K::UnknownType, &["op `count` ret", "Datum"]);
    assert_has(&errs, K::UnknownType, &["type `Pair` field `a`", "Strng"]);
}

#[test]
fn every_error_is_collected() {
    let ops = format!(
        "{} {}",
        op("a", "{:name x :type Nope1 :doc \"x\"}"),
        op("b", "{:name y :type Nope2}")
    );
    let errs = errors(&spec("", &ops));
    assert_has(&errs, K::UnknownType, &["op `a`", "Nope1"]);
    assert_has(&errs, K::UnknownType, &["op `b`", "Nope2"]);
    assert_has(&errs, K::Missing, &["op `b` arg `y`"]);
    assert_eq!(errs.to_string().lines().count(), errs.errors().len());
}

#[test]
fn duplicate_op() {
    let ops = format!("{} {}", op("count", ""), op("count", ""));
    assert_has(&errors(&spec("", &ops)), K::Duplicate, &["op `count`"]);
}

#[test]
fn duplicate_type_and_arg() {
    let types = r#"{:name Long :kind :scalar :json :integer :rust "i64" :doc "Again."}"#;
    let args = "{:name db :type Db :doc \"x\"} {:name db :type Db :doc \"y\"}";
    let errs = errors(&spec(types, &op("count", args)));
    assert_has(&errs, K::Duplicate, &["type `Long`"]);
    assert_has(&errs, K::Duplicate, &["op `count` arg `db`"]);
}

#[test]
fn optional_args_come_last() {
    let args = "{:name n :type Long :optional? true :doc \"x\"} {:name db :type Db :doc \"x\"}";
    assert_has(
        &errors(&spec("", &op("count", args))),
        K::OptionalOrder,
        &["op `count` arg `db`", "`n`"],
    );
}

#[test]
fn integers_are_64_bit() {
    let types = r#"{:name Int :kind :scalar :json :integer :rust "i32" :doc "Narrow."}"#;
    assert_has(
        &errors(&spec(types, "")),
        K::IntegerWidth,
        &["type `Int`", "i64"],
    );
}

#[test]
fn cli_and_url_collision_names_both_ops() {
    let ops = format!("{} {}", op("transact", ""), op("transact!", ""));
    let errs = errors(&spec("", &ops));
    for what in [
        "CLI command",
        "URL path",
        "Python name",
        "TypeScript/Java name",
        "C symbol",
    ] {
        assert_has(
            &errs,
            K::Collision,
            &["op `transact!`", what, "op `transact`"],
        );
    }
}

#[test]
fn alias_collision() {
    let q = "{:name q :doc \"Q.\" :args [] :ret Long :categories [:x] :stability :stable \
             :remote? true :pure? true :aliases [count]}";
    let errs = errors(&spec("", &format!("{} {q}", op("count", ""))));
    assert_has(
        &errs,
        K::Collision,
        &["op `q`", "CLI command `count`", "op `count`"],
    );
}

#[test]
fn snake_collision_between_different_spellings() {
    // `pull-many` and `pull-many?` differ only by the suffix every target drops.
    let ops = format!("{} {}", op("pull-many", ""), op("pull-many?", ""));
    assert_has(
        &errors(&spec("", &ops)),
        K::Collision,
        &["Python name `pull_many`", "op `pull-many`"],
    );
}

#[test]
fn reserved_word_needs_override() {
    let errs = errors(&spec("", &op("with", "")));
    assert_has(&errs, K::Reserved, &["op `with`", "Python"]);
    assert_has(&errs, K::Reserved, &["op `with`", "TypeScript/Java"]);
    let fixed = "{:name with :doc \"W.\" :args [] :ret Long :categories [:x] :stability :stable \
                 :remote? true :pure? true :names {:python \"with_tx\" :camel \"withTx\"}}";
    assert!(parse(&spec("", fixed)).is_ok());
}

#[test]
fn reserved_argument_name() {
    let errs = errors(&spec(
        "",
        &op("count", "{:name from :type Long :doc \"x\"}"),
    ));
    assert_has(&errs, K::Reserved, &["op `count` arg `from`", "Python"]);
}

#[test]
fn bad_names() {
    let errs = errors(&spec(
        r#"{:name lower :kind :scalar :json :any :rust "V" :doc "x"}"#,
        &op("PullMany", "{:name tx_data :type Long :doc \"x\"}"),
    ));
    assert_has(&errs, K::Syntax, &["type `lower`", "PascalCase"]);
    assert_has(&errs, K::Syntax, &["op `PullMany`", "kebab-case"]);
    assert_has(
        &errs,
        K::Syntax,
        &["op `PullMany` arg `tx_data`", "kebab-case"],
    );
}

fn op_with_example(example: &str) -> String {
    format!(
        "{{:name datoms :doc \"D.\" :args [{{:name db :type Db :doc \"x\"}} {{:name index :type IndexName :doc \"x\"}} \
         {{:name n :type Long :optional? true :doc \"x\"}}] :ret Long :categories [:x] :stability :stable \
         :remote? true :pure? true :examples [{example}]}}"
    )
}

#[test]
fn example_arity() {
    let errs = errors(&spec(
        "",
        &op_with_example("{:desc \"too few\" :args [db]}"),
    ));
    assert_has(
        &errs,
        K::Example,
        &["op `datoms` example #1", "1 argument", "2 to 3"],
    );
    let errs = errors(&spec(
        "",
        &op_with_example("{:desc \"too many\" :args [db :eavt 1 2]}"),
    ));
    assert_has(&errs, K::Example, &["op `datoms` example #1", "4 argument"]);
}

#[test]
fn example_types() {
    let errs = errors(&spec(
        "",
        &op_with_example("{:desc \"bad\" :args [db :vaet \"x\"]}"),
    ));
    assert_has(
        &errs,
        K::Example,
        &["op `datoms` example #1 arg `index`", ":vaet", "IndexName"],
    );
    assert_has(
        &errs,
        K::Example,
        &["op `datoms` example #1 arg `n`", "Long"],
    );
    let errs = errors(&spec(
        "",
        &op_with_example("{:desc \"bad ret\" :args [db :eavt] :ret true}"),
    ));
    assert_has(&errs, K::Example, &["op `datoms` example #1 ret", "Long"]);
}

#[test]
fn example_cli_names_the_command() {
    let errs = errors(&spec(
        "",
        &op_with_example(
            "{:desc \"cli\" :args [db :eavt] :cli \"cairn seek-datoms db:c.edn :eavt\"}",
        ),
    ));
    assert_has(
        &errs,
        K::Example,
        &["op `datoms` example #1", "cairn datoms"],
    );
}

#[test]
fn example_without_desc() {
    let errs = errors(&spec("", &op_with_example("{:args [db :eavt]}")));
    assert_has(&errs, K::Missing, &["op `datoms` example #1", ":desc"]);
}

#[test]
fn local_op_cannot_target_http() {
    let text = spec(
        "",
        "{:name listen :doc \"L.\" :args [] :ret Long :categories [:x] :stability :stable \
         :remote? false :pure? false :targets [:rust :http]}",
    );
    assert_has(&errors(&text), K::Inconsistent, &["op `listen`", ":http"]);
}

#[test]
fn bad_stability_and_type_syntax() {
    let text = spec(
        "",
        "{:name count :doc \"C.\" :args [{:name x :type [:list Long] :doc \"x\"}] :ret Long :categories [:x] \
         :stability :frozen :remote? true :pure? true}",
    );
    let errs = errors(&text);
    assert_has(&errs, K::Missing, &["op `count`", ":stability"]);
    assert_has(&errs, K::Syntax, &["op `count` arg `x`", "[:list Long]"]);
}

#[test]
fn self_referential_variant_does_not_overflow() {
    let types = r#"{:name Loop :kind :variant :rust "V" :doc "x"
                    :variants [{:name a :type Loop :doc "x"} {:name b :type [:maybe Loop] :doc "x"}]}"#;
    let ops = "{:name count :doc \"C.\" :args [{:name x :type Loop :doc \"x\"}] :ret Long :categories [:x] \
               :stability :stable :remote? true :pure? true :examples [{:desc \"d\" :args [1]}]}";
    assert_has(
        &errors(&spec(types, ops)),
        K::Example,
        &["op `count` example #1 arg `x`", "refers to itself"],
    );
}

#[test]
fn transport_errors_share_the_kind_namespace_and_need_error_statuses() {
    let ops = op("count", "{:name db :type Db :doc \"The db.\"}");
    let text = format!(
        "{{:format 1 :doc \"Test.\" \
         :errors [{{:name :schema :http-status 422 :doc \"Schema.\"}}] \
         :transport-errors [{{:name :schema :http-status 400 :doc \"Again.\"}} \
                            {{:name :unauthorized :http-status 200 :doc \"Not an error status.\"}}] \
         :types [{TYPES}] :ops [{ops}]}}"
    );
    let errs = errors(&text);
    assert_has(
        &errs,
        K::Duplicate,
        &["error kind `schema`", "more than once"],
    );
    assert_has(&errs, K::Syntax, &["error kind `unauthorized`", "200"]);
    // The table is optional, and read when present.
    let valid = format!(
        "{{:format 1 :doc \"Test.\" :errors [] \
         :transport-errors [{{:name :unauthorized :http-status 401 :doc \"No token.\"}}] \
         :types [{TYPES}] :ops [{ops}]}}"
    );
    let spec = parse(&valid).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.transport_errors.len(), 1);
    assert_eq!(spec.transport_errors[0].http_status, 401);
}
