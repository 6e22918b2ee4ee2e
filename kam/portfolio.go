package kam

import "time"

// InteractionCount is how many real contacts (notes excluded) one person
// logged with one account in a span of time.
type InteractionCount struct {
	AccountID int64
	UserID    string
	Count     int
}

// StageMove is one stage change of an opportunity, with the opportunity's
// account, name and value.
type StageMove struct {
	StageChange
	AccountID   int64
	Opportunity string
	Value       int64
}

// HealthSnapshot is an account's health as one weekly digest saw it.
type HealthSnapshot struct {
	AccountID int64
	Week      string   // ISO week, e.g. "2025-W11"
	Score     int      // 0–100
	Alerts    []string // Alert.Key of every alert then raised
	TakenAt   time.Time
}
