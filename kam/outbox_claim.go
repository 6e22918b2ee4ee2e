package kam

import "time"

// OutboxClaim says which channel heads one paced claim may take
// (ClaimOutboxFair) and in what order: round-robin over workspaces, one
// head of each per round, and within a workspace the channel served
// longest ago first, so that neither a busy workspace nor a busy channel
// holds the others back. Slack's rate limits are per workspace, so the
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
	// Channels are the channels the sender has pacing state for, each at
	// most once. A channel not listed counts as never served.
	Channels []OutboxChannelTurn
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

// OutboxChannelTurn is the pacing state of one channel of a workspace.
type OutboxChannelTurn struct {
	TeamID, Channel string
	// Held excludes the channel from the claim (its own limit is spent,
	// or Slack asked to wait).
	Held bool
	// Served is when the sender last posted to the channel; within a
	// workspace the channel served longest ago goes first.
	Served time.Time
}
