//! Lesson 18: tests that catch bugs. The API is in `handlers.rs` (do not
//! edit it); your tests go in `tests.rs` (see README.md).

mod handlers;
#[cfg(test)]
mod tests;

fn main() {
    kit::serve(handlers::app());
}
