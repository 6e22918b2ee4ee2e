package kam

import "time"

// JobRun is what the store knows of one scheduled job's runs.
type JobRun struct {
	Job string
	// CoveredUntil is the time the latest completed run started at: every
	// scheduled time up to it was served. On a fresh install, the moment
	// the scheduler first started.
	CoveredUntil time.Time
	// FinishedAt is when that run completed; zero for the first start's
	// baseline.
	FinishedAt time.Time
	// FailedAt and LastError describe the latest failed run since the last
	// completed one; zero and "" when there was none.
	FailedAt  time.Time
	LastError string
}
