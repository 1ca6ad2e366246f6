//! Typed configuration: `config.toml` (every key optional), then secrets from the environment,
//! then cross-field validation. Loaded once in `main` and passed down as `Arc<Config>`; no module
//! reads the environment on its own.

use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use chrono_tz::Tz;
use serde::Deserialize;

/// What went wrong loading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// `line N, key [table] name` for the TOML byte offset `at`: the line, and the key written on
/// it (with the table it is in), so an error names what to fix and where.
fn where_in(text: &str, at: usize) -> String {
    let at = at.min(text.len());
    let before = text.get(..at).unwrap_or("");
    let line_no = before.matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    let table = before.lines().rev().find_map(|l| {
        let l = l.trim();
        (l.starts_with('[') && l.ends_with(']')).then(|| l.trim_matches(['[', ']']).trim())
    });
    match line.split_once('=') {
        Some((key, _)) if !line.trim_start().starts_with('[') => {
            let key = key.trim();
            match table {
                Some(t) => format!("line {line_no}, key {t}.{key}"),
                None => format!("line {line_no}, key {key}"),
            }
        }
        _ => format!("line {line_no}"),
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub ingest: IngestConfig,
    pub feeds: FeedsConfig,
    pub render: RenderConfig,
    pub mail: MailConfig,
    /// Secrets, from the environment only (never from the file).
    #[serde(skip)]
    pub secrets: Secrets,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub bind: String,
    /// Absolute base for links in feeds and mail, without a trailing slash.
    pub base_url: String,
    /// Most bytes of rendered documents kept in memory (all encodings counted); the least
    /// recently used are evicted beyond it, and a larger document is served without being kept.
    pub cache_bytes: u64,
    /// Seconds a client has to send a request's line and headers, from connecting or from the
    /// previous answer; slower (or idle) connections are closed.
    pub header_timeout_secs: u64,
    /// Most connections served at once; more wait in the kernel's queue for a free slot.
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            base_url: "http://127.0.0.1:8080".into(),
            cache_bytes: 64 * 1024 * 1024,
            header_timeout_secs: 10,
            max_connections: 512,
        }
    }
}

/// `[storage]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// `sqlite://path` or `postgres://…`; `DATABASE_URL` overrides.
    pub url: String,
    /// Seconds PostgreSQL may take to accept a connection, at start and whenever a request
    /// needs one (a refused connection fails after about a second whatever this says).
    pub connect_timeout_secs: u64,
    /// Seconds an SQLite write may wait for another writer (a request of this process or
    /// another process on the same file) before it fails with an error naming the file.
    pub busy_timeout_secs: u64,
    /// Seconds a request of `serve` (and a batch of `ingest`) waits on the database before it
    /// gives up: `serve` then answers from its cache (stale) or 503, `ingest` stops and names
    /// the pages not stored.
    pub query_timeout_secs: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://data/paperboy.db".into(),
            connect_timeout_secs: 5,
            busy_timeout_secs: 10,
            query_timeout_secs: 5,
        }
    }
}

impl StorageConfig {
    /// `connect_timeout_secs` as a duration.
    pub fn connect_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.connect_timeout_secs)
    }

    /// `query_timeout_secs` as a duration.
    pub fn query_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.query_timeout_secs)
    }

    /// `busy_timeout_secs` as a duration.
    pub fn busy_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.busy_timeout_secs)
    }
}

/// `[ingest]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Directory ingested by `serve` at start and watched.
    pub inbox: PathBuf,
    /// Time zone of publication days and of `[mail] send_at`.
    pub timezone: Tz,
    /// Seconds between inbox scans while serving (0 turns watching off).
    pub watch_interval_secs: u64,
    /// How scanned PDF pages are read: `"off"` (they fail, naming the file) or `"tesseract"`
    /// (the `tesseract` binary with `chi_sim`, which must be installed).
    pub ocr: crate::extract::Ocr,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            inbox: PathBuf::from("seeds"),
            timezone: chrono_tz::Asia::Shanghai,
            watch_interval_secs: 30,
            ocr: crate::extract::Ocr::Off,
        }
    }
}

/// `[feeds]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedsConfig {
    /// Entries per feed document (older ones are on archive pages).
    pub entries: usize,
    /// `Cache-Control: max-age` for feeds, in seconds.
    pub max_age_secs: u32,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        Self {
            entries: 30,
            max_age_secs: 300,
        }
    }
}

/// `[render]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RenderConfig {
    /// Directory whose template files override the compiled-in defaults (missing is fine).
    pub templates: PathBuf,
    /// Site title shown on pages and feeds.
    pub site_title: String,
}

impl Default for RenderConfig {
    fn default() -> Self {
        Self {
            templates: PathBuf::from("templates"),
            site_title: "paperboy".into(),
        }
    }
}

/// How digests leave the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    /// Write `.eml` files into `outbox`.
    #[default]
    File,
    Smtp,
    Sendmail,
}

/// `[mail]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    pub enabled: bool,
    pub transport: MailTransportKind,
    /// `smtp://host:port` (plain, localhost), `smtp://host:port?tls=required` (STARTTLS), `smtps://` (implicit TLS).
    pub smtp_url: String,
    pub smtp_user: Option<String>,
    pub hello_name: Option<String>,
    /// Connections kept open to the SMTP server.
    pub pool_size: u32,
    pub from: String,
    /// Local time (of `[ingest] timezone`) at which `serve` sends the day's digests (`HH:MM`).
    #[serde(deserialize_with = "de_time")]
    pub send_at: NaiveTime,
    pub outbox: PathBuf,
    pub sendmail_command: Option<PathBuf>,
    /// DKIM signing (optional): PEM private key file, selector and domain.
    pub dkim_key_file: Option<PathBuf>,
    pub dkim_selector: Option<String>,
    pub dkim_domain: Option<String>,
    /// Address shown in the `mailto:` form of List-Unsubscribe.
    pub unsubscribe_mailto: Option<String>,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            transport: MailTransportKind::File,
            smtp_url: "smtp://127.0.0.1:2525".into(),
            smtp_user: None,
            hello_name: None,
            pool_size: 4,
            from: "paperboy <digest@example.org>".into(),
            send_at: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
            outbox: PathBuf::from("data/outbox"),
            sendmail_command: None,
            dkim_key_file: None,
            dkim_selector: None,
            dkim_domain: None,
            unsubscribe_mailto: None,
        }
    }
}

/// Accepts `07:00` as well as `07:00:00`.
fn de_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let s = String::deserialize(d)?;
    NaiveTime::parse_from_str(&s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&s, "%H:%M:%S"))
        .map_err(|_| serde::de::Error::custom(format!("expected a time like 07:00, got {s:?}")))
}

/// Secrets taken from the environment.
#[derive(Clone, Default)]
pub struct Secrets {
    /// `PAPERBOY_SECRET`: signs subscription tokens.
    pub secret: Option<String>,
    /// `PAPERBOY_SMTP_PASSWORD`
    pub smtp_password: Option<String>,
    /// `PAPERBOY_API_TOKEN`: bearer token of the ingest API (the API is off without it).
    pub api_token: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<set>" } else { "<unset>" };
        f.debug_struct("Secrets")
            .field("secret", &set(&self.secret))
            .field("smtp_password", &set(&self.smtp_password))
            .field("api_token", &set(&self.api_token))
            .finish()
    }
}

impl Config {
    /// Parses TOML text; unknown keys are an error naming the key.
    pub fn from_toml(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: match e.span() {
                Some(span) => format!("{}: {}", where_in(text, span.start), e.message()),
                None => e.message().to_string(),
            },
        })
    }

    /// Loads `path`; when `explicit` is false a missing file means built-in defaults.
    pub fn load(path: &Path, explicit: bool) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_toml(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(Self::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Applies environment overrides: `DATABASE_URL` and the secrets. `get` is `std::env::var` in `main`.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        if let Some(url) = get("DATABASE_URL").filter(|s| !s.is_empty()) {
            self.storage.url = url;
        }
        self.secrets = Secrets {
            secret: get("PAPERBOY_SECRET").filter(|s| !s.is_empty()),
            smtp_password: get("PAPERBOY_SMTP_PASSWORD").filter(|s| !s.is_empty()),
            api_token: get("PAPERBOY_API_TOKEN").filter(|s| !s.is_empty()),
        };
    }

    /// Cross-field checks.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = &self.storage.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(format!(
                "[storage] url must start with sqlite: or postgres://, got {url:?}"
            )));
        }
        if self.server.header_timeout_secs == 0 || self.server.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "[server] header_timeout_secs and max_connections must be at least 1".into(),
            ));
        }
        if self.storage.connect_timeout_secs == 0
            || self.storage.busy_timeout_secs == 0
            || self.storage.query_timeout_secs == 0
        {
            return Err(ConfigError::Invalid(
                "[storage] connect_timeout_secs, busy_timeout_secs and query_timeout_secs must be at least 1".into(),
            ));
        }
        if !(self.server.base_url.starts_with("http://")
            || self.server.base_url.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(format!(
                "[server] base_url must be an absolute http(s) URL, got {:?}",
                self.server.base_url
            )));
        }
        if self.feeds.entries == 0 {
            return Err(ConfigError::Invalid(
                "[feeds] entries must be at least 1".into(),
            ));
        }
        if self.mail.enabled && self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "[mail] from is not a valid mailbox: {:?}",
                self.mail.from
            )));
        }
        if self.mail.enabled && self.mail.transport == MailTransportKind::Smtp {
            let u = &self.mail.smtp_url;
            if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
                return Err(ConfigError::Invalid(format!(
                    "[mail] smtp_url must start with smtp:// or smtps://, got {u:?}"
                )));
            }
        }
        Ok(())
    }

    /// The base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.server.base_url.trim_end_matches('/')
    }

    /// A configuration for tests: an SQLite database at `db`, everything else default.
    pub fn for_test(db: &Path) -> Self {
        let mut c = Self::default();
        c.storage.url = format!("sqlite://{}", db.display());
        c.secrets.secret = Some("test-secret".into());
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = Config::from_toml("", Path::new("c.toml")).unwrap();
        let shipped = Config::from_toml(include_str!("../config.toml"), Path::new("config.toml"));
        let shipped = shipped.unwrap();
        assert_eq!(
            shipped.mail.send_at,
            NaiveTime::from_hms_opt(7, 0, 0).unwrap()
        );
        assert_eq!(shipped.server.cache_bytes, c.server.cache_bytes);
        assert_eq!(shipped.server.header_timeout_secs, 10);
        assert_eq!(shipped.server.max_connections, 512);
        assert_eq!(
            shipped.storage.connect_timeout_secs,
            c.storage.connect_timeout_secs
        );
        assert_eq!(
            shipped.storage.busy_timeout_secs,
            c.storage.busy_timeout_secs
        );
        assert_eq!(
            shipped.storage.query_timeout_secs,
            c.storage.query_timeout_secs
        );
        assert_eq!(c.server.bind, "127.0.0.1:8080");
        assert_eq!(c.server.cache_bytes, 64 * 1024 * 1024);
        assert_eq!(c.storage.url, "sqlite://data/paperboy.db");
        assert_eq!(
            c.storage.connect_timeout(),
            std::time::Duration::from_secs(5)
        );
        assert_eq!(c.storage.busy_timeout(), std::time::Duration::from_secs(10));
        assert_eq!(c.ingest.timezone, chrono_tz::Asia::Shanghai);
        assert_eq!(c.mail.send_at, NaiveTime::from_hms_opt(7, 0, 0).unwrap());
        c.validate().unwrap();
    }

    #[test]
    fn unknown_key_is_named_in_the_error() {
        let err = Config::from_toml("[server]\nbindd = \"x\"\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("bindd"), "{err}");
    }

    #[test]
    fn database_url_overrides_and_secrets_come_from_env() {
        let mut c = Config::default();
        c.apply_env(|k| match k {
            "DATABASE_URL" => Some("postgres://postgres@127.0.0.1/test".into()),
            "PAPERBOY_API_TOKEN" => Some("tok".into()),
            _ => None,
        });
        assert_eq!(c.storage.url, "postgres://postgres@127.0.0.1/test");
        assert_eq!(c.secrets.api_token.as_deref(), Some("tok"));
        assert!(c.secrets.secret.is_none());
    }

    #[test]
    fn missing_default_file_is_fine_but_missing_named_file_is_not() {
        let p = Path::new("/nonexistent/paperboy.toml");
        assert!(Config::load(p, false).is_ok());
        assert!(matches!(
            Config::load(p, true),
            Err(ConfigError::Read { .. })
        ));
    }
}
