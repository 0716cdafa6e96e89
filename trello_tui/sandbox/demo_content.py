"""Text for the demo seed: card titles, Markdown descriptions, comments, checklist items."""

CARD_TITLES = [
    "Offline mode for the mobile app", "Fix login redirect loop", "Dark theme polish",
    "Export boards to CSV", "Rate-limit the public API", "Onboarding checklist v2",
    "Search: prefix matching", "Speed up board load", "Audit log for admins",
    "Two-factor authentication", "Keyboard shortcuts cheat sheet", "Invoice PDF layout",
    "Migrate to Postgres 16", "Accessibility review of forms", "Translate settings page",
    "Webhooks retry dashboard", "Billing: prorate upgrades", "Email digest redesign",
    "Remove legacy v1 endpoints", "Crash on empty list drag", "Card cover images",
    "Calendar view", "Bulk move cards", "Improve error messages", "Sync conflicts UI",
    "Usage analytics dashboard", "GDPR data export", "Password reset emails slow",
    "Mobile push notifications", "Label colour picker", "Archive old boards automatically",
    "API docs: pagination", "Flaky test in sync engine", "Team invite flow",
    "SSO with Okta", "Pricing page experiment", "Support macros", "Reduce bundle size",
    "Due-date reminders", "Checklist templates",
]  # fmt: skip

DESCRIPTIONS = [
    "## Why\nCustomers keep asking for this.\n\n- [ ] design\n- [ ] build\n- [ ] ship",
    "Steps to reproduce:\n\n1. Open a board\n2. Drag the **last** card up\n3. Watch it jump\n\n"
    "Expected: it stays where dropped.",
    "See the [spec](https://example.invalid/spec) for details. Keep it *simple*.",
    "```\nGET /1/boards/{id}?cards=open\n```\nshould answer in < 200 ms for 5k cards.",
    "> Users should never lose work.\n\nAcceptance: survives a restart while offline.",
    "Owner: **Sam**. Needs a decision from legal before we start.",
    "A short one.",
]

COMMENTS = [
    "Looks good to me 👍", "Can we split this into two cards?", "Blocked on the API change.",
    "Picked this up today.", "Moved to review — please have a look.",
    "I think this is a duplicate of the search card.", "Shipped to staging.",
    "Needs a design pass first.", "**Update:** customer confirmed the fix.",
    "Let's discuss in standup.",
]  # fmt: skip

ITEMS = [
    "Write the spec", "Design review", "Implement", "Write tests", "Update docs",
    "QA on staging", "Release notes", "Tell support", "Measure impact", "Clean up flags",
]  # fmt: skip
