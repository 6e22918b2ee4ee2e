package commands

import (
	"context"
	"slices"
	"time"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Source is one record a reply rests on, for the assistant to cite: its
// account, kind, date and author, and the Slack message it was logged from
// when the record holds one.
type Source struct {
	Account string
	Kind    string // as a reader reads it: "call", "plan objective"
	At      time.Time
	Author  string // a Slack user ID, or a name (a survey's respondent)
	// Permalink is the Slack message an interaction was logged from; only
	// a link kam.CheckPermalink accepts is ever rendered as a link.
	Permalink string
	// Interaction is the interaction's ID when the record is one, so that
	// its permalink can be read when the reply did not carry it.
	Interaction int64
}

// maxSources bounds the sources a reply cites.
const maxSources = 5

// SourceLine renders s as mrkdwn: "*Acme* · call · 27 Nov 2026 · @ana ·
// message". Only a real Slack message link (https://….slack.com/archives/…)
// becomes a link; anything else the record holds is shown as plain text,
// so a stored address can never hide where it leads.
func SourceLine(s Source, loc *time.Location) string {
	line := HitLine(kam.SearchHit{Kind: kam.SearchKind(s.Kind), Author: s.Author, At: s.At}, s.Account, loc)
	if s.Permalink == "" {
		return line
	}
	if link, err := kam.CheckPermalink(s.Permalink); err == nil && link != "" {
		return line + " · <" + link + "|message>"
	}
	return line + " · message: " + format.Mrkdwn(clip(s.Permalink, 80))
}

// hitSources are the sources of search hits: the first maxSources, with
// the interaction behind each interaction hit.
func hitSources(hits []kam.SearchHit, names map[int64]string) []Source {
	var out []Source
	for _, h := range hits[:min(len(hits), maxSources)] {
		s := Source{Account: names[h.AccountID], Kind: string(h.Kind), At: h.At, Author: h.Author}
		if slices.Contains(kam.InteractionKinds, kam.InteractionKind(h.Kind)) {
			s.Interaction = h.SourceID
		}
		out = append(out, s)
	}
	return out
}

// interactionSources are the sources of an account's interactions.
func interactionSources(a kam.Account, ints []kam.Interaction) []Source {
	var out []Source
	for _, in := range ints[:min(len(ints), maxSources)] {
		out = append(out, Source{Account: a.Name, Kind: string(in.Kind), At: in.At, Author: in.UserID, Permalink: in.Permalink, Interaction: in.ID})
	}
	return out
}

// sourceLines renders sources for the user, reading the permalink of each
// interaction whose reply did not carry it. An interaction that cannot be
// read (deleted meanwhile) is cited without its link.
func (e *Engine) sourceLines(ctx context.Context, teamID, userID string, sources []Source) []string {
	if len(sources) == 0 {
		return nil
	}
	loc := e.zoneOf(ctx, teamID, userID)
	out := make([]string, 0, len(sources))
	for _, s := range sources {
		if s.Permalink == "" && s.Interaction > 0 {
			if in, err := e.store.Interaction(ctx, teamID, s.Interaction); err == nil {
				s.Permalink = in.Permalink
			}
		}
		out = append(out, SourceLine(s, loc))
	}
	return out
}
