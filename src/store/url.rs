//! The store URL: which backend it names, and a redacted form for logs and errors.
//!
//! `store.url` may carry a password (`postgres://user:password@host/db`, or `?password=` in the
//! query). Only [`StoreUrl::redacted`] is ever printed; the raw text is used once, to build the
//! connection options.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The database behind a store URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (`sqlite://FILE`).
    Sqlite,
    /// A PostgreSQL server (`postgres://…` or `postgresql://…`).
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A store URL: the secret text and its redacted form. `Debug` and `Display` show the redacted
/// form only.
#[derive(Clone)]
pub struct StoreUrl {
    raw: SecretString,
    redacted: String,
    backend: Backend,
}

impl StoreUrl {
    /// Parses the scheme; `None` when it is neither SQLite nor PostgreSQL.
    pub fn new(raw: &SecretString) -> Option<StoreUrl> {
        let text = raw.expose_secret();
        let backend = if text.starts_with("sqlite:") {
            Backend::Sqlite
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return None;
        };
        Some(StoreUrl {
            raw: raw.clone(),
            redacted: redact(text),
            backend,
        })
    }

    /// Which database.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// The raw URL, for building connection options only.
    pub(crate) fn expose(&self) -> &str {
        self.raw.expose_secret()
    }

    /// `message` with every occurrence of the password replaced by `***`, for errors that come
    /// from the database driver.
    pub(crate) fn scrub(&self, message: &str) -> String {
        match password(self.raw.expose_secret()) {
            Some(pw) if !pw.is_empty() => message.replace(pw, "***"),
            _ => message.to_owned(),
        }
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({:?})", self.redacted)
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

/// The password in the URL's user info or its `password=` query parameter, if any.
fn password(url: &str) -> Option<&str> {
    if let Some((start, end)) = userinfo_password(url) {
        return Some(&url[start..end]);
    }
    query_password(url).map(|(start, end)| &url[start..end])
}

/// Byte range of the password in `scheme://user:password@host…`.
fn userinfo_password(url: &str) -> Option<(usize, usize)> {
    let authority_start = url.find("://")? + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    Some((authority_start + colon + 1, authority_start + at))
}

/// Byte range of the value of a `password=` query parameter.
fn query_password(url: &str) -> Option<(usize, usize)> {
    let query_start = url.find('?')? + 1;
    let mut offset = query_start;
    for pair in url[query_start..].split('&') {
        if let Some(value) = pair.strip_prefix("password=") {
            let start = offset + "password=".len();
            return Some((start, start + value.len()));
        }
        offset += pair.len() + 1;
    }
    None
}

/// `url` with the password (user info and `password=` parameter) replaced by `***`.
pub fn redact(url: &str) -> String {
    let mut out = url.to_owned();
    // Query first: its range lies after the user info's, so the earlier range stays valid.
    if let Some((start, end)) = query_password(&out) {
        out.replace_range(start..end, "***");
    }
    if let Some((start, end)) = userinfo_password(&out) {
        out.replace_range(start..end, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_in_user_info_and_query() {
        assert_eq!(
            redact("postgres://bot:s3cr@t:x@db.example:5432/dealbot"),
            "postgres://bot:***@db.example:5432/dealbot"
        );
        assert_eq!(
            redact("postgres://bot@db/dealbot?sslmode=require&password=hunter2"),
            "postgres://bot@db/dealbot?sslmode=require&password=***"
        );
        assert_eq!(
            redact("postgresql://u:p@h/d?password=q"),
            "postgresql://u:***@h/d?password=***"
        );
        assert_eq!(redact("sqlite://dealbot.db"), "sqlite://dealbot.db");
        assert_eq!(redact("postgres://bot@db/x"), "postgres://bot@db/x");
    }

    #[test]
    fn debug_display_and_scrub_hide_the_password() {
        let url =
            StoreUrl::new(&SecretString::from("postgres://bot:hunter2@127.0.0.1:1/x")).unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        for shown in [
            format!("{url}"),
            format!("{url:?}"),
            url.scrub("auth failed for hunter2"),
        ] {
            assert!(!shown.contains("hunter2"), "{shown}");
        }
    }

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(StoreUrl::new(&SecretString::from("mysql://x")).is_none());
        assert!(StoreUrl::new(&SecretString::from("dealbot.db")).is_none());
        let sqlite = StoreUrl::new(&SecretString::from("sqlite://dealbot.db")).unwrap();
        assert_eq!(sqlite.backend(), Backend::Sqlite);
    }
}
