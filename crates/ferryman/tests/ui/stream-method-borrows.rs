// A method's stream is pulled after the call returned: it cannot borrow
// `&self` (an iterator may; a stream may not), and a stream method is not
// `async`.
use ferryman::Stream;

#[ferryman::export]
pub struct Words {
    words: Vec<String>,
}

#[ferryman::export]
impl Words {
    pub fn new(words: Vec<String>) -> Self {
        Words { words }
    }

    pub fn each<'a>(&'a self) -> impl Stream<Item = String> + Send + 'a {
        ferryman::stream::iter(self.words.iter().cloned())
    }

    pub async fn later(&self) -> impl Stream<Item = String> + Send {
        ferryman::stream::iter(self.words.clone())
    }
}

fn main() {}
