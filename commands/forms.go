package commands

// formsExtension is kambot's Slack-native way in: the "Log to account"
// message shortcut and the "Log an interaction" global shortcut (the log
// form), the account and stakeholder type-ahead behind it, the stage and
// opportunity forms, and the card's menu to edit or delete an interaction.
func formsExtension() Extension {
	return Extension{
		Shortcuts: []ShortcutHandler{
			{CallbackID: ShortcutLogToAccount, Run: runLogShortcut},
			{CallbackID: ShortcutLogInteraction, Run: runLogShortcut},
		},
		Suggestions: []SuggestionHandler{
			{ActionID: fieldAccount, Run: suggestLogAccounts},
			{ActionID: fieldWith, Run: suggestStakeholders},
		},
		Views: []ViewHandler{
			{CallbackID: logViewID, Run: submitLog},
			{CallbackID: editViewID, Run: submitEdit},
			{CallbackID: deleteViewID, Run: submitDelete},
			{CallbackID: stageViewID, Run: submitStage},
			{CallbackID: oppViewID, Run: submitOpp},
		},
		Actions: []ActionHandler{{Prefix: interactionMenu, Run: runInteractionMenu}},
	}
}
