package commands_test

import (
	"os"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// pgTests are the tests run again on PostgreSQL: those whose outcome rests
// on the store's SQL — writes with their posts and audit, "changes
// nothing" on bad input, scoping by workspace, history, nudges and surveys —
// rather than on parsing and rendering, which do not change with the
// backend. Running every test twice would double the suite's time.
const pgTests = "^(TestLog|TestLogOncePerTrigger|TestPostQueueFailureWritesNothing|TestBadInputChangesNothing|TestStage|TestAddAndSet|TestTeam|TestOppAdd|" +
	"TestAccountsAndPipelineScope|TestAdminScopedToWorkspace|TestCommandAndStoreAgree|TestPipelineVelocity|TestIntelScore|TestIntelContacts|TestIntelPlan|" +
	"TestTargetsAndKPIs|TestNudgeSweepFindsFixture|TestNudgeMarkReviewed|TestNudgeSnooze|TestNudgeLogForm|TestOneVoice|TestShowOtherProcessChange|" +
	"TestSurveySendAndAnswer|TestSurveyCommands|TestPrefs|TestOutboxCommand|TestDeselectAndSelectionReview|TestLogAccountMenuFollowsChanges)$"

// TestMain runs the tests on SQLite and, when KAMBOT_TEST_POSTGRES_URL is
// set, those of pgTests again on PostgreSQL.
func TestMain(m *testing.M) {
	storetest.Prepare = store.MigrateAt
	os.Exit(storetest.MainSome(m, pgTests))
}
