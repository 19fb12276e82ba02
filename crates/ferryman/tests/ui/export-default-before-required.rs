#[ferryman::export(defaults(top = 10))]
pub fn join_top(words: Vec<String>, top: usize, sep: String) -> String {
    words.iter().take(top).cloned().collect::<Vec<_>>().join(&sep)
}

fn main() {}
