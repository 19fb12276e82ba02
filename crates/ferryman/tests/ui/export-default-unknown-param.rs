#[ferryman::export(defaults(topp = 10))]
pub fn join_top(words: Vec<String>, top: usize) -> String {
    words.iter().take(top).cloned().collect()
}

fn main() {}
