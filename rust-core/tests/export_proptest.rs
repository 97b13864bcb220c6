//! Properties: CSV escaping round-trips through a real CSV reader for any text; parsing of
//! identities, dates and whole pages never panics, whatever the input.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use outlook_qr_guard::device::{
    MobileDevice, UtcTimestamp, mailbox_distinguished_name, parse_page, user_display_name_new,
};
use outlook_qr_guard::export::{
    CsvEncoding, CsvExporter, CsvLayout, CsvOptions, DateCulture, DateFormatter, Newline,
};
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    // Plenty of the characters that matter to CSV, plus anything at all.
    prop_oneof![
        "[\",\r\n\t=+@' a-z山＝＋－＠\u{3000}-]{0,24}",
        any::<String>(),
    ]
}

fn export(devices: &[MobileDevice], neutralise: bool, newline: Newline) -> Vec<u8> {
    let options = CsvOptions {
        encoding: CsvEncoding::Utf8NoBom,
        newline,
        neutralise_formulas: neutralise,
        // The module layout: FriendlyName first, 41 columns.
        layout: CsvLayout::ExchangeOnlineManagement,
        ..CsvOptions::default()
    };
    let mut exporter = CsvExporter::new(Vec::new(), &options).unwrap();
    exporter.write_page(devices).unwrap();
    exporter.finish().unwrap().writer
}

fn read_back(bytes: &[u8]) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes)
        .records()
        .collect::<Result<_, _>>()
        .unwrap()
}

proptest! {
    #[test]
    fn csv_fields_round_trip(
        values in prop::collection::vec((text(), text(), proptest::option::of(text())), 1..8),
        crlf in any::<bool>(),
    ) {
        let devices: Vec<MobileDevice> = values
            .iter()
            .map(|(friendly, identity, operator)| MobileDevice {
                friendly_name: Some(friendly.clone()),
                identity: Some(identity.clone()),
                device_mobile_operator: operator.clone(),
                ..MobileDevice::default()
            })
            .collect();
        let newline = if crlf { Newline::CrLf } else { Newline::Lf };
        let records = read_back(&export(&devices, false, newline));
        prop_assert_eq!(records.len(), devices.len());
        for (record, (friendly, identity, operator)) in records.iter().zip(&values) {
            prop_assert_eq!(record.len(), 41);
            prop_assert_eq!(&record[0], friendly.as_str());
            prop_assert_eq!(&record[3], operator.as_deref().unwrap_or(""));
            prop_assert_eq!(&record[25], identity.as_str());
            prop_assert_eq!(&record[40], user_display_name_new(identity));
        }
    }

    #[test]
    fn neutralised_fields_read_back_with_one_apostrophe(value in text()) {
        let device = MobileDevice { friendly_name: Some(value.clone()), ..MobileDevice::default() };
        let records = read_back(&export(&[device], true, Newline::Lf));
        // OWASP's prefixes, also after leading spaces and in full width (#14 item 14).
        let risky = value.starts_with(['\t', '\r'])
            || value
                .trim_start_matches([' ', '\u{3000}'])
                .starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠']);
        let expected = if risky { format!("'{value}") } else { value };
        prop_assert_eq!(&records[0][0], expected.as_str());
    }

    #[test]
    fn identity_parsing_never_panics(identity in text(), dn in text()) {
        let name = user_display_name_new(&identity);
        prop_assert!(identity.starts_with(name));
        prop_assert!(!name.contains('\\'));
        if let Some(mailbox) = mailbox_distinguished_name(&dn) {
            prop_assert!(dn.ends_with(mailbox));
            prop_assert!(mailbox.len() < dn.len());
        }
    }

    #[test]
    fn dn_with_escaped_commas_in_the_device_rdn(device in "[a-z,\\\\]{0,10}", mailbox in "[a-z]{1,10}") {
        let escaped = device.replace('\\', "\\\\").replace(',', "\\,");
        let dn = format!("CN={escaped},CN=ExchangeActiveSyncDevices,CN={mailbox},DC=x");
        let expected = format!("CN={mailbox},DC=x");
        prop_assert_eq!(mailbox_distinguished_name(&dn), Some(expected.as_str()));
    }

    #[test]
    fn page_parsing_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_page(&body);
    }

    #[test]
    fn page_parsing_never_panics_on_json_like_text(
        body in "[\\[\\]{}\":,0-9a-zA-Z@./\\\\ -]{0,200}",
    ) {
        let _ = parse_page(body.as_bytes());
        let _ = parse_page(format!("{{\"value\":[{{{body}}}]}}").as_bytes());
    }

    #[test]
    fn page_parsing_never_panics_on_damaged_real_pages(cut in 0usize..100_000, flips in prop::collection::vec((0usize..100_000, any::<u8>()), 0..4)) {
        let mut body = fixture_page().to_vec();
        for (at, byte) in flips {
            let at = at % body.len();
            body[at] = byte;
        }
        body.truncate(cut % (body.len() + 1));
        let _ = parse_page(&body);
    }

    #[test]
    fn timestamps_never_panic_and_round_trip(text in "\\PC{0,40}", ticks in 0i64..3_155_378_976_000_000_000) {
        let _ = UtcTimestamp::parse(&text);
        let _ = UtcTimestamp::parse(&format!("/Date({text})/"));
        let t = UtcTimestamp::from_ticks(ticks).unwrap();
        prop_assert_eq!(UtcTimestamp::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn any_compiled_pattern_formats_without_panicking(
        pattern in "[dMyhHmsfFtzK:/'\" %\\\\.a-z]{0,20}",
        ticks in 0i64..3_155_378_976_000_000_000,
    ) {
        if let Ok(formatter) = DateFormatter::custom(&pattern, &DateCulture::invariant()) {
            let mut out = String::new();
            formatter.format(UtcTimestamp::from_ticks(ticks).unwrap(), &mut out);
        }
    }
}

fn fixture_page() -> &'static [u8] {
    static PAGE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    PAGE.get_or_init(|| {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devices.json"))
            .unwrap()
    })
}
