//! The words of titles, found without allocating per word, and a fast hasher for the short keys
//! research indexes (words, ids, image URLs): what keeps a run over a hundred thousand candidates
//! in tens of milliseconds.
//!
//! [`Tokens::read`] finds exactly the words of [`domain::content::title_words`]: for the titles
//! most listings have (ASCII, no `&`, at most 80 characters once slugged) by one pass over the
//! bytes; for the rest (accents to fold, `&` to spell, a slug to truncate) through
//! `title_words` itself.

use domain::content::title_words;
use std::hash::{BuildHasherDefault, Hasher};

/// The length past which `slugify` truncates a slug (at a word boundary).
const SLUG_MAX: usize = 80;

/// The words of one title at a time, in one reused buffer. Words are ASCII (a slug's are), so
/// they are kept and compared as bytes.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    text: Vec<u8>,
    spans: Vec<(u32, u32)>,
}

impl Tokens {
    /// Reads the words of `title` as `title_words` finds them, in order, repeats included, each
    /// folded to its singular if `singular`.
    pub(crate) fn read(&mut self, title: &str, singular: bool) {
        self.text.clear();
        self.spans.clear();
        if !self.read_plain(title.as_bytes(), singular) {
            self.text.clear();
            self.spans.clear();
            for word in title_words(title) {
                self.push(word.as_bytes(), singular);
            }
        }
    }

    /// The words read.
    pub(crate) fn words(&self) -> impl Iterator<Item = &[u8]> {
        self.spans.iter().map(|&(from, to)| &self.text[from as usize..to as usize])
    }

    /// The words of an ASCII title without `&`, whose slug `slugify` would not truncate nor
    /// replace by `product`; false, having read nothing usable, for any other title.
    fn read_plain(&mut self, bytes: &[u8], singular: bool) -> bool {
        self.text.reserve(bytes.len() + 1);
        // The slug's length: its words joined by one separator each.
        let (mut slug, mut start, mut in_word) = (0, 0, false);
        for &byte in bytes {
            if byte.is_ascii_alphanumeric() {
                if !in_word {
                    (start, in_word) = (self.text.len(), true);
                }
                self.text.push(byte.to_ascii_lowercase());
            } else if byte >= 0x80 || byte == b'&' {
                return false;
            } else if in_word {
                in_word = false;
                slug += usize::from(slug > 0) + (self.text.len() - start);
                if slug > SLUG_MAX {
                    return false;
                }
                self.end_word(start, singular);
            }
        }
        if in_word {
            slug += usize::from(slug > 0) + (self.text.len() - start);
            if slug > SLUG_MAX {
                return false;
            }
            self.end_word(start, singular);
        }
        slug > 0
    }

    fn push(&mut self, word: &[u8], singular: bool) {
        let start = self.text.len();
        self.text.extend(word.iter().map(u8::to_ascii_lowercase));
        self.end_word(start, singular);
    }

    /// Keeps the word at `text[start..]` unless `title_words` leaves it out (a letter, a stop
    /// word), folded to its singular if `singular`.
    fn end_word(&mut self, start: usize, singular: bool) {
        let word = &self.text[start..];
        let left_out = word.len() <= 1
            || word.len() <= 4
                && matches!(
                    word,
                    b"an"
                        | b"and"
                        | b"the"
                        | b"for"
                        | b"with"
                        | b"of"
                        | b"to"
                        | b"in"
                        | b"on"
                        | b"by"
                        | b"new"
                );
        if left_out {
            self.text.truncate(start);
            return;
        }
        if singular {
            fold_singular(&mut self.text, start);
        }
        self.spans.push((start as u32, self.text.len() as u32));
    }
}

/// Words numbered in the order first seen, so that sets of words are compared, sorted and
/// hashed as short runs of numbers.
#[derive(Debug, Default)]
pub(crate) struct Numbers {
    /// Words of up to eight bytes, packed into a `u64` (little-endian, zero-padded: a word has
    /// no zero byte, so the padding cannot be mistaken for a letter), compared without a call.
    short: FastMap<u64, u32>,
    long: FastMap<Box<[u8]>, u32>,
    /// The words read last.
    tokens: Tokens,
}

impl Numbers {
    /// How many words are numbered.
    pub(crate) fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    /// Reads `title` (see [`Tokens::read`]) and puts the numbers of its distinct words, sorted,
    /// in `out`, numbering those new.
    pub(crate) fn title(&mut self, title: &str, singular: bool, out: &mut Vec<u32>) {
        self.tokens.read(title, singular);
        out.clear();
        for word in self.tokens.words() {
            let next = (self.short.len() + self.long.len()) as u32;
            let id = if word.len() <= 8 {
                let mut packed = [0; 8];
                packed[..word.len()].copy_from_slice(word);
                let packed = u64::from_le_bytes(packed);
                // Looked up before inserting: `entry` reserves room first, which costs a call.
                match self.short.get(&packed) {
                    Some(&id) => id,
                    None => {
                        self.short.insert(packed, next);
                        next
                    }
                }
            } else {
                match self.long.get(word) {
                    Some(&id) => id,
                    None => {
                        self.long.insert(word.into(), next);
                        next
                    }
                }
            };
            out.push(id);
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// Folds the word at `text[start..]` to its singular in place, as `evidence::singular` does.
fn fold_singular(text: &mut Vec<u8>, start: usize) {
    let word = &text[start..];
    if word.len() <= 3 || word.ends_with(b"ss") || word.ends_with(b"us") {
        return;
    }
    let end = text.len();
    if word.ends_with(b"ies") {
        text.truncate(end - 3);
        text.push(b'y');
    } else if [&b"shes"[..], b"ches", b"xes", b"sses"].iter().any(|suffix| word.ends_with(suffix)) {
        text.truncate(end - 2);
    } else if word.ends_with(b"s") {
        text.truncate(end - 1);
    }
}

/// A multiply-and-rotate hasher over eight bytes at a time, finished by a folded multiply so
/// that the low bits a table indexes by depend on every byte. Not resistant to chosen keys: the
/// keys are the run's own titles and ids, and a collision costs time, never a wrong answer.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(SEED).rotate_left(26);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u32(&mut self, word: u32) {
        self.add(u64::from(word));
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }

    fn finish(&self) -> u64 {
        let product = u128::from(self.0) * u128::from(SEED);
        (product as u64) ^ ((product >> 64) as u64)
    }
}

/// A `HashMap` hashed with [`FastHasher`].
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Words;
    use proptest::prelude::*;

    fn read(title: &str, singular: bool) -> Vec<String> {
        let mut tokens = Tokens::default();
        tokens.read(title, singular);
        let mut words: Vec<String> =
            tokens.words().map(|w| String::from_utf8_lossy(w).into_owned()).collect();
        words.sort();
        words.dedup();
        words
    }

    #[test]
    fn titles_with_the_same_words_in_any_order_get_the_same_numbers() {
        let mut numbers = Numbers::default();
        let (mut one, mut other) = (Vec::new(), Vec::new());
        numbers.title("Dog Brush, for Dogs", true, &mut one);
        numbers.title("brush dog", true, &mut other);
        assert_eq!((one.len(), &one), (2, &other));
        numbers.title("Dog Brushes", false, &mut other);
        assert_ne!(one, other, "plural words are other words unless folded");
        assert_eq!(numbers.len(), 3, "dog, brush and brushes");
    }

    #[test]
    fn a_title_is_read_as_its_singular_words() {
        assert_eq!(read("Slicker Brushes for Dogs & the Dog", true), ["brush", "dog", "slicker"]);
        assert_eq!(read("Slicker Brushes for Dogs", false), ["brushes", "dogs", "slicker"]);
        assert_eq!(read("!!", true), ["product"], "as slugify names a title of no words");
    }

    proptest! {
        #[test]
        fn the_words_read_are_those_title_words_finds(title in "(\\PC|[a-zA-Z &,-]){0,120}") {
            let expected: Vec<String> = Words::of(&title).into_words().collect();
            prop_assert_eq!(read(&title, true), expected);
            let mut plain = title_words(&title);
            plain.sort();
            plain.dedup();
            prop_assert_eq!(read(&title, false), plain);
        }

        #[test]
        fn long_ascii_titles_lose_the_words_their_slug_truncates(
            words in prop::collection::vec("[a-z]{1,12}|[A-Z0-9]{1,4}|the|for", 1..30),
            separators in prop::collection::vec("[ ,.!/-]{1,3}", 30),
        ) {
            let title: String = words.iter().zip(&separators).map(|(w, s)| format!("{w}{s}")).collect();
            let expected: Vec<String> = Words::of(&title).into_words().collect();
            prop_assert_eq!(read(&title, true), expected);
        }
    }
}
