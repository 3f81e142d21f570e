//! A scoring library you depend on. Do not edit it: the point of this lesson is
//! that panics come from code you do not control, and one more bug always ships.

/// The integer average of `values`.
pub fn average(values: &[u64]) -> u64 {
    values.iter().sum::<u64>() / values.len() as u64 // panics on an empty list
}
