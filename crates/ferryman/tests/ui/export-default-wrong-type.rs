#[ferryman::export(defaults(top = ","))]
pub fn join_top(words: Vec<String>, top: usize) -> String {
    words.iter().take(top).cloned().collect()
}

fn main() {}
