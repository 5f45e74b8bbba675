use cairn::Entity;

#[derive(Entity)]
struct Label {
    text: &'static str,
}

fn main() {}
