//! Versioned schema migrations (compiled in from `migrations/{sqlite,postgres}`) and the refusal
//! of a database that a newer paperboy has already migrated past what this binary knows.
//!
//! Also the PostgreSQL schema helpers that tests and benchmarks use to get a private namespace.
//! Migration files are embedded at compile time: a new file is picked up on the next rebuild of
//! the crate (touch any source file if nothing else changed).

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{PgPool, SqlitePool};

use super::StoreError;

static SQLITE: Migrator = sqlx::migrate!("src/store/migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("src/store/migrations/postgres");

/// The newest migration version this binary carries.
fn supported(m: &Migrator) -> i64 {
    m.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Refuses a database whose newest applied migration is unknown to this binary, so that an
/// older paperboy never writes into a schema it does not understand.
fn refuse_newer(m: &Migrator, applied: Option<i64>) -> Result<(), StoreError> {
    let supported = supported(m);
    match applied {
        Some(found) if found > supported => Err(StoreError::SchemaTooNew { found, supported }),
        _ => Ok(()),
    }
}

/// Turns sqlx's "applied migration not known" into the clear refusal.
fn map_err(m: &Migrator, e: MigrateError) -> StoreError {
    match e {
        MigrateError::VersionMissing(found) => StoreError::SchemaTooNew {
            found,
            supported: supported(m),
        },
        other => StoreError::Migrate(other),
    }
}

/// Checks the version, then applies pending SQLite migrations. SQLite has no migration lock:
/// when two processes open a fresh file at once, the loser's attempt fails on tables the winner
/// just created, so it looks again (finding them applied) before giving up. A locked database
/// is the caller's to retry (`sqlite::open`), which bounds the time spent waiting.
pub(super) async fn sqlite(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        match sqlite_once(pool).await {
            Err(e @ (StoreError::Migrate(_) | StoreError::Db(_)))
                if attempt < 3 && !super::sqlite::store_locked(&e) =>
            {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
            }
            other => return other,
        }
    }
}

async fn sqlite_once(pool: &SqlitePool) -> Result<(), StoreError> {
    let table: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(pool)
    .await?;
    if table.is_some() {
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await?;
        refuse_newer(&SQLITE, applied)?;
    }
    SQLITE.run(pool).await.map_err(|e| map_err(&SQLITE, e))
}

/// Checks the version, then applies pending PostgreSQL migrations (in the connection's
/// `search_path` schema; sqlx takes an advisory lock so concurrent starters migrate once).
pub(super) async fn postgres(pool: &PgPool) -> Result<(), StoreError> {
    let table: Option<String> = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations')::text")
        .fetch_one(pool)
        .await?;
    if table.is_some() {
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await?;
        refuse_newer(&POSTGRES, applied)?;
    }
    POSTGRES.run(pool).await.map_err(|e| map_err(&POSTGRES, e))
}

/// Checks that `schema` is a plain lowercase identifier (it is spliced into DDL).
pub(super) fn check_schema_name(schema: &str) -> Result<(), StoreError> {
    let ok = !schema.is_empty()
        && schema.len() <= 63
        && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadUrl(format!(
            "schema name {schema:?} (expected lowercase letters, digits and _)"
        )))
    }
}

/// Creates a PostgreSQL schema if it does not exist (for tests, benchmarks and operators who
/// keep paperboy in its own namespace).
pub async fn create_postgres_schema(url: &str, schema: &str) -> Result<(), StoreError> {
    check_schema_name(schema)?;
    execute_once(url, &format!("CREATE SCHEMA IF NOT EXISTS {schema}")).await
}

/// Drops a PostgreSQL schema and everything in it (test and benchmark clean-up).
pub async fn drop_postgres_schema(url: &str, schema: &str) -> Result<(), StoreError> {
    check_schema_name(schema)?;
    execute_once(url, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await
}

/// Runs one statement on a short-lived single connection.
async fn execute_once(url: &str, sql: &str) -> Result<(), StoreError> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(super::DEFAULT_CONNECT_TIMEOUT)
        .connect(url)
        .await?;
    sqlx::query(sql).execute(&pool).await?;
    pool.close().await;
    Ok(())
}

impl super::Store {
    /// Refreshes the query planner's statistics, as after a bulk load (PostgreSQL's
    /// autovacuum does it on its own a while later): `ANALYZE` on PostgreSQL, `PRAGMA
    /// optimize` on SQLite.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        match self {
            super::Store::Sqlite(pool) => {
                sqlx::query("PRAGMA optimize").execute(pool).await?;
            }
            super::Store::Postgres(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }
}
