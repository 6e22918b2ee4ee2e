// Package commands is kambot's /kam command engine. It turns a Request from
// any transport (HTTP, Socket Mode, the console) into a Reply, and answers
// interactive payloads (buttons, modals, shortcuts).
//
// Every sub-command is a Command definition held in a registry; help is
// generated from the definitions. The core sub-commands register themselves
// in New; other features add theirs with Engine.Register:
//
//	eng := commands.New(cfg)
//	eng.Register(commands.Extension{
//		Commands:     []commands.Command{{Name: "health", …}},
//		Actions:      []commands.ActionHandler{{Prefix: "nudge:", Run: …}},
//		Views:        []commands.ViewHandler{{CallbackID: "score", Run: …}},
//		CardSections: []commands.CardSection{{Name: "health", Render: …}},
//	})
package commands

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kambot/kambot/charts"
	"github.com/kambot/kambot/format"
	"github.com/kambot/kambot/kam"
)

// Config is what the engine needs. Store is required; the rest is optional.
type Config struct {
	Store     Store
	Notifier  Notifier  // nil: nothing is posted to account channels
	Views     Views     // nil: commands that open modals explain they can't
	Directory Directory // nil: mentioned users are not checked
	// Admins have admin rights: "U…" in every workspace, "T…:U…" in
	// workspace T… only.
	Admins []string
	Now    func() time.Time
	Logger *slog.Logger
	// Currency is what amounts are shown in (KAMBOT_CURRENCY; zero: USD).
	Currency format.Currency
	// Location is the workspace zone (KAMBOT_TZ; nil: UTC): the zone of
	// every date shown where the reader's own zone is not known.
	Location *time.Location
	// Zones gives each user's own Slack time zone; nil: everyone reads
	// dates in Location.
	Zones Zones
	// Intel turns on account intelligence (score, weights, contact, plan,
	// health, log's with=, the show card's health section); nil leaves it off.
	Intel IntelStore
	// Method turns on the rest of the KAM method (the strategy charter,
	// targets and KPIs, de-selection, the selection review); it needs Intel.
	Method MethodStore
}

// Access is who may run a command.
type Access int

// Access levels, from most to least open.
const (
	// AccessAnyone lets every user of the workspace run the command.
	AccessAnyone Access = iota
	// AccessTeamOrAdmin lets the account's team and admins run it (reads).
	AccessTeamOrAdmin
	// AccessTeam lets only the account's team run it (writes on the account).
	AccessTeam
	// AccessAdmin lets only kambot admins run it.
	AccessAdmin
)

// String names the access level as help shows it.
func (a Access) String() string {
	switch a {
	case AccessTeamOrAdmin:
		return "the account's team and admins"
	case AccessTeam:
		return "the account's team"
	case AccessAdmin:
		return "admins"
	}
	return "everyone"
}

// Command defines one /kam sub-command.
type Command struct {
	Name     string   // the first word after /kam, lower case
	Aliases  []string // other spellings that keep working
	Usage    string   // after "/kam ", e.g. "log <account> <kind> <summary…>"
	Summary  string   // one line for the help list
	Details  string   // optional extra text for "/kam help <name>" (mrkdwn)
	Examples []string // after "/kam ", e.g. "log acme call Talked renewal timing"
	Access   Access
	// Account marks commands whose first argument is an <account>: the
	// engine resolves it and checks Access against its team before Run.
	Account bool
	// Action says what the command does, for refusals: "log interactions".
	Action string
	Run    func(ctx context.Context, c *Call) (Reply, error)
}

// InteractionFunc handles one interactive payload.
type InteractionFunc func(ctx context.Context, in *Interaction) (InteractionReply, error)

// ActionHandler handles block_actions whose action_id starts with Prefix;
// the longest matching prefix wins.
type ActionHandler struct {
	Prefix string
	Run    InteractionFunc
}

// ViewHandler handles view_submission payloads of modals with CallbackID.
type ViewHandler struct {
	CallbackID string
	Run        InteractionFunc
}

// ShortcutHandler handles global and message shortcuts with CallbackID.
type ShortcutHandler struct {
	CallbackID string
	Run        InteractionFunc
}

// SuggestionHandler answers block_suggestion payloads (the options of an
// external_select) whose action_id is ActionID; its Ack is the options.
type SuggestionHandler struct {
	ActionID string
	Run      InteractionFunc
}

// CardSection adds blocks to the account card of /kam show, after the
// account's facts and before its team. It is the extension point for the
// health, DPM quadrant and relationship-model sections. An error is logged
// and the card is shown without the section.
type CardSection struct {
	Name   string // for logs
	Render func(ctx context.Context, a *Actor, acct kam.Account) ([]slack.Block, error)
}

// Extension is a set of definitions a feature adds to the engine.
type Extension struct {
	Commands     []Command
	Actions      []ActionHandler
	Views        []ViewHandler
	Shortcuts    []ShortcutHandler
	Suggestions  []SuggestionHandler
	CardSections []CardSection
}

// Engine runs /kam commands and interactive payloads.
type Engine struct {
	store     Store
	intel     IntelStore
	method    MethodStore
	notifier  Notifier
	views     Views
	dir       Directory
	zones     Zones
	currency  format.Currency
	loc       *time.Location
	admins    map[string]bool
	adminList []string
	now       func() time.Time
	log       *slog.Logger

	mu        sync.RWMutex
	cmds      []*Command
	byName    map[string]*Command
	actions   []ActionHandler
	viewsByID map[string]InteractionFunc
	shortcuts map[string]InteractionFunc
	suggest   map[string]InteractionFunc
	cards     []CardSection
	shown     showCache // account cards of the current second
	typeahead typeahead // the log form's account menu
}

// New returns an engine with the core sub-commands registered.
func New(cfg Config) *Engine {
	e := &Engine{
		store:     cfg.Store,
		notifier:  cfg.Notifier,
		views:     cfg.Views,
		dir:       cfg.Directory,
		zones:     cfg.Zones,
		currency:  cfg.Currency,
		loc:       cfg.Location,
		admins:    make(map[string]bool, len(cfg.Admins)),
		now:       cfg.Now,
		log:       cfg.Logger,
		byName:    make(map[string]*Command),
		viewsByID: make(map[string]InteractionFunc),
		shortcuts: make(map[string]InteractionFunc),
		suggest:   make(map[string]InteractionFunc),
	}
	for _, id := range cfg.Admins {
		if id = strings.TrimSpace(id); id != "" && !e.admins[id] {
			e.admins[id] = true
			e.adminList = append(e.adminList, id)
		}
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.loc == nil {
		e.loc = time.UTC
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.Register(Extension{Commands: coreCommands()})
	e.Register(formsExtension())
	if cfg.Intel != nil {
		e.intel = cfg.Intel
		e.Register(intelExtension())
		if cfg.Method != nil {
			e.method = cfg.Method
			e.Register(methodExtension())
		}
	}
	return e
}

// Register adds a feature's commands, interaction handlers and card
// sections. It panics on a definition that could never work (no name, no
// handler, a name or callback already taken), as http.ServeMux does: that
// is a wiring bug, found at start.
func (e *Engine) Register(x Extension) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range x.Commands {
		c := x.Commands[i]
		if c.Name == "" || c.Run == nil || c.Usage == "" || c.Summary == "" {
			panic(fmt.Sprintf("commands: command %q needs Name, Usage, Summary and Run", c.Name))
		}
		if (c.Access == AccessTeam || c.Access == AccessTeamOrAdmin) && !c.Account {
			panic(fmt.Sprintf("commands: command %q: %s access needs Account: true", c.Name, c.Access))
		}
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			if n != strings.ToLower(n) || strings.ContainsFunc(n, unicode.IsSpace) {
				panic(fmt.Sprintf("commands: command name %q must be one lower-case word", n))
			}
			if _, dup := e.byName[n]; dup {
				panic(fmt.Sprintf("commands: command name %q registered twice", n))
			}
			e.byName[n] = &c
		}
		e.cmds = append(e.cmds, &c)
	}
	for _, a := range x.Actions {
		if a.Prefix == "" || a.Run == nil {
			panic("commands: action handler needs Prefix and Run")
		}
		for _, old := range e.actions {
			if old.Prefix == a.Prefix {
				panic(fmt.Sprintf("commands: action prefix %q registered twice", a.Prefix))
			}
		}
		e.actions = append(e.actions, a)
	}
	// Longest prefix first, so "nudge:snooze" beats "nudge:".
	slices.SortStableFunc(e.actions, func(a, b ActionHandler) int { return cmp.Compare(len(b.Prefix), len(a.Prefix)) })
	for _, v := range x.Views {
		if v.CallbackID == "" || v.Run == nil || e.viewsByID[v.CallbackID] != nil {
			panic(fmt.Sprintf("commands: view handler %q missing or registered twice", v.CallbackID))
		}
		e.viewsByID[v.CallbackID] = v.Run
	}
	for _, s := range x.Shortcuts {
		if s.CallbackID == "" || s.Run == nil || e.shortcuts[s.CallbackID] != nil {
			panic(fmt.Sprintf("commands: shortcut handler %q missing or registered twice", s.CallbackID))
		}
		e.shortcuts[s.CallbackID] = s.Run
	}
	for _, s := range x.Suggestions {
		if s.ActionID == "" || s.Run == nil || e.suggest[s.ActionID] != nil {
			panic(fmt.Sprintf("commands: suggestion handler %q missing or registered twice", s.ActionID))
		}
		e.suggest[s.ActionID] = s.Run
	}
	for _, s := range x.CardSections {
		if s.Render == nil {
			panic(fmt.Sprintf("commands: card section %q needs Render", s.Name))
		}
		e.cards = append(e.cards, s)
	}
}

// Commands returns the registered commands in registration order.
func (e *Engine) Commands() []Command {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Command, len(e.cmds))
	for i, c := range e.cmds {
		out[i] = *c
	}
	return out
}

// lookup finds a command by name or alias.
func (e *Engine) lookup(name string) *Command {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.byName[name]
}

// SubCommand returns the canonical name of the sub-command text starts with,
// for metrics labels: "help" for empty text, "unknown" for anything not
// registered (so labels stay bounded whatever users type).
func (e *Engine) SubCommand(text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return "help"
	}
	word := text
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word = text[:i]
	}
	if c := e.lookup(strings.ToLower(word)); c != nil {
		return c.Name
	}
	return "unknown"
}

// Handle runs one /kam command. It never panics and never shows internal
// errors: a *kam.Error's message is the reply; anything else is logged once
// and the user reads "Internal error.". Error replies are ephemeral.
func (e *Engine) Handle(ctx context.Context, req Request) Reply {
	rep, _ := e.Do(ctx, req)
	return rep
}

// Do is Handle that also returns the error the reply reports: nil on
// success, a *kam.Error for a refused or invalid command, or an internal
// error (already logged). Transports use it for metrics outcomes.
func (e *Engine) Do(ctx context.Context, req Request) (rep Reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("command %q panicked: %v", e.SubCommand(req.Text), p)
			e.log.Error("command panicked", "cmd", e.SubCommand(req.Text), "team", req.TeamID, "user", req.UserID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			rep = errorReply(err)
		}
	}()
	rep, err = e.run(ctx, req)
	if err != nil {
		if kam.ErrorCode(err) == kam.EINTERNAL {
			e.log.Error("command failed", "cmd", e.SubCommand(req.Text), "team", req.TeamID, "user", req.UserID, "err", err)
		} else {
			e.log.Debug("command refused", "cmd", e.SubCommand(req.Text), "team", req.TeamID, "user", req.UserID, "code", kam.ErrorCode(err))
		}
		return errorReply(err), err
	}
	return e.finish(rep, req), nil
}

func (e *Engine) run(ctx context.Context, req Request) (Reply, error) {
	if req.TeamID == "" || req.UserID == "" {
		return Reply{}, fmt.Errorf("request without workspace or user (team=%q user=%q)", req.TeamID, req.UserID)
	}
	if e.store == nil {
		return Reply{}, fmt.Errorf("engine has no store")
	}
	req.Text = strings.ToValidUTF8(req.Text, "\uFFFD")
	args := NewArgs(req.Text)
	first, ok, err := args.Next()
	if err != nil {
		return Reply{}, err
	}
	name := "help"
	if ok {
		if first.Key != "" || first.Quoted {
			return Reply{}, e.unknownCommand(first.String())
		}
		name = strings.ToLower(first.Value)
	}
	cmd := e.lookup(name)
	if cmd == nil {
		return Reply{}, e.unknownCommand(name)
	}
	c := &Call{
		Actor:   e.actor(ctx, req.TeamID, req.UserID),
		Request: req,
		Command: cmd,
		Args:    args,
	}
	if cmd.Account {
		tok, ok, err := args.Next()
		if err != nil {
			return Reply{}, err
		}
		if !ok || tok.Key != "" {
			return Reply{}, c.Usage("Which account? Name it first")
		}
		c.Account, c.Role, err = c.ResolveAccount(ctx, tok.Value, cmd.Access, cmd.action())
		if err != nil {
			return Reply{}, err
		}
	} else if err := c.Allow(kam.Account{}, "", cmd.Access, cmd.action()); err != nil {
		return Reply{}, err
	}
	return cmd.Run(ctx, c)
}

func (c *Command) action() string {
	if c.Action != "" {
		return c.Action
	}
	return "use /kam " + c.Name
}

func (e *Engine) unknownCommand(name string) error {
	e.mu.RLock()
	names := make([]string, 0, len(e.byName))
	for n := range e.byName {
		names = append(names, n)
	}
	e.mu.RUnlock()
	slices.Sort(names)
	if s := closest(name, names); s != "" {
		return kam.Errorf(kam.EINVALID, "I don't know “%s” — did you mean `/kam %s`? Type `/kam help` for the list.", show(name, 30), s)
	}
	return kam.Errorf(kam.EINVALID, "I don't know “%s” — type `/kam help` for the list of commands.", show(name, 30))
}

func (e *Engine) actor(ctx context.Context, teamID, userID string) Actor {
	return Actor{TeamID: teamID, UserID: userID, Admin: e.isAdmin(teamID, userID), Now: e.now().UTC(),
		Loc: e.zoneOf(ctx, teamID, userID), e: e}
}

// zoneOf is the zone the user reads dates in: their own Slack zone when
// known, else the workspace's. A failed lookup is logged and falls back:
// a date in the workspace zone is better than no answer.
func (e *Engine) zoneOf(ctx context.Context, teamID, userID string) *time.Location {
	if e.zones == nil || userID == "" {
		return e.loc
	}
	loc, err := e.zones.UserZone(ctx, teamID, userID)
	if err != nil {
		e.log.Warn("user time zone unknown; using the workspace zone", "team", teamID, "user", userID, "err", err)
	}
	if loc == nil {
		return e.loc
	}
	return loc
}

// finish fills the plain-text rendering, enforces Slack's limits as a last
// line of defence and makes slow work panic-safe.
func (e *Engine) finish(rep Reply, req Request) Reply {
	rep.Blocks = charts.Cap(enforceLimits(rep.Blocks, maxMessageBlocks))
	if rep.Text == "" {
		rep.Text = format.Fallback(rep.Blocks)
	}
	if later := rep.Later; later != nil {
		rep.Later = func(ctx context.Context) (out Reply) {
			defer func() {
				if p := recover(); p != nil {
					e.log.Error("slow command work panicked", "cmd", e.SubCommand(req.Text), "team", req.TeamID,
						"user", req.UserID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					out = errorReply(fmt.Errorf("panic: %v", p))
				}
			}()
			return e.finish(later(ctx), req)
		}
	}
	return rep
}

// errorReply renders an error for the user: its message when it is a
// *kam.Error, "Internal error." otherwise. Always ephemeral.
func errorReply(err error) Reply {
	blocks := []slack.Block{section(format.Guard(ErrorText(err)))}
	return Reply{Text: format.Fallback(blocks), Blocks: blocks}
}

// Interact answers an interactive payload: block_actions by action_id
// prefix, view_submission by the view's callback_id, shortcuts by
// callback_id. Like Handle it never panics and never shows internal errors.
func (e *Engine) Interact(ctx context.Context, cb slack.InteractionCallback) (out InteractionReply) {
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("interaction panicked", "type", cb.Type, "team", cb.Team.ID, "user", cb.User.ID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			out = e.interactionError(cb, fmt.Errorf("panic: %v", p))
		}
	}()
	teamID := cmp.Or(cb.Team.ID, cb.User.TeamID, cb.View.TeamID)
	in := &Interaction{Actor: e.actor(ctx, teamID, cb.User.ID), Callback: &cb}
	if teamID == "" || cb.User.ID == "" {
		e.log.Warn("interaction without workspace or user", "type", cb.Type)
		return InteractionReply{}
	}

	var run InteractionFunc
	var key string
	e.mu.RLock()
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
	actions:
		for _, act := range cb.ActionCallback.BlockActions {
			for _, h := range e.actions {
				if strings.HasPrefix(act.ActionID, h.Prefix) {
					run, key, in.Action = h.Run, act.ActionID, act
					break actions
				}
			}
		}
	case slack.InteractionTypeViewSubmission:
		key = cb.View.CallbackID
		run = e.viewsByID[key]
	case slack.InteractionTypeShortcut, slack.InteractionTypeMessageAction:
		key = cb.CallbackID
		run = e.shortcuts[key]
	case slack.InteractionTypeBlockSuggestion:
		key = cb.ActionID
		run = e.suggest[key]
	}
	e.mu.RUnlock()
	if run == nil {
		// Link buttons and closed modals arrive too; a 200 is all they need.
		e.log.Debug("no handler for interaction", "type", cb.Type, "key", key)
		if cb.Type == slack.InteractionTypeBlockSuggestion {
			return InteractionReply{Ack: noOptions()}
		}
		return InteractionReply{}
	}
	rep, err := run(ctx, in)
	if err != nil {
		if kam.ErrorCode(err) == kam.EINTERNAL {
			if _, ok := err.(FieldErrors); !ok {
				e.log.Error("interaction failed", "type", cb.Type, "key", key, "team", teamID, "user", cb.User.ID, "err", err)
			}
		}
		return e.interactionError(cb, err)
	}
	if rep.Reply != nil {
		r := e.finish(*rep.Reply, Request{TeamID: teamID, UserID: cb.User.ID, Text: key})
		rep.Reply = &r
	}
	return rep
}

// FieldErrors are view_submission errors shown under the modal's input
// blocks, keyed by block_id; an InteractionFunc returns them to keep the
// modal open.
type FieldErrors map[string]string

func (f FieldErrors) Error() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", k, f[k])
	}
	return "invalid fields: " + b.String()
}

// interactionError answers a failed interaction the way its payload type
// allows: modal errors stay in the modal, the rest becomes an ephemeral
// follow-up.
func (e *Engine) interactionError(cb slack.InteractionCallback, err error) InteractionReply {
	if cb.Type == slack.InteractionTypeViewSubmission {
		if f, ok := err.(FieldErrors); ok {
			return InteractionReply{Ack: slack.NewErrorsViewSubmissionResponse(f)}
		}
		// No input to point at: replace the modal with the message.
		view := slack.ModalViewRequest{
			Type:   slack.VTModal,
			Title:  slack.NewTextBlockObject(slack.PlainTextType, "kambot", false, false),
			Close:  slack.NewTextBlockObject(slack.PlainTextType, "Close", false, false),
			Blocks: slack.Blocks{BlockSet: []slack.Block{section(format.Guard(ErrorText(err)))}},
		}
		return InteractionReply{Ack: slack.NewUpdateViewSubmissionResponse(&view)}
	}
	if cb.Type == slack.InteractionTypeBlockSuggestion {
		return InteractionReply{Ack: noOptions()} // a menu has nowhere to show an error
	}
	r := errorReply(err)
	return InteractionReply{Reply: &r}
}

// Actor is the user a command or interaction runs for, with the methods
// that resolve accounts and check what the user may do.
type Actor struct {
	TeamID string
	UserID string
	Admin  bool      // listed in Config.Admins
	Now    time.Time // the engine's clock, read once per request, UTC
	// Loc is the zone the user reads dates in (their Slack zone, else the
	// workspace zone); never nil.
	Loc *time.Location
	e   *Engine
}

// Store is the engine's store.
func (a *Actor) Store() Store { return a.e.store }

// Money renders an amount in the workspace currency: "$2.3M".
func (a *Actor) Money(v int64) string { return a.e.currency.Money(v) }

// Currency is the workspace currency.
func (a *Actor) Currency() format.Currency { return a.e.currency }

// zoneFor is the zone a message to userID is read in: their own zone,
// else (a channel, or nobody named) the workspace zone.
func (a *Actor) zoneFor(ctx context.Context, userID string) *time.Location {
	return a.e.zoneOf(ctx, a.TeamID, userID)
}

// WorkspaceLoc is the workspace zone (KAMBOT_TZ), for what many read:
// a channel post, a reminder's updated text.
func (a *Actor) WorkspaceLoc() *time.Location { return a.e.loc }

// Today is the user's calendar day (in Loc) as a date like those typed.
func (a *Actor) Today() time.Time { return format.Today(a.Now, a.Loc) }

// Date renders the day an instant fell on, in the user's zone.
func (a *Actor) Date(t time.Time) string { return format.Date(t, a.Loc) }

// Views opens modals; nil when the transport has none (the console).
func (a *Actor) Views() Views { return a.e.views }

// Logger is the engine's logger.
func (a *Actor) Logger() *slog.Logger { return a.e.log }

// isAdmin reports whether the user is an admin of the workspace: listed
// alone (every workspace) or as teamID:userID.
func (e *Engine) isAdmin(teamID, userID string) bool {
	return userID != "" && (e.admins[userID] || e.admins[teamID+":"+userID])
}

// Admins lists the user IDs of the workspace's admins, for messages.
func (a *Actor) Admins() []string { return a.e.adminsOf(a.TeamID) }

// adminsOf lists the admins of one workspace, in configuration order.
func (e *Engine) adminsOf(teamID string) []string {
	var out []string
	for _, id := range e.adminList {
		team, user, scoped := strings.Cut(id, ":")
		switch {
		case !scoped:
			out = append(out, id)
		case team == teamID && !slices.Contains(out, user):
			out = append(out, user)
		}
	}
	return out
}

// Call is one run of a Command.
type Call struct {
	Actor
	Request Request
	Command *Command
	// Args holds what follows the sub-command name (and the account, when
	// Command.Account).
	Args *Args
	// Account is the resolved <account> when Command.Account.
	Account kam.Account
	// Role is the caller's role on Account; "" when not on its team.
	Role kam.Role
}

// Usage returns an EINVALID error that says what is wrong and shows the
// command's usage line; reason should not end in punctuation.
func (c *Call) Usage(reason string, args ...any) error {
	return kam.Errorf(kam.EINVALID, "%s — type `/kam %s`.", fmt.Sprintf(reason, args...), format.Mrkdwn(c.Command.Usage))
}

// Interaction is one interactive payload being handled.
type Interaction struct {
	Actor
	Callback *slack.InteractionCallback
	// Action is the block action whose action_id matched, for block_actions.
	Action *slack.BlockAction
}

// show prepares user input for quoting in a message: clipped to n runes and
// escaped so Slack shows it literally.
func show(s string, n int) string { return format.Mrkdwn(clip(s, n)) }

// runeLen counts characters as users see them.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
