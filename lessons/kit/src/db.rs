//! The lessons' database: SQLite in `library.db` in the lesson's folder, made
//! afresh by the first connection of each start, with authors and their books.
//!
//! Every statement waits [`ROUND_TRIP`] first, like a database across a
//! network: a query is cheap to write and costly to send. What reaches the
//! database is counted (connections opened, statements run), and the checks
//! read the counts at `GET /_kit/counters`, before and after a request.
//!
//! A database fails at times. `POST /_kit/db/fail-next` makes every
//! statement of the next request fail (SQLite's "interrupted"), as a dropped
//! connection or a restarted server would: the checks see what a handler
//! answers then, retries and all, and the request after it finds the database well.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pub use rusqlite::Connection;
use rusqlite::trace::{TraceEvent, TraceEventCodes};

/// The database file, in the lesson's folder (the server's working directory).
pub const PATH: &str = "library.db";

/// How long each statement waits before it runs.
pub const ROUND_TRIP: Duration = Duration::from_millis(50);

static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
static STATEMENTS: AtomicU64 = AtomicU64::new(0);
static SEEDED: Once = Once::new();
/// The next request's statements fail (see [`fail_next`]).
static ARMED: AtomicBool = AtomicBool::new(false);
/// A request whose statements fail is being answered.
static OUTAGE: AtomicBool = AtomicBool::new(false);
/// The statement running now fails, as its first rows are read.
static FAILING: AtomicBool = AtomicBool::new(false);

/// Opens a new connection: slow, like any real one (a handshake and a round
/// trip), so a server opens a few at startup and reuses them. What a pool's
/// manager calls ([`Manager`]); never once per request.
pub fn connect() -> rusqlite::Result<Connection> {
    let mut seeded = Ok(());
    SEEDED.call_once(|| seeded = seed());
    seeded?;
    std::thread::sleep(ROUND_TRIP);
    let conn = Connection::open(PATH)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(one_statement));
    // Called as a statement runs (not as it is prepared): `true` interrupts it.
    conn.progress_handler(1, Some(|| FAILING.swap(false, Ordering::Relaxed)))?;
    CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    Ok(conn)
}

fn one_statement(_statement: TraceEvent<'_>) {
    STATEMENTS.fetch_add(1, Ordering::Relaxed);
    if OUTAGE.load(Ordering::Relaxed) {
        FAILING.store(true, Ordering::Relaxed);
    }
    std::thread::sleep(ROUND_TRIP);
}

/// r2d2's manager of kit connections:
/// `r2d2::Pool::builder().max_size(4).build(kit::db::Manager)`.
#[derive(Debug, Clone, Copy)]
pub struct Manager;

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        connect()
    }

    fn is_valid(&self, _conn: &mut Connection) -> Result<(), rusqlite::Error> {
        Ok(())
    }

    fn has_broken(&self, _conn: &mut Connection) -> bool {
        false
    }
}

/// Makes every statement of the next request, on any connection, fail with
/// SQLite's "interrupted" when it starts to give rows, as a connection that
/// drops does (what `POST /_kit/db/fail-next` does).
pub fn fail_next() {
    ARMED.store(true, Ordering::Relaxed);
}

/// The kit's layer around every route: the request after [`fail_next`] is
/// answered while the database fails, and only that one.
pub(crate) async fn outage(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let failing = !request.uri().path().starts_with("/_kit/") && ARMED.swap(false, Ordering::Relaxed);
    if failing {
        OUTAGE.store(true, Ordering::Relaxed);
    }
    let response = next.run(request).await;
    if failing {
        OUTAGE.store(false, Ordering::Relaxed);
        FAILING.store(false, Ordering::Relaxed);
    }
    response
}

/// The counts since the start.
pub fn counts() -> (u64, u64) {
    (CONNECTIONS.load(Ordering::Relaxed), STATEMENTS.load(Ordering::Relaxed))
}

/// A new database: five authors (ids 1 to 5), each with books; not counted.
fn seed() -> rusqlite::Result<()> {
    let conn = Connection::open(PATH)?;
    conn.execute_batch(
        "DROP TABLE IF EXISTS books;
         DROP TABLE IF EXISTS authors;
         CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE books (
             id INTEGER PRIMARY KEY,
             author_id INTEGER NOT NULL REFERENCES authors(id),
             title TEXT NOT NULL,
             year INTEGER NOT NULL
         );
         INSERT INTO authors (id, name) VALUES
             (1, 'Ursula K. Le Guin'), (2, 'Octavia E. Butler'), (3, 'Stanisław Lem'),
             (4, 'Iain M. Banks'), (5, 'N. K. Jemisin');
         INSERT INTO books (author_id, title, year) VALUES
             (1, 'A Wizard of Earthsea', 1968), (1, 'The Left Hand of Darkness', 1969),
             (1, 'The Dispossessed', 1974),
             (2, 'Kindred', 1979), (2, 'Parable of the Sower', 1993),
             (3, 'Solaris', 1961), (3, 'The Cyberiad', 1965),
             (4, 'Consider Phlebas', 1987), (4, 'The Player of Games', 1988),
             (5, 'The Fifth Season', 2015);",
    )
}

