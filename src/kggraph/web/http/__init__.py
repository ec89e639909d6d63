"""What the views share: the application's state, errors, prepared queries and cached answers,
validators, transfer, pages (templates, words, the query editor), budgets, security, connections."""
