use cairn::Entity;

#[derive(Entity)]
struct Registration {
    course: String,
    #[entity(tuple_attrs = ["course", "term"])]
    course_term: Option<(Option<String>, Option<i64>)>,
}

fn main() {}
