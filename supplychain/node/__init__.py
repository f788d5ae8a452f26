"""One organisation's node: operations, the inspector's checks, the demo, consortium set-up."""
