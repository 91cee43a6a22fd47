"""The town's configuration: the accounts.yaml schema and its loading with line-numbered errors."""
