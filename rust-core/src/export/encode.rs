//! Turning the UTF-8 CSV text into the bytes of the chosen file encoding.

use encoding_rs::{EncoderResult, SHIFT_JIS};

use super::options::CsvEncoding;

/// Reusable output buffers for one export.
pub(super) struct Transcoder {
    encoding: CsvEncoding,
    wide: Vec<u16>,
    bytes: Vec<u8>,
    shift_jis: encoding_rs::Encoder,
}

impl Transcoder {
    pub(super) fn new(encoding: CsvEncoding) -> Self {
        Self {
            encoding,
            wide: Vec::new(),
            bytes: Vec::new(),
            shift_jis: SHIFT_JIS.new_encoder(),
        }
    }

    /// What Export-Csv's StreamWriter writes first.
    pub(super) fn preamble(&self) -> &'static [u8] {
        match self.encoding {
            CsvEncoding::Utf8Bom => b"\xEF\xBB\xBF",
            CsvEncoding::Utf16LeBom => b"\xFF\xFE",
            CsvEncoding::Utf8NoBom | CsvEncoding::ShiftJis => b"",
        }
    }

    /// The encoded bytes of `text`, or the first character the encoding cannot represent.
    pub(super) fn encode<'a>(&'a mut self, text: &'a str) -> Result<&'a [u8], char> {
        match self.encoding {
            CsvEncoding::Utf8Bom | CsvEncoding::Utf8NoBom => Ok(text.as_bytes()),
            CsvEncoding::Utf16LeBom => Ok(self.utf16le(text)),
            CsvEncoding::ShiftJis => self.shift_jis(text),
        }
    }

    fn utf16le(&mut self, text: &str) -> &[u8] {
        // Each UTF-8 byte yields at most one UTF-16 unit.
        self.wide.resize(text.len(), 0);
        let units = encoding_rs::mem::convert_str_to_utf16(text, &mut self.wide);
        self.bytes.clear();
        self.bytes.reserve(units * 2);
        for unit in &self.wide[..units] {
            self.bytes.extend_from_slice(&unit.to_le_bytes());
        }
        &self.bytes
    }

    fn shift_jis(&mut self, text: &str) -> Result<&[u8], char> {
        // Shift_JIS needs at most 2 bytes per character, and characters are ≥ 1 UTF-8 byte.
        self.bytes.clear();
        self.bytes.resize(text.len() * 2 + 16, 0);
        let (result, _read, written) =
            self.shift_jis
                .encode_from_utf8_without_replacement(text, &mut self.bytes, false);
        match result {
            EncoderResult::InputEmpty => Ok(&self.bytes[..written]),
            EncoderResult::Unmappable(ch) => Err(ch),
            // Cannot happen with the buffer sized above; treat like an unmappable input.
            EncoderResult::OutputFull => Err('\u{FFFD}'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16le_includes_surrogate_pairs() {
        let mut t = Transcoder::new(CsvEncoding::Utf16LeBom);
        assert_eq!(
            t.encode("a山📱").unwrap(),
            [0x61, 0, 0x71, 0x5C, 0x3D, 0xD8, 0xF1, 0xDC]
        );
        assert_eq!(t.preamble(), [0xFF, 0xFE]);
    }

    #[test]
    fn shift_jis_cp932_mappings() {
        let mut t = Transcoder::new(CsvEncoding::ShiftJis);
        // Kanji, half-width katakana, NEC row 13 (①), IBM extension (髙), full-width tilde.
        assert_eq!(
            t.encode("山ｱ①髙～").unwrap(),
            [0x8E, 0x52, 0xB1, 0x87, 0x40, 0xFB, 0xFC, 0x81, 0x60]
        );
        assert_eq!(t.preamble(), b"");
        assert_eq!(t.encode("Müller"), Err('ü'));
        assert_eq!(t.encode("ok 📱"), Err('📱'));
    }

    #[test]
    fn utf8_passes_through() {
        let mut t = Transcoder::new(CsvEncoding::Utf8Bom);
        assert_eq!(t.encode("山").unwrap(), "山".as_bytes());
        assert_eq!(t.preamble(), [0xEF, 0xBB, 0xBF]);
        assert_eq!(Transcoder::new(CsvEncoding::Utf8NoBom).preamble(), b"");
    }
}
