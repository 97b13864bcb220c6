//! Measures the device pipeline in release builds:
//!   cargo run --release -p outlook-qr-guard-core --example csv_throughput [-- DEVICES [OUT_DIR]]
//! 1. parsing InvokeCommand pages of 1000 devices (devices/s),
//! 2. exporting DEVICES (default 1,000,000) devices per encoding, to `io::sink()` (formatting and
//!    encoding only) and to a file through `AtomicCsvFile` (adds the kernel's page-cache copy,
//!    which on a busy or virtual machine varies more than our own code does),
//! 3. for comparison, the same rows through the `csv` crate with `QuoteStyle::Always`.
//!
//! Rows come from 10,000 distinct in-memory devices written as pages of 1000, cycled.
//!
//! With `OQG_BENCH_SUMMARY=<file>` (the benchmark script) it measures only UTF-8 with BOM to a
//! file, writes `{"rows":…,"bytes":…,"seconds":…}` there, and the 10,000 distinct devices as a
//! JSON array to `<file>.sample.json`, so Export-Csv can be timed on the same objects.

use std::error::Error;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use outlook_qr_guard::device::{MobileDevice, PropertyValue, parse_page};
use outlook_qr_guard::export::{
    AtomicCsvFile, CsvEncoding, CsvExporter, CsvOptions, DateCulture, DateFormatter,
};
use serde_json::{Value, json};

const PAGE: usize = 1000;
const DISTINCT_PAGES: usize = 10;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let total: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let out_dir: PathBuf = match args.next() {
        Some(dir) => dir.into(),
        None => std::env::temp_dir().join("oqg-csv-throughput"),
    };
    std::fs::create_dir_all(&out_dir)?;

    let bodies: Vec<Vec<u8>> = (0..DISTINCT_PAGES).map(|p| page_json(p * PAGE)).collect();
    let pages = measure_parsing(&bodies)?;
    if let Some(summary) = std::env::var_os("OQG_BENCH_SUMMARY") {
        return bench_summary(PathBuf::from(summary), &out_dir, &pages, total);
    }

    for encoding in [
        CsvEncoding::Utf8Bom,
        CsvEncoding::Utf16LeBom,
        CsvEncoding::ShiftJis,
    ] {
        let options = CsvOptions {
            encoding,
            ..CsvOptions::default()
        };
        let name = encoding.display_name();
        let (rows, bytes, time) = export_to(io::sink(), &pages, total, &options)?;
        report(&format!("{name} -> io::sink"), rows, bytes, time);

        let target = out_dir.join(format!("devices-{encoding:?}.csv"));
        let file = AtomicCsvFile::create(&target, true, false)?;
        let ((rows, bytes, time), file) = export_to_keep(file, &pages, total, &options)?;
        report(&format!("{name} -> file"), rows, bytes, time);
        let committing = Instant::now();
        file.commit()?;
        println!(
            "{:<44}(+ {:.0} ms to fsync and rename into place)",
            "",
            committing.elapsed().as_secs_f64() * 1e3
        );
        std::fs::remove_file(&target)?;
    }

    let (rows, bytes, time) = export_with_csv_crate(&pages, total, io::sink())?;
    report(
        "csv crate (QuoteStyle::Always) -> io::sink",
        rows,
        bytes,
        time,
    );
    Ok(())
}

/// The benchmark's CSV row: our writer to a file, and the sample for Export-Csv.
fn bench_summary(
    summary: PathBuf,
    out_dir: &std::path::Path,
    pages: &[Vec<MobileDevice>],
    total: usize,
) -> Result<(), Box<dyn Error>> {
    let target = out_dir.join("devices-bench.csv");
    let file = AtomicCsvFile::create(&target, true, false)?;
    let ((rows, bytes, time), file) = export_to_keep(file, pages, total, &CsvOptions::default())?;
    let committing = Instant::now();
    file.commit()?;
    let seconds = (time + committing.elapsed()).as_secs_f64();
    std::fs::remove_file(&target)?;
    // The device properties only (the OData type annotations are not device properties).
    let sample: Vec<Value> = (0..DISTINCT_PAGES * PAGE)
        .map(|i| {
            let mut device = device_json(i);
            if let Some(object) = device.as_object_mut() {
                object.retain(|name, _| !name.contains('@'));
            }
            device
        })
        .collect();
    let mut sample_path = summary.clone().into_os_string();
    sample_path.push(".sample.json");
    std::fs::write(&sample_path, serde_json::to_vec(&sample)?)?;
    std::fs::write(
        &summary,
        json!({"rows": rows, "bytes": bytes, "seconds": seconds}).to_string(),
    )?;
    report("UTF-8 (BOM) -> file, committed", rows, bytes, time);
    Ok(())
}

fn measure_parsing(bodies: &[Vec<u8>]) -> Result<Vec<Vec<MobileDevice>>, Box<dyn Error>> {
    let rounds = 20;
    let bytes: usize = bodies.iter().map(Vec::len).sum::<usize>() * rounds;
    let started = Instant::now();
    let mut parsed = Vec::new();
    for round in 0..rounds {
        for body in bodies {
            let page = parse_page(body)?;
            if round == 0 {
                parsed.push(page.devices);
            }
        }
    }
    let elapsed = started.elapsed();
    let devices = (bodies.len() * PAGE * rounds) as f64;
    println!(
        "parse pages of {PAGE}: {:>10.0} devices/s   {:>7.1} MB/s of JSON",
        devices / elapsed.as_secs_f64(),
        bytes as f64 / 1e6 / elapsed.as_secs_f64()
    );
    Ok(parsed)
}

/// Rows, bytes and time of one run.
type Measured = (u64, u64, Duration);

fn export_to<W: Write>(
    writer: W,
    pages: &[Vec<MobileDevice>],
    total: usize,
    options: &CsvOptions,
) -> Result<Measured, Box<dyn Error>> {
    Ok(export_to_keep(writer, pages, total, options)?.0)
}

/// Writes `total` rows from `pages` (cycled); returns the measurement and the writer.
fn export_to_keep<W: Write>(
    writer: W,
    pages: &[Vec<MobileDevice>],
    total: usize,
    options: &CsvOptions,
) -> Result<(Measured, W), Box<dyn Error>> {
    let started = Instant::now();
    let mut exporter = CsvExporter::new(writer, options)?;
    let mut written = 0;
    for page in pages.iter().cycle() {
        if written >= total {
            break;
        }
        let take = page.len().min(total - written);
        exporter.write_page(&page[..take])?;
        written += take;
    }
    let finished = exporter.finish()?;
    let p = finished.progress;
    Ok((
        (p.devices_written, p.bytes_written, started.elapsed()),
        finished.writer,
    ))
}

/// The same rows through the `csv` crate, for comparison. It cannot write a null as an unquoted
/// empty field the way Export-Csv does, which is one reason the exporter has its own writer.
fn export_with_csv_crate<W: Write>(
    pages: &[Vec<MobileDevice>],
    total: usize,
    sink: W,
) -> Result<(u64, u64, Duration), Box<dyn Error>> {
    let dates = DateFormatter::general(&DateCulture::invariant())?;
    let counted = Counted {
        inner: sink,
        bytes: 0,
    };
    let started = Instant::now();
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .buffer_capacity(1 << 20)
        .from_writer(counted);
    let mut scratch = String::new();
    let mut written = 0;
    'pages: for page in pages.iter().cycle() {
        for device in page {
            if written >= total {
                break 'pages;
            }
            for value in device.properties() {
                scratch.clear();
                match value {
                    PropertyValue::Text(text) => scratch.push_str(text.unwrap_or("")),
                    PropertyValue::Flag(flag) => scratch.push_str(match flag {
                        Some(true) => "True",
                        Some(false) => "False",
                        None => "",
                    }),
                    PropertyValue::DateTime(Some(date)) => dates.format(date, &mut scratch),
                    PropertyValue::DateTime(None) => {}
                    PropertyValue::TextList(values) => scratch.push_str(&values.join(" ")),
                }
                writer.write_field(&scratch)?;
            }
            writer.write_field(device.user_display_name_new())?;
            writer.write_record(None::<&[u8]>)?;
            written += 1;
        }
    }
    let counted = writer.into_inner().map_err(|e| e.into_error())?;
    Ok((written as u64, counted.bytes, started.elapsed()))
}

struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn report(label: &str, rows: u64, bytes: u64, time: Duration) {
    let seconds = time.as_secs_f64();
    println!(
        "{label:<44}{rows} rows, {:>5.0} MB in {:>5.2} s: {:>9.0} rows/s {:>7.1} MB/s",
        bytes as f64 / 1e6,
        seconds,
        rows as f64 / seconds,
        bytes as f64 / 1e6 / seconds
    );
}

/// An InvokeCommand page shaped like the service's (annotations included).
fn page_json(first: usize) -> Vec<u8> {
    let devices: Vec<Value> = (first..first + PAGE).map(device_json).collect();
    let page = json!({
        "@odata.context": "https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/$metadata#Collection(Exchange.GenericHashTable)",
        "value": devices,
        "@odata.nextLink": "https://outlook.office365.com/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$skiptoken=abc",
    });
    serde_json::to_vec(&page).unwrap_or_default()
}

fn device_json(i: usize) -> Value {
    let names = [
        "山田 太郎",
        "佐藤 花子",
        "John Smith",
        "鈴木 一郎",
        "Maria Garcia",
    ];
    let display = format!("{} {i}", names[i % names.len()]);
    let id = format!(
        "{:032X}",
        (i as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C834)
    );
    let name = format!("Outlook§Outlook§{id}");
    let identity = format!("{display}\\ExchangeActiveSyncDevices\\{name}");
    let date = format!(
        "2025-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
        i % 12 + 1,
        i % 28 + 1,
        i % 24,
        i % 60,
        (i * 7) % 60,
        i % 10_000_000
    );
    json!({
        "FriendlyName": if i.is_multiple_of(50) { format!("=\"{display}\" iPhone") } else { format!("{display} の iPhone") },
        "DeviceId": id, "DeviceImei": null, "DeviceMobileOperator": "NTT DOCOMO",
        "DeviceOS": "iOS 17.4.1 21E236", "DeviceOSLanguage": "ja-JP", "DeviceTelephoneNumber": null,
        "DeviceType": "Outlook", "DeviceUserAgent": "Outlook-iOS/2.0", "DeviceModel": "Outlook for iOS and Android",
        "FirstSyncTime": date, "UserDisplayName": display, "DeviceAccessState": "Allowed",
        "DeviceAccessStateReason": "Global", "DeviceAccessControlRule": null, "ClientVersion": "1.0",
        "ClientType": "Outlook", "IsManaged": false, "IsCompliant": false, "IsDisabled": false,
        "AdminDisplayName": null, "ExchangeVersion": "0.20 (15.0.0.0)", "Name": name,
        "DistinguishedName": format!("CN={name},CN=ExchangeActiveSyncDevices,CN=user{i},OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=JPNPR01A001,DC=PROD,DC=OUTLOOK,DC=COM"),
        "Identity": identity, "Guid": format!("{:08x}-0000-4000-8000-{:012x}", i, i * 31),
        "Guid@data.type": "#Guid",
        "ObjectCategory": "JPNPR01A001.PROD.OUTLOOK.COM/Configuration/Schema/ms-Exch-Active-Sync-Device",
        "ObjectClass": ["top", "msExchActiveSyncDevice"], "ObjectClass@data.type": "#Collection(String)",
        "WhenChanged": date, "WhenCreated": date, "WhenChangedUTC": date, "WhenCreatedUTC": date,
        "ExchangeObjectId": format!("{:08x}-1111-4000-8000-{:012x}", i, i * 17),
        "OrganizationId": "JPNPR01A001.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com - JPNPR01A001.PROD.OUTLOOK.COM/ConfigurationUnits/contoso.onmicrosoft.com/Configuration",
        "Id": identity, "OriginatingServer": "TYCP286MB1234.JPNP286.PROD.OUTLOOK.COM", "IsValid": true,
        "ObjectState": "Unchanged",
    })
}
