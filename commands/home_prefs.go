package commands

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/kam"
)

// Blocks of the Home's schedule form; each input's action_id is its block_id.
const (
	prefsDayBlock    = "digest_day"
	prefsHourBlock   = "digest_hour"
	prefsQuietFrom   = "quiet_from"
	prefsQuietTo     = "quiet_to"
	prefsBundleBlock = "bundle"
	prefsWorkspace   = "workspace"
	prefsNone        = "none"
)

var weekdayOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// openPrefs opens the schedule form with the user's current settings.
func (h *Home) openPrefs(ctx context.Context, in *Interaction) error {
	p, err := h.cfg.Prefs.UserPrefs(ctx, in.TeamID, in.UserID)
	if err != nil {
		return fmt.Errorf("prefs of %s: %w", in.UserID, err)
	}
	days := []*slack.OptionBlockObject{slack.NewOptionBlockObject(prefsWorkspace, plain("The workspace's schedule"), nil)}
	for _, d := range weekdayOrder {
		days = append(days, slack.NewOptionBlockObject(d.String(), plain(d.String()), nil))
	}
	day := days[0]
	if p.OwnDigest() {
		day = days[1+(int(p.DigestDay)+6)%7]
	}
	hours := hourOptions(false)
	quietOpts := hourOptions(true)
	bundleOpts := []*slack.OptionBlockObject{
		slack.NewOptionBlockObject("off", plain("One DM per reminder"), nil),
		slack.NewOptionBlockObject("on", plain("All of the day's reminders in one morning DM"), nil),
	}
	bundle := slack.NewRadioButtonsBlockElement(prefsBundleBlock, bundleOpts...)
	bundle.InitialOption = bundleOpts[boolInt(p.Bundle)]
	v := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: homeViewPrefs, PrivateMetadata: homeValue{TeamID: in.TeamID}.encode(),
		Title: plain("Your schedule"), Submit: plain("Save"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(fmt.Sprintf("Times are in your own Slack time zone, *%s*.", in.Loc.String())),
			selectInput(prefsDayBlock, "Weekly digest: day", days, day),
			selectInput(prefsHourBlock, "Weekly digest: hour", hours, hours[max(p.DigestHour, 8)]),
			selectInput(prefsQuietFrom, "Quiet hours: from", quietOpts, quietOpts[p.QuietFrom+1]),
			selectInput(prefsQuietTo, "Quiet hours: until", quietOpts, quietOpts[p.QuietTo+1]),
			slack.NewInputBlock(prefsBundleBlock, plain("Reminders"), nil, bundle),
		}},
	}
	return openView(ctx, in, v, "/kam prefs digest=friday 16 quiet=22-07 bundle=on")
}

// hourOptions are 00:00 … 23:00, after "none" when withNone.
func hourOptions(withNone bool) []*slack.OptionBlockObject {
	var out []*slack.OptionBlockObject
	if withNone {
		out = append(out, slack.NewOptionBlockObject(prefsNone, plain("None"), nil))
	}
	for hr := range 24 {
		out = append(out, slack.NewOptionBlockObject(strconv.Itoa(hr), plain(fmt.Sprintf("%02d:00", hr)), nil))
	}
	return out
}

func selectInput(id, label string, opts []*slack.OptionBlockObject, initial *slack.OptionBlockObject) *slack.InputBlock {
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick one"), id, opts...)
	sel.InitialOption = initial
	return slack.NewInputBlock(id, plain(label), nil, sel)
}

// submitPrefs saves the schedule form; a bad or forged value stays in the
// form as a field error and nothing is saved.
func (h *Home) submitPrefs(ctx context.Context, in *Interaction) (InteractionReply, error) {
	if _, _, err := h.checkValue(ctx, in, in.Callback.View.PrivateMetadata, AccessAnyone, ""); err != nil {
		return InteractionReply{}, err
	}
	p, err := h.cfg.Prefs.UserPrefs(ctx, in.TeamID, in.UserID)
	if err != nil {
		return InteractionReply{}, fmt.Errorf("prefs of %s: %w", in.UserID, err)
	}
	if err := readPrefsForm(in.Callback.View.State, &p); err != nil {
		return InteractionReply{}, err
	}
	if err := h.cfg.Prefs.SetUserPrefs(ctx, p, in.UserID); err != nil {
		return InteractionReply{}, fmt.Errorf("save prefs of %s: %w", in.UserID, err)
	}
	if err := h.Publish(ctx, in.TeamID, in.UserID, -1); err != nil {
		in.Logger().Warn("refresh home after prefs", "team", in.TeamID, "user", in.UserID, "err", err)
	}
	return InteractionReply{}, nil
}

// readPrefsForm reads the form into p, or returns the field errors.
func readPrefsForm(st *slack.ViewState, p *kam.UserPrefs) error {
	val := func(id string) string {
		if st == nil {
			return ""
		}
		a := st.Values[id][id]
		if a.SelectedOption.Value != "" {
			return a.SelectedOption.Value
		}
		return a.Value
	}
	bad := FieldErrors{}
	hour := func(id string, none bool) int {
		v := val(id)
		if none && v == prefsNone {
			return kam.NoHour
		}
		h, err := strconv.Atoi(v)
		if err != nil || h < 0 || h > 23 {
			bad[id] = "Pick an hour from the list."
		}
		return h
	}
	p.DigestHour = hour(prefsHourBlock, false)
	switch d := val(prefsDayBlock); d {
	case prefsWorkspace:
		p.DigestHour = kam.NoHour
	default:
		wd, ok := weekdays[lowerASCII(d)]
		if !ok {
			bad[prefsDayBlock] = "Pick a day from the list."
		}
		p.DigestDay = wd
	}
	p.QuietFrom, p.QuietTo = hour(prefsQuietFrom, true), hour(prefsQuietTo, true)
	switch {
	case (p.QuietFrom == kam.NoHour) != (p.QuietTo == kam.NoHour):
		bad[prefsQuietTo] = "Give both ends of your quiet hours, or None for both."
	case p.QuietFrom != kam.NoHour && p.QuietFrom == p.QuietTo:
		bad[prefsQuietTo] = "Quiet hours need two different hours, or None for both."
	}
	switch val(prefsBundleBlock) {
	case "on":
		p.Bundle = true
	case "off":
		p.Bundle = false
	default:
		bad[prefsBundleBlock] = "Pick one."
	}
	if len(bad) > 0 {
		return bad
	}
	return nil
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
