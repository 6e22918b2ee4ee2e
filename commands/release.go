package commands

import "runtime/debug"

// A command over a whole portfolio (health all, the digest of a large one)
// reads and assesses thousands of accounts: tens of MB that are garbage as
// soon as it has answered. The collector would give them back to the
// system only slowly, so the next such command would grow from a process
// still holding them, and two in a row would peak at about the sum of
// both. Above these sizes the command hands them back as it answers.
const (
	releaseAccounts = 1000 // accounts assessed by /kam health all
	releaseParts    = 20   // parts of a digest (about 50 accounts each)
)

// releaseMemory returns the freed memory to the system in the background:
// a forced collection, which the reply does not wait for.
func releaseMemory() { go debug.FreeOSMemory() }
