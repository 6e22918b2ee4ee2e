// Package format holds the one rule for text kambot shows in Slack, and the
// checks that every message, modal and view keeps it.
//
// Text a person or a model wrote is never trusted as Slack markup. Before it
// reaches a mrkdwn field it goes through Mrkdwn (or Model, for a model's
// answer); before it reaches a plain_text field, through Plain. Both keep
// only what the author plainly meant:
//
//   - user and channel mentions typed as mentions (<@U…>, <#C…>) stay;
//   - special mentions (<!here>, <!channel>, <!everyone>, <!subteam^…>)
//     become the words the person typed ("@here") and ping nobody;
//   - a link shows its address, never a label hiding it: "click (https://…)";
//   - every other &, < and > is shown literally.
//
// A message's top-level text (the notification fallback, itself mrkdwn) is
// built by Fallback from the blocks' already safe text; it never decodes
// entities back into markup.
package format
