package brief

import (
	"fmt"

	"github.com/kambot/kambot/kam"
)

// Authorize says whether a user may ask for a brief on an account: its
// executive sponsor, its owner, anyone on its team (role is the user's role
// on the account, "" when none) and workspace admins may; anyone else gets
// a *kam.Error with kam.EUNAUTHORIZED that says whom to ask.
func Authorize(a kam.Account, userID string, role kam.Role, admin bool) error {
	if userID != "" && (admin || role != "" || userID == a.SponsorID || userID == a.OwnerID) {
		return nil
	}
	name := show(a.Name, maxName)
	if a.OwnerID != "" {
		return kam.Errorf(kam.EUNAUTHORIZED,
			"Briefs on %s are for its team, its executive sponsor and admins. Ask %s to add you: `/kam team %s add @you role=member`.",
			name, user(a.OwnerID), slugOf(&a))
	}
	return kam.Errorf(kam.EUNAUTHORIZED,
		"Briefs on %s are for its team, its executive sponsor and admins. Ask an admin to add you: `/kam team %s add @you role=member`.",
		name, slugOf(&a))
}

// Drafting is the immediate acknowledgement of /kam brief, sent while the
// brief is drafted.
func Drafting(a kam.Account) string {
	return fmt.Sprintf("Drafting the brief on *%s*… it will arrive here, visible only to you, within 30 seconds.", show(a.Name, maxName))
}
