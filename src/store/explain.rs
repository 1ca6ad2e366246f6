//! What the database does for a read, and how much room the store takes: for the scale
//! benchmark and operators checking that every read of the request path walks an index.
//!
//! `Store::explain` runs the statement of a [`Read`] (the very SQL and arguments the read uses,
//! see `read::statement`) under `EXPLAIN QUERY PLAN` on SQLite and `EXPLAIN (ANALYZE, COSTS
//! OFF)` on PostgreSQL (which runs it, so the plan carries the rows each step really saw).

use super::read::{bind_args, on_pool, statement, Arg, Read};
use super::{Store, StoreError};

impl Store {
    /// The query plan of `read`, one line per step, nested steps indented.
    pub async fn explain(&self, read: &Read) -> Result<Vec<String>, StoreError> {
        let (sql, args) = statement(read)?;
        match self {
            Store::Sqlite(pool) => {
                let sql = format!("EXPLAIN QUERY PLAN {sql}");
                // (id, parent, unused, detail): a step's parent is an earlier step's id.
                let rows: Vec<(i64, i64, i64, String)> = bind_args!(sqlx::query_as(&sql), &args)
                    .fetch_all(pool)
                    .await
                    .map_err(|e| super::sqlite::name_busy(pool, e.into()))?;
                let mut depth: Vec<(i64, usize)> = Vec::new();
                Ok(rows
                    .into_iter()
                    .map(|(id, parent, _, detail)| {
                        let level = depth
                            .iter()
                            .find(|(i, _)| *i == parent)
                            .map_or(0, |(_, d)| d + 1);
                        depth.push((id, level));
                        format!("{}{detail}", "  ".repeat(level))
                    })
                    .collect())
            }
            Store::Postgres(pool) => {
                let sql = format!("EXPLAIN (ANALYZE, COSTS OFF) {sql}");
                let rows: Vec<(String,)> = bind_args!(sqlx::query_as(&sql), &args)
                    .fetch_all(pool)
                    .await?;
                Ok(rows.into_iter().map(|(line,)| line).collect())
            }
        }
    }

    /// Bytes the store takes on disk per table and index (SQLite: pages of the main file as
    /// `dbstat` counts them; PostgreSQL: each relation of the current schema, a table with its
    /// TOAST), largest first.
    pub async fn sizes(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = match self {
            Store::Sqlite(_) => {
                "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC"
            }
            Store::Postgres(_) => {
                "SELECT c.relname::text, CASE c.relkind WHEN 'r' THEN pg_table_size(c.oid) \
                                                        ELSE pg_relation_size(c.oid) END AS bytes \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') \
                 ORDER BY bytes DESC"
            }
        };
        let rows: Vec<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(sql).fetch_all(pool).await?
        });
        Ok(rows)
    }
}
