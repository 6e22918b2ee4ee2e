package store

import (
	"database/sql"

	"github.com/mattn/go-sqlite3"
)

// sqliteWriter is go-sqlite3 with the settings of the write connection that
// its DSN cannot carry, run on each new connection.
const sqliteWriter = "kambot-sqlite3-writer"

// sqliteWriterPragmas are those settings.
//
// temp_store = MEMORY keeps each statement's journal in memory in small
// chunks. A statement that fires triggers inside a longer transaction
// (every interaction and every channel post: the search index, history and
// outbox heads triggers) writes the pages it changes to that journal, in
// case it must be undone alone. With temporary files on disk, SQLite
// buffers the journal in one 64 KiB chunk allocated at the statement's
// first write and freed at its end; freeing a chunk that large makes glibc
// hand the top of its heap back to the kernel (brk, madvise, which flushes
// the TLB of every core) and fault it in again at the next statement. On
// /kam log that churn was most of the server's CPU. In memory the journal
// takes 1 KiB chunks that glibc recycles without system calls.
//
// Only the write connection needs it: readers keep no statement journals.
// Temporary tables of write transactions then live in memory too.
var sqliteWriterPragmas = []string{"PRAGMA temp_store = MEMORY"}

// sqliteSearch is go-sqlite3 for the read connections of full-text search,
// with the database file memory-mapped (sqliteSearchPragmas).
const sqliteSearch = "kambot-sqlite3-search"

// sqliteSearchPragmas map the file for reading. Ranking a search reads
// each candidate's length from the index's docsize table, up to 2,000
// scattered small rows: through read() that is a system call and a page
// copy each (most of a search's CPU at 2 million records), through the
// map a memory access. The page cache cannot stand in for it: a WAL
// reader's cache is dropped whenever another connection commits. Mapped
// pages are the kernel's file cache, shared, not the process's memory,
// though they count in its resident size once touched. SQLite caps the
// size at its compiled maximum (2 GiB); pages past it are read as before.
var sqliteSearchPragmas = []string{"PRAGMA mmap_size = 2147418112"}

func init() {
	registerSQLite(sqliteWriter, sqliteWriterPragmas)
	registerSQLite(sqliteSearch, sqliteSearchPragmas)
}

// registerSQLite registers go-sqlite3 under name, running pragmas on each
// new connection.
func registerSQLite(name string, pragmas []string) {
	sql.Register(name, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		for _, p := range pragmas {
			if _, err := c.Exec(p, nil); err != nil {
				return err
			}
		}
		return nil
	}})
}
