package fakeslack

import "slices"

// chatDelete deletes a message the double holds (chat.delete).
func (s *Server) chatDelete(c Call) obj {
	channel, ts := c.param("channel"), c.param("ts")
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.messages[channel]
	for i := range msgs {
		if msgs[i].TS == ts {
			s.messages[channel] = slices.Delete(msgs, i, i+1)
			return obj{"ok": true, "channel": channel, "ts": ts}
		}
	}
	return errBody("message_not_found")
}

// MessageShortcut returns a message_action payload: user ran the message
// shortcut callbackID on the message ts (text, in thread threadTS when
// not empty) of channel.
func MessageShortcut(user, channel, callbackID, ts, threadTS, text, responseURL string) map[string]any {
	msg := map[string]any{"type": "message", "user": "UAUTHOR1", "text": text, "ts": ts}
	if threadTS != "" {
		msg["thread_ts"] = threadTS
	}
	return map[string]any{
		"type":         "message_action",
		"callback_id":  callbackID,
		"team":         map[string]any{"id": TeamID, "domain": TeamName},
		"user":         map[string]any{"id": user, "team_id": TeamID},
		"channel":      map[string]any{"id": channel, "name": "acme-shared"},
		"api_app_id":   AppID,
		"trigger_id":   NewTriggerID(),
		"response_url": responseURL,
		"message_ts":   ts,
		"message":      msg,
		"action_ts":    "1700000001.000200",
	}
}

// GlobalShortcut returns a shortcut payload: user ran the global shortcut
// callbackID.
func GlobalShortcut(user, callbackID string) map[string]any {
	return map[string]any{
		"type":        "shortcut",
		"callback_id": callbackID,
		"team":        map[string]any{"id": TeamID, "domain": TeamName},
		"user":        map[string]any{"id": user, "team_id": TeamID},
		"api_app_id":  AppID,
		"trigger_id":  NewTriggerID(),
		"action_ts":   "1700000001.000200",
	}
}

// ViewState builds a view's state.values from block_id → element: each
// element is one action's value object ({"type": "static_select",
// "selected_option": …}), under an action_id equal to its block_id.
func ViewState(values map[string]map[string]any) map[string]any {
	out := map[string]any{}
	for block, v := range values {
		out[block] = map[string]any{block: v}
	}
	return map[string]any{"values": out}
}

// ViewSubmission returns a view_submission payload of the modal
// callbackID with private_metadata and state (see ViewState).
func ViewSubmission(user, callbackID, privateMetadata string, state map[string]any) map[string]any {
	return map[string]any{
		"type":       "view_submission",
		"team":       map[string]any{"id": TeamID, "domain": TeamName},
		"user":       map[string]any{"id": user, "team_id": TeamID},
		"api_app_id": AppID,
		"trigger_id": NewTriggerID(),
		"view": map[string]any{
			"id": "V0SUBMIT1", "team_id": TeamID, "type": "modal", "callback_id": callbackID,
			"private_metadata": privateMetadata, "state": state, "app_id": AppID, "bot_id": BotID,
		},
	}
}

// BlockSuggestion returns a block_suggestion payload: user typed value in
// the external_select actionID (block blockID) of an open modal with
// private_metadata and state.
func BlockSuggestion(user, blockID, actionID, value, privateMetadata string, state map[string]any) map[string]any {
	return map[string]any{
		"type":       "block_suggestion",
		"team":       map[string]any{"id": TeamID, "domain": TeamName},
		"user":       map[string]any{"id": user, "team_id": TeamID},
		"api_app_id": AppID,
		"block_id":   blockID,
		"action_id":  actionID,
		"value":      value,
		"view": map[string]any{
			"id": "V0SUGGEST", "team_id": TeamID, "type": "modal",
			"private_metadata": privateMetadata, "state": state, "app_id": AppID, "bot_id": BotID,
		},
	}
}
