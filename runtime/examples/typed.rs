//! A small typed application on a redb file: a reading list.
//!
//! `cargo run -p cairn --example typed [path.redb]` (default: a temporary
//! file). Declares the schema as structs, transacts instances, upserts by
//! identity, follows references, and queries back into structs.

use std::time::SystemTime;

use cairn::edn::read;
use cairn::typed::Batch;
use cairn::{Config, Entity, EntityId, Ref};

#[derive(Entity, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[entity(ns = "shelf")]
enum Shelf {
    ToRead,
    Reading,
    Done,
}

#[derive(Entity, Debug, Clone)]
#[entity(ns = "author")]
struct Author {
    #[entity(id)]
    id: Option<EntityId>,
    #[entity(unique = "identity")]
    name: String,
}

#[derive(Entity, Debug, Clone)]
#[entity(ns = "review")]
struct Review {
    stars: u8,
    text: Option<String>,
}

#[derive(Entity, Debug, Clone)]
#[entity(ns = "book")]
struct Book {
    #[entity(id)]
    id: Option<EntityId>,
    #[entity(unique = "identity", doc = "ISBN-13")]
    isbn: String,
    #[entity(index)]
    title: String,
    authors: Vec<Ref<Author>>,
    shelf: Shelf,
    tags: Vec<String>,
    added: SystemTime,
    #[entity(component)]
    review: Option<Review>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("books.redb"));
    let config = Config::redb(&path);
    if !cairn::database_exists(&config)? {
        cairn::create_database(&config)?;
    }
    let conn = cairn::connect(&config)?;

    // The schema, from the structs (idempotent: safe on every start).
    conn.transact_schema::<Author>()?;
    conn.transact_schema::<Book>()?;

    // Authors and their books in one transaction: a batch hands out
    // references before the transaction gives ids.
    let mut batch = Batch::new();
    let le_guin = batch.add(&Author {
        id: None,
        name: "Ursula K. Le Guin".into(),
    });
    let chiang = batch.add(&Author {
        id: None,
        name: "Ted Chiang".into(),
    });
    let book = |isbn: &str, title: &str, author: &Ref<Author>, shelf: Shelf| Book {
        id: None,
        isbn: isbn.into(),
        title: title.into(),
        authors: vec![author.clone()],
        shelf,
        tags: vec!["sf".into()],
        added: SystemTime::now(),
        review: None,
    };
    for b in [
        book(
            "9780441478125",
            "The Left Hand of Darkness",
            &le_guin,
            Shelf::Done,
        ),
        book(
            "9781101972120",
            "Stories of Your Life and Others",
            &chiang,
            Shelf::Reading,
        ),
        book("9780060512750", "The Dispossessed", &le_guin, Shelf::ToRead),
    ] {
        batch.add(&b);
    }
    let written = conn.transact_batch(&batch)?;
    let chiang = Ref::new(written.id(&chiang)?);

    // Upsert by identity: the same ISBN updates the book.
    let mut finished = book(
        "9781101972120",
        "Stories of Your Life and Others",
        &chiang,
        Shelf::Done,
    );
    finished.review = Some(Review {
        stars: 5,
        text: Some("Astonishing.".into()),
    });
    conn.transact_entities(&[finished])?;

    let db = conn.db()?;
    let query = read(&format!(
        "[:find ?b :in $ ?shelf :where [?b {} ?shelf]]",
        Book::SHELF
    ))?;
    let mut done: Vec<Book> = db.query_entities(&query, &[cairn::Value::kw("shelf/done")])?;
    done.sort_by(|a, b| a.title.cmp(&b.title));
    println!("Finished books:");
    for b in &done {
        let authors: Vec<String> = b
            .authors
            .iter()
            .map(|a| a.get(&db).map(|a| a.name))
            .collect::<cairn::Result<_>>()?;
        let stars = b.review.as_ref().map(|r| "*".repeat(r.stars.into()));
        println!(
            "  {} by {} {}",
            b.title,
            authors.join(", "),
            stars.unwrap_or_default()
        );
    }

    let next = db.find::<Book>(Book::ISBN, "9780060512750".to_string())?;
    if let Some(b) = next {
        println!("Next up: {} ({:?}, id {:?})", b.title, b.shelf, b.id);
    }
    println!(
        "Schema of Book:\n{}",
        cairn::edn::to_string(&Book::schema())
    );
    conn.release();
    Ok(())
}
