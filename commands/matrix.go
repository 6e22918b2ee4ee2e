package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/matrix"
)

// PictureStore is what the pictures and trends need of persistence (part
// of IntelStore); *store.DB implements it.
type PictureStore interface {
	// PreviousScores returns each account's scores before its latest
	// scoring, by account ID (accounts scored once are absent).
	PreviousScores(ctx context.Context, teamID string) (map[int64]kam.Scoring, error)
	// AccountHealthHistory returns an account's weekly health snapshots
	// from the ISO week sinceWeek on, oldest first.
	AccountHealthHistory(ctx context.Context, teamID string, accountID int64, sinceWeek string) ([]kam.HealthSnapshot, error)
}

// Picture is a PNG to share.
type Picture struct {
	Name    string // file name, e.g. "portfolio-matrix.png"
	Title   string
	AltText string // what the picture shows, for screen readers
	Comment string // mrkdwn posted with it
	PNG     []byte
}

// Files shares pictures: Slack's external upload (files.getUploadURLExternal,
// the upload, files.completeUploadExternal) into a channel or DM, or a file
// on disk in the console.
type Files interface {
	// SharePicture posts p in the channel (a user ID: the bot's DM with
	// them) and returns where it can be found when that is not the
	// channel itself: a file path in the console, "" in Slack.
	SharePicture(ctx context.Context, teamID, channelID string, p Picture) (string, error)
}

// PicturesConfig configures /kam matrix.
type PicturesConfig struct {
	Files Files // nil: /kam matrix explains it cannot post pictures
}

// PicturesExtension adds /kam matrix. It draws from account intelligence
// (the engine's Intel store: scorings and health).
func PicturesExtension(cfg PicturesConfig) Extension {
	return Extension{Commands: []Command{{
		Name:  "matrix",
		Usage: "matrix [all|mine] [quadrant=<quadrant>,…]",
		Summary: "The portfolio matrix as a picture: attractiveness up, strength across, a bubble per scored account " +
			"sized by revenue and coloured by health, an arrow from its previous scoring.",
		Details: "Posted where you ask (a channel kambot is in, or your DM with kambot). `mine` (the default) draws the accounts " +
			"on whose team you are; admins add `all` for every account. `quadrant=` keeps " + strings.Join(quadrantNames(), ", ") +
			" (comma-separated). Accounts not fully scored have no place yet: `/kam score <account>`. " +
			"The picture's description lists every account's position for screen readers.",
		Examples: []string{"matrix", "matrix all", "matrix all quadrant=develop,opportunistic"},
		Run: func(ctx context.Context, c *Call) (Reply, error) {
			return runMatrix(ctx, c, cfg)
		},
	}}}
}

// matrixRequest is a parsed /kam matrix.
type matrixRequest struct {
	all  bool
	want map[kam.Quadrant]bool
}

func parseMatrix(c *Call) (matrixRequest, error) {
	var r matrixRequest
	toks, err := c.Args.All()
	if err != nil {
		return r, err
	}
	var opts []Token
	for i, t := range toks {
		switch {
		case t.Key != "":
			opts = append(opts, t)
		case i == 0 && !t.Quoted && strings.EqualFold(t.Value, "all"):
			r.all = true
		case i == 0 && !t.Quoted && strings.EqualFold(t.Value, "mine"):
		default:
			return r, c.Usage("Unexpected “%s”", show(t.String(), 40))
		}
	}
	o, err := ParseOptions(opts, []string{"quadrant"}, c.Command.Usage)
	if err != nil {
		return r, err
	}
	if r.want, err = quadrantFilter(o); err != nil {
		return r, err
	}
	if r.want[""] {
		return r, kam.Errorf(kam.EINVALID, "Unscored accounts have no place in the matrix — `/kam accounts quadrant=unscored` lists them.")
	}
	return r, nil
}

func runMatrix(ctx context.Context, c *Call, cfg PicturesConfig) (Reply, error) {
	if c.intel() == nil {
		return Reply{}, kam.Errorf(kam.EINVALID, "The matrix needs account intelligence, which this kambot runs without.")
	}
	req, err := parseMatrix(c)
	if err != nil {
		return Reply{}, err
	}
	if req.all {
		if err := c.Allow(kam.Account{}, "", AccessAdmin, "draw every account's matrix"); err != nil {
			return Reply{}, err
		}
	}
	if cfg.Files == nil {
		return Reply{}, kam.Errorf(kam.EINVALID, "This kambot cannot post pictures. `/kam accounts sort=quadrant` lists the same positions.")
	}
	chart, err := c.portfolioMatrix(ctx, req)
	if err != nil {
		return Reply{}, err
	}
	if len(chart.Accounts) == 0 {
		return Reply{Blocks: []slack.Block{section(noMatrixText(req))}}, nil
	}
	// Drawing and uploading take a moment: the reply follows.
	channel, teamID := c.Request.ChannelID, c.TeamID
	if channel == "" {
		channel = c.UserID
	}
	n := len(chart.Accounts)
	return Reply{
		Blocks: []slack.Block{contextBlock(fmt.Sprintf("Drawing the matrix of %s…", format.Count(n, "account", "accounts")))},
		Later: func(ctx context.Context) Reply {
			return shareMatrix(ctx, cfg.Files, teamID, channel, chart, c.Logger())
		},
	}, nil
}

// portfolioMatrix places the requested accounts and reads their health.
func (c *Call) portfolioMatrix(ctx context.Context, req matrixRequest) (matrix.Chart, error) {
	var accts []kam.Account
	var err error
	title := "Portfolio matrix — your accounts"
	if req.all {
		title = "Portfolio matrix — all accounts"
		accts, err = c.Store().Accounts(ctx, c.TeamID)
	} else {
		accts, err = c.Store().AccountsForUser(ctx, c.TeamID, c.UserID)
	}
	if err != nil {
		return matrix.Chart{}, fmt.Errorf("list accounts for the matrix: %w", err)
	}
	var s matrix.Scores
	if s.Sets, err = c.intel().CriteriaSets(ctx, c.TeamID); err != nil {
		return matrix.Chart{}, fmt.Errorf("read criteria: %w", err)
	}
	if s.Latest, err = c.intel().LatestScores(ctx, c.TeamID); err != nil {
		return matrix.Chart{}, fmt.Errorf("read latest scores: %w", err)
	}
	if s.Previous, err = c.intel().PreviousScores(ctx, c.TeamID); err != nil {
		return matrix.Chart{}, fmt.Errorf("read previous scores: %w", err)
	}
	chart := matrix.Portfolio(title, accts, s, nil, req.want)
	// Health only for the accounts drawn.
	placed := map[int64]bool{}
	for _, a := range chart.Accounts {
		placed[a.ID] = true
	}
	var drawn []kam.Account
	for _, a := range accts {
		if placed[a.ID] {
			drawn = append(drawn, a)
		}
	}
	hs, err := c.healthOf(ctx, drawn)
	if err != nil {
		return matrix.Chart{}, err
	}
	bands := make(map[int64]kam.Band, len(hs))
	for i, h := range hs {
		if !h.New {
			bands[drawn[i].ID] = kam.BandOf(h.Score)
		}
	}
	return matrix.Portfolio(title, drawn, s, bands, req.want), nil
}

func noMatrixText(req matrixRequest) string {
	scope := "of your accounts"
	if req.all {
		scope = "account"
	}
	if len(req.want) > 0 {
		return fmt.Sprintf("No %s sits in that quadrant, so there is no matrix to draw. `/kam matrix` draws them all.", strings.TrimPrefix(scope, "of "))
	}
	return fmt.Sprintf("No %s is fully scored yet, so there is nothing to place in the matrix. "+
		"Score one with `/kam score &lt;account&gt;` (all 19 factors), then ask again.", scope)
}

// shareMatrix draws and posts the picture, and says how it went.
func shareMatrix(ctx context.Context, files Files, teamID, channel string, chart matrix.Chart, log interface {
	Warn(string, ...any)
}) Reply {
	pic, err := matrixPicture(chart)
	if err != nil {
		log.Warn("draw matrix", "team", teamID, "err", err)
		return errorReply(fmt.Errorf("draw matrix: %w", err))
	}
	where, err := files.SharePicture(ctx, teamID, channel, pic)
	if err != nil {
		log.Warn("share matrix", "team", teamID, "channel", channel, "err", err)
		return Reply{Blocks: []slack.Block{section(uploadFailedText(err))}}
	}
	text := fmt.Sprintf("The matrix of %s is posted here.", format.Count(len(chart.Accounts), "account", "accounts"))
	if where != "" {
		text = fmt.Sprintf("The matrix of %s is in %s", format.Count(len(chart.Accounts), "account", "accounts"), format.Mrkdwn(where))
	}
	return Reply{Blocks: []slack.Block{section(text), contextBlock(format.Mrkdwn(quadrantCounts(chart)))}}
}

// matrixPicture draws the chart into a Picture.
func matrixPicture(chart matrix.Chart) (Picture, error) {
	png, err := chart.PNG()
	if err != nil {
		return Picture{}, err
	}
	// Slack takes 1,000 characters of alt text: a larger portfolio's
	// positions are listed in full in the message the picture comes with.
	alt, full := chart.AltTextWithin(matrix.MaxAltText)
	comment := quadrantCounts(chart)
	if !full {
		comment += "\n" + chart.AltText()
	}
	return Picture{Name: "portfolio-matrix.png", Title: chart.Title, AltText: alt,
		Comment: format.Mrkdwn(comment), PNG: png}, nil
}

// MatrixPicture draws a portfolio's matrix for other features (the
// digest); matrix.ErrEmpty when no account is placed.
func MatrixPicture(chart matrix.Chart) (Picture, error) { return matrixPicture(chart) }

// quadrantCounts says how many accounts each quadrant holds.
func quadrantCounts(chart matrix.Chart) string {
	qs := chart.Quadrants()
	parts := make([]string, 0, len(kam.Quadrants))
	for _, q := range kam.Quadrants {
		parts = append(parts, fmt.Sprintf("%s %d", q, qs[q]))
	}
	return chart.Title + ": " + strings.Join(parts, " · ")
}

// uploadFailedText tells the user the picture did not arrive, and what to
// do about the common causes.
func uploadFailedText(err error) string {
	msg := "I drew the matrix but could not post it here"
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && (se.Err == "not_in_channel" || se.Err == "channel_not_found"):
		return msg + ": kambot is not in this channel. Invite it with `/invite @kambot`, or ask in your DM with kambot."
	case errors.As(err, &se):
		return msg + fmt.Sprintf(" (Slack said `%s`). Try again in a minute.", format.Mrkdwn(se.Err))
	}
	return msg + ": the upload to Slack failed. Try again in a minute."
}

// SharePortfolioMatrix draws the matrix of the accounts (with their health
// bands) and posts it in channel: the weekly digest's picture. It returns
// matrix.ErrEmpty when no account is fully scored.
func SharePortfolioMatrix(ctx context.Context, scores ScoreStore, prev PictureStore, files Files,
	teamID, channel, title string, accts []kam.Account, bands map[int64]kam.Band) error {
	var s matrix.Scores
	var err error
	if s.Sets, err = scores.CriteriaSets(ctx, teamID); err != nil {
		return fmt.Errorf("read criteria: %w", err)
	}
	if s.Latest, err = scores.LatestScores(ctx, teamID); err != nil {
		return fmt.Errorf("read latest scores: %w", err)
	}
	if s.Previous, err = prev.PreviousScores(ctx, teamID); err != nil {
		return fmt.Errorf("read previous scores: %w", err)
	}
	chart := matrix.Portfolio(title, accts, s, bands, nil)
	pic, err := matrixPicture(chart)
	if err != nil {
		return err
	}
	if _, err := files.SharePicture(ctx, teamID, channel, pic); err != nil {
		return fmt.Errorf("share the matrix: %w", err)
	}
	return nil
}
