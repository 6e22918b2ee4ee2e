package commands

import (
	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// accountsTable is /kam accounts as a table (sortable by column in Slack).
func accountsTable(list []kam.Account, cur format.Currency) charts.Table {
	t := charts.Table{ID: "accounts", Caption: "Accounts", Header: []string{"Account", "Slug", "Tier", "Level", "KAM", "Revenue"}}
	for _, a := range list {
		t.Rows = append(t.Rows, []charts.Cell{charts.Text(a.Name), charts.Text(a.Slug), charts.Text(string(a.Tier)),
			charts.Text(string(a.Level)), charts.User(a.OwnerID), charts.Num(float64(a.Revenue), revenueText(a.Revenue, cur))})
	}
	return t
}

func revenueText(v int64, cur format.Currency) string {
	if v <= 0 {
		return "—"
	}
	return cur.Money(v)
}

// selectionTable is /kam accounts with the matrix as a table.
func selectionTable(rows []selectionRow) charts.Table {
	t := charts.Table{ID: "selection", Caption: "Accounts in the matrix",
		Header: []string{"Account", "Quadrant", "Attractiveness", "Strength", "Health", "Tier", "KAM"}}
	for _, r := range rows {
		quadrant, att, str := charts.Text("unscored"), charts.Text("—"), charts.Text("—")
		if r.pos.Scored > 0 && !r.pos.Rated {
			quadrant = charts.Text("not placed")
		}
		if r.pos.Rated {
			quadrant = charts.Text(string(r.pos.Quadrant))
			att = charts.Num(r.pos.Attractiveness, num1(r.pos.Attractiveness))
			str = charts.Num(r.pos.Strength, num1(r.pos.Strength))
		}
		health := charts.Num(float64(r.h.Score), format.Health(r.h.Score))
		if r.h.New {
			health = charts.Text(kam.NoDataYet)
		}
		t.Rows = append(t.Rows, []charts.Cell{charts.Text(r.a.Name), quadrant, att, str, health,
			charts.Text(string(r.a.Tier)), charts.User(r.a.OwnerID)})
	}
	return t
}
