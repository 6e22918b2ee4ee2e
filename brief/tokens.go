package brief

// Input budgets, in estimated tokens.
const (
	DefaultInputBudget = 3000
	// MinInputBudget is the smallest budget honoured: below it the
	// instructions and the account card alone would not fit. Smaller
	// budgets are raised to it.
	MinInputBudget = 1500
)

// Per-message framing of the chat format, as OpenAI documents it for its
// chat models: about 4 tokens around each message and 3 to prime the reply.
const (
	tokensPerMessage = 4
	tokensPerReply   = 3
)

// EstimateTokens is a conservative estimate of the tokens s costs, with no
// tokenizer at hand: one token per 3 bytes of ASCII, and one, one and a half
// or two tokens per non-ASCII character (2-, 3- and 4-byte UTF-8). OpenAI's
// tokenizers average about 4 bytes per token on English prose and about 3.3
// on the compact JSON of a prompt, so the estimate runs 10–30 % high; dates
// and IDs tokenize worst, at close to 3 bytes per token. Estimates add up:
// the estimate of a concatenation never exceeds the sum of its parts'.
func EstimateTokens(s string) int {
	// Cost in sixths of a token keeps the arithmetic in integers.
	sixths := 0
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b < 0x80:
			sixths += 2
		case b >= 0xF0:
			sixths += 12
		case b >= 0xE0:
			sixths += 9
		case b >= 0xC0:
			sixths += 6
		}
		// continuation bytes (0x80–0xBF) are paid for by their lead byte
	}
	return (sixths + 5) / 6
}
