package kam

import "time"

// OutboxClaim says which channel heads one paced claim may take
// (ClaimOutboxFair) and in what order: round-robin over workspaces, one
// head of each per round, and within a workspace the channel served
// longest ago first, so that neither a busy workspace nor a busy channel
// holds the others back. The store remembers when each channel was last
// claimed from; the sender says what each workspace may take, as it paces
// them. Slack's rate limits are per workspace, so the
// sender paces each workspace on its own and tells the claim what each may
// take.
type OutboxClaim struct {
	// Limit bounds the messages claimed in all.
	Limit int
	// PerTeam bounds the messages claimed of a workspace not in Teams
	// (one the sender has no recent pacing state for); 0 means no bound.
	PerTeam int
	// Teams are the workspaces the sender has pacing state for, each at
	// most once.
	Teams []OutboxTeamTurn
	// Held are channels the claim must not take from (their own limit is
	// spent, or Slack asked to wait), each at most once.
	Held []OutboxChannel
}

// OutboxTeamTurn is what a claim may take of one workspace.
type OutboxTeamTurn struct {
	TeamID string
	// Max bounds the workspace's messages in the claim; 0 takes none (its
	// workspace-wide limit is spent, or Slack asked to wait).
	Max int
	// Served is when the sender last posted for the workspace; among
	// workspaces of one round, the one served longest ago goes first.
	Served time.Time
}

// OutboxChannel names a channel of a workspace (a channel shared between
// workspaces has one ID in each).
type OutboxChannel struct {
	TeamID, Channel string
}
