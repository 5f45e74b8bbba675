use cairn::Entity;

#[derive(Entity)]
struct Registration {
    course: String,
    term: i64,
    #[entity(tuple_attrs = ["course", "term"])]
    course_term: String,
}

fn main() {}
