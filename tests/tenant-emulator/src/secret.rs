//! Comparing secrets without an early exit on the first differing byte.

pub fn equals(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn equality() {
        assert!(super::equals(b"abc", b"abc"));
        assert!(!super::equals(b"abc", b"abd"));
        assert!(!super::equals(b"abc", b"ab"));
    }
}
