//! Exporter behaviour beyond the PowerShell fixtures: neutralisation, encodings and their
//! errors, extra columns, progress, chunking, newlines, failure handling.

#![allow(clippy::unwrap_used)]

use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use outlook_qr_guard::device::{MobileDevice, UtcTimestamp, parse_page};
use outlook_qr_guard::export::{
    CsvEncoding, CsvExporter, CsvLayout, CsvOptions, DateCulture, ExportError, ExportProgress,
    Newline, RemotingValues,
};

/// The module layout (ExchangeOnlineManagement): the 40 REST properties, UserDisplayNameNew.
const HEADER: &str = "\"FriendlyName\",\"DeviceId\",\"DeviceImei\",\"DeviceMobileOperator\",\"DeviceOS\",\"DeviceOSLanguage\",\"DeviceTelephoneNumber\",\"DeviceType\",\"DeviceUserAgent\",\"DeviceModel\",\"FirstSyncTime\",\"UserDisplayName\",\"DeviceAccessState\",\"DeviceAccessStateReason\",\"DeviceAccessControlRule\",\"ClientVersion\",\"ClientType\",\"IsManaged\",\"IsCompliant\",\"IsDisabled\",\"AdminDisplayName\",\"ExchangeVersion\",\"DirectoryObjectVersion\",\"Name\",\"DistinguishedName\",\"Identity\",\"ObjectCategory\",\"ObjectClass\",\"WhenChanged\",\"WhenCreated\",\"WhenChangedUTC\",\"WhenCreatedUTC\",\"ExchangeObjectId\",\"OrganizationalUnitRoot\",\"OrganizationId\",\"Id\",\"Guid\",\"OriginatingServer\",\"IsValid\",\"ObjectState\",\"UserDisplayNameNew\"";

/// The procedure's layout (RemotePowerShell, the default): remoting columns, 38 properties in
/// the remote-session order, UserDisplayNameNew.
const REMOTE_HEADER: &str = "\"PSComputerName\",\"RunspaceId\",\"PSShowComputerName\",\"FriendlyName\",\"DeviceId\",\"DeviceImei\",\"DeviceMobileOperator\",\"DeviceOS\",\"DeviceOSLanguage\",\"DeviceTelephoneNumber\",\"DeviceType\",\"DeviceUserAgent\",\"DeviceModel\",\"FirstSyncTime\",\"UserDisplayName\",\"DeviceAccessState\",\"DeviceAccessStateReason\",\"DeviceAccessControlRule\",\"ClientVersion\",\"ClientType\",\"IsManaged\",\"IsCompliant\",\"IsDisabled\",\"AdminDisplayName\",\"ExchangeVersion\",\"Name\",\"DistinguishedName\",\"Identity\",\"Guid\",\"ObjectCategory\",\"ObjectClass\",\"WhenChanged\",\"WhenCreated\",\"WhenChangedUTC\",\"WhenCreatedUTC\",\"ExchangeObjectId\",\"OrganizationId\",\"Id\",\"OriginatingServer\",\"IsValid\",\"ObjectState\",\"UserDisplayNameNew\"";

/// The module layout, so rows start with FriendlyName.
fn lf_utf8() -> CsvOptions {
    CsvOptions {
        encoding: CsvEncoding::Utf8NoBom,
        newline: Newline::Lf,
        layout: CsvLayout::ExchangeOnlineManagement,
        ..CsvOptions::default()
    }
}

fn export_with(options: &CsvOptions, pages: &[&[MobileDevice]]) -> Result<Vec<u8>, ExportError> {
    let mut exporter = CsvExporter::new(Vec::new(), options)?;
    for page in pages {
        exporter.write_page(page)?;
    }
    Ok(exporter.finish()?.writer)
}

fn named(identity: &str, friendly_name: &str) -> MobileDevice {
    MobileDevice {
        identity: Some(identity.to_owned()),
        friendly_name: Some(friendly_name.to_owned()),
        ..MobileDevice::default()
    }
}

fn fixture_devices() -> Vec<MobileDevice> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devices.json");
    parse_page(&std::fs::read(path).unwrap()).unwrap().devices
}

fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn defaults_are_utf8_bom_invariant_neutralised_platform_newline() {
    let options = CsvOptions::default();
    assert_eq!(options.encoding, CsvEncoding::Utf8Bom);
    assert!(options.neutralise_formulas);
    assert_eq!(options.date_culture, DateCulture::invariant());
    assert_eq!(options.layout, CsvLayout::RemotePowerShell);
    let bytes = export_with(&options, &[&[named("a", "=1")]]).unwrap();
    let newline = if cfg!(windows) { "\r\n" } else { "\n" };
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\"PSComputerName\""));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.starts_with(&format!(
        "{REMOTE_HEADER}{newline}\"outlook.office365.com\",\"00000000-0000-0000-0000-000000000000\",\"False\",\"'=1\","
    )));
    assert!(text.ends_with(&format!(",\"a\"{newline}")));
}

#[test]
fn one_row_with_every_value_type() {
    let device = MobileDevice {
        friendly_name: Some("He said \"hi\",\r\nbye".into()),
        first_sync_time: Some(UtcTimestamp::parse("2025-03-14T21:26:53.5897932Z").unwrap()),
        is_managed: Some(true),
        is_compliant: Some(false),
        identity: Some("山田 太郎\\ExchangeActiveSyncDevices\\REST§Outlook§X".into()),
        object_class: vec!["top".into(), "msExchActiveSyncDevice".into()],
        ..MobileDevice::default()
    };
    let text = String::from_utf8(export_with(&lf_utf8(), &[&[device]]).unwrap()).unwrap();
    let row = text.strip_prefix(&format!("{HEADER}\n")).unwrap();
    let expected = "\"He said \"\"hi\"\",\r\nbye\",,,,,,,,,,\"03/14/2025 21:26:53\",,,,,,,\"True\",\"False\",,,,,,,\
        \"山田 太郎\\ExchangeActiveSyncDevices\\REST§Outlook§X\",,\"top msExchActiveSyncDevice\",,,,,,,,,,,,,\"山田 太郎\"\n";
    assert_eq!(row, expected);
}

#[test]
fn the_procedures_layout_has_the_remoting_columns_and_the_users_in_o_and_ap() {
    let device = MobileDevice {
        user_display_name: Some("contoso/山田 太郎".into()),
        identity: Some("山田 太郎\\ExchangeActiveSyncDevices\\REST§Outlook§X".into()),
        guid: Some("g".into()),
        directory_object_version: Some("dov".into()),
        organizational_unit_root: Some("our".into()),
        ..MobileDevice::default()
    };
    let options = CsvOptions {
        layout: CsvLayout::RemotePowerShell,
        remoting: RemotingValues {
            computer_name: "outlook.office365.com".into(),
            runspace_id: "5d1c0a2e-8b8f-4a1e-9c57-0e4c4d3f2a10".into(),
        },
        ..lf_utf8()
    };
    let bytes = export_with(&options, &[&[device]]).unwrap();
    let rows = records(&bytes);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].len(), 42);
    assert_eq!(rows[1].len(), 42);
    let text = String::from_utf8(bytes).unwrap();
    let row = text.strip_prefix(&format!("{REMOTE_HEADER}\n")).unwrap();
    assert!(row.starts_with(
        "\"outlook.office365.com\",\"5d1c0a2e-8b8f-4a1e-9c57-0e4c4d3f2a10\",\"False\","
    ));
    // Column O (15) and AP (42), as the procedure says; Guid right after Identity; the two
    // REST-only properties nowhere.
    assert_eq!(
        (rows[0][14].as_str(), rows[1][14].as_str()),
        ("UserDisplayName", "contoso/山田 太郎")
    );
    assert_eq!(
        (rows[0][41].as_str(), rows[1][41].as_str()),
        ("UserDisplayNameNew", "山田 太郎")
    );
    let identity = rows[0].iter().position(|h| h == "Identity").unwrap();
    assert_eq!(
        (
            rows[0][identity + 1].as_str(),
            rows[1][identity + 1].as_str()
        ),
        ("Guid", "g")
    );
    assert!(!rows[1].iter().any(|v| v == "dov" || v == "our"));
}

#[test]
fn no_devices_still_gives_a_header() {
    let bytes = export_with(&lf_utf8(), &[]).unwrap();
    assert_eq!(bytes, format!("{HEADER}\n").into_bytes());
    let bytes = export_with(&lf_utf8(), &[&[], &[]]).unwrap();
    assert_eq!(bytes, format!("{HEADER}\n").into_bytes());
}

#[test]
fn crlf_rows_keep_embedded_line_breaks() {
    let options = CsvOptions {
        newline: Newline::CrLf,
        ..lf_utf8()
    };
    let text = String::from_utf8(export_with(&options, &[&[named("a", "x\ny")]]).unwrap()).unwrap();
    assert!(text.starts_with(&format!("{HEADER}\r\n\"x\ny\",")));
    assert!(text.ends_with(",\"a\"\r\n"));
    assert_eq!(text.matches("\r\n").count(), 2);
}

#[test]
fn neutralisation_changes_exactly_the_risky_values() {
    let devices = fixture_devices();
    let on = records(&export_with(&lf_utf8(), &[&devices]).unwrap());
    let off_options = CsvOptions {
        neutralise_formulas: false,
        ..lf_utf8()
    };
    let off = records(&export_with(&off_options, &[&devices]).unwrap());
    assert_eq!(on.len(), off.len());
    let mut neutralised = 0;
    for (row_on, row_off) in on.iter().zip(&off).skip(1) {
        for (a, b) in row_on.iter().zip(row_off) {
            if b.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                assert_eq!(*a, format!("'{b}"));
                neutralised += 1;
            } else {
                assert_eq!(a, b);
            }
        }
    }
    // 7 risky FriendlyNames, 5 risky AdminDisplayNames and 8 "+81 …" phone numbers in the fixture.
    assert_eq!(neutralised, 20);
    assert_eq!(on[0], off[0], "header names are never altered");
}

#[test]
fn utf16_and_utf8_carry_the_same_text() {
    let devices = fixture_devices();
    let utf8 = export_with(&lf_utf8(), &[&devices]).unwrap();
    let options = CsvOptions {
        encoding: CsvEncoding::Utf16LeBom,
        ..lf_utf8()
    };
    let utf16 = export_with(&options, &[&devices]).unwrap();
    assert_eq!(&utf16[..2], b"\xFF\xFE");
    let (decoded, had_errors) = encoding_rs::UTF_16LE.decode_without_bom_handling(&utf16[2..]);
    assert!(!had_errors);
    assert_eq!(decoded.as_bytes(), utf8.as_slice());
}

#[test]
fn cp932_refuses_unrepresentable_characters_and_names_the_device() {
    let options = CsvOptions {
        encoding: CsvEncoding::ShiftJis,
        ..lf_utf8()
    };
    let good = named("山田 太郎\\EAS\\1", "山田の iPhone ①");
    let mut bad = named("Zoë\\EAS\\2", "fine");
    bad.user_display_name = Some("Zoë Müller".into());
    let mut exporter = CsvExporter::new(Vec::new(), &options).unwrap();
    exporter.write_page(std::slice::from_ref(&good)).unwrap();
    let err = exporter.write_page(&[good.clone(), bad]).unwrap_err();
    // Identity is written after UserDisplayName, so the first 'ë' is found there.
    match &err {
        ExportError::Unencodable {
            identity,
            property,
            character,
            ..
        } => {
            assert_eq!(identity, "Zoë\\EAS\\2");
            assert_eq!(property, "UserDisplayName");
            assert_eq!(*character, 'ë');
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("Zoë\\EAS\\2")
            && message.contains("U+00EB")
            && message.contains("Shift_JIS")
    );
    assert!(matches!(
        exporter.write_page(&[good]),
        Err(ExportError::AlreadyFailed)
    ));
    assert!(matches!(exporter.finish(), Err(ExportError::AlreadyFailed)));
}

#[test]
fn cp932_error_in_a_later_chunk_of_a_big_page() {
    let options = CsvOptions {
        encoding: CsvEncoding::ShiftJis,
        ..lf_utf8()
    };
    let filler = "x".repeat(1000);
    let mut page: Vec<MobileDevice> = (0..3000)
        .map(|i| named(&format!("user{i}"), &filler))
        .collect();
    page[2500].friendly_name = Some("phone 📱".into());
    page[2500].identity = None;
    let mut exporter = CsvExporter::new(Vec::new(), &options).unwrap();
    match exporter.write_page(&page).unwrap_err() {
        ExportError::Unencodable {
            identity,
            property,
            character,
            ..
        } => assert_eq!(
            (identity.as_str(), property.as_str(), character),
            ("(no Identity)", "FriendlyName", '📱')
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn extra_columns_follow_user_display_name_new() {
    let options = CsvOptions {
        extra_columns: vec!["LastSignIn".into(), "Evidence \"x\"".into()],
        ..lf_utf8()
    };
    let devices = [named("a\\b", "one"), named("c", "two")];
    let mut exporter = CsvExporter::new(Vec::new(), &options).unwrap();
    exporter
        .write_page_with_extra(&devices, &[Some("2025-01-01"), None, Some("=x"), Some("")])
        .unwrap();
    exporter.write_page(&devices[..1]).unwrap();
    let mismatch = exporter
        .write_page_with_extra(&devices, &[Some("only one")])
        .unwrap_err();
    assert!(matches!(
        mismatch,
        ExportError::ExtraValuesMismatch {
            expected: 4,
            got: 1,
            ..
        }
    ));
    let text = String::from_utf8(exporter.finish().unwrap().writer).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].ends_with(",\"UserDisplayNameNew\",\"LastSignIn\",\"Evidence \"\"x\"\"\""));
    assert!(lines[1].ends_with(",\"a\",\"2025-01-01\","));
    assert!(lines[2].ends_with(",\"c\",\"'=x\",\"\""));
    assert!(lines[3].ends_with(",\"a\",,"));
}

#[test]
fn cp932_header_error_names_the_column() {
    let options = CsvOptions {
        encoding: CsvEncoding::ShiftJis,
        extra_columns: vec!["Überprüfung".into()],
        ..lf_utf8()
    };
    match CsvExporter::new(Vec::new(), &options) {
        Err(ExportError::UnencodableHeader {
            column, character, ..
        }) => {
            assert_eq!((column.as_str(), character), ("Überprüfung", 'Ü'))
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn progress_is_reported_per_page() {
    let seen: Arc<Mutex<Vec<ExportProgress>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let devices = fixture_devices();
    let mut exporter = CsvExporter::new(Vec::new(), &lf_utf8())
        .unwrap()
        .on_progress(move |p| sink.lock().unwrap().push(p));
    for page in devices.chunks(12) {
        exporter.write_page(page).unwrap();
    }
    let finished = exporter.finish().unwrap();
    let seen = seen.lock().unwrap();
    let counts: Vec<(u64, u64)> = seen
        .iter()
        .map(|p| (p.pages_written, p.devices_written))
        .collect();
    assert_eq!(counts, [(1, 12), (2, 24), (3, 30)]);
    assert!(
        seen.windows(2)
            .all(|w| w[0].bytes_written < w[1].bytes_written)
    );
    assert_eq!(
        finished.progress.bytes_written,
        finished.writer.len() as u64
    );
    assert_eq!(seen[2].bytes_written, finished.writer.len() as u64);
    assert_eq!(finished.progress.devices_written, 30);
}

/// Records the size of every write, to show that memory stays bounded within a page.
#[derive(Default)]
struct WriteSizes {
    sizes: Vec<usize>,
    total: usize,
}

impl Write for WriteSizes {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sizes.push(buf.len());
        self.total += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_huge_page_is_written_in_bounded_chunks() {
    let filler = "y".repeat(2000);
    let page: Vec<MobileDevice> = (0..5000)
        .map(|i| named(&format!("u{i}"), &filler))
        .collect();
    let mut exporter = CsvExporter::new(WriteSizes::default(), &lf_utf8()).unwrap();
    exporter.write_page(&page).unwrap();
    let sink = exporter.finish().unwrap().writer;
    assert!(sink.total > 10_000_000);
    assert!(sink.sizes.len() > 5, "{:?}", sink.sizes);
    assert!(
        sink.sizes.iter().all(|&s| s < (1 << 20) + 8192),
        "{:?}",
        sink.sizes
    );
}

struct FailingWriter;

impl Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > 3 {
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        } else {
            Ok(buf.len())
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_errors_stop_the_export() {
    assert!(matches!(
        CsvExporter::new(FailingWriter, &CsvOptions::default()),
        Err(ExportError::Write(_))
    ));
}

#[test]
fn bad_culture_pattern_is_reported_up_front() {
    let options = CsvOptions {
        date_culture: DateCulture::with_patterns("yyyy/MM/dd 'unterminated", "HH:mm"),
        ..CsvOptions::default()
    };
    let err = CsvExporter::new(Vec::new(), &options).err().unwrap();
    assert!(matches!(err, ExportError::DatePattern(_)));
    assert!(err.to_string().contains("unterminated"));
}
