//! `tenant-emulator`: run the emulated Microsoft 365 tenant as a process (for the demo,
//! PowerShell tests and benchmarks).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use serde_json::json;
use tenant_emulator::{Emulator, EmulatorOptions, TenantOptions};

const LONG_ABOUT: &str = "\
Runs a local Microsoft 365 tenant on 127.0.0.1: Entra ID token endpoints (client secret, \
certificate assertion, device code, refresh tokens), an Azure Automation-style managed identity \
endpoint, Exchange Online admin REST (InvokeCommand: Get/Set-OrganizationConfig, Get-MobileDevice, \
Get-Mailbox) and Microsoft Graph (users, revokeSignInSessions, $batch, groups, Conditional Access \
policies, beta/v1.0 auditLogs/signIns). It validates requests the way the services do and answers \
with their error shapes. Nothing leaves the machine.

Once listening it prints ONE JSON line on stdout:
  {\"baseUrl\":\"https://127.0.0.1:PORT\",\"caCertificatePath\":\"/tmp/…/ca.pem\",\"credentials\":{…}}
(the same JSON goes to --ready-file). The credentials hold the tenant id and domain, a client-secret \
app, a certificate app (PEM + PKCS#8 key + PFX with password), an app whose certificate expired, an \
app without roles, the managed identity endpoint and header, a public client id for device code, \
the admin UPN that can approve device codes, the control key, an Exchange-only app (no Policy.*, \
AuditLog.*, Group.*), a policy reader app (no Policy.ReadWrite.ConditionalAccess) and a revoke-only \
app (Graph User.RevokeSessions.All alone: it cannot read users).

Point clients at baseUrl for every host: login (`{baseUrl}/{tenant}/oauth2/v2.0/token`), Exchange \
(`{baseUrl}/adminapi/beta/{tenant}/InvokeCommand`), Graph (`{baseUrl}/v1.0/…`), managed identity \
(`{baseUrl}/msi/token`). Token audiences stay the real resource URIs (scope \
`https://outlook.office365.com/.default`, `https://graph.microsoft.com/.default`). Trust the CA in \
caCertificatePath (or use --http).

Control API (header X-Emulator-Control-Key: <credentials.controlKey>):
  GET  /_emulator/credentials | /_emulator/journal | /_emulator/seeded-devices[?model=…]
  POST /_emulator/faults            body: {\"seed\":1,\"rules\":[{\"endpoint\":\"GraphRevoke\",
                                     \"fault\":{\"Throttle\":{\"retryAfter\":\"2\"}},\"rate\":0.2}]}
  POST /_emulator/expire-tokens | /_emulator/reset-journal
  POST /_emulator/device-codes/{userCode}/approve  body: {\"userPrincipalName\":\"admin@…\"}
  POST /_emulator/device-codes/{userCode}/deny | …/expire
  POST /_emulator/sign-in/next-outcome  body: {\"outcome\":\"ConsentRequired\"|\"ConditionalAccessBlocked\"|null}
  POST /_emulator/authorization-codes/expire   (sign-in page: {baseUrl}/{tenant}/oauth2/v2.0/authorize,
                                     users sign in with credentials.userPassword)
  GET  /_emulator/settings          POST /_emulator/settings  body (any subset): {\"premium\":true,
                                     \"refuseTransferMethodFilter\":false,\"signInRatePerSecond\":5,\"caPageSize\":20}
  GET  /_emulator/conditional-access/policies | /_emulator/signins | /_emulator/groups
  POST /_emulator/conditional-access/policies  body: a policy, stored without validation
  POST /_emulator/conditional-access/reset     back to the seeded policies
Fault kinds: Throttle{retryAfter}, ServerError{status,retryAfter}, ResetMidBody, TruncatedJson, \
Latency (ms), HtmlErrorPage{status}, ExpiredToken; endpoints: Token, ManagedIdentity, \
ExchangeInvokeCommand, GraphRevoke, GraphBatch, GraphUsers, GraphSignIns, GraphConditionalAccess, \
Any; `rate` (0..1, seeded), `everyNth` (every n-th request of the class) or `everySeconds` (the \
first request of each window of that many seconds, e.g. {\"fault\":\"ExpiredToken\",\"everySeconds\":30}); \
`times` caps how often a rule fires ({\"everyNth\":2,\"times\":1}: only the 2nd request).

It stops on Ctrl+C, SIGTERM, or when stdin closes (so a parent that dies takes it down; pass \
--ignore-stdin when starting it in the background with stdin at /dev/null).

Several tenants: --tenants 5 (or --tenants-file mix.json) serves contoso, fabrikam, northwind, \
adatum, tailspin… from one process; the ready JSON's \"tenants\" array holds each tenant's \
credentials (its own apps, managed identity header and control key). A request reaches the tenant \
its URL names (token and Exchange paths) or its token's tid names (Graph); the control API and the \
managed identity endpoint pick the tenant by their key/header.

Standalone:  tenant-emulator --users 50 --devices 120 --port 8443
The demo:    starts it with --ready-file, reads baseUrl/credentials from that file, trusts the CA, \
and points the module's connect cmdlet at baseUrl.";

#[derive(Debug, Parser)]
#[command(name = "tenant-emulator", version, about = "A local Microsoft 365 tenant for OutlookQrGuard tests, benchmarks and the demo", long_about = LONG_ABOUT)]
struct Args {
    /// Number of users (each with a mailbox; user 0 is the admin).
    #[arg(long, default_value_t = 200)]
    users: usize,
    /// Number of mobile device partnerships (~70% Outlook for iOS and Android).
    #[arg(long, default_value_t = 400)]
    devices: usize,
    /// Seed for users, devices and ids (same seed, same tenant).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Port on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    http: bool,
    /// Delay added before every list page (Exchange and Graph), in milliseconds.
    #[arg(long, default_value_t = 0)]
    page_latency_ms: u64,
    /// Server-side cap on items per InvokeCommand page.
    #[arg(long, default_value_t = 1000)]
    page_size: usize,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 3599)]
    token_lifetime_secs: u64,
    /// Tenant without Entra ID P1 (Conditional Access and sign-in logs answer 403).
    #[arg(long)]
    no_premium: bool,
    /// Refuse `originalTransferMethod` in sign-in log $filter (400 Request_UnsupportedQuery).
    #[arg(long)]
    refuse_transfer_method_filter: bool,
    /// Sign-in log requests per second per client app (token bucket; 0 = unlimited).
    #[arg(long, default_value_t = 5.0)]
    signin_rate: f64,
    /// Server-side page size of Conditional Access policy lists (1..999).
    #[arg(long, default_value_t = 20)]
    ca_page_size: usize,
    /// Device code polling interval announced to clients, in seconds.
    #[arg(long, default_value_t = 5)]
    device_code_interval_secs: u64,
    /// Serve this many tenants (contoso, fabrikam, northwind, …; tenant i has seed --seed + i),
    /// each with its own credentials and state. The ready JSON lists them under "tenants".
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    tenants: u16,
    /// JSON array of per-tenant options (overrides --tenants): [{"seed":7,"premium":true,
    /// "promptEnabled":false,"transferBlock":"None|ReportOnly|Enforced","appsRemoved":false}, …]
    #[arg(long)]
    tenants_file: Option<PathBuf>,
    /// Also write the ready JSON to this file.
    #[arg(long)]
    ready_file: Option<PathBuf>,
    /// Keep running when stdin closes.
    #[arg(long)]
    ignore_stdin: bool,
}

async fn wait_for_stop(watch_stdin: bool) {
    let stdin_closed = async {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let mut buf = [0u8; 256];
        let mut stdin = tokio::io::stdin();
        loop {
            match tokio::io::AsyncReadExt::read(&mut stdin, &mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
        _ = stdin_closed => {}
    }
}

/// `--tenants-file` wins over `--tenants`; one tenant gives an empty list (the single-tenant path).
fn tenant_options(args: &Args) -> Result<Vec<TenantOptions>, String> {
    if let Some(path) = &args.tenants_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let list: Vec<TenantOptions> = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a list of tenant options: {e}", path.display()))?;
        if list.is_empty() || list.len() > 64 {
            return Err(format!("{} must list 1 to 64 tenants", path.display()));
        }
        return Ok(list);
    }
    Ok(match args.tenants {
        1 => Vec::new(),
        n => (0..n).map(|_| TenantOptions::default()).collect(),
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let tenants = match tenant_options(&args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tenant-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = EmulatorOptions {
        tenants,
        tls: !args.http,
        seed: args.seed,
        users: args.users,
        devices: args.devices,
        exo_page_size: args.page_size,
        page_latency: Duration::from_millis(args.page_latency_ms),
        token_lifetime: Duration::from_secs(args.token_lifetime_secs),
        premium: !args.no_premium,
        refuse_transfer_method_filter: args.refuse_transfer_method_filter,
        signin_rate_per_second: args.signin_rate,
        ca_page_size: args.ca_page_size,
        port: args.port,
        device_code_interval: Duration::from_secs(args.device_code_interval_secs),
        ..EmulatorOptions::default()
    };
    let emulator = match Emulator::start(options).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("tenant-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Kept alive until exit; removed with the CA file when the process ends normally.
    let temp_dir = match tempfile::Builder::new()
        .prefix("tenant-emulator-")
        .tempdir()
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("tenant-emulator: cannot create a temporary directory: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ca_path = if args.http {
        None
    } else {
        let path = temp_dir.path().join("tenant-emulator-ca.pem");
        if let Err(e) = std::fs::write(&path, emulator.ca_certificate_pem()) {
            eprintln!("tenant-emulator: cannot write the CA certificate: {e}");
            return ExitCode::FAILURE;
        }
        Some(path.display().to_string())
    };
    let ready = json!({
        "baseUrl": emulator.base_url(),
        "caCertificatePath": ca_path,
        "credentials": emulator.credentials(),
        "tenants": (0..emulator.tenant_count())
            .filter_map(|i| emulator.tenant_credentials(i))
            .collect::<Vec<_>>(),
    });
    let line = ready.to_string();
    if let Some(file) = &args.ready_file
        && let Err(e) = std::fs::write(file, &line)
    {
        eprintln!("tenant-emulator: cannot write {}: {e}", file.display());
        return ExitCode::FAILURE;
    }
    {
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            return ExitCode::FAILURE;
        }
    }
    eprintln!(
        "tenant-emulator: listening on {} (Ctrl+C to stop)",
        emulator.base_url()
    );
    wait_for_stop(!args.ignore_stdin).await;
    emulator.shutdown().await;
    drop(temp_dir);
    ExitCode::SUCCESS
}
