package kam

// WorkspaceTotals is what an admin's Home sums up about the workspace.
type WorkspaceTotals struct {
	Accounts      int
	OpenDeals     int
	OpenPipeline  int64
	Interactions  int // since the time asked for
	FailedOutbox  int
	PendingOutbox int
}

// HomeChange is one change that may alter someone's Home: its workspace,
// the account it touched (0 for a workspace-wide change such as score
// weights) and who made it.
type HomeChange struct {
	TeamID    string
	AccountID int64
	Actor     string
}

// HomeRecipient is a person whose Home a change touches alone, such as a
// reminder sent to them.
type HomeRecipient struct {
	TeamID string
	UserID string
}
