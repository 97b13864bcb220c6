//! Errors from starting the emulator (request-level failures are HTTP responses, not Rust errors).

/// Why [`crate::Emulator::start`] failed.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("could not bind 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("could not generate the test certificates: {0}")]
    Certificates(String),
    #[error("could not build the TLS configuration: {0}")]
    Tls(String),
    #[error("an embedded test key is unusable: {0}")]
    Key(String),
    #[error("invalid options: {0}")]
    InvalidOptions(String),
}
