//! `#[derive(Entity)]` end to end on a redb store: every field type round
//! trips, upsert, components, references across structs, cardinality many,
//! keyword enums, composite tuples, typed reads from pull, entity and
//! query, schema evolution, and the runtime errors.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cairn::edn::read;
use cairn::typed::{Batch, BigDecimal, BigInt, Tuple};
use cairn::{Config, Connection, Entity, EntityId, ErrorKind, Keyword, Ref, Value};

struct Store {
    _dir: tempfile::TempDir,
    conn: Connection,
}

fn store() -> Store {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config::redb(dir.path().join("typed.redb"));
    cairn::create_database(&config).expect("create");
    let conn = cairn::connect(&config).expect("connect");
    Store { _dir: dir, conn }
}

#[derive(Entity, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[entity(ns = "level")]
enum Level {
    Low,
    InProgress,
    #[entity(rename = "max")]
    High,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[entity(ns = "all")]
struct AllTypes {
    #[entity(id)]
    id: EntityId,
    #[entity(unique = "identity")]
    key: String,
    long: i64,
    int: i32,
    small: u8,
    double: f64,
    float: f32,
    flag: bool,
    uuid: uuid::Uuid,
    at: SystemTime,
    chrono_at: chrono::DateTime<chrono::Utc>,
    bytes: Vec<u8>,
    kw: Keyword,
    big: BigInt,
    dec: BigDecimal,
    level: Level,
    pair: (String, i64),
    triple: (Keyword, Option<bool>, f64),
    point: [i64; 3],
    scores: Tuple<f64>,
    codes: Option<[String; 2]>,
    maybe: Option<String>,
    maybe_not: Option<i64>,
    strings: Vec<String>,
    longs: BTreeSet<i64>,
    levels: HashSet<Level>,
    #[entity(rename = "other")]
    renamed: String,
}

fn all_types(key: &str) -> AllTypes {
    AllTypes {
        id: EntityId::NEW,
        key: key.into(),
        long: -9_000_000_000,
        int: -7,
        small: 200,
        double: 2.5,
        float: 1.25,
        flag: true,
        uuid: uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
        at: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
        chrono_at: chrono::DateTime::from_timestamp_millis(-86_400_001).expect("instant"),
        bytes: vec![0, 1, 2, 255],
        kw: Keyword::new("color/red"),
        big: "123456789012345678901234567890".parse().expect("bigint"),
        dec: "3.14159265358979323846".parse().expect("bigdec"),
        level: Level::InProgress,
        pair: ("x".into(), 42),
        triple: (Keyword::new("t"), Some(false), -0.5),
        point: [1, -2, 3],
        scores: Tuple(vec![0.5, 1.5, 2.5, 3.5]),
        codes: Some(["ab".into(), "cd".into()]),
        maybe: Some("here".into()),
        maybe_not: None,
        strings: vec!["a".into(), "b".into(), "c".into()],
        longs: [3, 1, 2].into_iter().collect(),
        levels: [Level::Low, Level::High].into_iter().collect(),
        renamed: "renamed".into(),
    }
}

#[test]
fn every_field_type_round_trips_through_redb() {
    let s = store();
    s.conn.transact_schema::<AllTypes>().expect("schema");
    let value = all_types("k1");
    let ids = s
        .conn
        .transact_entities(std::slice::from_ref(&value))
        .expect("transact")
        .ids;
    let back: AllTypes = s.conn.db().expect("db").pull_entity(ids[0]).expect("pull");
    assert_eq!(
        back,
        AllTypes {
            id: ids[0],
            ..value
        }
    );
    assert_eq!(back.level.keyword(), "level/in-progress");
    assert_eq!(
        Level::KEYWORDS,
        ["level/low", "level/in-progress", "level/max"]
    );

    // The stored shapes are the ones the schema promises.
    let db = s.conn.db().expect("db");
    let raw =
        cairn::pull::pull(&db, &read("[*]").expect("edn"), &Value::Long(ids[0].0)).expect("pull");
    assert_eq!(
        raw.get_kw("all/level"),
        Some(&Value::kw("level/in-progress"))
    );
    assert_eq!(raw.get_kw("all/other"), Some(&Value::str("renamed")));
    assert_eq!(
        raw.get_kw("all/pair"),
        Some(&read(r#"["x" 42]"#).expect("edn"))
    );
    assert_eq!(raw.get_kw("all/maybe-not"), None);
    assert_eq!(
        raw.get_kw("all/point"),
        Some(&read("[1 -2 3]").expect("edn"))
    );
    assert_eq!(
        raw.get_kw("all/scores"),
        Some(&read("[0.5 1.5 2.5 3.5]").expect("edn"))
    );
    // Homogeneous tuples declare :db/tupleType, and the database checks it.
    let schema = AllTypes::schema();
    let point = schema
        .as_vector()
        .and_then(|xs| {
            xs.iter()
                .find(|a| a.get_kw("db/ident") == Some(&Value::kw("all/point")))
        })
        .expect("point attribute");
    assert_eq!(
        point.get_kw("db/tupleType"),
        Some(&Value::kw("db.type/long"))
    );
    let wrong = read(&format!(
        r#"[[:db/add {} :all/point ["x" "y" "z"]]]"#,
        ids[0]
    ))
    .expect("edn");
    assert_eq!(
        s.conn.transact(&wrong, None).expect_err("typed").kind,
        ErrorKind::Type
    );

    // Datahike refuses nil inside an asserted tuple (only composite tuples,
    // which the database derives, hold nil): `None` there is a type error.
    let mut holey = all_types("k-holey");
    holey.triple.1 = None;
    let e = s
        .conn
        .transact_entities(&[holey])
        .expect_err("nil in a tuple");
    assert_eq!(e.kind, ErrorKind::Type, "{e}");
    assert!(e.message.contains("nil"), "{e}");

    // And it survives closing and reopening the file.
    let config = s.conn.config().clone();
    s.conn.release();
    let conn = cairn::connect(&config).expect("reconnect");
    let again: AllTypes = conn.db().expect("db").pull_entity(ids[0]).expect("pull");
    assert_eq!(again, back);
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[entity(ns = "company")]
struct Company {
    #[entity(id)]
    id: Option<EntityId>,
    #[entity(unique = "identity")]
    name: String,
}

/// A component updated in place carries its id: without one, writing the
/// struct again would add a new component entity.
#[derive(Entity, Debug, Clone, PartialEq)]
struct Address {
    #[entity(id)]
    id: Option<EntityId>,
    street: String,
    city: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[entity(ns = "person")]
struct Person {
    #[entity(id)]
    id: Option<EntityId>,
    #[entity(unique = "identity", doc = "Login e-mail")]
    email: String,
    #[entity(index)]
    name: String,
    age: Option<i64>,
    #[entity(component)]
    home: Option<Address>,
    #[entity(component)]
    past_homes: Vec<Address>,
    employer: Option<Ref<Company>>,
    friends: BTreeSet<Ref<Person>>,
    #[entity(no_history)]
    nicknames: Vec<String>,
}

fn person(email: &str, name: &str) -> Person {
    Person {
        id: None,
        email: email.into(),
        name: name.into(),
        age: None,
        home: None,
        past_homes: vec![],
        employer: None,
        friends: BTreeSet::new(),
        nicknames: vec![],
    }
}

fn people_db() -> (Store, Vec<EntityId>) {
    let s = store();
    s.conn.transact_schema::<Person>().expect("person schema");
    s.conn.transact_schema::<Company>().expect("company schema");
    let acme = s
        .conn
        .transact_entities(&[Company {
            id: None,
            name: "Acme".into(),
        }])
        .expect("company")
        .ids[0];
    let mut ada = person("ada@example.com", "Ada");
    ada.age = Some(36);
    ada.home = Some(Address {
        id: None,
        street: "1 Main St".into(),
        city: "London".into(),
    });
    ada.past_homes = vec![
        Address {
            id: None,
            street: "2 Old Rd".into(),
            city: "Paris".into(),
        },
        Address {
            id: None,
            street: "2 Old Rd".into(),
            city: "Paris".into(),
        },
    ];
    ada.employer = Some(Ref::new(acme));
    ada.nicknames = vec!["Countess".into()];
    let mut bob = person("bob@example.com", "Bob");
    bob.age = Some(25);
    bob.employer = Some(Ref::lookup(Company::NAME, "Acme".to_string()));
    let ids = s.conn.transact_entities(&[ada, bob]).expect("people").ids;
    // A second transaction links them (refs need ids).
    let mut ada = s
        .conn
        .db()
        .expect("db")
        .pull_entity::<Person>(ids[0])
        .expect("ada");
    ada.friends.insert(Ref::new(ids[1]));
    s.conn.transact_entities(&[ada]).expect("friends");
    (s, vec![acme, ids[0], ids[1]])
}

#[test]
fn components_refs_and_cardinality_many() {
    let (s, ids) = people_db();
    let db = s.conn.db().expect("db");
    let ada: Person = db.pull_entity(ids[1]).expect("ada");
    assert_eq!(ada.id, Some(ids[1]));
    assert_eq!(ada.home.as_ref().map(|h| h.city.as_str()), Some("London"));
    // Two equal components stay two entities.
    assert_eq!(ada.past_homes.len(), 2);
    assert_eq!(ada.employer, Some(Ref::new(ids[0])));
    assert_eq!(
        ada.friends.iter().map(Ref::id).collect::<Vec<_>>(),
        [Some(ids[2])]
    );
    assert_eq!(ada.nicknames, ["Countess"]);
    // A ref given as a lookup ref is read back as an id.
    let bob: Person = db.pull_entity(ids[2]).expect("bob");
    assert_eq!(bob.employer, Some(Ref::new(ids[0])));
    let acme = bob
        .employer
        .as_ref()
        .map(|r| r.get(&db))
        .transpose()
        .expect("company");
    assert_eq!(acme.map(|c| c.name), Some("Acme".to_string()));
    // Components are components: retracting Ada retracts her addresses.
    let cities = read(&format!("[:find ?c :where [_ {} ?c]]", Address::CITY)).expect("edn");
    let q =
        |db: &cairn::Db| cairn::query::q(&cities, &[cairn::query::Input::Db(Arc::new(db.clone()))]);
    assert_eq!(
        q(&db).expect("q"),
        read(r#"#{["London"] ["Paris"]}"#).expect("edn")
    );
    s.conn
        .transact(
            &read(&format!("[[:db/retractEntity {}]]", ids[1])).expect("edn"),
            None,
        )
        .expect("retract");
    assert_eq!(
        q(&s.conn.db().expect("db")).expect("q"),
        read("#{}").expect("edn")
    );
}

#[test]
fn a_batch_links_new_entities_of_several_structs() {
    let s = store();
    s.conn.transact_schema::<Person>().expect("person schema");
    s.conn.transact_schema::<Company>().expect("company schema");
    let mut batch = Batch::new();
    let acme = batch.add(&Company {
        id: None,
        name: "Acme".into(),
    });
    // A cycle: Ada and Bob are each other's friends before either has an id.
    let ada_ref: Ref<Person> = batch.reserve();
    let mut bob = person("bob@example.com", "Bob");
    bob.employer = Some(acme.clone());
    bob.friends.insert(ada_ref.clone());
    let bob_ref = batch.add(&bob);
    let mut ada = person("ada@example.com", "Ada");
    ada.employer = Some(acme.clone());
    ada.friends.insert(bob_ref.clone());
    batch.put(&ada_ref, &ada);
    assert_eq!(batch.len(), 3);
    assert!(ada_ref.id().is_none() && ada_ref.tempid_name().is_some());
    let written = s.conn.transact_batch(&batch).expect("batch");

    let db = s.conn.db().expect("db");
    let (acme_id, ada_id, bob_id) = (
        written.id(&acme).expect("acme"),
        written.id(&ada_ref).expect("ada"),
        written.id(&bob_ref).expect("bob"),
    );
    let ada: Person = db.pull_entity(ada_id).expect("ada");
    let bob: Person = db.pull_entity(bob_id).expect("bob");
    assert_eq!(ada.employer, Some(Ref::new(acme_id)));
    assert_eq!(bob.employer, Some(Ref::new(acme_id)));
    assert_eq!(ada.friends, BTreeSet::from([Ref::new(bob_id)]));
    assert_eq!(bob.friends, BTreeSet::from([Ref::new(ada_id)]));
    // A lookup ref resolves against the database after the transaction.
    let by_email = Ref::<Person>::lookup(Person::EMAIL, "bob@example.com".to_string());
    assert_eq!(written.id(&by_email).expect("lookup"), bob_id);
    let nobody = Ref::<Person>::lookup(Person::EMAIL, "nobody".to_string());
    assert_eq!(
        written.id(&nobody).expect_err("none").kind,
        ErrorKind::NotFound
    );
    assert_eq!(
        written
            .id(&Ref::<Person>::tempid("unused"))
            .expect_err("none")
            .kind,
        ErrorKind::NotFound
    );

    // Upsert, retraction and a put under a lookup ref, in one batch.
    let mut batch = Batch::new();
    let mut robert = person("bob@example.com", "Robert");
    robert.age = Some(26);
    let upserted = batch.add(&robert);
    batch.retract_entity(&Ref::<Company>::new(acme_id));
    let mut countess = person("ada@example.com", "Ada");
    countess.nicknames = vec!["Countess".into()];
    batch.put(
        &Ref::lookup(Person::EMAIL, "ada@example.com".to_string()),
        &countess,
    );
    let written = s.conn.transact_batch(&batch).expect("second batch");
    assert_eq!(written.id(&upserted).expect("upserted"), bob_id);
    let db = s.conn.db().expect("db");
    let bob: Person = db.pull_entity(bob_id).expect("bob");
    assert_eq!(
        (bob.name.as_str(), bob.age, bob.employer),
        ("Robert", Some(26), None)
    );
    let ada: Person = db.pull_entity(ada_id).expect("ada");
    assert_eq!(ada.nicknames, ["Countess"]);
    assert_eq!(
        db.pull_entity::<Company>(acme_id)
            .expect_err("retracted")
            .kind,
        ErrorKind::NotFound
    );

    // A reserved reference no entity was put under is refused, and
    // nothing of the batch is written.
    let mut batch = Batch::new();
    let mut carol = person("carol@example.com", "Carol");
    carol.employer = Some(batch.reserve());
    batch.add(&carol);
    let before = s.conn.db().expect("db").max_tx();
    let e = s.conn.transact_batch(&batch).expect_err("dangling tempid");
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert!(e.message.contains("cairn.batch/"), "{e}");
    assert_eq!(s.conn.db().expect("db").max_tx(), before);
    assert!(
        s.conn
            .db()
            .expect("db")
            .find::<Person>(Person::EMAIL, "carol@example.com".to_string())
            .expect("find")
            .is_none()
    );
}

#[test]
fn replace_retracts_what_the_struct_no_longer_holds() {
    let (s, ids) = people_db();
    let (acme, ada_id, bob_id) = (ids[0], ids[1], ids[2]);
    let db = s.conn.db().expect("db");
    let before: Person = db.pull_entity(ada_id).expect("ada");
    let old_home = before.home.as_ref().and_then(|h| h.id).expect("home id");
    // An attribute of another struct on the same entity stays.
    s.conn
        .transact(
            &read(&format!(r#"[[:db/add {ada_id} :company/name "Ada Inc"]]"#)).expect("edn"),
            None,
        )
        .expect("other attribute");

    // No id: the identity attribute names the entity.
    let mut ada = person("ada@example.com", "Ada Lovelace");
    ada.nicknames = vec!["Enchantress".into()];
    ada.past_homes = vec![before.past_homes[0].clone()];
    ada.home = Some(Address {
        id: None,
        street: "12 St James's Sq".into(),
        city: "London".into(),
    });
    let t = s.conn.replace_entities(&[ada]).expect("replace");
    assert_eq!(t.ids, [ada_id]);
    let db = s.conn.db().expect("db");
    let after: Person = db.pull_entity(ada_id).expect("ada");
    assert_eq!(after.name, "Ada Lovelace");
    assert_eq!(after.age, None, "a None field is retracted");
    assert_eq!(after.employer, None, "a dropped reference is retracted");
    assert!(after.friends.is_empty());
    assert_eq!(after.nicknames, ["Enchantress"]);
    assert_eq!(after.past_homes, [before.past_homes[0].clone()]);
    let new_home = after.home.clone().expect("home");
    assert_ne!(new_home.id, Some(old_home));
    assert_eq!(new_home.street, "12 St James's Sq");
    // The replaced and the dropped components are retracted entities.
    for gone in [Some(old_home), before.past_homes[1].id] {
        let gone = gone.expect("component id");
        assert_eq!(
            db.pull_entity::<Address>(gone).expect_err("retracted").kind,
            ErrorKind::NotFound
        );
    }
    let other = cairn::pull::pull(
        &db,
        &read("[:company/name]").expect("edn"),
        &Value::Long(ada_id.0),
    )
    .expect("pull");
    assert_eq!(other.get_kw("company/name"), Some(&Value::str("Ada Inc")));
    // Acme and Bob are untouched.
    assert_eq!(db.pull_entity::<Company>(acme).expect("acme").name, "Acme");
    assert_eq!(db.pull_entity::<Person>(bob_id).expect("bob").age, Some(25));

    // Replacing with an unchanged struct retracts nothing; a component
    // that keeps its id stays the same entity.
    let tx_before = db.max_tx();
    let t = s
        .conn
        .replace_entities(std::slice::from_ref(&after))
        .expect("same");
    let retracted = t.report.tx_data.iter().filter(|d| !d.added).count();
    assert_eq!(retracted, 0, "{:?}", t.report.tx_data);
    let db = s.conn.db().expect("db");
    assert!(db.max_tx() > tx_before);
    assert_eq!(db.pull_entity::<Person>(ada_id).expect("ada"), after);

    // A struct that names no existing entity is simply added.
    let mut batch = Batch::new();
    let carol = batch.replace(&person("carol@example.com", "Carol"));
    let written = s.conn.transact_batch(&batch).expect("new");
    let carol = written.id(&carol).expect("carol");
    assert_eq!(
        s.conn
            .db()
            .expect("db")
            .pull_entity::<Person>(carol)
            .expect("carol")
            .name,
        "Carol"
    );
}

#[test]
fn upsert_by_identity() {
    let (s, ids) = people_db();
    let mut again = person("bob@example.com", "Robert");
    again.age = Some(26);
    let t = s.conn.transact_entities(&[again]).expect("upsert");
    assert_eq!(t.ids, [ids[2]]);
    let db = s.conn.db().expect("db");
    let bob: Person = db.pull_entity(ids[2]).expect("bob");
    assert_eq!((bob.name.as_str(), bob.age), ("Robert", Some(26)));
    // Map form only asserts: the employer set before is still there.
    assert_eq!(bob.employer, Some(Ref::new(ids[0])));
    let everyone = read("[:find ?e :where [?e :person/email]]").expect("edn");
    assert_eq!(
        db.query_entities::<Person>(&everyone, &[])
            .expect("q")
            .len(),
        2
    );
}

#[test]
fn find_by_unique_attribute() {
    let (s, ids) = people_db();
    let db = s.conn.db().expect("db");
    let ada = db
        .find::<Person>(Person::EMAIL, "ada@example.com".to_string())
        .expect("find");
    assert_eq!(ada.and_then(|p| p.id), Some(ids[1]));
    assert_eq!(
        db.find::<Person>(Person::EMAIL, "nobody".to_string())
            .expect("find"),
        None
    );
    let e = db
        .find::<Person>(Person::NAME, "Ada".to_string())
        .expect_err("not unique");
    assert_eq!(e.kind, ErrorKind::Lookup);
}

#[test]
fn structs_from_queries_pull_and_entities() {
    let (s, ids) = people_db();
    let db = s.conn.db().expect("db");
    // `:find ?e` rows, with an input.
    let q = read(&format!(
        "[:find ?e :in $ ?min :where [?e {} ?a] [(>= ?a ?min)]]",
        Person::AGE
    ))
    .expect("edn");
    let adults: Vec<Person> = db.query_entities(&q, &[Value::Long(30)]).expect("q");
    assert_eq!(
        adults.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Ada"]
    );
    // `(pull ?e pattern)` with the struct's own pattern.
    let q = read(&format!(
        "[:find [(pull ?e {}) ...] :where [?e {} _]]",
        Person::pull_pattern(),
        Person::EMAIL
    ))
    .expect("edn");
    let mut names: Vec<String> = db
        .query_entities::<Person>(&q, &[])
        .expect("q")
        .into_iter()
        .map(|p| p.name)
        .collect();
    names.sort();
    assert_eq!(names, ["Ada", "Bob"]);
    // A scalar find.
    let q = read("[:find ?e . :where [?e :person/name \"Bob\"]]").expect("edn");
    assert_eq!(
        db.query_entities::<Person>(&q, &[]).expect("q")[0].id,
        Some(ids[2])
    );
    // Plain pull, then from_pull.
    let pulled =
        cairn::pull::pull(&db, &Person::pull_pattern(), &Value::Long(ids[1].0)).expect("pull");
    let ada = Person::from_pull(&pulled).expect("from_pull");
    assert_eq!(ada.email, "ada@example.com");
    // The lazy entity API.
    let src: Arc<dyn cairn::source::Source> = Arc::new(db.clone());
    let ent = cairn::entity::Entity::from_eid(src, ids[1].0);
    assert_eq!(Person::from_entity(&ent).expect("entity"), ada);
    // A lookup ref as the id.
    let by_lookup: Person = db
        .pull_entity(read(r#"[:person/email "bob@example.com"]"#).expect("edn"))
        .expect("pull");
    assert_eq!(by_lookup.id, Some(ids[2]));
}

#[derive(Entity, Debug, PartialEq)]
#[entity(ns = "reg")]
struct Registration {
    #[entity(id)]
    id: Option<EntityId>,
    course: String,
    semester: i64,
    #[entity(tuple_attrs = ["course", "semester"], unique = "identity")]
    course_semester: Option<(Option<String>, Option<i64>)>,
}

#[test]
fn composite_tuples_are_maintained_and_read_back() {
    let s = store();
    s.conn.transact_schema::<Registration>().expect("schema");
    let r = Registration {
        id: None,
        course: "Datalog".into(),
        semester: 3,
        course_semester: None,
    };
    let id = s.conn.transact_entities(&[r]).expect("tx").ids[0];
    let back: Registration = s.conn.db().expect("db").pull_entity(id).expect("pull");
    assert_eq!(
        back.course_semester,
        Some((Some("Datalog".into()), Some(3)))
    );
}

#[test]
fn schema_is_idempotent_and_incompatible_changes_name_the_attribute() {
    let s = store();
    s.conn.transact_schema::<Person>().expect("first");
    let before = s.conn.db().expect("db").schema().to_value();
    s.conn.transact_schema::<Person>().expect("again");
    s.conn
        .transact(&Person::schema(), None)
        .expect("plain transact");
    assert_eq!(s.conn.db().expect("db").schema().to_value(), before);

    // The components' attributes come along.
    assert!(
        s.conn
            .db()
            .expect("db")
            .schema()
            .is_known(&Keyword::new("address/city"))
    );

    // Allowed: a new doc string.
    #[derive(Entity)]
    #[entity(ns = "person")]
    #[allow(dead_code)]
    struct PersonNewDoc {
        #[entity(unique = "identity", doc = "Primary e-mail")]
        email: String,
    }
    s.conn
        .transact_schema::<PersonNewDoc>()
        .expect("doc change");

    // Refused: a new value type and a dropped uniqueness, both reported.
    #[derive(Entity)]
    #[entity(ns = "person")]
    #[allow(dead_code)]
    struct PersonChanged {
        email: String,
        #[entity(index)]
        name: String,
        age: Option<String>,
    }
    let e = s
        .conn
        .transact_schema::<PersonChanged>()
        .expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Schema);
    assert!(e.message.contains("PersonChanged"), "{}", e.message);
    assert!(e.message.contains(":person/age"), "{}", e.message);
    assert!(e.message.contains(":db/valueType"), "{}", e.message);
    assert!(e.message.contains(":person/email"), "{}", e.message);
    assert!(!e.message.contains(":person/name:"), "{}", e.message);
    // Nothing changed.
    let db = s.conn.db().expect("db");
    let age = db.schema().attr(&Keyword::new("person/age")).expect("age");
    assert_eq!(age.value_type, Some(cairn::schema::ValueType::Long));
}

#[test]
fn reading_data_that_does_not_fit_names_the_field() {
    let (s, ids) = people_db();
    s.conn
        .transact(&read("[{:db/ident :other/x :db/valueType :db.type/long :db/cardinality :db.cardinality/one}]").expect("edn"), None)
        .expect("schema");
    let r = s
        .conn
        .transact(&read("[{:db/id \"x\" :other/x 1}]").expect("edn"), None)
        .expect("tx");
    let x = r.tempids[&Value::str("x")];
    let db = s.conn.db().expect("db");
    // An entity with none of Person's attributes.
    let e = db.pull_entity::<Person>(EntityId(x)).expect_err("none");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("Person"), "{}", e.message);
    // A missing required attribute.
    s.conn
        .transact(
            &read(&format!(
                "[[:db/retract {} :person/name \"Bob\"]]",
                ids[2].0
            ))
            .expect("edn"),
            None,
        )
        .expect("retract");
    let e = s
        .conn
        .db()
        .expect("db")
        .pull_entity::<Person>(ids[2])
        .expect_err("missing");
    assert_eq!(e.kind, ErrorKind::Type);
    assert!(
        e.message.contains("Person.name (:person/name)"),
        "{}",
        e.message
    );
    // A value of the wrong type.
    let wrong = read("{:db/id 5 :person/email \"e\" :person/name 7}").expect("edn");
    let e = Person::from_pull(&wrong).expect_err("type");
    assert_eq!(e.kind, ErrorKind::Type);
    assert!(
        e.message
            .contains("Person.name (:person/name) of entity 5: expected a string, got 7"),
        "{}",
        e.message
    );
    // An unresolvable lookup ref.
    let e = db
        .pull_entity::<Person>(read("[:person/email \"nobody\"]").expect("edn"))
        .expect_err("lookup");
    assert_eq!(e.kind, ErrorKind::Lookup);
    // A keyword that is no variant.
    let e = <Level as cairn::FieldValue>::from_value(&Value::kw("level/medium")).expect_err("enum");
    assert!(
        e.message
            .contains(":level/low, :level/in-progress, :level/max"),
        "{}",
        e.message
    );
}

#[derive(Entity, Debug, PartialEq)]
struct TreeNode {
    label: String,
    #[entity(component)]
    children: Vec<TreeNode>,
}

#[test]
fn recursive_components() {
    let s = store();
    s.conn.transact_schema::<TreeNode>().expect("schema");
    assert_eq!(TreeNode::schema().as_vector().map(<[Value]>::len), Some(2));
    let leaf = |l: &str| TreeNode {
        label: l.into(),
        children: vec![],
    };
    let tree = TreeNode {
        label: "root".into(),
        children: vec![
            TreeNode {
                label: "a".into(),
                children: vec![leaf("a1"), leaf("a2")],
            },
            leaf("b"),
        ],
    };
    let id = s.conn.transact_entities(&[tree]).expect("tx").ids[0];
    let back: TreeNode = s.conn.db().expect("db").pull_entity(id).expect("pull");
    let mut labels = vec![back.label.clone()];
    for c in &back.children {
        labels.push(c.label.clone());
        labels.extend(c.children.iter().map(|g| g.label.clone()));
    }
    labels.sort();
    assert_eq!(labels, ["a", "a1", "a2", "b", "root"]);
}

#[test]
fn attribute_constants_and_patterns() {
    assert_eq!(Person::EMAIL.to_string(), ":person/email");
    assert_eq!(Person::PAST_HOMES.ident(), "person/past-homes");
    assert_eq!(AllTypes::RENAMED.ident(), "all/other");
    assert_eq!(<Person as Entity>::NAMESPACE, "person");
    assert_eq!(<TreeNode as Entity>::NAMESPACE, "tree-node");
    assert_eq!(
        Person::pull_pattern(),
        read(
            "[:db/id :person/email :person/name :person/age
              {:person/home [:db/id :address/street :address/city]}
              {[:person/past-homes :limit nil] [:db/id :address/street :address/city]}
              :person/employer [:person/friends :limit nil] [:person/nicknames :limit nil]]"
        )
        .expect("edn")
    );
}

/// Generated code names everything by absolute path: it compiles with no
/// prelude and beside local items named like the ones it uses.
#[no_implicit_prelude]
#[allow(dead_code)]
mod hygiene {
    use ::cairn::{Entity, EntityId, Ref};

    type Result<T> = ::core::result::Result<T, ()>;
    struct Ok;
    struct Err;
    struct Some;
    struct None;
    struct Vec;
    struct String;
    struct Value;
    mod cairn {}
    mod core {}
    mod std {}

    #[derive(Entity)]
    #[entity(ns = "hyg")]
    struct Thing {
        #[entity(id)]
        id: ::core::option::Option<EntityId>,
        #[entity(unique = "identity")]
        name: ::std::string::String,
        tags: ::std::vec::Vec<i64>,
        maybe: ::core::option::Option<bool>,
        #[entity(component)]
        part: ::core::option::Option<Part>,
        other: ::core::option::Option<Ref<Thing>>,
        kind: Kind,
    }

    #[derive(Entity)]
    #[entity(ns = "hyg.part")]
    struct Part {
        n: i64,
    }

    #[derive(Entity)]
    #[entity(ns = "hyg.kind")]
    enum Kind {
        A,
        B,
    }

    pub fn schema() -> ::cairn::Value {
        <Thing as Entity>::schema()
    }
}

#[test]
fn generated_code_is_hygienic() {
    assert_eq!(hygiene::schema().as_vector().map(<[Value]>::len), Some(7));
}

/// The schema EDN a representative struct derives (its components' too).
#[test]
fn schema_edn_snapshot() {
    let mut text = String::new();
    for attr in Person::schema().as_vector().unwrap_or_default() {
        text.push_str(&cairn::edn::to_string(attr));
        text.push('\n');
    }
    text.push('\n');
    for attr in Registration::schema().as_vector().unwrap_or_default() {
        text.push_str(&cairn::edn::to_string(attr));
        text.push('\n');
    }
    text.push('\n');
    for attr in AllTypes::schema().as_vector().unwrap_or_default() {
        text.push_str(&cairn::edn::to_string(attr));
        text.push('\n');
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("derive_entity_schema", text));
}
