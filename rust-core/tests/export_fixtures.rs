//! The exporter's output must equal, byte for byte, what PowerShell 7's Export-Csv wrote for the
//! same devices (tests/fixtures/make-csv-fixtures.ps1 made the .csv files), in both column
//! layouts: the procedure's remote-session file (remoting columns added by the script as a remote
//! session adds them) and today's module's. All columns are compared; the script pre-joins
//! ObjectClass the way the exporter deliberately does.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use outlook_qr_guard::device::{MobileDevice, parse_page};
use outlook_qr_guard::export::{
    CsvEncoding, CsvExporter, CsvLayout, CsvOptions, DateCulture, DateNames, Newline,
    RemotingValues,
};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn devices() -> Vec<MobileDevice> {
    let body = std::fs::read(fixtures().join("devices.json")).unwrap();
    parse_page(&body).unwrap().devices
}

fn culture(name: &str) -> DateCulture {
    let text = std::fs::read_to_string(fixtures().join("cultures.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let c = &all[name];
    let s = |key: &str| c[key].as_str().unwrap().to_owned();
    let names = |key: &str| -> Vec<String> {
        c[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    DateCulture {
        short_date_pattern: s("short_date_pattern"),
        long_time_pattern: s("long_time_pattern"),
        am_designator: s("am_designator"),
        pm_designator: s("pm_designator"),
        date_separator: s("date_separator"),
        time_separator: s("time_separator"),
        names: DateNames {
            month_names: names("month_names").try_into().unwrap(),
            abbreviated_month_names: names("abbreviated_month_names").try_into().unwrap(),
            day_names: names("day_names").try_into().unwrap(),
            abbreviated_day_names: names("abbreviated_day_names").try_into().unwrap(),
        },
    }
}

/// The devices the script kept for CP932 (every string value representable), decided by the
/// exporter itself.
fn cp932_representable(device: &MobileDevice) -> bool {
    let options = CsvOptions {
        encoding: CsvEncoding::ShiftJis,
        ..CsvOptions::default()
    };
    let mut exporter = CsvExporter::new(std::io::sink(), &options).unwrap();
    exporter.write_page(std::slice::from_ref(device)).is_ok()
}

fn export(devices: &[MobileDevice], options: &CsvOptions) -> Vec<u8> {
    let mut exporter = CsvExporter::new(Vec::new(), options).unwrap();
    // Uneven pages: the output must not depend on how the service paged the results.
    for page in devices.chunks(7) {
        exporter.write_page(page).unwrap();
    }
    exporter.finish().unwrap().writer
}

fn assert_same_bytes(actual: &[u8], expected: &[u8], name: &str) {
    if actual == expected {
        return;
    }
    let at = actual
        .iter()
        .zip(expected)
        .position(|(a, e)| a != e)
        .unwrap_or(actual.len().min(expected.len()));
    let window = |b: &[u8]| {
        String::from_utf8_lossy(&b[at.saturating_sub(80)..(at + 80).min(b.len())]).into_owned()
    };
    panic!(
        "{name}: first difference at byte {at} (lengths {} vs {})\n ours: {:?}\nfixture: {:?}",
        actual.len(),
        expected.len(),
        window(actual),
        window(expected)
    );
}

/// The remoting values make-csv-fixtures.ps1 wrote (its -ComputerName / -RunspaceId defaults).
fn remoting() -> RemotingValues {
    RemotingValues {
        computer_name: "outlook.office365.com".into(),
        runspace_id: "5d1c0a2e-8b8f-4a1e-9c57-0e4c4d3f2a10".into(),
    }
}

fn check(culture_name: &str, encoding_name: &str, encoding: CsvEncoding) {
    check_layout(
        CsvLayout::RemotePowerShell,
        culture_name,
        encoding_name,
        encoding,
    );
    check_layout(
        CsvLayout::ExchangeOnlineManagement,
        culture_name,
        encoding_name,
        encoding,
    );
}

fn check_layout(layout: CsvLayout, culture_name: &str, encoding_name: &str, encoding: CsvEncoding) {
    let infix = match layout {
        CsvLayout::RemotePowerShell => "",
        CsvLayout::ExchangeOnlineManagement => "ExchangeOnlineManagement.",
    };
    let file = format!("devices.{infix}{culture_name}.{encoding_name}.csv");
    let expected = std::fs::read(fixtures().join(&file)).unwrap();
    let mut devices = devices();
    if encoding == CsvEncoding::ShiftJis {
        devices.retain(cp932_representable);
    }
    let options = CsvOptions {
        encoding,
        newline: Newline::Lf,
        neutralise_formulas: false,
        date_culture: culture(culture_name),
        layout,
        remoting: remoting(),
        extra_columns: Vec::new(),
    };
    assert_same_bytes(&export(&devices, &options), &expected, &file);
}

#[test]
fn invariant_utf8_bom() {
    check("invariant", "utf8BOM", CsvEncoding::Utf8Bom);
}

#[test]
fn invariant_utf8_no_bom() {
    check("invariant", "utf8NoBOM", CsvEncoding::Utf8NoBom);
}

#[test]
fn invariant_utf16le() {
    check("invariant", "unicode", CsvEncoding::Utf16LeBom);
}

#[test]
fn invariant_cp932() {
    check("invariant", "cp932", CsvEncoding::ShiftJis);
}

#[test]
fn ja_jp_utf8_bom() {
    check("ja-JP", "utf8BOM", CsvEncoding::Utf8Bom);
}

#[test]
fn ja_jp_utf8_no_bom() {
    check("ja-JP", "utf8NoBOM", CsvEncoding::Utf8NoBom);
}

#[test]
fn ja_jp_utf16le() {
    check("ja-JP", "unicode", CsvEncoding::Utf16LeBom);
}

#[test]
fn ja_jp_cp932() {
    check("ja-JP", "cp932", CsvEncoding::ShiftJis);
}

#[test]
fn en_us_utf8() {
    check("en-US", "utf8NoBOM", CsvEncoding::Utf8NoBom);
}

#[test]
fn de_de_utf8() {
    check("de-DE", "utf8NoBOM", CsvEncoding::Utf8NoBom);
}

#[test]
fn the_fixture_covers_what_it_claims() {
    let devices = devices();
    assert_eq!(devices.len(), 30);
    assert!(devices.iter().any(|d| d.identity.is_none()));
    assert!(devices.iter().any(|d| d.object_class.is_empty()));
    // The two REST-only properties: a number, null, and absent all occur.
    assert!(
        devices
            .iter()
            .any(|d| d.directory_object_version.as_deref() == Some("1"))
    );
    assert!(devices.iter().any(|d| d.directory_object_version.is_none()));
    assert!(devices.iter().any(|d| d.organizational_unit_root.is_none()));
    assert!(devices.iter().any(|d| !cp932_representable(d)));
    let names: Vec<&str> = devices
        .iter()
        .filter_map(|d| d.friendly_name.as_deref())
        .collect();
    for start in ['=', '+', '-', '@', '\t', '\r'] {
        assert!(names.iter().any(|n| n.starts_with(start)), "{start:?}");
    }
    for inner in ["\"", ",", "\r\n", "\n", "山田", "📱"] {
        assert!(names.iter().any(|n| n.contains(inner)), "{inner:?}");
    }
}
