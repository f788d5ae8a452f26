"""One organisation's node: operations, the inspector's checks, consortium set-up."""
