use ferryman::Callback;

#[ferryman::export]
pub fn parser() -> Callback<(String,), Result<i64, String>> {
    Callback::new(|text: String| text.parse::<i64>().map_err(|e| e.to_string()))
}

fn main() {}
