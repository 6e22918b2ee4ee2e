package kam

import (
	"slices"
	"time"
)

// ---- Pipeline velocity and the qualification gate ---------------------------

// PastGate reports whether moving from one stage to another passes the
// qualification gate: from identified or qualified (or nowhere) to a stage
// after it, where the method asks for a go/no-go decision first.
func PastGate(from, to Stage) bool {
	before := from == "" || from == StageIdentified || from == StageQualified
	after := to == StagePursuing || to == StageClosing || to == StageContracted || to == StageEngaged
	return before && after
}

// GoNotePrefix starts the note of a stage change that passed the gate,
// so the decision and its reason stay in the stage history.
const GoNotePrefix = "Go: "

// Velocity is how fast a pipeline moves, from its stage history.
type Velocity struct {
	// MedianDays is the median of completed stays in each open stage, in
	// days; a stage without a completed stay is absent.
	MedianDays map[Stage]float64
	Stays      map[Stage]int // completed stays the median rests on
	Won, Lost  int           // closed as won (contracted or engaged) and lost
	NoGo       int           // stopped at the gate
	// AvgAgeDays is the mean age of the open opportunities, in days; 0 with none open.
	AvgAgeDays float64
	Open       int
}

// WinRate is won out of won and lost, in percent (a no-go is a decision
// not to bid, not a loss); ok false before any was decided.
func (v Velocity) WinRate() (pct float64, ok bool) {
	if v.Won+v.Lost == 0 {
		return 0, false
	}
	return 100 * float64(v.Won) / float64(v.Won+v.Lost), true
}

// PipelineVelocity measures the opportunities' velocity at now; history
// holds each opportunity's stage changes, oldest first, by its ID.
func PipelineVelocity(opps []Opportunity, history map[int64][]StageChange, now time.Time) Velocity {
	v := Velocity{MedianDays: map[Stage]float64{}, Stays: map[Stage]int{}}
	stays := map[Stage][]float64{}
	var age float64
	for _, o := range opps {
		switch {
		case o.Stage.Won():
			v.Won++
		case o.Stage == StageLost:
			v.Lost++
		case o.Stage == StageNoGo:
			v.NoGo++
		default:
			v.Open++
			age += now.Sub(o.CreatedAt).Hours() / 24
		}
		h := history[o.ID]
		for i := 0; i+1 < len(h); i++ {
			if s := h[i].To; s.Open() {
				stays[s] = append(stays[s], h[i+1].At.Sub(h[i].At).Hours()/24)
			}
		}
	}
	if v.Open > 0 {
		v.AvgAgeDays = age / float64(v.Open)
	}
	for s, ds := range stays {
		slices.Sort(ds)
		n := len(ds)
		m := ds[n/2]
		if n%2 == 0 {
			m = (ds[n/2-1] + ds[n/2]) / 2
		}
		v.MedianDays[s], v.Stays[s] = m, n
	}
	return v
}
