package fakeslack

import "encoding/json"

// The assistant surface: assistant.threads.setStatus, setSuggestedPrompts
// and setTitle, and the streamed message of chat.startStream, appendStream
// and stopStream, which the double keeps as one Message whose Text grows.

func (s *Server) addAssistantMethods(m map[string]func(Call) obj) {
	thread := func(c Call) obj {
		if c.param("channel_id") == "" || c.param("thread_ts") == "" {
			return errBody("invalid_arguments")
		}
		return obj{"ok": true}
	}
	m["assistant.threads.setStatus"] = thread
	m["assistant.threads.setSuggestedPrompts"] = func(c Call) obj {
		if !json.Valid([]byte(c.param("prompts"))) {
			return errBody("invalid_arguments")
		}
		return thread(c)
	}
	m["assistant.threads.setTitle"] = thread
	m["chat.startStream"] = s.startStream
	m["chat.appendStream"] = s.appendStream
	m["chat.stopStream"] = s.appendStream
}

// startStream begins a streamed reply; Slack requires a thread.
func (s *Server) startStream(c Call) obj {
	channel := c.param("channel")
	if channel == "" {
		return errBody("channel_not_found")
	}
	if c.param("thread_ts") == "" {
		return errBody("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := Message{Channel: channel, TS: s.nextTSLocked(), ThreadTS: c.param("thread_ts"), Text: c.param("markdown_text")}
	s.messages[channel] = append(s.messages[channel], m)
	return obj{"ok": true, "channel": channel, "ts": m.TS}
}

// appendStream adds to a streamed reply (and stopStream closes it, with
// its blocks).
func (s *Server) appendStream(c Call) obj {
	channel, ts := c.param("channel"), c.param("ts")
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.messages[channel] {
		if m.TS == ts {
			m.Text += c.param("markdown_text")
			if b := c.param("blocks"); b != "" && b != "[]" {
				m.Blocks = json.RawMessage(b)
			}
			s.messages[channel][i] = m
			return obj{"ok": true, "channel": channel, "ts": ts}
		}
	}
	return errBody("message_not_found")
}
