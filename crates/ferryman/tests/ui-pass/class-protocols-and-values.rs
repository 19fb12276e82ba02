//! Every protocol, `&mut self`, statics, objects as values in every position,
//! an `Arc<T>` inside a serde struct and a callback's arguments, iterators
//! borrowing `&self` and over `Result` items.

use ferryman::{Callback, CallbackError, Serialize};
use std::sync::Arc;

/// Words.
#[ferryman::export(display, debug, eq, hash, ord, iter)]
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd)]
pub struct Words {
    words: Vec<String>,
}

impl std::fmt::Display for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.words.join(" "))
    }
}

impl<'a> IntoIterator for &'a Words {
    type Item = String;
    type IntoIter = std::iter::Cloned<std::slice::Iter<'a, String>>;
    fn into_iter(self) -> Self::IntoIter {
        self.words.iter().cloned()
    }
}

#[derive(Debug, thiserror::Error, Serialize)]
#[serde(crate = "ferryman::serde")]
#[error("empty")]
pub struct Empty;

#[ferryman::export]
impl Words {
    pub fn new(text: &str) -> Result<Arc<Self>, Empty> {
        if text.is_empty() {
            return Err(Empty);
        }
        Ok(Arc::new(Words {
            words: text.split(' ').map(str::to_owned).collect(),
        }))
    }

    pub fn split(text: String) -> Vec<Words> {
        vec![Words { words: vec![text] }]
    }

    pub fn count() -> u32 {
        0
    }

    pub fn push(&mut self, word: String) {
        self.words.push(word);
    }

    pub fn merged(&self, other: &Words, more: Option<&Words>) -> Option<Self> {
        let mut words = self.words.clone();
        words.extend(other.words.iter().cloned());
        words.extend(more.iter().flat_map(|m| m.words.iter().cloned()));
        Some(Words { words })
    }

    pub fn lengths(&self) -> impl Iterator<Item = Result<usize, Empty>> + Send + '_ {
        self.words
            .iter()
            .map(|w| if w.is_empty() { Err(Empty) } else { Ok(w.len()) })
    }

    #[ferryman::export(name = "first_word")]
    pub fn first(&self) -> Option<String> {
        self.words.first().cloned()
    }
}

#[derive(Serialize)]
#[serde(crate = "ferryman::serde")]
pub struct Tagged {
    pub tag: String,
    pub words: Arc<Words>,
}

#[ferryman::export]
pub fn tagged(words: Arc<Words>) -> Tagged {
    Tagged {
        tag: "t".to_owned(),
        words,
    }
}

#[ferryman::export]
pub fn visit(words: Arc<Words>, f: Callback<(Arc<Words>,), u32>) -> Result<u32, CallbackError> {
    f.call((words,))
}

#[ferryman::export]
pub fn all(words: Vec<Arc<Words>>, extra: Option<Arc<Words>>) -> Result<Vec<Arc<Words>>, Empty> {
    Ok(words.into_iter().chain(extra).collect())
}

fn main() {}
