// Package nudges reminds the right person at the right time. A Scheduler
// runs two jobs on robfig/cron in the workspace time zone (KAMBOT_TZ): the
// daily sweep (KAMBOT_SWEEP_CRON, default "0 7 * * *") and the weekly
// digest (KAMBOT_DIGEST_CRON, default "0 8 * * 1"; the digest itself is
// package nudges/digest, which the caller supplies as Config.Digest). Each
// job's completed runs are recorded in the store; a run missed while the
// process was down is made up once at start (not once per missed tick), and
// a failed run is retried every RetryEvery until one completes. A fresh install starts its clock at its first start.
//
// # The sweep
//
// For every workspace and account, the sweep reads the portfolio with the
// store's set-based loaders, asks kam.AssessHealth for the account's alerts
// and turns the ones below into nudges. Each nudge goes to each of its
// recipients as a DM (the user ID is the outbox channel; the outbox opens the
// DM) or a post to the account channel, written to the durable outbox with
// the idempotency key
//
//	nudge:<kind>[.<item>]:<account>:<recipient>:<period>[+<round>]
//
// together with the nudge's own record, in one transaction. A key is queued
// at most once, so a sweep run twice, or caught up after a restart, sends
// nothing twice.
//
//	kind         due when (thresholds are kam's)                 recipients                     period
//	plan-review  the plan's next review (one cadence period       owner DM, account channel      cadence window from the due date
//	             after the last review or the plan's start) passed
//	survey       the latest survey (sent or answered; else the     owner DM                       survey window from the due date
//	             account's creation) is one survey cadence old —
//	             a yearly cadence fires 30 days early, so the
//	             answers are in before the annual plan update
//	no-contact   no real contact (anything but a note) within     owner DM, account channel      cadence window from the day contact fell due
//	             one cadence period (weekly 7, monthly 30,
//	             quarterly 91 days)
//	stalled      an open opportunity in its stage longer than     opportunity owner DM (else     stall window: the stage's threshold,
//	             kam.StallThresholds: identified, qualified and   the account owner), account    counted from the day it stalled
//	             closing 30 days, pursuing 45 days                channel
//	past-close   an open opportunity after its close date         opportunity owner DM (else     ISO week (2025-W10)
//	                                                              the account owner)
//	tactic       an open plan tactic on or after its due date    tactic owner DM (else the      ISO week
//	                                                              account owner)
//	sponsor      an executive sponsor, assigned for a quarter,    the sponsor DM, owner DM       calendar quarter (2025-Q2)
//	             with no logged contact in kam.SponsorWindow
//	             (91 days)
//
// A "window from" a date repeats every length of it: a monthly account whose
// review fell due on 1 March is reminded on 1 March, 31 March, 30 April… while
// the review stays overdue; each window is one period, named by its first day.
// The survey cadence is a year (kam.SurveyInterval) unless the workspace set
// its own (store.SetSurveyEveryDays, `/kam nudges survey=<days>`).
//
// # Handled and snoozed
//
// The buttons on a nudge (package commands) mark its topic — kind, account,
// item and period, for every recipient at once. A handled topic is quiet for
// the rest of its period. A snoozed topic is quiet until the snooze ends, in
// any period; if the snooze ends within the same period and the nudge is
// still due, it is sent once more, with the snooze's end day as its round.
package nudges
