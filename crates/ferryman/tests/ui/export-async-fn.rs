#[ferryman::export]
pub async fn fetch(url: String) -> String {
    url
}

fn main() {}
