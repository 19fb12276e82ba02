pub struct Wrapper<T> {
    value: T,
}

#[ferryman::export]
impl<T: Clone> Wrapper<T> {
    pub fn get(&self) -> T {
        self.value.clone()
    }
}

fn main() {}
