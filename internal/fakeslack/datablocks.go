package fakeslack

import "strings"

// WithoutDataBlocks makes the double a workspace whose Slack lacks the
// data_visualization and data_table blocks: chat.postMessage refuses a
// message holding one with invalid_blocks, as Slack does.
func (s *Server) WithoutDataBlocks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noData = true
}

// refusesBlocks reports whether the workspace cannot show these blocks.
func (s *Server) refusesBlocks(blocks string) bool {
	s.mu.Lock()
	no := s.noData
	s.mu.Unlock()
	return no && hasDataBlock(blocks)
}

func hasDataBlock(blocks string) bool {
	return strings.Contains(blocks, `"type":"data_visualization"`) || strings.Contains(blocks, `"type":"data_table"`)
}

// WithoutDataBlocks makes response_url refuse a message holding a
// data_visualization or data_table block with 400 invalid_blocks, as a
// workspace without them does. Refused messages are not kept in Posts;
// Refused counts them.
func (k *ResponseSink) WithoutDataBlocks() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.noData = true
}

// Refused counts the messages refused for their data blocks.
func (k *ResponseSink) Refused() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.refused
}

func (k *ResponseSink) refuses(blocks []byte) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.noData && hasDataBlock(string(blocks)) {
		k.refused++
		return true
	}
	return false
}
