"""What every route needs: responses and errors, conditional GET, transfer, templating, client
identity, budgets."""
