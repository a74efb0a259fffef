//! Mutated inputs: a small seeded random source and the changes made to a corpus entry.
//!
//! There is no coverage feedback on the stable toolchain, so the changes are chosen to reach
//! past the first checks of text formats: besides byte flips, insertions, deletions and splices
//! of two entries, they insert the tokens the formats are made of (JSON punctuation, escapes,
//! odd numbers, line breaks, base64) and replace a run of digits by a boundary number.

/// The largest input made by mutation, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// A seeded random source (SplitMix64): the same seed gives the same inputs.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A random source starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `bound` (which must not be 0).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pieces of the formats under test, inserted whole.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "\\",
    "\\u0000",
    "\\ud800",
    "\\udc00",
    "\\u00e9",
    "\\n",
    "\\\"",
    "\\/",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1e400",
    "-1e-400",
    "1.0",
    "1E2",
    "0.1",
    "18446744073709551616",
    "-9223372036854775809",
    "999999999999999999",
    "9999999999999999999",
    " ",
    "\t",
    "\r\n",
    "\n",
    "\n\n",
    "\u{2014} ",
    "+",
    "=",
    "==",
    "AAAA",
    "é",
    "\u{2028}",
    "\u{feff}",
    "{}",
    "[]",
    "\"\"",
    "\"a\":1",
    "\"kind\":",
    "\"why\":",
    "\"command_id\":",
    "\"payload\":",
    "\"proof\":[",
    "\"position\":",
    "\"tree_size\":",
    "\"record\":",
    "2013-02-29",
    "9999-12-31",
    "0000-01-01",
    "T00:00:00Z",
    "00000000-0000-0000-0000-000000000000",
];

/// Numbers put in place of a run of digits.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "7",
    "8",
    "63",
    "64",
    "255",
    "256",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "00",
    "01",
    "-1",
];

/// A new input made from `input` by one to four random changes, taking material from the
/// other entries of `pool` for splices. The result is at most [`MAX_INPUT_BYTES`].
pub fn mutate(input: &[u8], pool: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut data = input.to_vec();
    let changes = 1 + rng.below(4);
    for _ in 0..changes {
        change(&mut data, pool, rng);
    }
    data.truncate(MAX_INPUT_BYTES);
    data
}

fn change(data: &mut Vec<u8>, pool: &[Vec<u8>], rng: &mut Rng) {
    match rng.below(10) {
        // Flip one bit.
        0 if !data.is_empty() => {
            let at = rng.below(data.len());
            data[at] ^= 1 << rng.below(8);
        }
        // Set a byte to a random or a boundary value.
        1 if !data.is_empty() => {
            let at = rng.below(data.len());
            let random = rng.next_u64() as u8;
            data[at] = *rng.pick(&[0, 0x7f, 0x80, 0xff, b'"', b'\\', b'\n', random]);
        }
        // Insert random bytes.
        2 => {
            let at = rng.below(data.len() + 1);
            let count = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..count).map(|_| rng.next_u64() as u8).collect();
            data.splice(at..at, bytes);
        }
        // Delete a range.
        3 if !data.is_empty() => {
            let start = rng.below(data.len());
            let end = start + 1 + rng.below((data.len() - start).min(64));
            data.drain(start..end);
        }
        // Duplicate a range in place.
        4 if !data.is_empty() => {
            let start = rng.below(data.len());
            let end = start + 1 + rng.below((data.len() - start).min(64));
            let copy = data[start..end].to_vec();
            let at = rng.below(data.len() + 1);
            data.splice(at..at, copy);
        }
        // Splice: a piece of another entry in place of a piece of this one.
        5 if !pool.is_empty() => {
            let other = rng.pick(pool);
            if !other.is_empty() {
                let from = rng.below(other.len());
                let to = from + rng.below(other.len() - from + 1);
                let at = rng.below(data.len() + 1);
                let cut = at + rng.below(data.len() - at + 1);
                data.splice(at..cut, other[from..to].iter().copied());
            }
        }
        // Cut the input short.
        6 if !data.is_empty() => {
            let length = rng.below(data.len());
            data.truncate(length);
        }
        // Replace a run of digits by a boundary number.
        7 => {
            let digits: Vec<usize> = (0..data.len()).filter(|&at| data[at].is_ascii_digit()).collect();
            if digits.is_empty() {
                return;
            }
            let start = *rng.pick(&digits);
            let end = start + data[start..].iter().take_while(|b| b.is_ascii_digit()).count();
            data.splice(start..end, rng.pick(NUMBERS).bytes());
        }
        // Insert a token of the formats.
        _ => {
            let at = rng.below(data.len() + 1);
            data.splice(at..at, rng.pick(TOKENS).bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_inputs() {
        let pool = vec![b"{\"a\":1}".to_vec(), b"[1,2,3]".to_vec()];
        let made = |seed| {
            let mut rng = Rng::new(seed);
            (0..100).map(|_| mutate(&pool[0], &pool, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(made(7), made(7));
        assert_ne!(made(7), made(8));
    }

    #[test]
    fn inputs_stay_within_the_limit() {
        let big = vec![b'1'; MAX_INPUT_BYTES];
        let mut rng = Rng::new(1);
        for _ in 0..200 {
            assert!(mutate(&big, std::slice::from_ref(&big), &mut rng).len() <= MAX_INPUT_BYTES);
        }
    }
}
