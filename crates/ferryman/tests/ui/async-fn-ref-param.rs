// An async export's future runs after the call's arguments are gone: it
// takes owned values.
#[ferryman::export]
pub async fn shout(text: &str, bytes: &[u8]) -> String {
    format!("{text}{}", bytes.len())
}

fn main() {}
