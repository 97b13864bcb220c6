//! Turning the UTF-8 CSV text into the bytes of the chosen file encoding.

use encoding_rs::{EncoderResult, SHIFT_JIS};

use super::options::CsvEncoding;

/// Reusable output buffers for one export.
pub(super) struct Transcoder {
    encoding: CsvEncoding,
    wide: Vec<u16>,
    bytes: Vec<u8>,
    shift_jis: ShiftJisTable,
}

/// Shift_JIS codes of the BMP characters seen so far. encoding_rs searches its JIS tables for
/// every kanji and symbol, which made CP932 output 4× slower than UTF-8; device data repeats
/// the same few hundred characters, so each is looked up once.
struct ShiftJisTable {
    encoder: encoding_rs::Encoder,
    /// Indexed by BMP code point: `UNKNOWN`, `UNMAPPABLE`, a single byte (< 0x100) or a
    /// two-byte code (lead << 8 | trail).
    codes: Vec<u16>,
}

const UNKNOWN: u16 = 0;
const UNMAPPABLE: u16 = 0xFFFF;

impl Transcoder {
    pub(super) fn new(encoding: CsvEncoding) -> Self {
        Self {
            encoding,
            wide: Vec::new(),
            bytes: Vec::new(),
            shift_jis: ShiftJisTable {
                encoder: SHIFT_JIS.new_encoder(),
                codes: Vec::new(),
            },
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
        // CP932 never needs more bytes than UTF-8 for a character, so the output fits in
        // `text.len()` bytes and every slice below stays in bounds.
        let src = text.as_bytes();
        self.bytes.clear();
        self.bytes.resize(src.len(), 0);
        let (mut read, mut written) = (0, 0);
        while read < src.len() {
            let ascii =
                encoding_rs::mem::copy_ascii_to_ascii(&src[read..], &mut self.bytes[written..]);
            read += ascii;
            written += ascii;
            let Some(ch) = text.get(read..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            let code = self.shift_jis.code(ch);
            let encoded: &[u8] = match code {
                UNMAPPABLE => return Err(ch),
                0..=0xFF => &[code as u8],
                _ => &code.to_be_bytes(),
            };
            let Some(slot) = self.bytes.get_mut(written..written + encoded.len()) else {
                return Err(ch);
            };
            slot.copy_from_slice(encoded);
            written += encoded.len();
            read += ch.len_utf8();
        }
        self.bytes.truncate(written);
        Ok(&self.bytes)
    }
}

impl ShiftJisTable {
    fn code(&mut self, ch: char) -> u16 {
        let Ok(index) = u16::try_from(u32::from(ch)) else {
            return UNMAPPABLE; // CP932 has nothing beyond the BMP
        };
        if self.codes.is_empty() {
            self.codes = vec![UNKNOWN; 0x10000];
        }
        let slot = &mut self.codes[usize::from(index)];
        if *slot == UNKNOWN {
            *slot = encode_one(&mut self.encoder, ch);
        }
        *slot
    }
}

/// Windows code page 932 as .NET encodes it without fallback. encoding_rs implements WHATWG
/// Shift_JIS, which differs from it in exactly these places (checked against .NET's table for
/// the whole BMP in the tests).
fn encode_one(encoder: &mut encoding_rs::Encoder, ch: char) -> u16 {
    match u32::from(ch) {
        // WHATWG maps these onto other characters' codes (0x5C is a backslash in CP932);
        // Windows has no code for them.
        0xA5 | 0x203E | 0x2212 => UNMAPPABLE,
        // User-defined characters (gaiji): 1880 codes from 0xF040 to 0xF9FC.
        code @ 0xE000..=0xE757 => {
            let n = code - 0xE000;
            let trail = n % 188;
            let trail = trail + if trail < 0x3F { 0x40 } else { 0x41 };
            ((0xF0 + n / 188) << 8 | trail) as u16
        }
        // Single bytes Windows assigns to private-use characters.
        0xF8F0 => 0xA0,
        code @ 0xF8F1..=0xF8F3 => (0xFD + code - 0xF8F1) as u16,
        _ => encode_with_encoding_rs(encoder, ch),
    }
}

fn encode_with_encoding_rs(encoder: &mut encoding_rs::Encoder, ch: char) -> u16 {
    let mut utf8 = [0u8; 4];
    let mut out = [0u8; 8];
    let (result, _read, written) =
        encoder.encode_from_utf8_without_replacement(ch.encode_utf8(&mut utf8), &mut out, false);
    match (result, &out[..written]) {
        (EncoderResult::InputEmpty, [single]) => u16::from(*single),
        (EncoderResult::InputEmpty, [lead, trail]) => u16::from_be_bytes([*lead, *trail]),
        _ => UNMAPPABLE,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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
        assert_eq!(t.encode("Müller"), Err('ü'), "cached as unmappable");
        assert_eq!(
            t.encode("ｱ山 again 山ｱ").unwrap(),
            b"\xB1\x8E\x52 again \x8E\x52\xB1"
        );
        assert_eq!(t.encode("").unwrap(), b"");
        // Not in Windows CP932 (Export-Csv's best fit would write 5C and '?').
        assert_eq!(t.encode("a¥"), Err('¥'));
        assert_eq!(t.encode("−"), Err('−'));
        assert_eq!(
            t.encode("\u{E000}\u{E757}\u{F8F0}\u{F8F3}").unwrap(),
            b"\xF0\x40\xF9\xFC\xA0\xFF"
        );
        assert_eq!(t.encode("ok 📱"), Err('📱'));
    }

    /// The whole BMP against .NET's strict code page 932 (tests/fixtures/cp932-bmp.txt).
    #[test]
    fn shift_jis_matches_dotnet_cp932() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cp932-bmp.txt");
        let table = std::fs::read_to_string(path).unwrap();
        let dotnet: std::collections::HashMap<u32, Vec<u8>> = table
            .lines()
            .map(|line| {
                let (code, bytes) = line.split_once(' ').unwrap();
                let bytes = (0..bytes.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&bytes[i..i + 2], 16).unwrap());
                (u32::from_str_radix(code, 16).unwrap(), bytes.collect())
            })
            .collect();
        let mut t = Transcoder::new(CsvEncoding::ShiftJis);
        let mut differences = Vec::new();
        for code in 0x80..=0xFFFF_u32 {
            let Some(ch) = char::from_u32(code) else {
                continue;
            };
            let ours = t
                .encode(ch.encode_utf8(&mut [0; 4]))
                .map(<[u8]>::to_vec)
                .ok();
            if ours.as_ref() != dotnet.get(&code) {
                differences.push(format!(
                    "U+{code:04X} ours {ours:02X?} .NET {:02X?}",
                    dotnet.get(&code)
                ));
            }
        }
        assert!(
            differences.is_empty(),
            "{} differences:\n{}",
            differences.len(),
            differences.join("\n")
        );
    }

    #[test]
    fn utf8_passes_through() {
        let mut t = Transcoder::new(CsvEncoding::Utf8Bom);
        assert_eq!(t.encode("山").unwrap(), "山".as_bytes());
        assert_eq!(t.preamble(), [0xEF, 0xBB, 0xBF]);
        assert_eq!(Transcoder::new(CsvEncoding::Utf8NoBom).preamble(), b"");
    }
}
