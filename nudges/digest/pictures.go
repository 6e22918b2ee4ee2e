package digest

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// ScoreSource places accounts in the directional policy matrix;
// *store.DB implements it.
type ScoreSource interface {
	// CriteriaSets returns every version of the workspace's criteria.
	CriteriaSets(ctx context.Context, teamID string) (kam.CriteriaSets, error)
	// LatestScores returns every scored account's latest scoring by ID.
	LatestScores(ctx context.Context, teamID string) (map[int64]kam.Scoring, error)
}

// MatrixFunc posts a recipient's portfolio matrix (a picture) for the
// accounts given, each with its health band. ErrNoMatrix says no account
// is placed; any other error that the picture did not arrive.
type MatrixFunc func(ctx context.Context, teamID, recipient, title string, accts []kam.Account, bands map[int64]kam.Band) error

// ErrNoMatrix is a MatrixFunc's answer for a portfolio without a fully
// scored account.
var ErrNoMatrix = errors.New("digest: no account placed in the matrix")

// place reads where each account sits in the matrix; without a
// ScoreSource the digest has no quadrant chart.
func (d *Digester) place(ctx context.Context, w *week) error {
	if d.cfg.Scores == nil {
		return nil
	}
	sets, err := d.cfg.Scores.CriteriaSets(ctx, w.team)
	if err != nil {
		return fmt.Errorf("read criteria: %w", err)
	}
	latest, err := d.cfg.Scores.LatestScores(ctx, w.team)
	if err != nil {
		return fmt.Errorf("read latest scores: %w", err)
	}
	w.quadrants = make(map[int64]kam.Quadrant, len(latest))
	for _, a := range w.accts {
		if p := sets.Evaluate(latest[a.acct.ID]); p.Rated {
			w.quadrants[a.acct.ID] = p.Quadrant
		}
	}
	return nil
}

// portfolioCharts are the portfolio by quadrant and by health band, each
// with its numbers as text.
func (w *week) portfolioCharts(p []*account) []slack.Block {
	var out []slack.Block
	if w.quadrants != nil {
		cats := []string{"strategic", "develop", "maintain", "opportunistic", "not placed"}
		counts := make([]float64, len(cats))
		for _, a := range p {
			q, ok := w.quadrants[a.acct.ID]
			i := len(cats) - 1
			for k, name := range cats[:4] {
				if ok && string(q) == name {
					i = k
				}
			}
			counts[i]++
		}
		c := charts.Chart{ID: "quadrants", Kind: charts.Pie, Title: "Accounts by quadrant", Categories: cats,
			Series: []charts.Series{{Name: "Accounts", Values: counts}}, Value: charts.Number}
		out = append(out, c.Blocks()...)
	}
	cats := []string{"good", "watch", "at risk", "no data yet"}
	counts := make([]float64, len(cats))
	for _, a := range p {
		switch {
		case a.health.New:
			counts[3]++
		case kam.BandOf(a.health.Score) == kam.BandGood:
			counts[0]++
		case kam.BandOf(a.health.Score) == kam.BandWatch:
			counts[1]++
		default:
			counts[2]++
		}
	}
	c := charts.Chart{ID: "bands", Kind: charts.Bar, Title: "Accounts by health band", XLabel: "band", YLabel: "accounts",
		Categories: cats, Series: []charts.Series{{Name: "Accounts", Values: counts}}, Value: charts.Number}
	return append(out, c.Blocks()...)
}

// accountsTable is the "All accounts" list as a table, sortable in Slack.
func (w *week) accountsTable(p []*account) charts.Table {
	t := charts.Table{ID: "digest-accounts", Caption: "All accounts",
		Header: []string{"Account", "Health", "Change", "Interactions", "Alerts", "NPS"}}
	if len(p) > charts.MaxTableRows {
		// Too long for a table: the list stays bullets, so no row is built.
		return t
	}
	for _, a := range p {
		h := a.health
		health := charts.Num(float64(h.Score), format.Health(h.Score))
		if h.New {
			health = charts.Text(kam.NoDataYet)
		}
		change := charts.Text("—")
		if a.hasPrev {
			change = charts.Num(float64(h.Score-a.prevScore), format.Delta(h.Score-a.prevScore))
		}
		nps := charts.Text("—")
		if a.nps.Responses > 0 {
			nps = charts.Num(format.Round(a.nps.NPS, 0), format.NPS(a.nps.NPS))
		}
		t.Rows = append(t.Rows, []charts.Cell{charts.Text(a.acct.Name), health, change,
			charts.Num(float64(a.touches), fmt.Sprint(a.touches)), charts.Num(float64(len(h.Alerts)), fmt.Sprint(len(h.Alerts))), nps})
	}
	return t
}

// postMatrix posts the recipient's matrix before the digest and returns
// the line the digest says about it; a failure is logged and the digest
// goes without the picture.
func (d *Digester) postMatrix(ctx context.Context, dg Digest) string {
	if d.cfg.Matrix == nil || len(dg.accounts) == 0 {
		return ""
	}
	accts := make([]kam.Account, len(dg.accounts))
	bands := make(map[int64]kam.Band, len(dg.accounts))
	for i, a := range dg.accounts {
		accts[i] = *a.acct
		if !a.health.New {
			bands[a.acct.ID] = kam.BandOf(a.health.Score)
		}
	}
	err := d.cfg.Matrix(ctx, dg.TeamID, dg.Recipient, "Portfolio matrix — "+dg.title, accts, bands)
	switch {
	case err == nil:
		return "The portfolio matrix is the picture posted with this digest."
	case errors.Is(err, ErrNoMatrix):
		return "No account is fully scored yet, so there is no portfolio matrix: `/kam score &lt;account&gt;`."
	}
	d.log.Warn("digest matrix not posted; the digest goes without it", "team", dg.TeamID, "recipient", dg.Recipient, "err", err)
	return "The portfolio matrix could not be posted this time — `/kam matrix` draws it."
}

// ranThisWeek reports whether a run already recorded this week's health
// snapshots (it records them last). When unsure it says no: a picture
// posted twice beats none.
func (d *Digester) ranThisWeek(ctx context.Context, w *week) bool {
	next := isoWeek(w.now.AddDate(0, 0, 7), w.loc)
	snaps, err := d.cfg.Store.HealthSnapshots(ctx, w.team, next)
	if err != nil {
		return false
	}
	for _, s := range snaps {
		if s.Week == w.week {
			return true
		}
	}
	return false
}
