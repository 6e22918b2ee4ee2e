package store

// Changes is a number that grows whenever a write transaction of this
// process ends, committed or not, outbox bookkeeping aside. A reader that
// takes it before reading and finds it unchanged later knows that nothing
// it read was changed by this process meanwhile, so an answer computed from
// those reads may be served again (writers in other processes, such as
// "kambot import", are not seen: bound such reuse in time too).
//
// It grows right after the commit: an answer kept under a value stops
// being served as soon as a change made after it has committed.
func (db *DB) Changes() uint64 { return db.changes.Load() }
