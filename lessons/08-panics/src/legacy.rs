//! A scoring library you depend on. Do not edit it: the point of this lesson is
//! that panics come from code you do not control, and one more bug always ships.

/// The integer average of `values`.
pub fn average(values: &[u64]) -> u64 {
    // Scores were 32-bit in the old system: a larger one panics (`unwrap` on an `Err`).
    let scores: Vec<u32> = values.iter().map(|&v| u32::try_from(v).unwrap()).collect();
    scores.iter().map(|&s| u64::from(s)).sum::<u64>() / scores.len() as u64 // panics on an empty list
}
